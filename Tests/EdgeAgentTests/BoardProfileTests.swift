import Foundation
import XCTest

@testable import EdgeAgent

/// The shipped board profiles, their stated arithmetic, bad profiles and detection from fixture trees.
final class BoardProfileTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let profiles = packageRoot + "/Board/profiles"

    var store: BoardProfileStore { BoardProfileStore(directory: Self.profiles) }

    func testEveryShippedProfileParses() throws {
        let profiles = try store.all()
        XCTAssertEqual(
            profiles.map(\.name),
            ["generic-arm64", "rpi-3b-plus", "rpi-4-2gb", "rpi-5-4gb", "rpi-5-8gb", "rpi-zero-2w", "x86-64-mini-pc"])
        let zero = try store.profile(named: "rpi-zero-2w")
        XCTAssertEqual(zero.cores, 4)
        XCTAssertEqual(zero.ramMB, 512)
        XCTAssertEqual(zero.memoryLimitMB, 256)
        XCTAssertEqual(zero.reserveMB, 32)
        XCTAssertEqual(zero.contextLength, 1024)
        XCTAssertEqual(zero.model, "smollm2-135m-instruct")
        XCTAssertEqual(zero.deviceTreeModels, ["Raspberry Pi Zero 2"])
        for profile in profiles {
            XCTAssertLessThanOrEqual(profile.threads, profile.cores, profile.name)
            XCTAssertLessThan(profile.memoryLimitMB, profile.ramMB, profile.name)
        }
    }

    /// The comment block of each profile quotes `edge-agent check`; it must still be what check computes.
    func testEachProfilesStatedArithmeticIsWhatCheckComputes() throws {
        _ = try RealModel.path
        let noMachineLimits = try FixtureTree()
        for profile in try store.all() {
            let text = try String(contentsOfFile: Self.profiles + "/\(profile.name).yaml", encoding: .utf8)
            let stated = text.split(separator: "\n").filter { $0.hasPrefix("#   ") }.map { String($0.dropFirst(4)) }
            let check = try MemoryCheck(board: profile, root: noMachineLimits.root)
            XCTAssertEqual(stated, check.arithmeticLines + ["verdict     " + check.verdictLine], profile.name)
            XCTAssertEqual(check.verdict.name, "ok", profile.name)
        }
    }

    func write(_ yaml: String) throws -> (FixtureTree, String) {
        let tree = try FixtureTree()
        return (tree, try tree.write("/bad.yaml", yaml))
    }

    let valid = """
        description: A board
        cores: 4
        threads: 4
        ram_mb: 512
        memory_limit_mb: 256
        context_length: 1024
        model: smollm2-135m-instruct
        telemetry_interval_s: 60
        """

    func testBadProfilesNameTheFileLineAndKey() throws {
        var (tree, path) = try write(valid.replacingOccurrences(of: "threads: 4", with: "threads: four"))
        XCTAssertThrowsError(try BoardProfile(contentsOf: path)) {
            XCTAssertEqual(
                $0 as? BoardProfileError,
                .badValue(file: path, line: 3, key: "threads", value: "four", reason: "expected a whole number > 0"))
            XCTAssertTrue("\($0)".hasPrefix(path + ":3: 'threads'"), "\($0)")
        }
        (tree, path) = try write(valid + "\nthreadz: 2\n")
        XCTAssertThrowsError(try BoardProfile(contentsOf: path)) {
            XCTAssertEqual($0 as? BoardProfileError, .unknownKey(file: path, line: 9, key: "threadz"))
        }
        (tree, path) = try write(valid.replacingOccurrences(of: "model: smollm2-135m-instruct\n", with: ""))
        XCTAssertThrowsError(try BoardProfile(contentsOf: path)) {
            XCTAssertEqual($0 as? BoardProfileError, .missingKey(file: path, key: "model"))
        }
        (tree, path) = try write(valid + "\ndetect:\n  device_tree: \"Raspberry\"\n")
        XCTAssertThrowsError(try BoardProfile(contentsOf: path)) {
            guard case .badValue(path, 10, "detect.device_tree", _, _)? = $0 as? BoardProfileError else {
                return XCTFail("\($0)")
            }
        }
        (tree, path) = try write(valid.replacingOccurrences(of: "threads: 4", with: "threads: 8"))
        XCTAssertThrowsError(try BoardProfile(contentsOf: path)) {
            XCTAssertEqual(
                $0 as? BoardProfileError,
                .badValue(file: path, line: 3, key: "threads", value: "8", reason: "more than the 4 cores"))
        }
        (tree, path) = try write("description: [unclosed\ncores: 4\n")
        XCTAssertThrowsError(try BoardProfile(contentsOf: path)) {
            guard case .syntax(path, let line, _)? = $0 as? BoardProfileError else { return XCTFail("\($0)") }
            XCTAssertGreaterThan(line, 0)
        }
        _ = tree
        XCTAssertThrowsError(try store.profile(named: "rpi-6")) {
            guard case .unknownBoard("rpi-6", _, let known)? = $0 as? BoardProfileError else { return XCTFail("\($0)") }
            XCTAssertTrue(known.contains("rpi-zero-2w"))
        }
    }

    func testSearchPath() {
        XCTAssertEqual(
            BoardProfileStore(environment: ["EDGE_AGENT_BOARDS": "/b"]).candidates,
            ["/b", "/usr/share/edge-agent/boards", "Board/profiles"])
        XCTAssertEqual(BoardProfileStore(environment: [:]).candidates.first, "/usr/share/edge-agent/boards")
    }

    func machine(deviceTree: String? = nil, dmi: String? = nil, memTotalKB: Int? = nil) throws -> FixtureTree {
        let tree = try FixtureTree()
        if let deviceTree { try tree.write("/proc/device-tree/model", deviceTree + "\0") }
        if let dmi { try tree.write("/sys/class/dmi/id/product_name", dmi + "\n") }
        if let memTotalKB { try tree.write("/proc/meminfo", "MemTotal: \(memTotalKB) kB\nMemAvailable: 1000 kB\n") }
        return tree
    }

    func testDetectionFromTheDeviceTree() throws {
        let zero = try machine(deviceTree: "Raspberry Pi Zero 2 W Rev 1.0", memTotalKB: 439_852)
        XCTAssertEqual(BoardIdentity(root: zero.root).deviceTreeModel, "Raspberry Pi Zero 2 W Rev 1.0")
        XCTAssertEqual(try store.detect(root: zero.root, architecture: "aarch64").name, "rpi-zero-2w")
        let pi3 = try machine(deviceTree: "Raspberry Pi 3 Model B Plus Rev 1.3")
        XCTAssertEqual(try store.detect(root: pi3.root, architecture: "aarch64").name, "rpi-3b-plus")
        let pi4 = try machine(deviceTree: "Raspberry Pi 4 Model B Rev 1.4", memTotalKB: 1_891_000)
        XCTAssertEqual(try store.detect(root: pi4.root, architecture: "aarch64").name, "rpi-4-2gb")
    }

    func testBoardsThatDifferOnlyInRAMAreToldApartByMemTotal() throws {
        let small = try machine(deviceTree: "Raspberry Pi 5 Model B Rev 1.0", memTotalKB: 4_139_000)
        XCTAssertEqual(try store.detect(root: small.root, architecture: "aarch64").name, "rpi-5-4gb")
        let large = try machine(deviceTree: "Raspberry Pi 5 Model B Rev 1.0", memTotalKB: 8_245_000)
        XCTAssertEqual(try store.detect(root: large.root, architecture: "aarch64").name, "rpi-5-8gb")
        let unknownRAM = try machine(deviceTree: "Raspberry Pi 5 Model B Rev 1.0")
        XCTAssertEqual(try store.detect(root: unknownRAM.root, architecture: "aarch64").name, "rpi-5-4gb")
    }

    func testDetectionFromDMIAndTheArchitecturesFallback() throws {
        let n100 = try machine(dmi: "Mini PC N100 16GB")
        XCTAssertEqual(try store.detect(root: n100.root, architecture: "x86_64").name, "x86-64-mini-pc")
        let rock = try machine(deviceTree: "Radxa ROCK 5B")
        XCTAssertEqual(try store.detect(root: rock.root, architecture: "aarch64").name, "generic-arm64")
        let riscv = try machine(deviceTree: "StarFive VisionFive 2 v1.3B")
        XCTAssertThrowsError(try store.detect(root: riscv.root, architecture: "riscv64")) {
            guard case .notDetected("StarFive VisionFive 2 v1.3B", _)? = $0 as? BoardProfileError else {
                return XCTFail("\($0)")
            }
        }
    }
}
