/// What `edge-agent run` is told by its YAML file (`Board/agent.yaml` is the sample), after the command line's
/// overrides. Secrets stay as their sources (`password_file`, `password_env`): they are read when the agent
/// connects and never kept in a value that could be printed.
public struct AgentConfig: Sendable, Equatable {
    public var agent = Agent()
    public var broker = Broker()
    /// The device catalog's YAML file.
    public var catalog = "Board/catalog/home.yaml"
    /// The SQLite file of the publish spool (what waits for the broker, across restarts); in the systemd unit's
    /// StateDirectory by default, beside the cloud state.
    public var spoolPath = AgentConfig.defaultSpoolPath
    public var model = Model()
    public var interpreter = InterpreterOptions()
    /// The cloud escalation (`cloud:`); nil keeps every command on the device.
    public var cloud: CloudConfiguration?
    public var limits = Limits()
    public var telemetry = Telemetry()
    public var homeAssistant = HomeAssistant()
    public var hermes = Hermes()

    public static let defaultSpoolPath = "/var/lib/edge-agent/spool.sqlite"

    public init() {}

    public struct Agent: Sendable, Equatable {
        /// Names the agent in topics and client ids: letters, digits, `-` and `_`.
        public var id = "edge-agent"
        /// Default `edge/<id>/`; always ends with `/`.
        public var topicPrefix: String?
        /// A board profile's name from Board/profiles; nil to detect the board.
        public var board: String?

        public var prefix: String { topicPrefix ?? "edge/\(id)/" }
    }

    public struct Broker: Sendable, Equatable {
        public var url = BrokerURL(tls: false, host: "127.0.0.1", port: 1883)
        /// 5 or 3 (3.1.1).
        public var protocolVersion = ProtocolVersion.v5
        /// Default `edge-agent-<id>`.
        public var clientID: String?
        public var keepAlive = 60
        public var cleanSession = true
        /// MQTT 5: how long the broker keeps a persistent session (seconds).
        public var sessionExpiry: UInt32?
        /// QoS of everything the agent publishes and subscribes to (actions, results, state).
        public var qos = 1
        /// The longest wait between reconnection attempts (they start at 1 s and double, with jitter).
        public var reconnectMaximum = 30
        public var username: String?
        public var passwordFile: String?
        public var passwordEnvironment: String?
        public var tls = TLS()
    }

    public enum ProtocolVersion: String, Sendable, Equatable {
        case v5 = "5"
        case v311 = "3.1.1"
    }

    public struct TLS: Sendable, Equatable {
        public var caFile: String?
        public var certificateFile: String?
        public var keyFile: String?
        /// Verification of the broker's certificate and host name; off only for tests.
        public var verify = true
    }

    public struct Model: Sendable, Equatable {
        /// A manifest name or a GGUF path; nil for the manifest's default.
        public var name: String?
        public var threads: Int?
        public var context: Int?
        /// The context `run` gives the model: the configured one, else the interpreter's default.
        public var contextLength: Int { context ?? SLMInterpreter.defaultContextLength }
    }

    public struct InterpreterOptions: Sendable, Equatable {
        /// Whether the language model takes what the rules do not understand.
        public var slm = false
        /// Below this confidence the model's answer is `unrecognized` (or `ambiguous`), never an action.
        public var confidenceThreshold = SLMInterpreter.Options().threshold
    }

    public struct Limits: Sendable, Equatable {
        /// Commands waiting for the inference worker; past it the reply is `rejected`, reason `busy`.
        public var queueCapacity = 16
        /// Incoming payloads larger than this are answered with an `error` result and not read.
        public var maxPayloadBytes = 8192
        /// Outgoing messages kept while the broker is away.
        public var spoolCapacity = 1000
        /// Seconds a device action without an expiry of its own may wait in the spool; past it the action is
        /// dropped (and counted), never executed late.
        public var spoolActionExpiry = 30.0
        /// The configured memory budget in MB (`memory_budget_mb`), on top of the board profile's and the cgroup's.
        public var memoryBudgetMB: Int?
        public var memoryBudgetBytes: Int? { memoryBudgetMB.map { $0 << 20 } }
    }

    public struct Telemetry: Sendable, Equatable {
        /// Seconds between reports (and memory-guard readings); 0 turns both off.
        public var interval = 30.0
    }

    public struct HomeAssistant: Sendable, Equatable {
        public var discovery = false
        public var prefix = "homeassistant"
    }

    public struct Hermes: Sendable, Equatable {
        public var enabled = true
        /// Only queries from these sites are answered; empty answers every site.
        public var siteIDs: [String] = []
    }
}

/// `mqtt://host:port` or `mqtts://host:port` (ports 1883 and 8883 by default).
public struct BrokerURL: Sendable, Equatable, CustomStringConvertible {
    public var tls: Bool
    public var host: String
    public var port: Int

    public init(tls: Bool, host: String, port: Int) {
        self.tls = tls
        self.host = host
        self.port = port
    }

    /// Throws, with the reason, when `text` is not such a URL.
    public init(parsing text: String) throws(BrokerURLError) {
        let scheme: Bool
        let rest: Substring
        if text.hasPrefix("mqtt://") {
            (scheme, rest) = (false, text.dropFirst(7))
        } else if text.hasPrefix("mqtts://") {
            (scheme, rest) = (true, text.dropFirst(8))
        } else {
            throw BrokerURLError(url: text, reason: "expected mqtt://HOST[:PORT] or mqtts://HOST[:PORT]")
        }
        var authority = rest
        if authority.hasSuffix("/") { authority = authority.dropLast() }
        guard !authority.contains("/"), !authority.contains("@") else {
            throw BrokerURLError(url: text, reason: "no path or credentials in the URL (use username/password_file)")
        }
        var host = authority
        var port = scheme ? 8883 : 1883
        if authority.hasPrefix("[") {  // [::1]:1883
            guard let close = authority.firstIndex(of: "]") else {
                throw BrokerURLError(url: text, reason: "unclosed '[' in the host")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let value = Int(after.dropFirst()), (1...65535).contains(value) else {
                    throw BrokerURLError(url: text, reason: "the port is not a number in 1…65535")
                }
                port = value
            } else if !after.isEmpty {
                throw BrokerURLError(url: text, reason: "unexpected '\(after)' after the host")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let value = Int(authority[authority.index(after: colon)...]), (1...65535).contains(value) else {
                throw BrokerURLError(url: text, reason: "the port is not a number in 1…65535")
            }
            port = value
        }
        guard !host.isEmpty else { throw BrokerURLError(url: text, reason: "the host is empty") }
        self.init(tls: scheme, host: String(host), port: port)
    }

    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(tls ? "mqtts" : "mqtt")://\(shownHost):\(port)"
    }
}

public struct BrokerURLError: Error, Equatable, CustomStringConvertible {
    public var url: String
    public var reason: String
    public var description: String { "broker URL '\(url)': \(reason)" }
}
