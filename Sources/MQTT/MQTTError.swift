import CMosquitto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An MQTT failure, naming the operation that failed and, where libmosquitto or the broker gave one, its code and text.
public struct MQTTError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Kind: Equatable, Sendable {
        /// libmosquitto returned `MOSQ_ERR_*` `code`; the message is `mosquitto_strerror`'s text.
        case library(code: Int32)
        /// The broker refused the connection (CONNACK reason code: MQTT 5 reason or MQTT 3.1.1 return code).
        case connectionRefused(reasonCode: Int32)
        /// The broker refused a subscription or a QoS ≥ 1 publication (MQTT 5 reason code ≥ 0x80).
        case rejected(reasonCode: Int32)
        /// No answer within the time allowed.
        case timedOut
        /// The client was disconnected (or shut down) while the operation waited.
        case notConnected
        /// A configuration value, such as a password source, is unusable.
        case invalidConfiguration
    }

    public let operation: String
    public let kind: Kind
    public let message: String

    public init(operation: String, kind: Kind, message: String) {
        self.operation = operation
        self.kind = kind
        self.message = message
    }

    public var description: String { "MQTT \(operation) failed: \(message)" }

    /// The libmosquitto error code, when the failure came from a libmosquitto call.
    public var libraryCode: Int32? {
        if case .library(let code) = kind { return code }
        return nil
    }
}

/// The one door through which every libmosquitto return code passes: `MOSQ_ERR_SUCCESS` returns, anything else
/// throws an `MQTTError` with `mosquitto_strerror`'s text and the name of the operation.
@inline(__always)
func mosquittoCall(_ operation: String, _ body: () -> Int32) throws(MQTTError) {
    let rc = body()
    guard rc == MOSQ_ERR_SUCCESS.rawValue else { throw MQTTError.library(operation, code: rc) }
}

extension MQTTError {
    static func library(_ operation: String, code: Int32) -> MQTTError {
        var text = String(cString: mosquitto_strerror(code))
        if code == MOSQ_ERR_ERRNO.rawValue, let errnoText = strerror(errno).map({ String(cString: $0) }) {
            text += " (\(errnoText))"
        }
        return MQTTError(operation: operation, kind: .library(code: code), message: "\(text) [MOSQ_ERR \(code)]")
    }

    static func refused(_ operation: String, reasonCode: Int32, protocolVersion: MQTTProtocolVersion) -> MQTTError {
        let text =
            protocolVersion == .v5
            ? String(cString: mosquitto_reason_string(reasonCode))
            : String(cString: mosquitto_connack_string(reasonCode))
        return MQTTError(
            operation: operation, kind: .connectionRefused(reasonCode: reasonCode),
            message: "broker refused: \(text) [reason \(reasonCode)]")
    }

    static func rejected(_ operation: String, reasonCode: Int32) -> MQTTError {
        MQTTError(
            operation: operation, kind: .rejected(reasonCode: reasonCode),
            message: "broker rejected: \(String(cString: mosquitto_reason_string(reasonCode))) [reason \(reasonCode)]")
    }
}
