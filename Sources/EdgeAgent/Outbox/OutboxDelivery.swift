/// What to do with an outbox item after one attempt to send it: the delivery protocol as a pure function of the
/// attempt's outcome, the item and the time (STYLE #8), so the I/O loop around it stays thin.
public struct OutboxDelivery: Sendable {
    public enum Step: Sendable, Equatable {
        /// Publish the answer to the item's reply route, then remove it.
        case deliver
        /// Try again at this time (seconds since 1970).
        case retry(at: Double)
        /// The item's time is up: publish `expired`, never the action.
        case expire
        /// The cloud refused the request itself; publish this reason, remove the item.
        case fail(String)
    }

    public let initialDelay: Duration
    public let maxDelay: Duration

    public init(initialDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(60)) {
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    /// Exponential backoff: 0.5 s, 1 s, 2 s … up to `maxDelay`, after `attempts` failed tries.
    public func backoff(attempts: Int) -> Duration {
        var delay = initialDelay
        for _ in 0..<min(attempts, 30) {
            delay = delay * 2
            if delay >= maxDelay { return maxDelay }
        }
        return min(delay, maxDelay)
    }

    /// The next step after an attempt that ended with `error` (nil: the answer arrived).
    public func step(after error: CloudError?, item: OutboxItem, now: Double) -> Step {
        if now >= item.expiresAt { return .expire }
        guard let error else { return .deliver }
        guard error.isTransient else { return .fail(error.description) }
        // A server's Retry-After is honoured even when it is longer than our own backoff.
        var delay = backoff(attempts: item.attempts)
        if let retryAfter = error.retryAfter, retryAfter > delay { delay = retryAfter }
        let at = now + delay.seconds
        return at >= item.expiresAt ? .retry(at: item.expiresAt) : .retry(at: at)
    }
}
