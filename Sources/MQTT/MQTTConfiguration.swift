#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

public enum MQTTProtocolVersion: Sendable, Equatable {
    case v311
    case v5
}

public enum MQTTQoS: Int32, Sendable, Equatable, Comparable {
    case atMostOnce = 0
    case atLeastOnce = 1
    case exactlyOnce = 2

    public static func < (a: MQTTQoS, b: MQTTQoS) -> Bool { a.rawValue < b.rawValue }
}

/// Username and password. The password never appears in a description, a log line or an error.
public struct MQTTCredentials: Sendable, Equatable, CustomStringConvertible {
    public var username: String
    public var password: String?

    public init(username: String, password: String?) {
        self.username = username
        self.password = password
    }

    public var description: String {
        "MQTTCredentials(username: \(username), password: \(password == nil ? "none" : "***"))"
    }

    /// The password is the file's content without its trailing newline (as `echo secret > file` writes it).
    public static func password(fromFile path: String) throws(MQTTError) -> String {
        guard let file = fopen(path, "r") else {
            throw MQTTError(
                operation: "read password", kind: .invalidConfiguration,
                message: "cannot open password file '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n == 0 { break }
            bytes += buffer[..<n]
        }
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard !bytes.isEmpty else {
            throw MQTTError(
                operation: "read password", kind: .invalidConfiguration, message: "password file '\(path)' is empty")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The value of environment variable `name`; an unset or empty variable is an error naming it.
    public static func password(fromEnvironment name: String) throws(MQTTError) -> String {
        guard let value = getenv(name), value.pointee != 0 else {
            throw MQTTError(
                operation: "read password", kind: .invalidConfiguration,
                message: "environment variable \(name) is not set or empty")
        }
        return String(cString: value)
    }
}

/// TLS towards the broker. Verification of the broker's certificate (chain and host name) is on unless turned off.
public struct MQTTTLS: Sendable, Equatable {
    /// PEM file of the certificate authorities to trust; or `caDirectory`, a hashed directory of them.
    public var caFile: String?
    public var caDirectory: String?
    /// Client certificate and key (PEM), for brokers that require them.
    public var certificateFile: String?
    public var keyFile: String?
    /// Off only for tests against a broker with a self-made certificate; never in production.
    public var verifyPeer: Bool
    /// "tlsv1.3", "tlsv1.2" or nil for libmosquitto's default.
    public var version: String?

    public init(
        caFile: String? = nil, caDirectory: String? = nil, certificateFile: String? = nil, keyFile: String? = nil,
        verifyPeer: Bool = true, version: String? = nil
    ) {
        self.caFile = caFile
        self.caDirectory = caDirectory
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.verifyPeer = verifyPeer
        self.version = version
    }
}

/// Bounds of the reconnect delay: exponential from `minimum` up to `maximum`, each delay shortened by a random part
/// of up to `jitter` (0…1) of itself, so a fleet that lost the same broker does not come back in lockstep.
public struct MQTTBackoff: Sendable, Equatable {
    public var minimum: Duration
    public var maximum: Duration
    public var jitter: Double

    public init(minimum: Duration = .seconds(1), maximum: Duration = .seconds(60), jitter: Double = 0.5) {
        precondition(minimum > .zero && maximum >= minimum, "backoff needs 0 < minimum <= maximum")
        precondition((0...1).contains(jitter), "backoff jitter is a fraction in 0...1")
        self.minimum = minimum
        self.maximum = maximum
        self.jitter = jitter
    }
}

public struct MQTTConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var clientID: String
    public var protocolVersion: MQTTProtocolVersion
    /// Seconds between keepalive pings (MQTT's unit); libmosquitto requires at least 5.
    public var keepAlive: Int
    /// Clean session (3.1.1) / clean start (5). With `false`, the broker keeps subscriptions and queued QoS ≥ 1
    /// messages for `sessionExpiryInterval` seconds (MQTT 5) while the client is away.
    public var cleanSession: Bool
    public var sessionExpiryInterval: UInt32?
    public var credentials: MQTTCredentials?
    public var tls: MQTTTLS?
    /// Published by the broker when the connection is lost without a DISCONNECT.
    public var will: MQTTOutgoingMessage?
    /// Published by the client after every (re)connection, e.g. a retained "online".
    public var birth: MQTTOutgoingMessage?
    public var backoff: MQTTBackoff
    /// How long `connect()` and acknowledgement waits may take.
    public var timeout: Duration
    /// Incoming messages waiting for the consumer; past it the oldest are dropped (and logged).
    public var incomingBufferLimit: Int
    /// Sends each packet at once instead of letting Nagle's algorithm hold small ones back for the peer's delayed
    /// ACK (about 40 ms on Linux): commands and their actions are small and latency-bound.
    public var noDelay: Bool

    public init(
        host: String, port: Int = 1883, clientID: String, protocolVersion: MQTTProtocolVersion = .v5,
        keepAlive: Int = 60, cleanSession: Bool = true, sessionExpiryInterval: UInt32? = nil,
        credentials: MQTTCredentials? = nil, tls: MQTTTLS? = nil, will: MQTTOutgoingMessage? = nil,
        birth: MQTTOutgoingMessage? = nil, backoff: MQTTBackoff = MQTTBackoff(), timeout: Duration = .seconds(10),
        incomingBufferLimit: Int = 1024, noDelay: Bool = true
    ) {
        self.host = host
        self.port = port
        self.clientID = clientID
        self.protocolVersion = protocolVersion
        self.keepAlive = keepAlive
        self.cleanSession = cleanSession
        self.sessionExpiryInterval = sessionExpiryInterval
        self.credentials = credentials
        self.tls = tls
        self.will = will
        self.birth = birth
        self.backoff = backoff
        self.timeout = timeout
        self.incomingBufferLimit = incomingBufferLimit
        self.noDelay = noDelay
    }
}
