import CYAML

/// Why a text is not a YAML document this reader takes, with the line (from 1) where libyaml stopped.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var problem: String

    public var description: String { "line \(line): \(problem)" }
}

extension YAMLNode {
    /// Documents nest no deeper than this, and aliases expand to no more nodes: a hostile file cannot exhaust the
    /// stack or the memory ("billion laughs").
    public static let maxDepth = 64
    public static let maxNodes = 100_000

    /// The first document of `yaml`, or nil when the text holds none (empty or only comments).
    public static func compose(yaml: String) throws(YAMLError) -> YAMLNode? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw YAMLError(line: 0, problem: "out of memory") }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(yaml.utf8)
        var document = yaml_document_t()
        let loaded = bytes.withUnsafeBufferPointer { buffer -> Int32 in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            return yaml_parser_load(&parser, &document)
        }
        guard loaded == 1 else {
            let problem = parser.problem.map { String(cString: $0) } ?? "not YAML"
            let context = parser.context.map { String(cString: $0) + ": " } ?? ""
            throw YAMLError(line: Int(parser.problem_mark.line) + 1, problem: context + problem)
        }
        defer { yaml_document_delete(&document) }
        guard let root = yaml_document_get_root_node(&document) else { return nil }
        var builder = Builder(document: document)
        return try builder.node(root, depth: 0)
    }

    struct Builder {
        var document: yaml_document_t
        var built = 0

        mutating func node(_ raw: UnsafeMutablePointer<yaml_node_t>, depth: Int) throws(YAMLError) -> YAMLNode {
            let mark = Mark(line: Int(raw.pointee.start_mark.line) + 1, column: Int(raw.pointee.start_mark.column) + 1)
            built += 1
            guard depth < YAMLNode.maxDepth else {
                throw YAMLError(line: mark.line, problem: "nested deeper than \(YAMLNode.maxDepth) levels")
            }
            guard built <= YAMLNode.maxNodes else {
                throw YAMLError(line: mark.line, problem: "more than \(YAMLNode.maxNodes) nodes once aliases expand")
            }
            switch raw.pointee.type {
            case YAML_SCALAR_NODE:
                let data = raw.pointee.data.scalar
                let text = String(
                    decoding: UnsafeBufferPointer(start: data.value, count: Int(data.length)), as: UTF8.self)
                let style: Scalar.Style
                switch data.style {
                case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
                case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
                case YAML_LITERAL_SCALAR_STYLE: style = .literal
                case YAML_FOLDED_SCALAR_STYLE: style = .folded
                default: style = .plain
                }
                return YAMLNode(.scalar(Scalar(string: text, style: style)), mark: mark)
            case YAML_SEQUENCE_NODE:
                var items: [YAMLNode] = []
                var item = raw.pointee.data.sequence.items.start
                while let current = item, current != raw.pointee.data.sequence.items.top {
                    items.append(try child(Int32(current.pointee), depth: depth, line: mark.line))
                    item = current + 1
                }
                return YAMLNode(.sequence(items), mark: mark)
            case YAML_MAPPING_NODE:
                var pairs: [(key: YAMLNode, value: YAMLNode)] = []
                var pair = raw.pointee.data.mapping.pairs.start
                while let current = pair, current != raw.pointee.data.mapping.pairs.top {
                    let key = try child(current.pointee.key, depth: depth, line: mark.line)
                    let value = try child(current.pointee.value, depth: depth, line: mark.line)
                    pairs.append((key, value))
                    pair = current + 1
                }
                return YAMLNode(.mapping(Mapping(pairs: pairs)), mark: mark)
            default:
                throw YAMLError(line: mark.line, problem: "an empty node")
            }
        }

        mutating func child(_ index: Int32, depth: Int, line: Int) throws(YAMLError) -> YAMLNode {
            guard let raw = yaml_document_get_node(&document, index) else {
                throw YAMLError(line: line, problem: "a reference to a missing node")
            }
            return try node(raw, depth: depth + 1)
        }
    }
}
