/// A YAML document as a tree of scalars, sequences and mappings, each with the line it starts on, so that a config
/// or catalog reader can refuse a value by its line. Parsing is libyaml's; this module only builds the tree.
///
/// Plain scalars resolve as YAML 1.2's core schema: `true`/`false`, `null`/`~`/empty, integers and floats. `ON`
/// and `yes` stay text (YAML 1.1 read them as booleans, a trap for zigbee2mqtt's `state: ON`).
public struct YAMLNode: Sendable, CustomStringConvertible {
    public enum Content: Sendable {
        case scalar(Scalar)
        case sequence([YAMLNode])
        case mapping(Mapping)
    }

    public struct Scalar: Sendable, Equatable {
        public enum Style: Sendable, Equatable {
            case plain, singleQuoted, doubleQuoted, literal, folded
        }
        public var string: String
        public var style: Style
    }

    /// Where a node starts; `line` counts from 1.
    public struct Mark: Sendable, Equatable {
        public var line: Int
        public var column: Int
    }

    /// Key–value pairs in document order.
    public struct Mapping: Sendable, Sequence {
        public var pairs: [(key: YAMLNode, value: YAMLNode)]

        public var count: Int { pairs.count }
        public var keys: [YAMLNode] { pairs.map(\.key) }

        /// The value of the first key whose text is `key`.
        public subscript(key: String) -> YAMLNode? { pairs.first { $0.key.scalar?.string == key }?.value }

        public func makeIterator() -> IndexingIterator<[(key: YAMLNode, value: YAMLNode)]> { pairs.makeIterator() }
    }

    public var content: Content
    public var mark: Mark?

    public init(_ content: Content, mark: Mark? = nil) {
        self.content = content
        self.mark = mark
    }

    /// A scalar's text, whatever its style.
    public var string: String? { scalar?.string }
    public var scalar: Scalar? { if case .scalar(let s) = content { s } else { nil } }
    public var sequence: [YAMLNode]? { if case .sequence(let items) = content { items } else { nil } }
    public var mapping: Mapping? { if case .mapping(let m) = content { m } else { nil } }

    /// A plain `null`, `~`, `Null`, `NULL` or nothing at all.
    public var isNull: Bool {
        guard let scalar, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    public var bool: Bool? {
        guard let scalar, scalar.style == .plain else { return nil }
        switch scalar.string {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// A plain decimal, `0x` hexadecimal or `0o` octal integer.
    public var int: Int? {
        guard let scalar, scalar.style == .plain else { return nil }
        var text = Substring(scalar.string)
        var sign = 1
        if let first = text.first, first == "-" || first == "+" {
            sign = first == "-" ? -1 : 1
            text = text.dropFirst()
        }
        let value: Int?
        if text.hasPrefix("0x") {
            value = Int(text.dropFirst(2), radix: 16)
        } else if text.hasPrefix("0o") {
            value = Int(text.dropFirst(2), radix: 8)
        } else if !text.isEmpty && text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            value = Int(text)
        } else {
            value = nil
        }
        return value.flatMap { sign == 1 ? $0 : 0 - $0 }
    }

    /// A plain number: an integer, a decimal with an optional exponent, `.inf` or `.nan`.
    public var float: Double? {
        guard let scalar, scalar.style == .plain else { return nil }
        if let int { return Double(int) }
        let text = scalar.string
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        // Digits, one point, an exponent: what YAML's core schema calls a float (Double() alone would take "nan").
        let allowed = text.allSatisfy { $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }
        guard allowed, text.contains(where: \.isNumber) else { return nil }
        return Double(text)
    }

    /// The YAML-ish text of the node, for messages: a scalar as written, collections in flow style.
    public var description: String {
        switch content {
        case .scalar(let s): return s.string
        case .sequence(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .mapping(let m):
            return "{" + m.pairs.map { "\($0.key.description): \($0.value.description)" }.joined(separator: ", ") + "}"
        }
    }
}
