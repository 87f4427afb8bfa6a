/// A memory figure the kernel reports that could not be read: the file is missing or a line is not what the kernel
/// writes there.
public enum MemoryReadError: Error, CustomStringConvertible, Equatable {
    case missingFile(path: String)
    case malformedLine(path: String, line: String, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let path): "\(path) does not exist or cannot be read"
        case .malformedLine(let path, let line, let reason): "\(path): cannot read line '\(line)': \(reason)"
        }
    }
}

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Reads a small kernel file as text, or nil when it does not exist.
func readKernelFile(_ path: String) -> String? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return String(decoding: data, as: UTF8.self)
}
