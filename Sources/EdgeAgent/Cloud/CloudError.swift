/// Why a cloud request failed. Never carries the API key or the request's text.
public enum CloudError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The endpoint answered with an error status; `retryAfter` from the `Retry-After` header (429, 503).
    case http(status: Int, retryAfter: Duration?, message: String)
    /// No answer within the configured time.
    case timeout(after: Duration)
    /// No connection: refused, unreachable, name resolution or TLS handshake failed.
    case unreachable(String)
    /// An answer arrived but is not the JSON the schema asks for.
    case malformedAnswer(String)

    public var description: String {
        switch self {
        case .http(let status, let retryAfter, let message):
            "the cloud endpoint answered HTTP \(status)" + (retryAfter.map { ", retry after \($0.seconds) s" } ?? "")
                + (message.isEmpty ? "" : ": \(message)")
        case .timeout(let after): "the cloud endpoint did not answer within \(after.seconds) s"
        case .unreachable(let why): "the cloud endpoint is unreachable: \(why)"
        case .malformedAnswer(let why): "the cloud's answer is not valid JSON for the catalog schema: \(why)"
        }
    }

    /// What the failure says about the link.
    public var outcome: Connectivity.Outcome {
        switch self {
        case .http(let status, _, _): status == 429 || status >= 500 ? .overloaded : .answered
        case .timeout: .timedOut
        case .unreachable: .unreachable
        case .malformedAnswer: .answered
        }
    }

    /// Worth another try later (from the outbox): the link or the server, not the request, was at fault.
    public var isTransient: Bool { outcome != .answered }

    public var retryAfter: Duration? {
        if case .http(_, let retryAfter, _) = self { return retryAfter }
        return nil
    }
}
