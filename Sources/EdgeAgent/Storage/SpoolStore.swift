import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The publish spool's file (SQLite, WAL): the same items as the in-memory `PublishSpool`, in the same order, so
/// what waited for the broker is still there after a crash or a restart. Every change is one transaction (a held
/// item with the drops it caused), so a kill at any point leaves each item either fully stored or absent. An item
/// leaves the file once the broker acknowledged it: delivery across a crash is at least once, and the receiver
/// recognises a repeat by its `id` user property.
public final class SpoolStore: Sendable {
    public let path: String
    let database: SQLiteDatabase
    /// The kernel's id of the current boot, written with every item (empty where /proc does not give it).
    let bootID: String

    /// One item of the file, with whether it was held since the machine last booted.
    public struct Stored: Sendable, Equatable {
        public var item: OutgoingItem
        public var sameBoot: Bool
    }

    public init(path: String, bootID: String = SpoolStore.currentBootID) throws {
        self.path = path
        self.bootID = bootID
        database = try SQLiteDatabase(path: path, creatingDirectory: true)
        try database.transaction { tx in
            // `seq` is the spool's order: items put back after a failed send were held before anything newer.
            try tx.execute(
                """
                CREATE TABLE IF NOT EXISTS spool (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL,
                    topic TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    payload BLOB NOT NULL,
                    retain INTEGER NOT NULL,
                    correlation BLOB,
                    expires_at REAL,
                    boot_id TEXT NOT NULL,
                    UNIQUE(id, topic)
                )
                """)
        }
    }

    /// `/proc/sys/kernel/random/boot_id`: new at every boot.
    public static var currentBootID: String {
        String((readKernelFile("/proc/sys/kernel/random/boot_id") ?? "").filter { !$0.isWhitespace })
    }

    /// Every item, oldest first. A row that cannot be read as an item is an error naming the file.
    public func load() throws -> [Stored] {
        try database.execute(
            "SELECT id, topic, kind, payload, retain, correlation, expires_at, boot_id FROM spool ORDER BY seq"
        ).map { row throws(SQLiteError) in
            guard let id = row["id"]?.string, let topic = row["topic"]?.string,
                let kind = row["kind"]?.string.flatMap(OutgoingItem.Kind.init(rawValue:)),
                let payload = row["payload"]?.bytes
            else {
                throw SQLiteError(code: 0, message: "a row is not a spooled item", context: "reading '\(path)'")
            }
            let item = OutgoingItem(
                id: id, kind: kind, topic: topic, payload: payload, retain: row["retain"]?.int == 1,
                correlationData: row["correlation"]?.bytes,
                expiresAt: row["expires_at"]?.double.map { Date(timeIntervalSince1970: $0) })
            let boot = row["boot_id"]?.string ?? ""
            return Stored(item: item, sameBoot: boot.isEmpty || bootID.isEmpty || boot == bootID)
        }
    }

    public var count: Int {
        get throws { Int(try database.execute("SELECT count(*) AS n FROM spool").first?["n"]?.int ?? 0) }
    }

    /// Writes what one change of the spool did: `held` added (once per key), `removed` gone.
    public func record(held: [OutgoingItem] = [], removed: [OutgoingItem] = []) throws {
        guard !held.isEmpty || !removed.isEmpty else { return }
        try database.transaction { tx in
            for item in removed {
                try tx.execute("DELETE FROM spool WHERE id = ? AND topic = ?", [.text(item.id), .text(item.topic)])
            }
            for item in held {
                try tx.execute(
                    """
                    INSERT OR IGNORE INTO spool(id, topic, kind, payload, retain, correlation, expires_at, boot_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(item.id), .text(item.topic), .text(item.kind.rawValue), .blob(item.payload),
                        .integer(item.retain ? 1 : 0), item.correlationData.map { .blob($0) } ?? .null,
                        item.expiresAt.map { .real($0.timeIntervalSince1970) } ?? .null, .text(bootID),
                    ])
            }
        }
    }

    /// Opens the file at `path` and reads what it holds. A file that cannot be opened or read (corrupt, not a
    /// database, unreadable) is logged as an error naming it, moved aside to `<path>.bad-<unix time>` with its
    /// WAL, and replaced by an empty one; when even that fails, the spool works in memory only (nil).
    public static func open(path: String, logger: Logger) -> (store: SpoolStore, items: [Stored])? {
        do {
            let store = try SpoolStore(path: path)
            return (store, try store.load())
        } catch {
            logger.error(
                "The spool file cannot be read; starting with an empty spool",
                metadata: ["spool.path": "\(path)", "spool.error": "\(error)"])
        }
        let aside = "\(path).bad-\(Int(Date().timeIntervalSince1970))"
        do {
            try FileManager.default.moveItem(atPath: path, toPath: aside)
            for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                try FileManager.default.moveItem(atPath: path + suffix, toPath: aside + suffix)
            }
            logger.error("Moved the unreadable spool file aside", metadata: ["spool.path": "\(aside)"])
            return (try SpoolStore(path: path), [])
        } catch {
            logger.error(
                "No spool file: what waits for the broker is kept in memory only",
                metadata: ["spool.path": "\(path)", "spool.error": "\(error)"])
            return nil
        }
    }
}
