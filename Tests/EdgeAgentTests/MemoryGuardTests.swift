import XCTest

@testable import EdgeAgent

/// The runtime guard's transitions, fed readings without /proc.
final class MemoryGuardTests: XCTestCase {
    typealias Action = MemoryGuard.Action

    let marks = MemoryMarks(
        softResidentBytes: 170 << 20, hardResidentBytes: 200 << 20, softAvailableBytes: 64 << 20,
        hardAvailableBytes: 32 << 20, softPressureSome: 10, hardPressureFull: 5)

    func rss(_ megabytes: Int, available: Int? = nil, pressure: MemoryPressure? = nil) -> MemoryReading {
        MemoryReading(residentBytes: megabytes << 20, availableBytes: available.map { $0 << 20 }, pressure: pressure)
    }

    func testQuietReadingsDoNothing() {
        var guardian = MemoryGuard(marks: marks)
        XCTAssertEqual(guardian.event(rss(100, available: 300)), [])
        XCTAssertEqual(guardian.event(rss(169)), [])
        XCTAssertEqual(guardian.level, .normal)
    }

    func testSoftMarkShrinksCachesAndRejectsGenerationWork() {
        var guardian = MemoryGuard(marks: marks)
        let actions = guardian.event(rss(175))
        XCTAssertEqual(guardian.level, .soft)
        XCTAssertEqual(actions.dropFirst(), [.shrinkCaches, .rejectGenerationWork(reason: .memory)])
        guard case .logTransition(.normal, .soft, let cause)? = actions.first else { return XCTFail("\(actions)") }
        XCTAssertTrue(cause.contains("RSS 175.0 MB"), cause)
        XCTAssertEqual(guardian.event(rss(180)), [], "no repeated actions while soft")
    }

    func testHardMarkCancelsTheGenerationInFlight() {
        var guardian = MemoryGuard(marks: marks)
        _ = guardian.event(rss(175))
        XCTAssertEqual(
            guardian.event(rss(205)).dropFirst(), [.shrinkCaches, .cancelGeneration(reason: .memory)])
        XCTAssertEqual(guardian.level, .hard)

        var direct = MemoryGuard(marks: marks)
        XCTAssertEqual(
            direct.event(rss(250)).dropFirst(),
            [.shrinkCaches, .rejectGenerationWork(reason: .memory), .cancelGeneration(reason: .memory)])
    }

    func testHysteresisLeavesHardOnlyBelowTheSoftMark() {
        var guardian = MemoryGuard(marks: marks)
        _ = guardian.event(rss(210))
        XCTAssertEqual(guardian.event(rss(190)), [], "between the marks: still hard")
        XCTAssertEqual(guardian.event(rss(171)), [])
        XCTAssertEqual(guardian.level, .hard)
        let actions = guardian.event(rss(160))
        XCTAssertEqual(guardian.level, .normal)
        XCTAssertEqual(actions.last, .acceptAgain)
        guard case .logTransition(.hard, .normal, _)? = actions.first else { return XCTFail("\(actions)") }
    }

    func testSoftBackToNormal() {
        var guardian = MemoryGuard(marks: marks)
        _ = guardian.event(rss(175))
        XCTAssertEqual(guardian.event(rss(150)).dropFirst(), [.acceptAgain])
        XCTAssertEqual(guardian.level, .normal)
    }

    func testMachineShortOfMemoryCountsEvenWhenThisProcessIsSmall() {
        var guardian = MemoryGuard(marks: marks)
        _ = guardian.event(rss(50, available: 60))
        XCTAssertEqual(guardian.level, .soft)
        _ = guardian.event(rss(50, available: 30))
        XCTAssertEqual(guardian.level, .hard)
        _ = guardian.event(rss(50, available: 50))
        XCTAssertEqual(guardian.level, .hard, "MemAvailable between the marks keeps it hard")
        _ = guardian.event(rss(50, available: 100))
        XCTAssertEqual(guardian.level, .normal)
    }

    func testPressureStallInformation() {
        var guardian = MemoryGuard(marks: marks)
        let actions = guardian.event(rss(50, pressure: MemoryPressure(someAverage10: 12, fullAverage10: 1)))
        XCTAssertEqual(guardian.level, .soft)
        guard case .logTransition(_, _, let cause)? = actions.first else { return XCTFail("\(actions)") }
        XCTAssertTrue(cause.contains("some avg10 12.0"), cause)
        _ = guardian.event(rss(50, pressure: MemoryPressure(someAverage10: 40, fullAverage10: 6)))
        XCTAssertEqual(guardian.level, .hard)
        _ = guardian.event(rss(50, pressure: MemoryPressure(someAverage10: 2, fullAverage10: 0)))
        XCTAssertEqual(guardian.level, .normal)
    }

    func testMarksFromABudget() {
        let marks = MemoryMarks(budgetBytes: 200 << 20)
        XCTAssertEqual(marks.softResidentBytes, (200 << 20) / 100 * 85)
        XCTAssertEqual(marks.hardResidentBytes, (200 << 20) / 100 * 95)
    }
}
