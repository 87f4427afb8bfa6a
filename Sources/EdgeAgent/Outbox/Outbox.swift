#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where an answer goes: opaque to the outbox (an MQTT response topic and its correlation data).
public struct ReplyRoute: Sendable, Equatable, Codable {
    public var topic: String
    public var correlationData: [UInt8]?

    public init(topic: String, correlationData: [UInt8]? = nil) {
        self.topic = topic
        self.correlationData = correlationData
    }
}

/// One escalation waiting for the link. `id` is the idempotency key: enqueuing it twice keeps one item.
public struct OutboxItem: Sendable, Equatable {
    public var id: String
    /// Seconds since 1970 (wall clock, so they mean the same after a restart).
    public var createdAt: Double
    public var expiresAt: Double
    public var kind: EscalationKind
    public var replyRoute: ReplyRoute
    /// The request as it will be sent, before redaction (redaction happens at send time, with the rules then).
    public var text: String
    public var attempts: Int
    public var nextAttemptAt: Double
    public var lastError: String?
    /// The cloud's answer, kept once received until it is delivered (`CloudAnswer` JSON).
    public var answer: [UInt8]?

    public init(
        id: String, createdAt: Double, expiresAt: Double, kind: EscalationKind, replyRoute: ReplyRoute, text: String
    ) {
        self.id = id
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.kind = kind
        self.replyRoute = replyRoute
        self.text = text
        self.attempts = 0
        self.nextAttemptAt = createdAt
    }
}

/// The durable outbox (SQLite, WAL). Every change is one transaction, so a kill at any point leaves each item either
/// fully stored or absent. Bounded: past `maxItems` a new item is refused and the requester told; nothing already
/// acknowledged is dropped to make room.
public final class Outbox: Sendable {
    public enum Enqueued: Sendable, Equatable {
        case queued
        /// The id was already queued: one item, one answer.
        case duplicate
        /// The outbox holds `maxItems`; the new item was not stored.
        case full(Int)
    }

    let database: SQLiteDatabase
    public let settings: OutboxSettings

    init(database: SQLiteDatabase, settings: OutboxSettings) {
        self.database = database
        self.settings = settings
    }

    public func enqueue(_ item: OutboxItem) throws -> Enqueued {
        let payload = Array(item.text.utf8)
        return try database.transaction { tx in
            if try !tx.execute("SELECT 1 FROM outbox WHERE id = ?", [.text(item.id)]).isEmpty { return .duplicate }
            let count = Int(try tx.execute("SELECT count(*) AS n FROM outbox").first?["n"]?.int ?? 0)
            if count >= settings.maxItems { return .full(count) }
            try tx.execute(
                """
                INSERT INTO outbox(id, created_at, expires_at, kind, reply_topic, correlation, payload, attempts,
                                   next_attempt_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)
                """,
                [
                    .text(item.id), .real(item.createdAt), .real(item.expiresAt), .text(item.kind.rawValue),
                    .text(item.replyRoute.topic), item.replyRoute.correlationData.map { .blob($0) } ?? .null,
                    .blob(payload), .real(item.nextAttemptAt),
                ])
            return .queued
        }
    }

    static let columns =
        "id, created_at, expires_at, kind, reply_topic, correlation, payload, attempts, next_attempt_at, last_error, answer"

    func items(_ whereClause: String, _ arguments: [SQLiteValue] = [], limit: Int = -1) throws -> [OutboxItem] {
        try database.execute(
            "SELECT \(Self.columns) FROM outbox \(whereClause) ORDER BY created_at, id LIMIT \(limit)", arguments
        ).map { row in
            var item = OutboxItem(
                id: row["id"]?.string ?? "", createdAt: row["created_at"]?.double ?? 0,
                expiresAt: row["expires_at"]?.double ?? 0,
                kind: EscalationKind(rawValue: row["kind"]?.string ?? "") ?? .deviceCommand,
                replyRoute: ReplyRoute(
                    topic: row["reply_topic"]?.string ?? "", correlationData: row["correlation"]?.bytes),
                text: String(decoding: row["payload"]?.bytes ?? [], as: UTF8.self))
            item.attempts = Int(row["attempts"]?.int ?? 0)
            item.nextAttemptAt = row["next_attempt_at"]?.double ?? 0
            item.lastError = row["last_error"]?.string
            item.answer = row["answer"]?.bytes
            return item
        }
    }

    /// Every item, oldest first.
    public func list() throws -> [OutboxItem] { try items("") }

    public var count: Int {
        get throws { Int(try database.execute("SELECT count(*) AS n FROM outbox").first?["n"]?.int ?? 0) }
    }

    /// Items past their expiry (answered or not): never to be executed.
    public func expired(now: Double) throws -> [OutboxItem] { try items("WHERE expires_at <= ?", [.real(now)]) }

    /// Items whose answer arrived but was not yet delivered (a crash in between).
    public func answered(now: Double) throws -> [OutboxItem] {
        try items("WHERE answer IS NOT NULL AND expires_at > ?", [.real(now)])
    }

    /// Items to send now.
    public func due(now: Double, limit: Int = 16) throws -> [OutboxItem] {
        try items(
            "WHERE answer IS NULL AND expires_at > ? AND next_attempt_at <= ?", [.real(now), .real(now)], limit: limit)
    }

    /// The earliest time something is to be done: a retry or an expiry.
    public func nextEvent() throws -> Double? {
        try database.execute(
            "SELECT min(min(next_attempt_at, expires_at)) AS t FROM outbox"
        ).first?["t"]?.double
    }

    /// The answer arrived: keep it with the item until it is delivered.
    public func recordAnswer(id: String, answer: [UInt8]) throws {
        try database.transaction { tx in
            try tx.execute("UPDATE outbox SET answer = ?, last_error = NULL WHERE id = ?", [.blob(answer), .text(id)])
        }
    }

    public func scheduleRetry(id: String, at time: Double, error: String) throws {
        try database.transaction { tx in
            try tx.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?",
                [.real(time), .text(error), .text(id)])
        }
    }

    /// Makes every pending item due now (`edge-agent outbox flush`).
    @discardableResult
    public func makeAllDue(now: Double) throws -> Int {
        try database.transaction { tx in
            try tx.execute("UPDATE outbox SET next_attempt_at = ? WHERE answer IS NULL", [.real(now)])
            return tx.changes
        }
    }

    /// Removes an item once its answer (or its expiry) was delivered.
    public func remove(id: String) throws {
        try database.transaction { tx in try tx.execute("DELETE FROM outbox WHERE id = ?", [.text(id)]) }
    }

    /// Removes everything (`edge-agent outbox purge`); returns how many.
    @discardableResult
    public func purge() throws -> Int {
        try database.transaction { tx in
            try tx.execute("DELETE FROM outbox")
            return tx.changes
        }
    }
}
