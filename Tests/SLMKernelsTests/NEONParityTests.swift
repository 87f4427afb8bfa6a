import Foundation
import XCTest

/// The NEON level, which an x86 machine cannot run natively: Tests/KernelsARM64/run.sh builds the kernels with the
/// ARM64 cross compiler (for the ARMv8.0 baseline of a Pi Zero 2 W and for ARMv8.2 with dot products) and runs their
/// parity program under user-mode emulation. Skips, saying what to install, only when those tools are absent.
final class NEONParityTests: XCTestCase {
    func testNEONLevelAgreesWithThePortableReferenceUnderEmulation() throws {
        #if arch(arm64)
            throw XCTSkip("on ARM64 the other kernel tests run the NEON level natively")
        #else
            for tool in ["aarch64-linux-gnu-gcc", "qemu-aarch64-static"] where !onPath(tool) {
                throw XCTSkip("\(tool) is not installed (Board/install-deps.sh installs it)")
            }
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../KernelsARM64/run.sh").standardized
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("neon-parity-\(getpid())")
            defer { try? FileManager.default.removeItem(at: scratch) }
            let (status, output) = try run(script.path, [scratch.path])
            XCTAssertEqual(status, 0, output)
            // Both builds ran every check: a summary line each, with no failure.
            let summaries = output.split(separator: "\n").filter { $0.hasSuffix(" failures") }
            XCTAssertEqual(summaries.count, 2, output)
            for line in summaries {
                XCTAssertTrue(line.hasSuffix(" 0 failures"), output)
                let checks = Int(line.split(separator: " ")[0]) ?? 0
                XCTAssertGreaterThan(checks, 40_000, output)
            }
        #endif
    }

    func onPath(_ tool: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)")
        }
    }

    func run(_ path: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
