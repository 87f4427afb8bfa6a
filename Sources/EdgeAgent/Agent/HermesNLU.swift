import MQTT

/// Rhasspy Hermes, the NLU side: `hermes/nlu/query` in, `hermes/intent/<intentName>` or
/// `hermes/nlu/intentNotRecognized` out, with the field names and the full field set that the reference library
/// (`rhasspy-hermes`' `NluQuery`, `NluIntent`, `NluIntentNotRecognized`) writes; a field with no value is `null`.
///
/// A command that yields several actions ("turn off the lights and lock the door") is one Hermes intent: the
/// first action's intent names it, and the slots of every action are listed, in order.
public enum HermesNLU {
    public static let queryTopic = "hermes/nlu/query"
    public static let notRecognizedTopic = "hermes/nlu/intentNotRecognized"
    public static func intentTopic(_ name: String) -> String { "hermes/intent/\(name)" }

    public struct Query: Sendable, Equatable {
        public var input: String
        public var siteID: String
        public var id: String?
        public var intentFilter: [String]?
        public var sessionID: String?
        public var wakewordID: String?
        public var lang: String?
        public var customData: String?
        public var asrConfidence: Double?
        public var customEntities: JSONValue?
    }

    /// Reads an `NluQuery`. Unknown fields are refused like on the agent's own topic; Hermes fields the agent
    /// does not use (`asrConfidence`, `customEntities`) are read and carried through.
    public static func parse(_ message: MQTTMessage, maxBytes: Int) throws(RequestError) -> Query {
        let text = try AgentRequest.checkedText(message, maxBytes: maxBytes)
        guard let json = JSONValue(parsing: Array(text.utf8)), case .object(let members) = json else {
            throw RequestError("the Hermes query is not a JSON object")
        }
        let known: Set<String> = [
            "input", "siteId", "id", "intentFilter", "sessionId", "wakewordId", "lang", "customData",
            "asrConfidence", "customEntities",
        ]
        let id = json["id"]?.string
        if let unknown = members.map(\.0).first(where: { !known.contains($0) }) {
            throw RequestError(id: id, "unknown field '\(unknown)' in the Hermes query")
        }
        func optionalString(_ key: String) throws(RequestError) -> String? {
            switch json[key] {
            case nil, .null: return nil
            case .string(let value): return value
            case let other?: throw RequestError(id: id, "field '\(key)' must be a string, got \(other.typeName)")
            }
        }
        guard let input = try optionalString("input"), !input.isEmpty else {
            throw RequestError(id: id, "field 'input' is missing or empty")
        }
        var query = Query(input: input, siteID: try optionalString("siteId") ?? "default")
        query.id = try optionalString("id")
        query.sessionID = try optionalString("sessionId")
        query.wakewordID = try optionalString("wakewordId")
        query.lang = try optionalString("lang")
        query.customData = try optionalString("customData")
        switch json["intentFilter"] {
        case nil, .null: break
        case .array(let items):
            var names: [String] = []
            for item in items {
                guard let name = item.string else { throw RequestError(id: id, "'intentFilter' must list strings") }
                names.append(name)
            }
            query.intentFilter = names
        case let other?: throw RequestError(id: id, "field 'intentFilter' must be a list, got \(other.typeName)")
        }
        switch json["asrConfidence"] {
        case nil, .null: break
        case .number(let value): query.asrConfidence = value
        case let other?: throw RequestError(id: id, "field 'asrConfidence' must be a number, got \(other.typeName)")
        }
        if let entities = json["customEntities"], entities != .null { query.customEntities = entities }
        return query
    }

    /// The reply to `query` for `result`: the topic and the JSON payload. Only `ok` with a device intent the
    /// query's filter allows is an intent; everything else, `NotACommand` included, is "not recognized".
    public static func reply(to query: Query, result: Interpretation, catalog: Catalog) -> (
        topic: String, payload: JSONValue
    ) {
        let allowed = result.intents.first.map { name in query.intentFilter.map { $0.contains(name) } ?? true }
        guard result.status == .ok, let name = result.intents.first, name != Intent.notACommand.rawValue,
            allowed == true
        else {
            return (
                notRecognizedTopic,
                .object([
                    ("input", .string(query.input)), ("siteId", .string(query.siteID)), ("id", optional(query.id)),
                    ("customData", optional(query.customData)), ("sessionId", optional(query.sessionID)),
                ])
            )
        }
        let payload = JSONValue.object([
            ("input", .string(query.input)),
            ("intent", .object([("intentName", .string(name)), ("confidenceScore", .number(result.confidence))])),
            ("siteId", .string(query.siteID)), ("id", optional(query.id)),
            ("slots", .array(slots(of: result, catalog: catalog))),
            ("sessionId", optional(query.sessionID)), ("customData", optional(query.customData)),
            ("asrTokens", .null), ("asrConfidence", query.asrConfidence.map(JSONValue.number) ?? .null),
            ("rawInput", .string(query.input)), ("wakewordId", optional(query.wakewordID)),
            ("lang", optional(query.lang)),
        ])
        return (intentTopic(name), payload)
    }

    /// Whether the agent answers a query from `siteID` (an empty list answers every site).
    public static func accepts(siteID: String, configured: [String]) -> Bool {
        configured.isEmpty || configured.contains(siteID)
    }

    /// Hermes slots: `name` for each device or scene, then the action's value (`brightness`, `temperature`,
    /// `position`, or `value`) and `color`. Ranges are null: the matcher does not keep character offsets.
    static func slots(of result: Interpretation, catalog: Catalog) -> [JSONValue] {
        var slots: [JSONValue] = []
        func slot(_ name: String, _ value: JSONValue, raw: String) {
            let kind = value.number != nil ? "Number" : "Unknown"
            slots.append(
                .object([
                    ("entity", .string(name)), ("value", .object([("kind", .string(kind)), ("value", value)])),
                    ("slotName", .string(name)), ("rawValue", .string(raw)),
                    ("confidence", .number(result.confidence)), ("range", .null),
                ]))
        }
        for action in result.resolved {
            for device in action.devices {
                let raw = catalog.device(device)?.name ?? catalog.scene(device)?.name ?? device
                slot("name", .string(device), raw: raw)
            }
            if let value = action.value {
                let name =
                    switch action.intent {
                    case .lightSet, .brightnessUp, .brightnessDown: "brightness"
                    case .climateSetTemperature: "temperature"
                    case .setPosition: "position"
                    default: "value"
                    }
                slot(name, .number(value), raw: JSONValue.format(value))
            }
            if let color = action.color { slot("color", .string(color), raw: color) }
        }
        return slots
    }

    private static func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
}

extension HermesNLU.Query {
    init(input: String, siteID: String) {
        self.input = input
        self.siteID = siteID
    }
}
