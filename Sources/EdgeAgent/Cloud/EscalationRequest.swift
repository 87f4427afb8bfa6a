/// What the agent knows of one command besides its text: what the escalation needs to answer it later.
public struct EscalationRequest: Sendable, Equatable {
    /// The command's id: the outbox's idempotency key, and the id of every result for it.
    public var id: String
    /// Where the answer goes if it comes late (from the outbox).
    public var replyRoute: ReplyRoute
    /// The request's own `allow_cloud`; false keeps it on the device whatever the policy says.
    public var allowCloud: Bool?
    /// When the command must have been answered (seconds since 1970); nil: now + the kind's default expiry.
    public var expiresAt: Double?
    /// Whether an escalation the link cannot carry now is kept in the outbox (false for `edge-agent ask`, which
    /// has no one to answer later).
    public var queueWhenOffline: Bool

    public init(
        id: String, replyRoute: ReplyRoute, allowCloud: Bool? = nil, expiresAt: Double? = nil,
        queueWhenOffline: Bool = true
    ) {
        self.id = id
        self.replyRoute = replyRoute
        self.allowCloud = allowCloud
        self.expiresAt = expiresAt
        self.queueWhenOffline = queueWhenOffline
    }
}

/// A snapshot for telemetry: `{"cloud": {"link": "online", "outbox": 3, "requests_today": 12, ...}}`.
public struct CloudStatus: Sendable, Equatable, Encodable {
    public var link: Connectivity.State
    public var outbox: Int
    public var requestsToday: Int
    public var tokensToday: Int
    public var responseFormat: String
    /// The last policy decision, with its reason.
    public var lastDecision: String?

    enum CodingKeys: String, CodingKey {
        case link, outbox
        case requestsToday = "requests_today"
        case tokensToday = "tokens_today"
        case responseFormat = "response_format"
        case lastDecision = "last_decision"
    }
}
