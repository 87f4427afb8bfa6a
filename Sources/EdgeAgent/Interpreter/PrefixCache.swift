import SLM

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The evaluated prompt prefix (system message, catalog, examples) stored on disk, so a restart is ready without
/// evaluating it again. A file is named by a hash of everything that decides its contents — the engine's format
/// version, the model file, the model's shape and the prefix tokens (which spell the catalog and the prompt) — and
/// is trusted only when its header, sizes, tokens and checksum all agree; anything else is ignored, with a log
/// line, and replaced.
///
/// File: "EAKVPFX1", then little-endian UInt64s: format version, key, position count, layers, KV heads, head
/// dimension, payload bytes, payload checksum; then the prefix tokens (Int32 each), then the payload
/// (`Session.snapshot`).
public struct PrefixCache: Sendable {
    /// Bumped whenever the snapshot layout or the forward pass's numbers change.
    public static let formatVersion: UInt64 = 1
    static let magic = Array("EAKVPFX1".utf8)

    public let directory: String
    let log: @Sendable (String) -> Void

    public init(directory: String, log: @escaping @Sendable (String) -> Void = PrefixCache.logToStandardError) {
        self.directory = directory
        self.log = log
    }

    /// `$EDGE_AGENT_PREFIX_CACHE`, else `$XDG_CACHE_HOME/edge-agent/prefix`, else `~/.cache/edge-agent/prefix`.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let dir = environment["EDGE_AGENT_PREFIX_CACHE"], !dir.isEmpty { return dir }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/edge-agent/prefix" }
        return (environment["HOME"] ?? "/root") + "/.cache/edge-agent/prefix"
    }

    public static let logToStandardError: @Sendable (String) -> Void = { line in
        let text = "edge-agent: " + line + "\n"
        _ = text.withCString { write(2, $0, strlen($0)) }
    }

    /// The key of a prefix: the format version, the model file's size and first MiB (its header, metadata and
    /// tokenizer), the model's shape and the tokens.
    public static func key(model: Model, tokens: [Int32]) -> UInt64 {
        var hash = FNV1a()
        hash.add(formatVersion)
        let bytes = model.file.map.bytes
        hash.add(UInt64(bytes.count))
        hash.add(UnsafeRawBufferPointer(rebasing: bytes[..<min(bytes.count, 1 << 20)]))
        let c = model.config
        for n in [c.layerCount, c.kvHeadCount, c.headDimension, c.embeddingLength, c.vocabularySize] {
            hash.add(UInt64(n))
        }
        tokens.withUnsafeBytes { hash.add($0) }
        return hash.value
    }

    public func path(key: UInt64) -> String {
        directory + "/" + String(key, radix: 16) + ".kv"
    }

    /// Restores the prefix into `session` (which must hold nothing) if a valid file exists; true if it did.
    public func load(into session: Session, tokens: [Int32]) -> Bool {
        let key = Self.key(model: session.model, tokens: tokens)
        let path = path(key: key)
        guard FileManager.default.fileExists(atPath: path) else { return false }
        guard let data = FileManager.default.contents(atPath: path) else {
            log("prefix cache \(path) cannot be read; evaluating the prompt")
            return false
        }
        do {
            try data.withUnsafeBytes { raw in try restore(raw, key: key, tokens: tokens, into: session) }
            return true
        } catch {
            log("prefix cache \(path) ignored: \(error); evaluating the prompt")
            session.reset()
            return false
        }
    }

    func restore(_ raw: UnsafeRawBufferPointer, key: UInt64, tokens: [Int32], into session: Session) throws {
        var reader = Reader(raw)
        guard try Array(reader.bytes(Self.magic.count)) == Self.magic else { throw PrefixCacheError.notAPrefixCache }
        let c = session.model.config
        let expected: [(String, UInt64)] = [
            ("format version", Self.formatVersion), ("key", key), ("positions", UInt64(tokens.count)),
            ("layers", UInt64(c.layerCount)), ("KV heads", UInt64(c.kvHeadCount)),
            ("head dimension", UInt64(c.headDimension)),
            ("payload bytes", UInt64(session.snapshotByteCount(positions: tokens.count))),
        ]
        for (field, value) in expected {
            let found = try reader.uint64()
            guard found == value else { throw PrefixCacheError.mismatch(field: field, expected: value, found: found) }
        }
        let checksum = try reader.uint64()
        for token in tokens {
            let found = try reader.uint32()
            guard Int32(bitPattern: found) == token else { throw PrefixCacheError.tokensDiffer }
        }
        let payload = try reader.bytes(session.snapshotByteCount(positions: tokens.count))
        guard reader.remaining == 0 else { throw PrefixCacheError.trailingBytes(reader.remaining) }
        var hash = FNV1a()
        hash.add(payload)
        guard hash.value == checksum else { throw PrefixCacheError.checksum }
        session.reset()
        try session.restore(payload, positions: tokens.count)
    }

    /// Writes the first `tokens.count` positions of `session` (which must hold that prefix), atomically.
    public func save(_ session: Session, tokens: [Int32]) {
        let key = Self.key(model: session.model, tokens: tokens)
        let payload = session.snapshot(positions: tokens.count)
        var hash = FNV1a()
        payload.withUnsafeBytes { hash.add($0) }
        var data = Data(Self.magic)
        let c = session.model.config
        for value in [
            Self.formatVersion, key, UInt64(tokens.count), UInt64(c.layerCount), UInt64(c.kvHeadCount),
            UInt64(c.headDimension), UInt64(payload.count), hash.value,
        ] {
            withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
        }
        for token in tokens { withUnsafeBytes(of: UInt32(bitPattern: token).littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: payload)
        let path = path(key: key)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let temporary = path + ".tmp\(ProcessInfo.processInfo.processIdentifier)"
            try data.write(to: URL(fileURLWithPath: temporary))
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
        } catch {
            log("prefix cache \(path) not written: \(error)")
        }
    }

    struct Reader {
        let raw: UnsafeRawBufferPointer
        var offset = 0
        init(_ raw: UnsafeRawBufferPointer) { self.raw = raw }
        var remaining: Int { raw.count - offset }

        mutating func bytes(_ count: Int) throws -> UnsafeRawBufferPointer {
            guard count >= 0, remaining >= count else { throw PrefixCacheError.truncated }
            defer { offset += count }
            return UnsafeRawBufferPointer(rebasing: raw[offset..<offset + count])
        }

        mutating func uint64() throws -> UInt64 {
            UInt64(littleEndian: try bytes(8).loadUnaligned(as: UInt64.self))
        }

        mutating func uint32() throws -> UInt32 {
            UInt32(littleEndian: try bytes(4).loadUnaligned(as: UInt32.self))
        }
    }
}

public enum PrefixCacheError: Error, CustomStringConvertible, Equatable {
    case notAPrefixCache
    case truncated
    case mismatch(field: String, expected: UInt64, found: UInt64)
    case tokensDiffer
    case trailingBytes(Int)
    case checksum

    public var description: String {
        switch self {
        case .notAPrefixCache: "not a prefix cache file (bad magic)"
        case .truncated: "the file is truncated"
        case .mismatch(let field, let expected, let found): "\(field) is \(found), expected \(expected)"
        case .tokensDiffer: "its prefix tokens differ from the prompt's"
        case .trailingBytes(let n): "\(n) bytes after the payload"
        case .checksum: "the payload checksum does not match"
        }
    }
}

/// 64-bit FNV-1a over 8-byte words (bytes for the tail): a fast identity and corruption check, not a defence
/// against a forger, who could write any file in the cache directory anyway.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ word: UInt64) {
        value = (value ^ word) &* 0x0000_0100_0000_01b3
    }

    mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var i = 0
        while i + 8 <= bytes.count {
            add(bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        while i < bytes.count {
            add(UInt64(bytes[i]))
            i += 1
        }
        add(UInt64(bytes.count))
    }
}
