#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The process's own memory use, from /proc (Linux).
public enum ProcessMemory {
    /// Peak resident set size in bytes (`VmHWM`), or nil where /proc is not available.
    public static func peakResidentBytes(procRoot: String = "/proc") -> Int? {
        statusField("VmHWM", procRoot: procRoot)
    }

    /// Current resident set size in bytes (`VmRSS`).
    public static func residentBytes(procRoot: String = "/proc") -> Int? {
        statusField("VmRSS", procRoot: procRoot)
    }

    static func statusField(_ name: String, procRoot: String) -> Int? {
        guard let data = FileManager.default.contents(atPath: procRoot + "/self/status"),
            let text = String(data: data, encoding: .utf8)
        else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, let kilobytes = Int(fields[1]) else { return nil }
            return kilobytes * 1024
        }
        return nil
    }
}
