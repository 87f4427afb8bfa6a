import Foundation
import TestPeers
import XCTest

/// Runs programs as a user would, for the tests of the command line: the built `edge-agent` above all.
enum Program {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The built program, beside the test bundle in the build products directory.
    static var edgeAgent: String {
        get throws { try builtProgram("edge-agent", besideBundleOf: BundleMarker.self) }
    }

    /// Runs `arguments` (the program first) with `environment` added to this process's, and waits for it.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    private final class BundleMarker {}
}
