import SLM

/// Reads the JSON-schema subset the constrained decoder compiles (`GrammarSchema`) from a schema as
/// `CatalogSchema` writes it: objects with `properties` (in the order written) and `required`, string `enum`s,
/// `number`/`integer` with `minimum`/`maximum`, `boolean`, and `array`s of those with `minItems`/`maxItems`.
/// Anything else — a free string, `oneOf`, a pattern — is refused by name: the model may only choose, never write.
public enum SchemaGrammar {
    public enum ReadError: Error, CustomStringConvertible, Equatable {
        case unsupported(path: String, reason: String)

        public var description: String {
            switch self {
            case .unsupported(let path, let reason): "schema at '\(path)': \(reason)"
            }
        }
    }

    /// `maxItems` for an array that gives none: decoding has to stop somewhere.
    public static let defaultMaxItems = 4

    public static func grammarSchema(from schema: JSONValue, path: String = "$") throws -> GrammarSchema {
        if case .array(let values)? = schema["enum"] {
            let strings = values.compactMap { value -> String? in
                if case .string(let s) = value { return s }
                return nil
            }
            guard strings.count == values.count, !strings.isEmpty else {
                throw ReadError.unsupported(path: path, reason: "an enum must list strings")
            }
            return .stringEnum(strings)
        }
        guard case .string(let type)? = schema["type"] else {
            throw ReadError.unsupported(path: path, reason: "no 'type' and no 'enum'")
        }
        switch type {
        case "object":
            guard case .object(let properties)? = schema["properties"] else {
                throw ReadError.unsupported(path: path, reason: "an object without 'properties'")
            }
            var required = Set<String>()
            if case .array(let names)? = schema["required"] {
                for case .string(let name) in names { required.insert(name) }
            }
            let members = try properties.map { key, value in
                GrammarSchema.Member(
                    key, try grammarSchema(from: value, path: path + "." + key), required: required.contains(key))
            }
            return .object(members)
        case "number", "integer":
            guard case .number(let minimum)? = schema["minimum"], case .number(let maximum)? = schema["maximum"] else {
                throw ReadError.unsupported(path: path, reason: "a number needs 'minimum' and 'maximum'")
            }
            return .number(
                minimum: Int(minimum.rounded(.down)), maximum: Int(maximum.rounded(.up)),
                fractionDigits: type == "integer" ? 0 : 1)
        case "boolean":
            return .boolean
        case "array":
            guard let items = schema["items"] else {
                throw ReadError.unsupported(path: path, reason: "an array without 'items'")
            }
            var minItems = 0
            var maxItems = defaultMaxItems
            if case .number(let n)? = schema["minItems"] { minItems = Int(n) }
            if case .number(let n)? = schema["maxItems"] { maxItems = Int(n) }
            return .array(try grammarSchema(from: items, path: path + "[]"), minItems: minItems, maxItems: maxItems)
        default:
            throw ReadError.unsupported(path: path, reason: "type '\(type)' (free text is not allowed)")
        }
    }
}

extension JSONValue {
    /// The object with member `key` replaced (or added at the end) by `value`.
    func setting(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(var members) = self else { return self }
        if let i = members.firstIndex(where: { $0.0 == key }) {
            members[i].1 = value
        } else {
            members.append((key, value))
        }
        return .object(members)
    }
}
