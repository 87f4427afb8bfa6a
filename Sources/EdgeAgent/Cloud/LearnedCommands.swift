#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One command the cloud answered and the catalog validated, kept so the device handles it alone next time.
public struct LearnedCommand: Sendable, Equatable {
    /// The normalised text (exact match).
    public var key: String
    /// The text's content words, fillers left out ("please", "the"): a near match.
    public var nearKey: String
    public var text: String
    public var actions: [Action]
    /// The catalog entries the actions touch, hashed: a change to any of them makes the entry stale.
    public var fingerprint: String
    public var learnedAt: Double
    public var uses: Int
}

/// The learned commands in the cloud store. Only validated device commands are written (see `CloudEscalator`);
/// a lookup re-validates against today's catalog and drops an entry whose devices changed.
public final class LearnedCommands: Sendable {
    let database: SQLiteDatabase

    init(database: SQLiteDatabase) { self.database = database }

    public func store(_ command: LearnedCommand) throws {
        let actions = try JSONEncoder().encode(command.actions)
        try database.transaction { tx in
            try tx.execute(
                """
                INSERT INTO learned(key, near_key, text, actions, fingerprint, learned_at, uses) VALUES (?, ?, ?, ?, ?, ?, 0)
                ON CONFLICT(key) DO UPDATE SET near_key = excluded.near_key, text = excluded.text,
                    actions = excluded.actions, fingerprint = excluded.fingerprint, learned_at = excluded.learned_at
                """,
                [
                    .text(command.key), .text(command.nearKey), .text(command.text), .blob(Array(actions)),
                    .text(command.fingerprint), .real(command.learnedAt),
                ])
        }
    }

    /// The entry for `key`, else the most recent one with the same `nearKey`.
    public func find(key: String, nearKey: String) throws -> LearnedCommand? {
        if let exact = try rows("WHERE key = ?", [.text(key)]).first { return exact }
        guard !nearKey.isEmpty else { return nil }
        return try rows("WHERE near_key = ? ORDER BY learned_at DESC", [.text(nearKey)]).first
    }

    public func markUsed(key: String) throws {
        try database.transaction { tx in
            try tx.execute("UPDATE learned SET uses = uses + 1 WHERE key = ?", [.text(key)])
        }
    }

    public func list() throws -> [LearnedCommand] { try rows("ORDER BY learned_at") }

    /// Forgets one entry by its text (as given or normalised) or all with nil; returns how many.
    @discardableResult
    public func forget(key: String?) throws -> Int {
        try database.transaction { tx in
            if let key {
                try tx.execute("DELETE FROM learned WHERE key = ? OR text = ?", [.text(key), .text(key)])
            } else {
                try tx.execute("DELETE FROM learned")
            }
            return tx.changes
        }
    }

    func rows(_ clause: String, _ arguments: [SQLiteValue] = []) throws -> [LearnedCommand] {
        try database.execute(
            "SELECT key, near_key, text, actions, fingerprint, learned_at, uses FROM learned \(clause)", arguments
        ).compactMap { row in
            guard let actions = try? JSONDecoder().decode([Action].self, from: Data(row["actions"]?.bytes ?? [])) else {
                return nil
            }
            return LearnedCommand(
                key: row["key"]?.string ?? "", nearKey: row["near_key"]?.string ?? "", text: row["text"]?.string ?? "",
                actions: actions, fingerprint: row["fingerprint"]?.string ?? "",
                learnedAt: row["learned_at"]?.double ?? 0,
                uses: Int(row["uses"]?.int ?? 0))
        }
    }

    /// A stable hash (FNV-1a, 64 bits) of the catalog entries the actions touch: devices, scenes and areas with
    /// everything the validator reads from them. Not a security measure; a change detector.
    public static func fingerprint(of actions: [Action], in catalog: Catalog) -> String {
        var parts: [String] = []
        for action in actions {
            for id in action.devices {
                if let device = catalog.device(id) {
                    parts.append("device " + canonical(device))
                } else if let scene = catalog.scene(id) {
                    parts.append("scene \(String(describing: scene))")
                } else {
                    parts.append("missing \(id)")
                }
            }
            if let area = action.area {
                parts.append("area \(area): " + catalog.devices(inArea: area).map(canonical).joined(separator: ","))
            }
            if let floor = action.floor {
                parts.append("floor \(floor): " + catalog.devices(onFloor: floor).map(canonical).joined(separator: ","))
            }
        }
        return fnv1a(parts.sorted().joined(separator: "\n"))
    }

    /// What the validator reads from a device, in a fixed order (its capabilities are a set, whose order changes
    /// from one process to the next). Names and aliases are left out: renaming a lamp does not change what
    /// turning it on does.
    static func canonical(_ device: Device) -> String {
        [
            device.id, device.area, device.type.rawValue, device.topic,
            device.capabilities.map(\.rawValue).sorted().joined(separator: "+"),
            device.colorTemp.map { "\($0.lowerBound)-\($0.upperBound)" } ?? "",
            device.targetTemperature.map { "\($0.min)-\($0.max)/\($0.step)\($0.unit.rawValue)" } ?? "",
            String(describing: device.payload),
        ].joined(separator: "|")
    }

    static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
