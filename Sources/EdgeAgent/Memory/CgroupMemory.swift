#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The memory limit and usage of the cgroup this process runs in, v2 (`memory.max`, `memory.current`) or v1
/// (`memory.limit_in_bytes`, `memory.usage_in_bytes`).
public struct CgroupMemory: Sendable, Equatable {
    public enum Version: String, Sendable { case v1, v2 }

    public var version: Version
    /// The directory of the process's cgroup, inside `root`.
    public var directory: String
    /// The smallest limit of the cgroup and its ancestors; nil when none is set ("max", or v1's "unlimited").
    public var limitBytes: Int?
    /// What the cgroup uses now, page cache included.
    public var currentBytes: Int?

    /// v1 writes "no limit" as the largest page-aligned counter (9223372036854771712 with 4 KiB pages); anything
    /// this large is no limit on any real machine.
    static let v1Unlimited = 1 << 60

    /// Reads the cgroup of this process from `<root>/proc/self/cgroup` and its files under `<root>/sys/fs/cgroup`.
    /// Returns nil where there are no cgroups (no `/proc/self/cgroup`, or no memory controller mounted).
    public static func read(root: String = "") throws -> CgroupMemory? {
        let membership = root + "/proc/self/cgroup"
        guard let text = readKernelFile(membership) else { return nil }
        var v1Path: String?
        var v2Path: String?
        for line in text.split(separator: "\n") {
            // hierarchy-ID:controller-list:cgroup-path
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, Int(fields[0]) != nil, fields[2].hasPrefix("/") else {
                throw MemoryReadError.malformedLine(
                    path: membership, line: String(line), reason: "expected 'id:controllers:/path'")
            }
            if fields[0] == "0" && fields[1].isEmpty {
                v2Path = String(fields[2])
            } else if fields[1].split(separator: ",").contains("memory") {
                v1Path = String(fields[2])
            }
        }
        let v1Mount = root + "/sys/fs/cgroup/memory"
        if let v1Path, isDirectory(v1Mount) {
            return try read(
                version: .v1, mount: v1Mount, path: v1Path, limitFile: "memory.limit_in_bytes",
                currentFile: "memory.usage_in_bytes")
        }
        let v2Mount = root + "/sys/fs/cgroup"
        if let v2Path, FileManager.default.fileExists(atPath: v2Mount + "/cgroup.controllers") {
            return try read(
                version: .v2, mount: v2Mount, path: v2Path, limitFile: "memory.max", currentFile: "memory.current")
        }
        return nil
    }

    private static func read(
        version: Version, mount: String, path: String, limitFile: String, currentFile: String
    ) throws -> CgroupMemory {
        // Inside a container the mount's root is the container's cgroup, while /proc/self/cgroup names the path
        // from the host's root: take the longest tail of the path that exists under the mount.
        let components = path.split(separator: "/").map(String.init)
        var inside: [String] = []
        for start in components.indices {
            let tail = Array(components[start...])
            if isDirectory(mount + "/" + tail.joined(separator: "/")) {
                inside = tail
                break
            }
        }
        let directory = ([mount] + inside).joined(separator: "/")
        // A limit on an ancestor binds too.
        var limit: Int?
        for depth in stride(from: inside.count, through: 0, by: -1) {
            let dir = ([mount] + inside.prefix(depth)).joined(separator: "/")
            if let value = try readBytes(dir + "/" + limitFile, version: version) {
                limit = min(limit ?? value, value)
            }
        }
        let current = try readBytes(directory + "/" + currentFile, version: version)
        return CgroupMemory(version: version, directory: directory, limitBytes: limit, currentBytes: current)
    }

    /// A byte count, nil for "max", v1's unlimited value or a file the cgroup does not have (the root has no
    /// `memory.max`).
    static func readBytes(_ path: String, version: Version) throws -> Int? {
        guard let text = readKernelFile(path) else { return nil }
        let tokens = text.split(whereSeparator: \.isWhitespace)
        let line = tokens.count == 1 ? String(tokens[0]) : text.split(separator: "\n").first.map(String.init) ?? ""
        if version == .v2 && line == "max" { return nil }
        guard tokens.count == 1, let value = Int(line), value >= 0 else {
            throw MemoryReadError.malformedLine(path: path, line: line, reason: "expected a byte count or 'max'")
        }
        return version == .v1 && value >= v1Unlimited ? nil : value
    }

    private static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }
}
