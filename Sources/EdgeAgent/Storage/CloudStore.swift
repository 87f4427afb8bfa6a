#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The cloud half's state on local storage, one SQLite file: the outbox, the daily budget counters and the learned
/// commands. Opening creates what is missing; every write is one transaction.
public final class CloudStore: Sendable {
    public let database: SQLiteDatabase
    public let outbox: Outbox
    public let budget: BudgetLedger
    public let learned: LearnedCommands

    public init(path: String, outboxSettings: OutboxSettings = OutboxSettings()) throws {
        database = try SQLiteDatabase(path: path, creatingDirectory: true)
        try database.transaction { tx in
            try tx.execute(
                """
                CREATE TABLE IF NOT EXISTS outbox (
                    id TEXT PRIMARY KEY,
                    created_at REAL NOT NULL,
                    expires_at REAL NOT NULL,
                    kind TEXT NOT NULL,
                    reply_topic TEXT NOT NULL,
                    correlation BLOB,
                    payload BLOB NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at REAL NOT NULL,
                    last_error TEXT,
                    answer BLOB
                )
                """)
            try tx.execute("CREATE INDEX IF NOT EXISTS outbox_created ON outbox(created_at)")
            try tx.execute(
                "CREATE TABLE IF NOT EXISTS budget (day INTEGER PRIMARY KEY, requests INTEGER NOT NULL, tokens INTEGER NOT NULL)"
            )
            try tx.execute(
                """
                CREATE TABLE IF NOT EXISTS learned (
                    key TEXT PRIMARY KEY,
                    near_key TEXT NOT NULL,
                    text TEXT NOT NULL,
                    actions BLOB NOT NULL,
                    fingerprint TEXT NOT NULL,
                    learned_at REAL NOT NULL,
                    uses INTEGER NOT NULL DEFAULT 0
                )
                """)
            try tx.execute("CREATE INDEX IF NOT EXISTS learned_near ON learned(near_key)")
        }
        outbox = Outbox(database: database, settings: outboxSettings)
        budget = BudgetLedger(database: database)
        learned = LearnedCommands(database: database)
    }
}

/// Requests and tokens spent per local day, kept across restarts.
public final class BudgetLedger: Sendable {
    let database: SQLiteDatabase

    init(database: SQLiteDatabase) { self.database = database }

    /// The local day number of an instant (days since 1970-01-01 in local time).
    public static func day(of epochSeconds: Double, utcOffset: Int) -> Int64 {
        Int64(((epochSeconds + Double(utcOffset)) / 86_400).rounded(.down))
    }

    public func usage(day: Int64) throws -> CloudPolicy.Usage {
        let rows = try database.execute("SELECT requests, tokens FROM budget WHERE day = ?", [.integer(day)])
        guard let row = rows.first else { return CloudPolicy.Usage() }
        return CloudPolicy.Usage(requests: Int(row["requests"]?.int ?? 0), tokens: Int(row["tokens"]?.int ?? 0))
    }

    /// Adds to the day's counters; older days are forgotten.
    public func charge(day: Int64, requests: Int, tokens: Int) throws {
        try database.transaction { tx in
            try tx.execute(
                """
                INSERT INTO budget(day, requests, tokens) VALUES (?, ?, ?)
                ON CONFLICT(day) DO UPDATE SET requests = requests + excluded.requests, tokens = tokens + excluded.tokens
                """, [.integer(day), .integer(Int64(requests)), .integer(Int64(tokens))])
            try tx.execute("DELETE FROM budget WHERE day < ?", [.integer(day - 7)])
        }
    }
}
