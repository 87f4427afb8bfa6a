import Foundation
import XCTest

@testable import EdgeAgent

/// The /proc and cgroup readers on fixture trees, as the kernel writes these files.
final class MemoryReaderTests: XCTestCase {
    func testCgroupV2ReadsMemoryMaxAndCurrent() throws {
        let tree = try FixtureTree()
        try tree.write("/proc/self/cgroup", "0::/system.slice/edge-agent.service\n")
        try tree.write("/sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n")
        try tree.write("/sys/fs/cgroup/system.slice/edge-agent.service/memory.max", "268435456\n")
        try tree.write("/sys/fs/cgroup/system.slice/edge-agent.service/memory.current", "104857600\n")
        let cgroup = try XCTUnwrap(try CgroupMemory.read(root: tree.root))
        XCTAssertEqual(cgroup.version, .v2)
        XCTAssertEqual(cgroup.limitBytes, 268_435_456)
        XCTAssertEqual(cgroup.currentBytes, 104_857_600)
        XCTAssertEqual(cgroup.directory, tree.root + "/sys/fs/cgroup/system.slice/edge-agent.service")
    }

    func testCgroupV2MaxIsNoLimitButAnAncestorsLimitBinds() throws {
        let tree = try FixtureTree()
        try tree.write("/proc/self/cgroup", "0::/system.slice/edge-agent.service\n")
        try tree.write("/sys/fs/cgroup/cgroup.controllers", "memory\n")
        try tree.write("/sys/fs/cgroup/system.slice/edge-agent.service/memory.max", "max\n")
        XCTAssertNil(try CgroupMemory.read(root: tree.root)?.limitBytes)
        try tree.write("/sys/fs/cgroup/system.slice/memory.max", "536870912\n")
        XCTAssertEqual(try CgroupMemory.read(root: tree.root)?.limitBytes, 536_870_912)
    }

    func testCgroupPathFromTheHostIsFoundInsideAContainersMount() throws {
        // /proc/self/cgroup names the path from the host's root; the container sees its own cgroup as the mount.
        let tree = try FixtureTree()
        try tree.write("/proc/self/cgroup", "0::/kubepods/pod1/ctr9\n")
        try tree.write("/sys/fs/cgroup/cgroup.controllers", "memory\n")
        try tree.write("/sys/fs/cgroup/memory.max", "402653184\n")
        XCTAssertEqual(try CgroupMemory.read(root: tree.root)?.limitBytes, 402_653_184)
    }

    func testCgroupV1LimitAndItsUnlimitedValue() throws {
        let tree = try FixtureTree()
        try tree.write(
            "/proc/self/cgroup", "12:pids:/\n4:memory:/process_api/abc\n1:name=systemd:/\n0::/\n")
        try tree.write("/sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n")
        try tree.write("/sys/fs/cgroup/memory/memory.usage_in_bytes", "52428800\n")
        var cgroup = try XCTUnwrap(try CgroupMemory.read(root: tree.root))
        XCTAssertEqual(cgroup.version, .v1)
        XCTAssertNil(cgroup.limitBytes, "v1 writes 'no limit' as the largest page-aligned counter")
        XCTAssertEqual(cgroup.currentBytes, 52_428_800)
        try tree.write("/sys/fs/cgroup/memory/abc/memory.limit_in_bytes", "314572800\n")
        cgroup = try XCTUnwrap(try CgroupMemory.read(root: tree.root))
        XCTAssertEqual(cgroup.limitBytes, 314_572_800)
        XCTAssertEqual(cgroup.directory, tree.root + "/sys/fs/cgroup/memory/abc")
    }

    func testNoCgroupFileMeansNoCgroup() throws {
        let tree = try FixtureTree()
        XCTAssertNil(try CgroupMemory.read(root: tree.root))
    }

    func testGarbageInCgroupFilesNamesTheFileAndLine() throws {
        let tree = try FixtureTree()
        let membership = try tree.write("/proc/self/cgroup", "0::/a\nnonsense\n")
        try tree.write("/sys/fs/cgroup/cgroup.controllers", "memory\n")
        XCTAssertThrowsError(try CgroupMemory.read(root: tree.root)) {
            XCTAssertEqual(
                $0 as? MemoryReadError,
                .malformedLine(path: membership, line: "nonsense", reason: "expected 'id:controllers:/path'"))
        }
        try tree.write("/proc/self/cgroup", "0::/a\n")
        let max = try tree.write("/sys/fs/cgroup/a/memory.max", "lots\n")
        XCTAssertThrowsError(try CgroupMemory.read(root: tree.root)) {
            XCTAssertEqual(
                $0 as? MemoryReadError,
                .malformedLine(path: max, line: "lots", reason: "expected a byte count or 'max'"))
            XCTAssertTrue("\($0)".contains(max))
        }
        try tree.write("/sys/fs/cgroup/a/memory.max", "12 34\n")
        XCTAssertThrowsError(try CgroupMemory.read(root: tree.root)) {
            XCTAssertEqual(
                $0 as? MemoryReadError, .malformedLine(path: max, line: "12 34", reason: "expected a byte count or 'max'"))
        }
    }

    func testMemInfo() throws {
        let tree = try FixtureTree()
        try tree.write(
            "/proc/meminfo",
            "MemTotal:         439852 kB\nMemFree:           30000 kB\nMemAvailable:     250124 kB\nBuffers: 1 kB\n")
        XCTAssertEqual(
            try MemInfo(root: tree.root), MemInfo(totalBytes: 439_852 * 1024, availableBytes: 250_124 * 1024))
    }

    func testMemInfoMissingOrGarbage() throws {
        let tree = try FixtureTree()
        XCTAssertThrowsError(try MemInfo(root: tree.root)) {
            XCTAssertEqual($0 as? MemoryReadError, .missingFile(path: tree.root + "/proc/meminfo"))
        }
        let path = try tree.write("/proc/meminfo", "MemTotal:  many kB\n")
        XCTAssertThrowsError(try MemInfo(root: tree.root)) {
            XCTAssertEqual(
                $0 as? MemoryReadError,
                .malformedLine(path: path, line: "MemTotal:  many kB", reason: "expected 'MemTotal: <number> kB'"))
        }
        try tree.write("/proc/meminfo", "MemFree: 1 kB\n")
        XCTAssertThrowsError(try MemInfo(root: tree.root)) { XCTAssertTrue("\($0)".contains("no MemTotal")) }
    }

    func testStatmResidentPages() throws {
        let tree = try FixtureTree()
        XCTAssertThrowsError(try ResidentMemory.bytes(root: tree.root, pageSize: 4096)) {
            XCTAssertEqual($0 as? MemoryReadError, .missingFile(path: tree.root + "/proc/self/statm"))
        }
        try tree.write("/proc/self/statm", "62000 35000 30000 900 0 5000 0\n")
        XCTAssertEqual(try ResidentMemory.bytes(root: tree.root, pageSize: 4096), 35_000 * 4096)
        let path = try tree.write("/proc/self/statm", "62000\n")
        XCTAssertThrowsError(try ResidentMemory.bytes(root: tree.root)) {
            XCTAssertEqual(
                $0 as? MemoryReadError,
                .malformedLine(path: path, line: "62000", reason: "expected page counts 'size resident …'"))
        }
    }

    func testStatmOfThisProcessAgreesWithStatus() throws {
        let statm = try ResidentMemory.bytes()
        let status = try XCTUnwrap(ProcessMemory.residentBytes())
        XCTAssertEqual(Double(statm), Double(status), accuracy: 8 * 1024 * 1024)
    }

    func testPressureStallInformation() throws {
        let tree = try FixtureTree()
        XCTAssertNil(try MemoryPressure.read(root: tree.root), "kernels without PSI have no file")
        try tree.write(
            "/proc/pressure/memory",
            "some avg10=12.50 avg60=3.00 avg300=0.80 total=123456\nfull avg10=4.25 avg60=1.00 avg300=0.10 total=9876\n")
        XCTAssertEqual(
            try MemoryPressure.read(root: tree.root), MemoryPressure(someAverage10: 12.5, fullAverage10: 4.25))
        let path = try tree.write("/proc/pressure/memory", "some avg10=x avg60=0.00\n")
        XCTAssertThrowsError(try MemoryPressure.read(root: tree.root)) {
            XCTAssertEqual(
                $0 as? MemoryReadError,
                .malformedLine(path: path, line: "some avg10=x avg60=0.00", reason: "no 'avg10=<percent>' field"))
        }
    }

    func testBudgetIsTheSmallestLimitLessTheReserve() throws {
        let tree = try FixtureTree()
        try tree.write("/proc/meminfo", "MemTotal: 439852 kB\nMemAvailable: 250124 kB\n")
        try tree.write("/proc/self/cgroup", "0::/edge\n")
        try tree.write("/sys/fs/cgroup/cgroup.controllers", "memory\n")
        try tree.write("/sys/fs/cgroup/edge/memory.max", "209715200\n")  // 200 MB
        let budget = try XCTUnwrap(
            try MemoryBudget.measure(
                configBytes: 300 << 20, boardProfileBytes: 256 << 20, reserveBytes: 32 << 20, root: tree.root))
        XCTAssertEqual(budget.binding, .init(.cgroup, bytes: 200 << 20))
        XCTAssertEqual(budget.bytes, 168 << 20)
        XCTAssertEqual(budget.limits.map(\.source), [.config, .boardProfile, .cgroup, .physicalMemory])

        try tree.write("/sys/fs/cgroup/edge/memory.max", "max\n")
        let unlimited = try XCTUnwrap(
            try MemoryBudget.measure(
                configBytes: nil, boardProfileBytes: 256 << 20, reserveBytes: 32 << 20, root: tree.root))
        XCTAssertEqual(unlimited.binding.source, .boardProfile)
        XCTAssertEqual(unlimited.bytes, 224 << 20)

        let small = try XCTUnwrap(
            try MemoryBudget.measure(configBytes: nil, boardProfileBytes: 1 << 30, reserveBytes: 0, root: tree.root))
        XCTAssertEqual(small.binding, .init(.physicalMemory, bytes: 439_852 * 1024))
        XCTAssertNil(MemoryBudget(limits: [], reserveBytes: 0))
        XCTAssertEqual(MemoryBudget(limits: [.init(.config, bytes: 10)], reserveBytes: 20)?.bytes, 0)
    }
}
