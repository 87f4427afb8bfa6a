/// Whether the cloud can be reached, from what real requests and a light probe saw. A state machine that returns
/// actions (the I/O around it is `CloudEscalator`), so it is tested without sockets.
public struct Connectivity: Sendable {
    public enum State: String, Sendable, Codable {
        /// The last exchange worked.
        case online
        /// The server answers but badly (5xx, 429, timeouts): requests are tried, and queued when they fail.
        case degraded
        /// No connection: requests go to the outbox and a probe runs with exponential backoff.
        case offline
    }

    /// How an exchange with the endpoint ended, as far as the link is concerned.
    public enum Outcome: Sendable, Equatable {
        /// An HTTP answer that shows the link and server work (2xx, and 4xx other than 429).
        case answered
        /// The server is up but refuses for now (429, 5xx).
        case overloaded
        /// The request timed out: a slow server or a dying link.
        case timedOut
        /// No connection could be made (refused, unreachable, DNS, TLS handshake).
        case unreachable
    }

    public enum Action: Sendable, Equatable {
        case none
        /// The state changed: publish it (telemetry, logs).
        case publish(State)
        /// Probe the endpoint after this delay.
        case probe(after: Duration)
        /// Back online: publish, and drain the outbox now.
        case publishAndDrain(State)
    }

    public private(set) var state: State
    /// Consecutive failed exchanges (timeouts and overloads); this many make the link offline.
    public let failuresToOffline: Int
    public let initialBackoff: Duration
    public let maxBackoff: Duration
    public private(set) var failures = 0
    public private(set) var backoff: Duration

    public init(
        state: State = .online, failuresToOffline: Int = 3, initialBackoff: Duration = .seconds(1),
        maxBackoff: Duration = .seconds(60)
    ) {
        self.state = state
        self.failuresToOffline = failuresToOffline
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.backoff = initialBackoff
    }

    /// Whether a request should be attempted now rather than queued.
    public var canSend: Bool { state != .offline }

    /// The outcome of a real request or of a probe.
    public mutating func event(_ outcome: Outcome) -> Action {
        let before = state
        switch outcome {
        case .answered:
            failures = 0
            backoff = initialBackoff
            state = .online
            return before == .online ? .none : (before == .offline ? .publishAndDrain(.online) : .publish(.online))
        case .overloaded, .timedOut:
            failures += 1
            if before == .offline { return nextProbe() }
            state = failures >= failuresToOffline ? .offline : .degraded
            if state == .offline { return goneOffline() }
            return before == state ? .none : .publish(state)
        case .unreachable:
            failures += 1
            if before == .offline { return nextProbe() }
            state = .offline
            return goneOffline()
        }
    }

    private mutating func goneOffline() -> Action {
        backoff = initialBackoff
        return .publish(.offline)
    }

    /// After a failed probe while offline: wait twice as long next time, up to `maxBackoff`.
    private mutating func nextProbe() -> Action {
        backoff = min(backoff * 2, maxBackoff)
        return .probe(after: backoff)
    }

    /// The delay before the next probe, while offline (the first right after going offline).
    public var probeDelay: Duration? { state == .offline ? backoff : nil }
}
