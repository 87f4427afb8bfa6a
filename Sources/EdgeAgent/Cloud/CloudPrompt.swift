#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the cloud model is told and what it must answer: the catalog in a compact listing, and a JSON answer
/// `{"actions": [Action…], "answer"?: "…"}` whose items are exactly the catalog schema the local model uses.
public struct CloudPrompt: Sendable {
    public let catalog: Catalog
    public let schema: JSONValue

    public init(catalog: Catalog) {
        self.catalog = catalog
        self.schema = Self.answerSchema(for: catalog)
    }

    /// The response format's schema: a list of the catalog's actions and an optional reply for questions.
    public static func answerSchema(for catalog: Catalog) -> JSONValue {
        .object([
            ("type", .string("object")),
            (
                "properties",
                .object([
                    (
                        "actions",
                        .object([
                            ("type", .string("array")), ("items", CatalogSchema.schema(for: catalog)),
                            ("maxItems", .number(8)),
                        ])
                    ),
                    ("answer", .object([("type", .string("string"))])),
                ])
            ),
            ("required", .array([.string("actions")])),
            ("additionalProperties", .bool(false)),
        ])
    }

    /// The system message: the rules and the home. Written once per catalog.
    public var system: String {
        var lines = [
            "You turn a smart-home user's words into device actions for the home below.",
            "Answer only with JSON: {\"actions\": [ACTION, ...], \"answer\": \"TEXT\"}.",
            "ACTION is {\"intent\": INTENT, \"devices\": [ID...], \"area\": ID, \"floor\": ID, \"domain\": TYPE, "
                + "\"value\": NUMBER, \"unit\": \"percent|celsius|fahrenheit|kelvin\", \"color\": NAME}; only intent is required.",
            "INTENT is one of: \(Intent.allCases.map(\.rawValue).joined(separator: ", ")).",
            "Use only the ids listed here. Fill a slot only when the words support it.",
            "If the words are not a device command, answer with one action {\"intent\": \"NotACommand\"} and put a short reply in \"answer\".",
            "Placeholders such as <NAME_1> or <EMAIL_1> stand for private values: keep them as they are.",
            "",
            "Areas (id: name, floor): "
                + catalog.areas.map { "\($0.id): \($0.name)" + ($0.floor.map { ", \($0)" } ?? "") }.joined(
                    separator: "; "),
            "Floors: " + catalog.floors.map { "\($0.id): \($0.name)" }.joined(separator: "; "),
            "Devices (id: name [type, area] capabilities):",
        ]
        for device in catalog.devices {
            let aliases = device.aliases.isEmpty ? "" : " (also \(device.aliases.joined(separator: ", ")))"
            lines.append(
                "- \(device.id): \(device.name)\(aliases) [\(device.type.rawValue), \(device.area)] "
                    + device.capabilityNames.joined(separator: ", "))
        }
        if !catalog.scenes.isEmpty {
            lines.append(
                "Scenes (turn on only): " + catalog.scenes.map { "\($0.id): \($0.name)" }.joined(separator: "; "))
        }
        return lines.joined(separator: "\n")
    }
}

/// The cloud's answer, decoded.
public struct CloudAnswer: Sendable, Equatable {
    public var actions: [Action]
    public var answer: String?

    /// Reads the model's content: the JSON object itself, or one inside prose or a ``` fence (a prompted answer).
    /// A bare action object is taken as a list of one.
    public static func decode(_ content: String) throws(CloudError) -> CloudAnswer {
        guard let start = content.firstIndex(of: "{"), let end = content.lastIndex(of: "}"), start < end else {
            throw .malformedAnswer("no JSON object in the answer (\(content.count) characters)")
        }
        let json = Data(content[start...end].utf8)
        struct Envelope: Decodable {
            var actions: [Action]?
            var answer: String?
            var intent: String?
        }
        let decoder = JSONDecoder()
        do {
            let envelope = try decoder.decode(Envelope.self, from: json)
            if let actions = envelope.actions { return CloudAnswer(actions: actions, answer: envelope.answer) }
            if envelope.intent != nil {
                return CloudAnswer(actions: [try decoder.decode(Action.self, from: json)], answer: envelope.answer)
            }
            throw CloudError.malformedAnswer("the object has neither 'actions' nor 'intent'")
        } catch let error as CloudError {
            throw error
        } catch let DecodingError.dataCorrupted(context) {
            throw .malformedAnswer(Self.describe(context))
        } catch let DecodingError.keyNotFound(key, context) {
            throw .malformedAnswer("missing '\(key.stringValue)' at \(Self.path(context))")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw .malformedAnswer(Self.describe(context))
        } catch {
            throw .malformedAnswer("\(error)")
        }
    }

    static func path(_ context: DecodingError.Context) -> String {
        context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
    }

    static func describe(_ context: DecodingError.Context) -> String {
        let at = path(context)
        return (at.isEmpty ? "" : "at \(at): ") + context.debugDescription
    }
}

extension Device {
    /// Capability names as the catalog file spells them, with ranges.
    var capabilityNames: [String] {
        var out: [String] = []
        for capability in Capability.allCases where has(capability) {
            switch capability {
            case .colorTemp:
                if let range = colorTemp {
                    out.append(
                        "color_temp \(JSONValue.format(range.lowerBound))-\(JSONValue.format(range.upperBound)) K")
                }
            case .targetTemperature:
                if let range = targetTemperature {
                    out.append(
                        "target_temperature \(JSONValue.format(range.min))-\(JSONValue.format(range.max)) °\(range.unit.rawValue)"
                    )
                }
            default: out.append(capability.rawValue)
            }
        }
        return out
    }
}
