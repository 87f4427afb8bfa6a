import XCTest

@testable import MQTT

/// The connection logic without sockets: events in, actions out.
final class MQTTConnectionStateMachineTests: XCTestCase {
    private typealias Machine = MQTTConnectionStateMachine

    private let noJitter = MQTTBackoff(minimum: .seconds(1), maximum: .seconds(30), jitter: 0)

    private func reconnectDelay(_ actions: [Machine.Action]) -> Duration? {
        for case .scheduleReconnect(let after) in actions { return after }
        return nil
    }

    private func connected(_ backoff: MQTTBackoff, hasBirth: Bool = false) -> Machine {
        var machine = Machine(backoff: backoff, hasBirth: hasBirth, seed: 42)
        XCTAssertEqual(machine.event(.connectRequested), [.connect, .reportState(.connecting(attempt: 0))])
        _ = machine.event(.connected(reasonCode: 0))
        XCTAssertEqual(machine.state, .connected)
        return machine
    }

    func testBackoffDoublesFromTheMinimumUpToTheMaximum() {
        var machine = connected(noJitter)
        var delays: [Duration] = []
        delays.append(reconnectDelay(machine.event(.disconnected(reasonCode: 7)))!)
        for _ in 0..<7 {
            XCTAssertEqual(machine.event(.backoffElapsed).first, .connect)
            delays.append(reconnectDelay(machine.event(.disconnected(reasonCode: 7)))!)
        }
        XCTAssertEqual(delays, [1, 2, 4, 8, 16, 30, 30, 30].map { Duration.seconds($0) })
    }

    func testARefusedConnackCountsAsAFailure() {
        var machine = Machine(backoff: noJitter, seed: 1)
        _ = machine.event(.connectRequested)
        XCTAssertEqual(reconnectDelay(machine.event(.connected(reasonCode: 0x87))), .seconds(1))
        XCTAssertEqual(machine.state, .waitingToReconnect(attempt: 1))
        XCTAssertEqual(reconnectDelay(machine.event(.connected(reasonCode: 0x87))), .seconds(2))
    }

    func testJitterStaysWithinItsBoundsAndVaries() {
        let backoff = MQTTBackoff(minimum: .seconds(2), maximum: .seconds(60), jitter: 0.5)
        var machine = Machine(backoff: backoff, seed: 7)
        for failures in 1...8 {
            let ceiling = min(60.0, 2.0 * Double(1 << (failures - 1)))
            let samples = (0..<200).map { _ in machine.delay(failures: failures) / .seconds(1) }
            XCTAssert(samples.allSatisfy { $0 <= ceiling && $0 >= ceiling * 0.5 }, "failures \(failures): \(samples)")
            XCTAssertGreaterThan(Set(samples).count, 100, "jitter should spread the delays")
        }
    }

    func testTheSameSeedGivesTheSameDelays() {
        let backoff = MQTTBackoff(minimum: .milliseconds(100), maximum: .seconds(10), jitter: 1)
        var a = Machine(backoff: backoff, seed: 99)
        var b = Machine(backoff: backoff, seed: 99)
        XCTAssertEqual((1...5).map { a.delay(failures: $0) }, (1...5).map { b.delay(failures: $0) })
    }

    func testResubscribesEverythingAndRepublishesTheBirthAfterAReconnect() {
        var machine = connected(noJitter, hasBirth: true)
        let cmd = MQTTSubscription("edge/a/cmd", qos: .atLeastOnce)
        let hermes = MQTTSubscription("hermes/nlu/query", qos: .atMostOnce)
        XCTAssertEqual(machine.event(.subscribeRequested(cmd)), [.subscribe(cmd)])
        XCTAssertEqual(machine.event(.subscribeRequested(hermes)), [.subscribe(hermes)])

        _ = machine.event(.disconnected(reasonCode: 7))
        // Asked for while down: not sent now, but kept for the next connection.
        let status = MQTTSubscription("edge/a/status")
        XCTAssertEqual(machine.event(.subscribeRequested(status)), [])
        XCTAssertEqual(
            machine.event(.connected(reasonCode: 0)),
            [.resubscribe([cmd, hermes, status]), .publishBirth, .reportState(.connected)])
        XCTAssertEqual(machine.reconnects, 1)

        // An unsubscribed filter is not renewed; a second subscribe replaces the first (new QoS).
        XCTAssertEqual(machine.event(.unsubscribeRequested("hermes/nlu/query")), [.unsubscribe("hermes/nlu/query")])
        let cmdAtQoS2 = MQTTSubscription("edge/a/cmd", qos: .exactlyOnce)
        _ = machine.event(.subscribeRequested(cmdAtQoS2))
        _ = machine.event(.disconnected(reasonCode: 7))
        XCTAssertEqual(machine.event(.connected(reasonCode: 0)).first, .resubscribe([status, cmdAtQoS2]))
    }

    func testASuccessfulConnectionResetsTheBackoff() {
        var machine = connected(noJitter)
        _ = machine.event(.disconnected(reasonCode: 7))
        _ = machine.event(.backoffElapsed)
        XCTAssertEqual(reconnectDelay(machine.event(.disconnected(reasonCode: 7))), .seconds(2))
        _ = machine.event(.connected(reasonCode: 0))
        XCTAssertEqual(reconnectDelay(machine.event(.disconnected(reasonCode: 7))), .seconds(1))
    }

    func testNoReconnectAfterAnExplicitDisconnect() {
        var machine = connected(noJitter, hasBirth: true)
        _ = machine.event(.subscribeRequested(MQTTSubscription("a")))
        XCTAssertEqual(machine.event(.disconnectRequested), [.disconnect, .reportState(.idle)])
        // libmosquitto's disconnect callback and any late CONNACK arrive after: nothing happens.
        XCTAssertEqual(machine.event(.disconnected(reasonCode: 0)), [])
        XCTAssertEqual(machine.event(.connected(reasonCode: 0)), [])
        XCTAssertEqual(machine.event(.backoffElapsed), [])
        XCTAssertEqual(machine.state, .idle)
        XCTAssertEqual(machine.event(.disconnectRequested), [])
        // Connecting again is allowed, and restores the subscription.
        XCTAssertEqual(machine.event(.connectRequested).first, .connect)
        XCTAssertEqual(machine.event(.connected(reasonCode: 0)).first, .resubscribe([MQTTSubscription("a")]))
    }

    func testADisconnectRequestedWhileWaitingCancelsTheReconnect() {
        var machine = connected(noJitter)
        _ = machine.event(.disconnected(reasonCode: 7))
        XCTAssertEqual(machine.event(.disconnectRequested), [.disconnect, .reportState(.idle)])
        XCTAssertEqual(machine.event(.backoffElapsed), [])
        XCTAssertEqual(machine.state, .idle)
    }
}
