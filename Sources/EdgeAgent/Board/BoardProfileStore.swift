#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Finds board profiles the way `ModelStore` finds models: the first of `$EDGE_AGENT_BOARDS`,
/// `/usr/share/edge-agent/boards` (where Board/install.sh puts them) and `./Board/profiles` (a checkout) that
/// exists is the profile directory; the others are not consulted, so one directory tells the whole story.
public struct BoardProfileStore: Sendable {
    public let candidates: [String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        var candidates: [String] = []
        if let dir = environment["EDGE_AGENT_BOARDS"], !dir.isEmpty { candidates.append(dir) }
        candidates += ["/usr/share/edge-agent/boards", "Board/profiles"]
        self.candidates = candidates
    }

    public init(directory: String) { candidates = [directory] }

    /// The directory in use, or nil when none exists.
    public var directory: String? {
        candidates.first { path in
            var status = stat()
            return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
        }
    }

    /// Every profile of the directory, sorted by name; the first bad one throws.
    public func all() throws -> [BoardProfile] {
        guard let directory else { return [] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return try names.filter { $0.hasSuffix(".yaml") }.sorted().map {
            try BoardProfile(contentsOf: directory + "/" + $0)
        }
    }

    public func profile(named name: String) throws -> BoardProfile {
        if let directory, FileManager.default.fileExists(atPath: directory + "/" + name + ".yaml") {
            return try BoardProfile(contentsOf: directory + "/" + name + ".yaml")
        }
        throw BoardProfileError.unknownBoard(
            name: name, searched: directory.map { [$0] } ?? candidates, known: try all().map(\.name))
    }

    /// The profile of the machine under `root`.
    public func detect(root: String = "", architecture: String = BoardDetection.machineArchitecture) throws
        -> BoardProfile
    {
        let identity = BoardIdentity(root: root)
        let profiles = try all()
        if let profile = BoardDetection.match(identity, architecture: architecture, in: profiles) { return profile }
        throw BoardProfileError.notDetected(
            model: identity.deviceTreeModel ?? identity.dmiProductName, searched: directory.map { [$0] } ?? candidates)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif
