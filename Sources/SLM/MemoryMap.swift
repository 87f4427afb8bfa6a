#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file mapped read-only into memory. The model's weights are used in place from this mapping, so the page cache
/// holds them once however many times the model is opened.
public final class MemoryMap {
    public let path: String
    public let bytes: UnsafeRawBufferPointer

    public enum Error: Swift.Error, CustomStringConvertible, Equatable {
        case cannotOpen(path: String, reason: String)
        case empty(path: String)

        public var description: String {
            switch self {
            case .cannotOpen(let path, let reason): return "cannot open '\(path)': \(reason)"
            case .empty(let path): return "'\(path)' is empty"
            }
        }
    }

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw Error.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw Error.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw Error.cannotOpen(path: path, reason: "not a regular file") }
        let size = Int(info.st_size)
        guard size > 0 else { throw Error.empty(path: path) }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw Error.cannotOpen(path: path, reason: "mmap: " + String(cString: strerror(errno)))
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    /// Asks the kernel to read the whole file ahead, so the first token does not wait on page faults.
    public func prefetch() {
        _ = madvise(UnsafeMutableRawPointer(mutating: bytes.baseAddress!), bytes.count, MADV_WILLNEED)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress!), bytes.count)
    }
}
