/// The subset of JSON schema the constrained decoder compiles: what a command's structured answer needs and no
/// more. Output is compact JSON (no whitespace) with object keys in the schema's order, so every answer has one
/// spelling and the automaton stays small and deterministic.
public indirect enum GrammarSchema: Equatable, Sendable {
    /// One of these strings, written as a JSON string.
    case stringEnum([String])
    /// An integer in `minimum...maximum` (no leading zeros), or with `fractionDigits` > 0 a decimal with up to that
    /// many digits after the point ("21.5"). The lower bound is enforced only for its sign: a value below it but
    /// of the same sign is left to the caller's validator, which knows each target's own range.
    case number(minimum: Int, maximum: Int, fractionDigits: Int)
    /// An array of 1...`maxItems` items (0 allowed when `minItems` is 0).
    case array(GrammarSchema, minItems: Int, maxItems: Int)
    /// An object whose members appear in this order; optional ones may be left out.
    case object([Member])
    case boolean

    public struct Member: Equatable, Sendable {
        public var key: String
        public var schema: GrammarSchema
        public var required: Bool

        public init(_ key: String, _ schema: GrammarSchema, required: Bool = false) {
            self.key = key
            self.schema = schema
            self.required = required
        }
    }
}

public enum GrammarError: Error, CustomStringConvertible, Equatable {
    case emptyEnum
    case emptyKey
    case invalidRange(minimum: Int, maximum: Int)
    case invalidArrayBounds(minItems: Int, maxItems: Int)
    case ambiguousSchema(String)
    case unsupported(String)

    public var description: String {
        switch self {
        case .emptyEnum: "a string enum has no values"
        case .emptyKey: "an object member has an empty key"
        case .invalidRange(let minimum, let maximum): "number range \(minimum)...\(maximum) is empty"
        case .invalidArrayBounds(let minItems, let maxItems):
            "array bounds \(minItems)...\(maxItems) are invalid (need 0 <= minItems <= maxItems, maxItems >= 1)"
        case .ambiguousSchema(let detail): "the schema is not deterministic: \(detail)"
        case .unsupported(let detail): "unsupported schema: \(detail)"
        }
    }
}
