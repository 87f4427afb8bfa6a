import XCTest

@testable import EdgeAgent

/// The link's state machine and the outbox's delivery steps, without sockets.
final class ConnectivityTests: XCTestCase {
    func testRefusedConnectionGoesOfflineAndProbesBackOff() {
        var link = Connectivity(initialBackoff: .seconds(1), maxBackoff: .seconds(8))
        XCTAssertEqual(link.event(.unreachable), .publish(.offline))
        XCTAssertEqual(link.probeDelay, .seconds(1))
        XCTAssertFalse(link.canSend)
        XCTAssertEqual(link.event(.unreachable), .probe(after: .seconds(2)))
        XCTAssertEqual(link.event(.timedOut), .probe(after: .seconds(4)))
        XCTAssertEqual(link.event(.unreachable), .probe(after: .seconds(8)))
        XCTAssertEqual(link.event(.unreachable), .probe(after: .seconds(8)))
        XCTAssertEqual(link.event(.answered), .publishAndDrain(.online))
        XCTAssertTrue(link.canSend)
        XCTAssertEqual(link.event(.unreachable), .publish(.offline))
        XCTAssertEqual(link.probeDelay, .seconds(1), "backoff starts over after a recovery")
    }

    func testOverloadAndTimeoutsDegradeThenGoOffline() {
        var link = Connectivity(failuresToOffline: 3)
        XCTAssertEqual(link.event(.overloaded), .publish(.degraded))
        XCTAssertTrue(link.canSend)
        XCTAssertEqual(link.event(.timedOut), .none)
        XCTAssertEqual(link.event(.timedOut), .publish(.offline))
        XCTAssertEqual(link.event(.answered), .publishAndDrain(.online))
        XCTAssertEqual(link.event(.overloaded), .publish(.degraded))
        XCTAssertEqual(link.event(.answered), .publish(.online))
    }

    func item(expiresIn: Double, attempts: Int = 0) -> OutboxItem {
        var item = OutboxItem(
            id: "a", createdAt: 1000, expiresAt: 1000 + expiresIn, kind: .deviceCommand,
            replyRoute: ReplyRoute(topic: "t"), text: "x")
        item.attempts = attempts
        return item
    }

    func testDeliveryStepsHonourRetryAfterAndExpiry() {
        let delivery = OutboxDelivery(initialDelay: .milliseconds(500), maxDelay: .seconds(4))
        XCTAssertEqual(delivery.backoff(attempts: 0), .milliseconds(500))
        XCTAssertEqual(delivery.backoff(attempts: 2), .seconds(2))
        XCTAssertEqual(delivery.backoff(attempts: 10), .seconds(4))
        XCTAssertEqual(delivery.step(after: nil, item: item(expiresIn: 30), now: 1001), .deliver)
        XCTAssertEqual(
            delivery.step(after: nil, item: item(expiresIn: 30), now: 1030), .expire, "a late answer is never executed")
        XCTAssertEqual(
            delivery.step(after: .unreachable("refused"), item: item(expiresIn: 30, attempts: 1), now: 1001),
            .retry(at: 1002))
        XCTAssertEqual(
            delivery.step(
                after: .http(status: 429, retryAfter: .seconds(7), message: ""), item: item(expiresIn: 30), now: 1001),
            .retry(at: 1008))
        XCTAssertEqual(
            delivery.step(
                after: .http(status: 503, retryAfter: .seconds(100), message: ""), item: item(expiresIn: 30), now: 1001),
            .retry(at: 1030), "never scheduled past the expiry")
        XCTAssertEqual(
            delivery.step(
                after: .http(status: 401, retryAfter: nil, message: "bad key"), item: item(expiresIn: 30), now: 1001),
            .fail("the cloud endpoint answered HTTP 401: bad key"))
    }
}
