import CSQLite
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A failed SQLite call, with the statement or file it was about and SQLite's own message.
public struct SQLiteError: Error, CustomStringConvertible, Equatable {
    public var code: Int32
    public var message: String
    public var context: String

    public var description: String { "SQLite error \(code) (\(message)) in \(context)" }
}

/// One value bound to, or read from, a statement.
public enum SQLiteValue: Equatable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public var int: Int64? { if case .integer(let v) = self { v } else { nil } }
    public var double: Double? {
        switch self {
        case .real(let v): v
        case .integer(let v): Double(v)
        default: nil
        }
    }
    public var string: String? { if case .text(let v) = self { v } else { nil } }
    public var bytes: [UInt8]? {
        switch self {
        case .blob(let v): v
        case .null: nil
        case .text(let v): Array(v.utf8)
        default: nil
        }
    }
}

/// The one door to libsqlite3: a connection in WAL mode with full synchronous commits, every call serialised by a
/// lock, every failure a `SQLiteError`. Several processes may open the same file (the agent and `edge-agent outbox`).
public final class SQLiteDatabase: @unchecked Sendable {
    public let path: String
    private let handle: OpaquePointer
    private let lock = Mutex(())

    /// Opens (or makes) the file at `path`; with `creatingDirectory`, makes its directory first when missing.
    public convenience init(path: String, creatingDirectory: Bool) throws {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
        if creatingDirectory, !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        try self.init(path: path)
    }

    public init(path: String) throws(SQLiteError) {
        self.path = path
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: message, context: "opening '\(path)'")
        }
        handle = db
        sqlite3_busy_timeout(db, 5000)
        // WAL: readers never block the writer, and a commit is one append to the log. FULL: a commit survives
        // power loss, not only a killed process.
        try execute("PRAGMA journal_mode=WAL")
        try execute("PRAGMA synchronous=FULL")
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs one statement and returns its rows, each a column-name → value dictionary.
    @discardableResult
    public func execute(_ sql: String, _ arguments: [SQLiteValue] = []) throws(SQLiteError) -> [[String: SQLiteValue]] {
        try lock.withLock { _ throws(SQLiteError) in try run(sql, arguments) }
    }

    /// Runs `body` inside one IMMEDIATE transaction: all of its writes are kept, or none (paho's persistence
    /// contract: a failed store leaves the data as it was).
    @discardableResult
    public func transaction<T>(_ body: (Transaction) throws -> T) throws -> T {
        try lock.withLock { _ in
            _ = try run("BEGIN IMMEDIATE", [])
            do {
                let value = try body(Transaction(database: self))
                _ = try run("COMMIT", [])
                return value
            } catch {
                _ = try? run("ROLLBACK", [])
                throw error
            }
        }
    }

    /// Statements run inside `transaction`, already holding the lock.
    public struct Transaction {
        let database: SQLiteDatabase
        @discardableResult
        public func execute(
            _ sql: String, _ arguments: [SQLiteValue] = []
        ) throws(SQLiteError)
            -> [[String: SQLiteValue]]
        {
            try database.run(sql, arguments)
        }
        public var changes: Int { Int(sqlite3_changes(database.handle)) }
    }

    private func fail(_ rc: Int32, _ sql: String) -> SQLiteError {
        SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)), context: "'\(sql)' on '\(path)'")
    }

    private func run(_ sql: String, _ arguments: [SQLiteValue]) throws(SQLiteError) -> [[String: SQLiteValue]] {
        var statement: OpaquePointer?
        var rc = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw fail(rc, sql) }
        defer { sqlite3_finalize(statement) }
        // SQLITE_TRANSIENT: SQLite copies the bytes before the call returns.
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (offset, argument) in arguments.enumerated() {
            let index = Int32(offset + 1)
            switch argument {
            case .null: rc = sqlite3_bind_null(statement, index)
            case .integer(let v): rc = sqlite3_bind_int64(statement, index, v)
            case .real(let v): rc = sqlite3_bind_double(statement, index, v)
            case .text(let v): rc = sqlite3_bind_text(statement, index, v, -1, transient)
            case .blob(let v):
                rc = v.withUnsafeBytes { raw in
                    sqlite3_bind_blob(
                        statement, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count),
                        transient)
                }
            }
            guard rc == SQLITE_OK else { throw fail(rc, sql) }
        }
        var rows: [[String: SQLiteValue]] = []
        while true {
            rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw fail(rc, sql) }
            var row: [String: SQLiteValue] = [:]
            for column in 0..<sqlite3_column_count(statement) {
                let name = String(cString: sqlite3_column_name(statement, column))
                switch sqlite3_column_type(statement, column) {
                case SQLITE_INTEGER: row[name] = .integer(sqlite3_column_int64(statement, column))
                case SQLITE_FLOAT: row[name] = .real(sqlite3_column_double(statement, column))
                case SQLITE_TEXT: row[name] = .text(String(cString: sqlite3_column_text(statement, column)))
                case SQLITE_BLOB:
                    let count = Int(sqlite3_column_bytes(statement, column))
                    if count > 0, let bytes = sqlite3_column_blob(statement, column) {
                        row[name] = .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
                    } else {
                        row[name] = .blob([])
                    }
                default: row[name] = .null
                }
            }
            rows.append(row)
        }
        return rows
    }
}
