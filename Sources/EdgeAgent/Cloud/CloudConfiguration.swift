import YAML

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The `cloud:` section of the agent's config (or a file of its own for `edge-agent ask --cloud-config`):
///
/// ```yaml
/// cloud:
///   endpoint:
///     base_url: https://api.openai.com     # POST {base_url}/v1/chat/completions
///     model: gpt-4o-mini
///     api_key_env: OPENAI_API_KEY          # or api_key_file: /etc/edge-agent/cloud.key
///     connect_timeout_s: 5
///     timeout_s: 20
///     max_tokens: 300
///   policy: { mode: fallback, confidence_threshold: 0.6, ... }   # see CloudPolicy
///   redaction: { names: [Alice], patterns: ['ACME-\d+'] }
///   outbox: { max_items: 1000, device_action_expiry_s: 30, question_expiry_s: 3600 }
///   state_path: /var/lib/edge-agent/cloud.sqlite                  # outbox, budgets, learned commands
/// ```
public struct CloudConfiguration: Sendable, Equatable {
    public var endpoint: CloudEndpoint
    public var policy: CloudPolicy
    public var redaction: RedactionRules
    public var outbox: OutboxSettings
    /// The SQLite file of the outbox, the daily budget counters and the learned commands.
    public var statePath: String

    public static let defaultStatePath = "/var/lib/edge-agent/cloud.sqlite"

    public init(
        endpoint: CloudEndpoint, policy: CloudPolicy = CloudPolicy(), redaction: RedactionRules = RedactionRules(),
        outbox: OutboxSettings = OutboxSettings(), statePath: String = CloudConfiguration.defaultStatePath
    ) {
        self.endpoint = endpoint
        self.policy = policy
        self.redaction = redaction
        self.outbox = outbox
        self.statePath = statePath
    }

    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CloudConfigurationError.syntax(file: path, line: 0, problem: "cannot be read")
        }
        try self.init(yaml: String(decoding: data, as: UTF8.self), file: path)
    }

    /// A whole file with a `cloud:` key, or the section itself.
    public init(yaml: String, file: String = "cloud config") throws(CloudConfigurationError) {
        let root: YAMLNode?
        do {
            root = try YAMLNode.compose(yaml: yaml)
        } catch {
            throw .syntax(file: file, line: 0, problem: "\(error)")
        }
        guard let root else { throw .missingKey(file: file, key: "cloud") }
        let top = try ConfigNode(root, file: file, path: "")
        if let section = try top.section("cloud") {
            try self.init(section)
        } else {
            try self.init(ConfigNode(root, file: file, path: "cloud"))
        }
    }

    /// The section already parsed by the agent's config reader.
    public init(node: YAMLNode, file: String) throws(CloudConfigurationError) {
        try self.init(ConfigNode(node, file: file, path: "cloud"))
    }

    init(_ node: ConfigNode) throws(CloudConfigurationError) {
        guard Self.isAvailable else { throw .notInThisBuild(file: node.file, line: node.line) }
        try node.check(allowed: ["endpoint", "policy", "redaction", "outbox", "state_path"])
        guard let endpoint = try node.section("endpoint") else {
            throw .missingKey(file: node.file, key: "cloud.endpoint")
        }
        self.endpoint = try CloudEndpoint(endpoint)
        self.policy =
            try node.section("policy").map { n throws(CloudConfigurationError) in try CloudPolicy(n) } ?? CloudPolicy()
        self.redaction =
            try node.section("redaction").map { n throws(CloudConfigurationError) in try RedactionRules(n) }
            ?? RedactionRules()
        self.outbox =
            try node.section("outbox").map { n throws(CloudConfigurationError) in try OutboxSettings(n) }
            ?? OutboxSettings()
        self.statePath = try node.string("state_path") ?? Self.defaultStatePath
    }
}

/// Where the cloud model is and how to talk to it.
public struct CloudEndpoint: Sendable, Equatable {
    public var baseURL: String
    public var model: String
    public var apiKey: APIKeySource
    public var connectTimeout: Duration
    public var timeout: Duration
    public var maxTokens: Int
    public var temperature: Double

    public init(
        baseURL: String, model: String, apiKey: APIKeySource = .none, connectTimeout: Duration = .seconds(5),
        timeout: Duration = .seconds(20), maxTokens: Int = 300, temperature: Double = 0
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.model = model
        self.apiKey = apiKey
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxTokens = maxTokens
        self.temperature = temperature
    }

    init(_ node: ConfigNode) throws(CloudConfigurationError) {
        try node.check(allowed: [
            "base_url", "model", "api_key_env", "api_key_file", "connect_timeout_s", "timeout_s", "max_tokens",
            "temperature",
        ])
        guard let base = try node.string("base_url") else {
            throw .missingKey(file: node.file, key: node.key("base_url"))
        }
        guard base.hasPrefix("https://") || base.hasPrefix("http://") else {
            throw node.bad("base_url", node["base_url"]!, "must start with https:// (or http:// for a local server)")
        }
        guard let model = try node.string("model") else { throw .missingKey(file: node.file, key: node.key("model")) }
        let env = try node.string("api_key_env")
        let file = try node.string("api_key_file")
        if env != nil, file != nil {
            throw node.bad("api_key_file", node["api_key_file"]!, "give api_key_env or api_key_file, not both")
        }
        let key: APIKeySource = env.map { .environment($0) } ?? file.map { .file($0) } ?? .none
        self.init(
            baseURL: base, model: model, apiKey: key,
            connectTimeout: .milliseconds(Int((try node.double("connect_timeout_s", min: 0.001) ?? 5) * 1000)),
            timeout: .milliseconds(Int((try node.double("timeout_s", min: 0.001) ?? 20) * 1000)),
            maxTokens: try node.int("max_tokens", min: 1) ?? 300,
            temperature: try node.double("temperature", min: 0) ?? 0)
    }
}

/// Where the API key comes from. The key is read when a client is made and kept only in the `Authorization`
/// header; it is never logged, printed, put in telemetry or in an error.
public enum APIKeySource: Sendable, Equatable, CustomStringConvertible {
    case none
    case environment(String)
    case file(String)

    public var description: String {
        switch self {
        case .none: "no API key"
        case .environment(let name): "the environment variable \(name)"
        case .file(let path): "the file \(path)"
        }
    }

    /// The key, trimmed; nil for `.none`.
    func read(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(CloudConfigurationError)
        -> String?
    {
        let raw: String?
        switch self {
        case .none: return nil
        case .environment(let name): raw = environment[name]
        case .file(let path):
            raw = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
        }
        guard let key = raw?.trimmedWhitespace, !key.isEmpty else {
            throw .apiKeyUnavailable(source: description)
        }
        return key
    }
}

/// How long escalations may wait in the outbox, and how many.
public struct OutboxSettings: Sendable, Equatable {
    /// Beyond this many pending items a new escalation is refused (the requester is told); nothing already
    /// acknowledged is ever dropped to make room.
    public var maxItems: Int
    /// A device action that waited longer is never executed: a late "turn on the oven" is worse than none.
    public var deviceActionExpiry: Duration
    /// Questions and other deferrable work can wait longer.
    public var questionExpiry: Duration
    /// The longest wait between retries of one item (the backoff doubles up to it).
    public var maxRetryDelay: Duration

    public init(
        maxItems: Int = 1000, deviceActionExpiry: Duration = .seconds(30), questionExpiry: Duration = .seconds(3600),
        maxRetryDelay: Duration = .seconds(60)
    ) {
        self.maxItems = maxItems
        self.deviceActionExpiry = deviceActionExpiry
        self.questionExpiry = questionExpiry
        self.maxRetryDelay = maxRetryDelay
    }

    init(_ node: ConfigNode) throws(CloudConfigurationError) {
        try node.check(allowed: ["max_items", "device_action_expiry_s", "question_expiry_s", "max_retry_delay_s"])
        self.init(
            maxItems: try node.int("max_items", min: 1) ?? 1000,
            deviceActionExpiry: .milliseconds(
                Int((try node.double("device_action_expiry_s", min: 0.001) ?? 30) * 1000)),
            questionExpiry: .milliseconds(Int((try node.double("question_expiry_s", min: 0.001) ?? 3600) * 1000)),
            maxRetryDelay: .milliseconds(Int((try node.double("max_retry_delay_s", min: 0.001) ?? 60) * 1000)))
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
