import YAML

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Reads `AgentConfig` from YAML through the YAML node tree, so every refusal names the line and the key.
public enum AgentConfigLoader {
    typealias SectionReader = @Sendable (inout AgentConfig, ConfigMapping) throws(AgentConfigError) -> Void

    /// The top-level sections and what reads each. A new section (`cloud:`, `policy:`, `outbox:`) is one more row
    /// here and a field in `AgentConfig`; a key that no row claims is refused as unknown.
    static let sections: [(name: String, read: SectionReader)] = [
        ("agent", readAgent),
        ("broker", readBroker),
        ("model", readModel),
        ("interpreter", readInterpreter),
        ("limits", readLimits),
        ("telemetry", readTelemetry),
        ("home_assistant", readHomeAssistant),
        ("hermes", readHermes),
    ]

    public static func load(contentsOf path: String) throws(AgentConfigError) -> AgentConfig {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else { throw AgentConfigError(.syntax, file: path, line: 0, key: "", reason: "cannot be read as UTF-8 text") }
        return try load(yaml: text, file: path)
    }

    public static func load(yaml: String, file: String = "agent.yaml") throws(AgentConfigError) -> AgentConfig {
        let root: Node?
        do {
            root = try YAMLNode.compose(yaml: yaml)
        } catch {
            throw AgentConfigError(.syntax, file: file, line: error.line, key: "", reason: error.problem)
        }
        var config = AgentConfig()
        guard let root else { return config }  // an empty file: every default
        let top = try ConfigMapping(root, path: "", file: file)
        if let catalog = try top.string("catalog") { config.catalog = catalog }
        if let spool = try top.string("spool_path") {
            guard !spool.isEmpty else { throw top.bad("spool_path", "must name a file") }
            config.spoolPath = spool
        }
        for section in sections {
            if let mapping = try top.mapping(section.name) { try section.read(&config, mapping) }
        }
        // The cloud section has its own reader (shared with `edge-agent ask --cloud-config`).
        if let cloud = top.section("cloud") {
            do {
                config.cloud = try CloudConfiguration(node: cloud, file: file)
            } catch {
                let line = cloud.mark?.line ?? 0
                switch error {
                case .unknownKey(_, let at, let key):
                    throw AgentConfigError(.unknownKey, file: file, line: at, key: key, reason: "not a cloud setting")
                case .badValue(_, let at, let key, let value, let reason):
                    throw AgentConfigError(.badValue, file: file, line: at, key: key, reason: "'\(value)': \(reason)")
                case .syntax(_, let at, let problem):
                    throw AgentConfigError(.badValue, file: file, line: at, key: "cloud", reason: problem)
                case .missingKey(_, let key):
                    throw AgentConfigError(
                        .missingKey, file: file, line: line, key: key, reason: "the cloud section needs it")
                case .apiKeyUnavailable:
                    throw AgentConfigError(
                        .badValue, file: file, line: line, key: "cloud.endpoint", reason: error.description)
                case .notInThisBuild:
                    throw AgentConfigError(
                        .notInThisBuild, file: file, line: line, key: "cloud",
                        reason: CloudConfigurationError.notInThisBuildReason)
                }
            }
        }
        try top.refuseUnknownKeys()
        return config
    }

    // MARK: - Sections

    static func readAgent(_ config: inout AgentConfig, _ m: ConfigMapping) throws(AgentConfigError) {
        if let id = try m.string("id") {
            guard AgentConfig.isValidID(id) else {
                throw m.bad("id", "'\(id)' must be 1–64 letters, digits, '-' or '_' (it is part of topics)")
            }
            config.agent.id = id
        }
        if let prefix = try m.string("topic_prefix") {
            guard !prefix.contains("+"), !prefix.contains("#"), !prefix.isEmpty else {
                throw m.bad("topic_prefix", "'\(prefix)' must be a non-empty topic without wildcards")
            }
            config.agent.topicPrefix = prefix.hasSuffix("/") ? prefix : prefix + "/"
        }
        config.agent.board = try m.string("board")
        try m.refuseUnknownKeys()
    }

    static func readBroker(_ config: inout AgentConfig, _ m: ConfigMapping) throws(AgentConfigError) {
        var broker = config.broker
        if let url = try m.string("url") {
            do throws(BrokerURLError) { broker.url = try BrokerURL(parsing: url) } catch {
                throw m.bad("url", error.reason + " (got '\(url)')")
            }
        }
        if let version = try m.string("protocol") {
            switch version {
            case "5", "5.0": broker.protocolVersion = .v5
            case "3.1.1", "4": broker.protocolVersion = .v311
            default: throw m.bad("protocol", "'\(version)' is not 5 or 3.1.1")
            }
        }
        broker.clientID = try m.string("client_id")
        if let keepAlive = try m.int("keepalive", in: 5...65535) { broker.keepAlive = keepAlive }
        if let clean = try m.bool("clean_session") { broker.cleanSession = clean }
        if let expiry = try m.int("session_expiry", in: 0...Int(UInt32.max)) { broker.sessionExpiry = UInt32(expiry) }
        if let qos = try m.int("qos", in: 0...2) { broker.qos = qos }
        if let maximum = try m.int("reconnect_max_s", in: 1...3600) { broker.reconnectMaximum = maximum }
        broker.username = try m.string("username")
        broker.passwordFile = try m.string("password_file")
        broker.passwordEnvironment = try m.string("password_env")
        if broker.passwordFile != nil && broker.passwordEnvironment != nil {
            throw m.bad("password_env", "give the password by password_file or password_env, not both")
        }
        if m.has("password") {
            throw m.bad("password", "a password is never written in the config: use password_file or password_env")
        }
        if let tls = try m.mapping("tls") {
            broker.tls.caFile = try tls.string("ca_file")
            broker.tls.certificateFile = try tls.string("cert_file")
            broker.tls.keyFile = try tls.string("key_file")
            if let verify = try tls.bool("verify") { broker.tls.verify = verify }
            if (broker.tls.certificateFile == nil) != (broker.tls.keyFile == nil) {
                throw tls.bad("cert_file", "a client certificate needs both cert_file and key_file")
            }
            try tls.refuseUnknownKeys()
        }
        config.broker = broker
        try m.refuseUnknownKeys()
    }

    static func readModel(_ config: inout AgentConfig, _ m: ConfigMapping) throws(AgentConfigError) {
        config.model.name = try m.string("name")
        config.model.threads = try m.int("threads", in: 1...256)
        config.model.context = try m.int("context", in: 16...1_048_576)
        try m.refuseUnknownKeys()
    }

    static func readInterpreter(_ config: inout AgentConfig, _ m: ConfigMapping) throws(AgentConfigError) {
        if let slm = try m.bool("slm") { config.interpreter.slm = slm }
        if let threshold = try m.double("confidence_threshold", in: 0...1) {
            config.interpreter.confidenceThreshold = threshold
        }
        try m.refuseUnknownKeys()
    }

    static func readLimits(_ config: inout AgentConfig, _ m: ConfigMapping) throws(AgentConfigError) {
        if let value = try m.int("queue_capacity", in: 1...100_000) { config.limits.queueCapacity = value }
        if let value = try m.int("max_payload_bytes", in: 64...(16 << 20)) { config.limits.maxPayloadBytes = value }
        if let value = try m.int("spool_capacity", in: 1...1_000_000) { config.limits.spoolCapacity = value }
        if let value = try m.double("spool_action_expiry_s", in: 0.1...86_400) {
            config.limits.spoolActionExpiry = value
        }
        config.limits.memoryBudgetMB = try m.int("memory_budget_mb", in: 16...1_048_576)
        try m.refuseUnknownKeys()
    }

    static func readTelemetry(_ config: inout AgentConfig, _ m: ConfigMapping) throws(AgentConfigError) {
        if let interval = try m.double("interval_s", in: 0...86_400) { config.telemetry.interval = interval }
        try m.refuseUnknownKeys()
    }

    static func readHomeAssistant(_ config: inout AgentConfig, _ m: ConfigMapping) throws(AgentConfigError) {
        if let discovery = try m.bool("discovery") { config.homeAssistant.discovery = discovery }
        if let prefix = try m.string("prefix") { config.homeAssistant.prefix = prefix }
        try m.refuseUnknownKeys()
    }

    static func readHermes(_ config: inout AgentConfig, _ m: ConfigMapping) throws(AgentConfigError) {
        if let enabled = try m.bool("enabled") { config.hermes.enabled = enabled }
        if let sites = try m.strings("site_ids") { config.hermes.siteIDs = sites }
        try m.refuseUnknownKeys()
    }
}

extension AgentConfig {
    static func isValidID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
                    || $0 == "_"
            }
    }
}

/// One YAML mapping of the config, read key by key; the keys no reader asked for are refused at the end.
final class ConfigMapping {
    let file: String
    let path: String
    private let line: Int
    private var values: [(key: String, line: Int, node: Node)] = []
    private var read: Set<String> = []

    init(_ node: Node, path: String, file: String) throws(AgentConfigError) {
        self.file = file
        self.path = path
        line = node.mark?.line ?? 0
        guard let mapping = node.mapping else {
            throw AgentConfigError(
                .badValue, file: file, line: line, key: path.isEmpty ? "(top level)" : path,
                reason: "expected a mapping of keys")
        }
        for (key, value) in mapping {
            let name = key.string ?? "\(key)"
            if values.contains(where: { $0.key == name }) {
                throw AgentConfigError(
                    .badValue, file: file, line: key.mark?.line ?? 0, key: qualified(name),
                    reason: "the key is given twice")
            }
            values.append((name, key.mark?.line ?? 0, value))
        }
    }

    func qualified(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func has(_ key: String) -> Bool { values.contains { $0.key == key } }

    func bad(_ key: String, _ reason: String) -> AgentConfigError {
        AgentConfigError(
            .badValue, file: file, line: values.first { $0.key == key }?.line ?? line, key: qualified(key),
            reason: reason)
    }

    /// The node of `key`, nil when absent or written as null.
    private func node(_ key: String) -> Node? {
        read.insert(key)
        guard let node = values.first(where: { $0.key == key })?.node else { return nil }
        if let scalar = node.scalar, scalar.style == .plain, ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
            return nil
        }
        return node
    }

    private func scalar(_ key: String, expected: String) throws(AgentConfigError) -> Node.Scalar? {
        guard let node = node(key) else { return nil }
        guard let scalar = node.scalar else { throw bad(key, "expected \(expected), got a \(kind(of: node))") }
        return scalar
    }

    func string(_ key: String) throws(AgentConfigError) -> String? {
        try scalar(key, expected: "text")?.string
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws(AgentConfigError) -> Int? {
        guard let scalar = try scalar(key, expected: "a whole number") else { return nil }
        guard let value = Int(scalar.string) else { throw bad(key, "'\(scalar.string)' is not a whole number") }
        guard range.contains(value) else {
            throw bad(key, "\(value) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    func double(_ key: String, in range: ClosedRange<Double>) throws(AgentConfigError) -> Double? {
        guard let scalar = try scalar(key, expected: "a number") else { return nil }
        guard let value = Double(scalar.string), value.isFinite else {
            throw bad(key, "'\(scalar.string)' is not a number")
        }
        guard range.contains(value) else {
            throw bad(key, "\(scalar.string) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    func bool(_ key: String) throws(AgentConfigError) -> Bool? {
        guard let scalar = try scalar(key, expected: "true or false") else { return nil }
        switch scalar.string {
        case "true", "True", "TRUE", "yes", "on": return true
        case "false", "False", "FALSE", "no", "off": return false
        default: throw bad(key, "'\(scalar.string)' is not true or false")
        }
    }

    func strings(_ key: String) throws(AgentConfigError) -> [String]? {
        guard let node = node(key) else { return nil }
        guard let sequence = node.sequence else { throw bad(key, "expected a list, got a \(kind(of: node))") }
        var result: [String] = []
        for item in sequence {
            guard let scalar = item.scalar else { throw bad(key, "every item must be text") }
            result.append(scalar.string)
        }
        return result
    }

    /// The node under `key`, for a section another reader checks.
    func section(_ key: String) -> Node? { node(key) }

    func mapping(_ key: String) throws(AgentConfigError) -> ConfigMapping? {
        guard let node = node(key) else { return nil }
        return try ConfigMapping(node, path: qualified(key), file: file)
    }

    func refuseUnknownKeys() throws(AgentConfigError) {
        guard let unknown = values.first(where: { !read.contains($0.key) }) else { return }
        throw AgentConfigError(
            .unknownKey, file: file, line: unknown.line, key: qualified(unknown.key),
            reason: "known here: " + read.sorted().joined(separator: ", "))
    }

    private func kind(of node: Node) -> String {
        node.mapping != nil ? "mapping" : node.sequence != nil ? "list" : "value"
    }
}
