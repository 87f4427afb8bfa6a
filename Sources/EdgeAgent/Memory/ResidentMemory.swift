#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process's resident set size from `/proc/self/statm` (cheaper than parsing `status` on every timer tick).
public enum ResidentMemory {
    /// The size of a memory page, which `statm` counts in.
    public static var pageSize: Int { Int(sysconf(Int32(_SC_PAGESIZE))) }

    /// Reads `<root>/proc/self/statm`: `size resident shared text lib data dt`, in pages.
    public static func bytes(root: String = "", pageSize: Int = ResidentMemory.pageSize) throws -> Int {
        let path = root + "/proc/self/statm"
        guard let text = readKernelFile(path) else { throw MemoryReadError.missingFile(path: path) }
        let line = text.split(separator: "\n").first.map(String.init) ?? ""
        let fields = line.split(separator: " ")
        guard fields.count >= 2, let pages = Int(fields[1]), pages >= 0 else {
            throw MemoryReadError.malformedLine(
                path: path, line: line, reason: "expected page counts 'size resident …'")
        }
        return pages * pageSize
    }
}
