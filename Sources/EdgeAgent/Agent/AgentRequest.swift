import MQTT

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One command as it arrived on `<prefix>cmd`: plain text, or JSON
/// `{"id","text","source"?,"allow_cloud"?,"expires_at"?}` (`expires_at`: Unix seconds or ISO 8601), with where to
/// answer it (the MQTT 5 response topic and correlation data, when the request carries them).
public struct AgentRequest: Sendable {
    public var id: String?
    public var text: String
    public var source: String?
    public var allowCloud: Bool?
    /// The wall-clock time after which the command must not be executed.
    public var expiresAt: Date?
    public var responseTopic: String?
    public var correlationData: [UInt8]?
    public var receivedAt: ContinuousClock.Instant

    public init(
        id: String? = nil, text: String, source: String? = nil, allowCloud: Bool? = nil, expiresAt: Date? = nil,
        responseTopic: String? = nil, correlationData: [UInt8]? = nil,
        receivedAt: ContinuousClock.Instant = .now
    ) {
        self.id = id
        self.text = text
        self.source = source
        self.allowCloud = allowCloud
        self.expiresAt = expiresAt
        self.responseTopic = responseTopic
        self.correlationData = correlationData
        self.receivedAt = receivedAt
    }

    public func isExpired(now: Date = Date()) -> Bool {
        guard let expiresAt else { return false }
        return expiresAt <= now
    }
}

/// Why an incoming payload could not be read; the agent answers it with an `error` result saying so.
public struct RequestError: Error, Equatable, CustomStringConvertible {
    /// The request's id when it could still be read, so the error result can be matched to it.
    public var id: String?
    public var problem: String

    public init(id: String? = nil, _ problem: String) {
        self.id = id
        self.problem = problem
    }

    public var description: String { problem }
}

extension AgentRequest {
    static let fields: Set<String> = ["id", "text", "source", "allow_cloud", "expires_at"]

    /// Reads a command message. A payload that starts with `{` is JSON and must be the object above; anything
    /// else is the command's text. `now` turns an MQTT 5 message expiry into an absolute time.
    public static func parse(
        _ message: MQTTMessage, maxBytes: Int, now: Date = Date(), receivedAt: ContinuousClock.Instant = .now
    ) throws(RequestError) -> AgentRequest {
        let payload = try checkedText(message, maxBytes: maxBytes)
        var request = AgentRequest(
            text: payload, responseTopic: message.properties.responseTopic,
            correlationData: message.properties.correlationData, receivedAt: receivedAt)
        if let seconds = message.properties.messageExpiryInterval {
            // The broker forwards the time left; a message it still delivers has some left, so this only bites
            // when the interval was 0 or the agent's queue held it past the end.
            request.expiresAt = now.addingTimeInterval(Double(seconds))
        }
        let trimmed = payload.drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard trimmed.hasPrefix("{") else {
            request.text = payload.trimmedWhitespace
            guard !request.text.isEmpty else { throw RequestError("the command text is empty") }
            return request
        }
        guard let json = JSONValue(parsing: Array(trimmed.utf8)), case .object(let members) = json else {
            throw RequestError("the payload starts with '{' but is not a JSON object")
        }
        let id = json["id"]?.string
        if let unknown = members.map(\.0).first(where: { !fields.contains($0) }) {
            throw RequestError(
                id: id, "unknown field '\(unknown)'; known: \(fields.sorted().joined(separator: ", "))")
        }
        switch json["id"] {
        case nil, .null: break
        case .string(let value): request.id = value
        case let other?: throw RequestError("field 'id' must be a string, got \(other.typeName)")
        }
        switch json["text"] {
        case .string(let value):
            request.text = value.trimmedWhitespace
            guard !request.text.isEmpty else { throw RequestError(id: id, "field 'text' is empty") }
        case nil, .null: throw RequestError(id: id, "field 'text' is missing")
        case let other?: throw RequestError(id: id, "field 'text' must be a string, got \(other.typeName)")
        }
        switch json["source"] {
        case nil, .null: break
        case .string(let value): request.source = value
        case let other?: throw RequestError(id: id, "field 'source' must be a string, got \(other.typeName)")
        }
        switch json["allow_cloud"] {
        case nil, .null: break
        case .bool(let value): request.allowCloud = value
        case let other?: throw RequestError(id: id, "field 'allow_cloud' must be a boolean, got \(other.typeName)")
        }
        switch json["expires_at"] {
        case nil, .null: break
        case .number(let seconds):
            request.expiresAt = earliest(request.expiresAt, Date(timeIntervalSince1970: seconds))
        case .string(let text):
            guard let date = try? Date(text, strategy: .iso8601) else {
                throw RequestError(id: id, "field 'expires_at' is '\(text)', not an ISO 8601 time")
            }
            request.expiresAt = earliest(request.expiresAt, date)
        case let other?:
            throw RequestError(
                id: id, "field 'expires_at' must be Unix seconds or an ISO 8601 string, got \(other.typeName)")
        }
        return request
    }

    /// The payload as text: within the size cap and valid UTF-8. Shared by every topic the agent reads.
    static func checkedText(_ message: MQTTMessage, maxBytes: Int) throws(RequestError) -> String {
        guard message.payload.count <= maxBytes else {
            throw RequestError("the payload is \(message.payload.count) bytes, over the cap of \(maxBytes)")
        }
        guard let text = message.text else { throw RequestError("the payload is not valid UTF-8") }
        return text
    }

    private static func earliest(_ a: Date?, _ b: Date) -> Date { a.map { min($0, b) } ?? b }
}
