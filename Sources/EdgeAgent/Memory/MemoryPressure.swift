/// Memory pressure stall information (PSI) from `/proc/pressure/memory`: the share of the last 10 s in which some
/// task, or all tasks, waited for memory. Kernels before 4.20 or built without PSI have no such file.
public struct MemoryPressure: Sendable, Equatable {
    /// `some avg10`, percent.
    public var someAverage10: Double
    /// `full avg10`, percent (0 where the kernel reports no `full` line).
    public var fullAverage10: Double

    public init(someAverage10: Double, fullAverage10: Double) {
        self.someAverage10 = someAverage10
        self.fullAverage10 = fullAverage10
    }

    /// Reads `<root>/proc/pressure/memory`, or nil where the kernel has no PSI.
    /// Lines are `some avg10=0.00 avg60=0.00 avg300=0.00 total=0`.
    public static func read(root: String = "") throws -> MemoryPressure? {
        let path = root + "/proc/pressure/memory"
        guard let text = readKernelFile(path) else { return nil }
        var some: Double?
        var full: Double?
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let kind = fields.first, kind == "some" || kind == "full" else {
                throw MemoryReadError.malformedLine(path: path, line: String(line), reason: "expected 'some' or 'full'")
            }
            guard let average = fields.dropFirst().first(where: { $0.hasPrefix("avg10=") }),
                let value = Double(average.dropFirst("avg10=".count)), value >= 0
            else {
                throw MemoryReadError.malformedLine(
                    path: path, line: String(line), reason: "no 'avg10=<percent>' field")
            }
            if kind == "some" { some = value } else { full = value }
        }
        guard let some else { throw MemoryReadError.malformedLine(path: path, line: "", reason: "no 'some' line") }
        return MemoryPressure(someAverage10: some, fullAverage10: full ?? 0)
    }
}
