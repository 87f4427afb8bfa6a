/// The machine's memory as `/proc/meminfo` reports it.
public struct MemInfo: Sendable, Equatable {
    /// `MemTotal`: the RAM the kernel manages (less than the board's RAM by the firmware's and GPU's share).
    public var totalBytes: Int
    /// `MemAvailable`: what can be allocated without swapping; nil on kernels before 3.14.
    public var availableBytes: Int?

    public init(totalBytes: Int, availableBytes: Int?) {
        self.totalBytes = totalBytes
        self.availableBytes = availableBytes
    }

    /// Reads `<root>/proc/meminfo`; lines are `Name:   12345 kB`.
    public init(root: String = "") throws {
        let path = root + "/proc/meminfo"
        guard let text = readKernelFile(path) else { throw MemoryReadError.missingFile(path: path) }
        var total: Int?
        var available: Int?
        for line in text.split(separator: "\n") {
            let name = line.prefix { $0 != ":" }
            guard name == "MemTotal" || name == "MemAvailable" else { continue }
            let fields = line.dropFirst(name.count + 1).split(separator: " ")
            guard fields.count == 2, fields[1] == "kB", let kilobytes = Int(fields[0]), kilobytes >= 0 else {
                throw MemoryReadError.malformedLine(
                    path: path, line: String(line), reason: "expected '\(name): <number> kB'")
            }
            if name == "MemTotal" { total = kilobytes * 1024 } else { available = kilobytes * 1024 }
        }
        guard let total else {
            throw MemoryReadError.malformedLine(path: path, line: "", reason: "no MemTotal line")
        }
        self.init(totalBytes: total, availableBytes: available)
    }
}
