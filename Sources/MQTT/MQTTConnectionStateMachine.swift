/// The connection logic of `MQTTClient`, without sockets: events in, actions out (STYLE.md #8).
///
/// It decides when to (re)connect and how long to wait, re-establishes subscriptions and the birth message after
/// every connection, and never reconnects after an explicit disconnect. `MQTTClient` feeds it the libmosquitto
/// callbacks and carries out the actions.
public struct MQTTConnectionStateMachine: Sendable {
    public enum State: Sendable, Equatable {
        /// Not started, or stopped by `disconnectRequested`.
        case idle
        /// A connection attempt is under way; `attempt` counts failures since the last successful connection.
        case connecting(attempt: Int)
        case connected
        /// Waiting, after the `attempt`-th failure in a row, before trying again.
        case waitingToReconnect(attempt: Int)
    }

    public enum Event: Sendable, Equatable {
        case connectRequested
        /// CONNACK arrived; 0 is success, anything else a refusal.
        case connected(reasonCode: Int32)
        /// The connection ended (or a connection attempt failed) with this libmosquitto/MQTT code.
        case disconnected(reasonCode: Int32)
        case backoffElapsed
        case subscribeRequested(MQTTSubscription)
        case unsubscribeRequested(String)
        case disconnectRequested
    }

    public enum Action: Sendable, Equatable {
        case connect
        case scheduleReconnect(after: Duration)
        case subscribe(MQTTSubscription)
        case unsubscribe(String)
        case resubscribe([MQTTSubscription])
        case publishBirth
        case disconnect
        case reportState(State)
    }

    public private(set) var state: State = .idle
    /// What the client asked for, in the order asked, re-established after every connection.
    public private(set) var subscriptions: [MQTTSubscription] = []
    /// Disconnections since the machine was created, for telemetry.
    public private(set) var reconnects = 0
    private let backoff: MQTTBackoff
    private let hasBirth: Bool
    private var random: SplitMix64

    public init(backoff: MQTTBackoff, hasBirth: Bool = false, seed: UInt64 = UInt64.random(in: .min ... .max)) {
        self.backoff = backoff
        self.hasBirth = hasBirth
        self.random = SplitMix64(seed: seed)
    }

    public mutating func event(_ event: Event) -> [Action] {
        switch (state, event) {
        case (.idle, .connectRequested):
            return transition(to: .connecting(attempt: 0), then: [.connect])
        case (_, .connectRequested):
            return []

        case (.connecting, .connected(0)), (.waitingToReconnect, .connected(0)):
            var actions: [Action] = []
            if !subscriptions.isEmpty { actions.append(.resubscribe(subscriptions)) }
            if hasBirth { actions.append(.publishBirth) }
            return transition(to: .connected, then: actions)
        case (.connecting(let attempt), .connected), (.connecting(let attempt), .disconnected),
            (.waitingToReconnect(let attempt), .disconnected):
            return waitBeforeRetry(failures: attempt + 1)
        case (.waitingToReconnect, .connected):
            // A refusal while waiting for libmosquitto's own retry counts as one more failure.
            guard case .waitingToReconnect(let attempt) = state else { return [] }
            return waitBeforeRetry(failures: attempt + 1)
        case (.connected, .disconnected):
            reconnects += 1
            return waitBeforeRetry(failures: 1)
        case (.connected, .connected):
            return []

        case (.waitingToReconnect(let attempt), .backoffElapsed):
            return transition(to: .connecting(attempt: attempt), then: [.connect])
        case (_, .backoffElapsed):
            return []

        case (_, .subscribeRequested(let subscription)):
            subscriptions.removeAll { $0.topicFilter == subscription.topicFilter }
            subscriptions.append(subscription)
            return state == .connected ? [.subscribe(subscription)] : []
        case (_, .unsubscribeRequested(let filter)):
            subscriptions.removeAll { $0.topicFilter == filter }
            return state == .connected ? [.unsubscribe(filter)] : []

        case (.idle, .disconnectRequested):
            return []
        case (_, .disconnectRequested):
            return transition(to: .idle, then: [.disconnect])
        case (.idle, .connected), (.idle, .disconnected):
            // Late callbacks after an explicit disconnect: stay down.
            return []
        }
    }

    /// The delay before retry number `failures` (1 = first): `minimum · 2^(failures-1)`, capped at `maximum`,
    /// less a random fraction of up to `jitter` of it.
    public mutating func delay(failures: Int) -> Duration {
        let minimum = backoff.minimum / .seconds(1)
        let maximum = backoff.maximum / .seconds(1)
        let exponential = minimum * pow2(max(0, failures - 1))
        let capped = min(maximum, exponential)
        let unit = Double(random.next() >> 11) / Double(1 << 53)
        let seconds = capped * (1 - backoff.jitter * unit)
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }

    private mutating func waitBeforeRetry(failures: Int) -> [Action] {
        let after = delay(failures: failures)
        return transition(to: .waitingToReconnect(attempt: failures), then: [.scheduleReconnect(after: after)])
    }

    private mutating func transition(to next: State, then actions: [Action]) -> [Action] {
        state = next
        return actions + [.reportState(next)]
    }

    private func pow2(_ n: Int) -> Double {
        n >= 62 ? .infinity : Double(1 << n)
    }
}

/// A small seedable generator, so the jitter is reproducible in tests (Vigna's SplitMix64).
struct SplitMix64: Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1330_11EB
        return z ^ (z >> 31)
    }
}
