/// A `GrammarSchema` compiled to a deterministic automaton over bytes: from each node at most one edge per byte.
/// A node's outgoing bytes are everything the schema allows next; an accepting node ends a complete document.
///
/// Deterministic by construction (enum values and keys become tries, numbers a digit automaton that tracks how
/// the prefix compares with the bound), so the set of tokens allowed at a node depends on the node alone and can
/// be computed once (`GrammarTokenSets`).
public struct Grammar: Sendable {
    /// Node ids are indexes; `dead` is no node (a byte the grammar refuses).
    public typealias Node = Int32
    public static let dead: Node = -1

    public let start: Node
    /// (nodeCount + 1) Where each node's edges begin in `edgeBytes` / `edgeTargets`.
    let edgeStarts: [Int32]
    /// (edgeCount) Sorted by byte within a node.
    let edgeBytes: [UInt8]
    let edgeTargets: [Node]
    /// (nodeCount)
    let accepting: [Bool]

    public var nodeCount: Int { accepting.count }

    public init(_ schema: GrammarSchema) throws {
        var builder = GrammarBuilder()
        let end = builder.node()
        builder.accepting[Int(end)] = true
        start = try builder.build(schema, then: end)
        var starts: [Int32] = [0]
        var bytes: [UInt8] = []
        var targets: [Node] = []
        for edges in builder.edges {
            for (byte, target) in edges.sorted(by: { $0.0 < $1.0 }) {
                bytes.append(byte)
                targets.append(target)
            }
            starts.append(Int32(bytes.count))
        }
        edgeStarts = starts
        edgeBytes = bytes
        edgeTargets = targets
        accepting = builder.accepting
    }

    /// The node after `byte`, or `dead`.
    @inline(__always)
    public func next(_ node: Node, _ byte: UInt8) -> Node {
        guard node >= 0 else { return Self.dead }
        var i = Int(edgeStarts[Int(node)])
        let end = Int(edgeStarts[Int(node) + 1])
        while i < end {
            let b = edgeBytes[i]
            if b == byte { return edgeTargets[i] }
            if b > byte { break }
            i += 1
        }
        return Self.dead
    }

    /// The node after `bytes`, or `dead`.
    public func next<S: Sequence>(_ node: Node, _ bytes: S) -> Node where S.Element == UInt8 {
        var n = node
        for byte in bytes {
            n = next(n, byte)
            if n < 0 { return Self.dead }
        }
        return n
    }

    public func isAccepting(_ node: Node) -> Bool { node >= 0 && accepting[Int(node)] }

    /// Whether nothing can follow: the document is complete.
    public func isFinal(_ node: Node) -> Bool { node >= 0 && edgeStarts[Int(node)] == edgeStarts[Int(node) + 1] }

    /// The bytes allowed after `node`, in order.
    public func allowedBytes(_ node: Node) -> ArraySlice<UInt8> {
        guard node >= 0 else { return [] }
        return edgeBytes[Int(edgeStarts[Int(node)])..<Int(edgeStarts[Int(node) + 1])]
    }

    /// Whether `text` is a complete document of the grammar.
    public func accepts(_ text: String) -> Bool { isAccepting(next(start, text.utf8)) }

    /// Whether `text` can still be completed to a document.
    public func acceptsPrefix(_ text: String) -> Bool { next(start, text.utf8) >= 0 }

    /// The bytes the grammar forces after `node`: while a node is not accepting and has exactly one edge, there
    /// is nothing to choose (a key name, punctuation, the rest of an enum value once its prefix is unique).
    public func forcedBytes(from node: Node) -> [UInt8] {
        var bytes: [UInt8] = []
        var n = node
        while n >= 0, !accepting[Int(n)] {
            let first = Int(edgeStarts[Int(n)])
            guard Int(edgeStarts[Int(n) + 1]) - first == 1 else { break }
            bytes.append(edgeBytes[first])
            n = edgeTargets[first]
        }
        return bytes
    }
}

/// Builds the automaton back to front: every part is built knowing the node that follows it, so a part's last
/// bytes can lead straight there (or, for a number, whose end is open, take that node's edges as its own).
struct GrammarBuilder {
    var edges: [[(UInt8, Grammar.Node)]] = []
    var accepting: [Bool] = []

    mutating func node() -> Grammar.Node {
        edges.append([])
        accepting.append(false)
        return Grammar.Node(edges.count - 1)
    }

    func target(_ node: Grammar.Node, _ byte: UInt8) -> Grammar.Node? {
        edges[Int(node)].first { $0.0 == byte }?.1
    }

    mutating func edge(_ from: Grammar.Node, _ byte: UInt8, _ to: Grammar.Node) throws {
        if let existing = target(from, byte) {
            guard existing == to else {
                throw GrammarError.ambiguousSchema("two ways on from one point with byte '\(Character(Unicode.Scalar(byte)))'")
            }
            return
        }
        edges[Int(from)].append((byte, to))
    }

    /// Gives `node` the edges of `continuation` (and its acceptance): `node` may end here, and what follows
    /// the continuation may follow it.
    mutating func merge(_ continuation: Grammar.Node, into node: Grammar.Node) throws {
        for (byte, to) in edges[Int(continuation)] { try edge(node, byte, to) }
        if accepting[Int(continuation)] { accepting[Int(node)] = true }
    }

    /// Adds `bytes` as a path from `root`, sharing existing prefixes; the last byte leads to `end`.
    mutating func insert(_ bytes: [UInt8], from root: Grammar.Node, to end: Grammar.Node) throws {
        var n = root
        for (i, byte) in bytes.enumerated() {
            if i == bytes.count - 1 {
                try edge(n, byte, end)
            } else if let next = target(n, byte), next != end {
                n = next
            } else {
                let next = node()
                try edge(n, byte, next)
                n = next
            }
        }
    }

    /// The start node of `schema`, whose documents lead to `continuation`.
    mutating func build(_ schema: GrammarSchema, then continuation: Grammar.Node) throws -> Grammar.Node {
        switch schema {
        case .stringEnum(let values):
            guard !values.isEmpty else { throw GrammarError.emptyEnum }
            let start = node()
            for value in values { try insert(Self.jsonString(value), from: start, to: continuation) }
            return start
        case .boolean:
            let start = node()
            for value in ["true", "false"] { try insert(Array(value.utf8), from: start, to: continuation) }
            return start
        case .number(let minimum, let maximum, let fractionDigits):
            return try number(minimum: minimum, maximum: maximum, fractionDigits: fractionDigits, then: continuation)
        case .array(let item, let minItems, let maxItems):
            guard minItems >= 0, maxItems >= 1, minItems <= maxItems else {
                throw GrammarError.invalidArrayBounds(minItems: minItems, maxItems: maxItems)
            }
            // Unrolled: the node after the k-th item knows whether a (k+1)-th may follow and whether "]" may.
            let last = node()
            try edge(last, UInt8(ascii: "]"), continuation)
            var itemStart = try build(item, then: last)
            for k in stride(from: maxItems - 1, through: 1, by: -1) {
                let after = node()
                if k >= minItems { try edge(after, UInt8(ascii: "]"), continuation) }
                try edge(after, UInt8(ascii: ","), itemStart)
                itemStart = try build(item, then: after)
            }
            let open = node()
            try merge(itemStart, into: open)
            if minItems == 0 { try edge(open, UInt8(ascii: "]"), continuation) }
            let start = node()
            try edge(start, UInt8(ascii: "["), open)
            return start
        case .object(let members):
            // after[i]: a member's value has been written; "," and a later key, or "}" once no required member
            // is left. Keys are in schema order, so each after[i] offers only the keys after member i.
            var valueStarts = [Grammar.Node](repeating: Grammar.dead, count: members.count)
            func offerKeys(from index: Int, at point: Grammar.Node, prefix: [UInt8]) throws {
                var mayEnd = true
                for j in index..<members.count {
                    guard !members[j].key.isEmpty else { throw GrammarError.emptyKey }
                    try insert(prefix + Self.jsonString(members[j].key) + [UInt8(ascii: ":")], from: point,
                        to: valueStarts[j])
                    if members[j].required {
                        mayEnd = false
                        break
                    }
                }
                if mayEnd { try edge(point, UInt8(ascii: "}"), continuation) }
            }
            for i in stride(from: members.count - 1, through: 0, by: -1) {
                let after = node()
                try offerKeys(from: i + 1, at: after, prefix: [UInt8(ascii: ",")])
                valueStarts[i] = try build(members[i].schema, then: after)
            }
            let open = node()
            try offerKeys(from: 0, at: open, prefix: [])
            let start = node()
            try edge(start, UInt8(ascii: "{"), open)
            return start
        }
    }

    /// Numbers in `minimum...maximum` without leading zeros, then an optional fraction.
    mutating func number(minimum: Int, maximum: Int, fractionDigits: Int, then continuation: Grammar.Node) throws
        -> Grammar.Node
    {
        guard minimum <= maximum else { throw GrammarError.invalidRange(minimum: minimum, maximum: maximum) }
        guard fractionDigits >= 0 && fractionDigits <= 6 else {
            throw GrammarError.unsupported("\(fractionDigits) fraction digits")
        }
        // The end of an integer: a fraction may follow, then the continuation.
        var integerEnd = continuation
        if fractionDigits > 0 {
            // After the point: one digit at least, up to `fractionDigits`; each digit after the first may end it.
            var next = continuation
            for _ in stride(from: fractionDigits, through: 2, by: -1) {
                let n = node()
                try merge(continuation, into: n)
                for digit in UInt8(ascii: "0")...UInt8(ascii: "9") { try edge(n, digit, next) }
                next = n
            }
            let point = node()
            for digit in UInt8(ascii: "0")...UInt8(ascii: "9") { try edge(point, digit, next) }
            let end = node()
            try merge(continuation, into: end)
            try edge(end, UInt8(ascii: "."), point)
            integerEnd = end
        }
        let start = node()
        if maximum >= 0 { try magnitudes(upTo: maximum, from: start, end: integerEnd) }
        if minimum < 0 {
            let negative = node()
            try edge(start, UInt8(ascii: "-"), negative)
            try magnitudes(upTo: -minimum, from: negative, end: integerEnd)
        }
        return start
    }

    /// Digits of the integers 0...bound from `root`; each complete integer continues like `end`. A state is the
    /// digit count and how the digits so far compare with the bound's digits of the same count.
    mutating func magnitudes(upTo bound: Int, from root: Grammar.Node, end: Grammar.Node) throws {
        let limit = Array(String(bound).utf8)
        let length = limit.count
        // states[count - 1][comparison + 1], comparison -1 less, 0 equal, 1 greater.
        var states = [[Grammar.Node]](repeating: [Grammar.dead, Grammar.dead, Grammar.dead], count: length)
        func valid(_ count: Int, _ comparison: Int) -> Bool { count < length || (count == length && comparison <= 0) }
        for count in stride(from: length, through: 1, by: -1) {
            for comparison in -1...1 where valid(count, comparison) {
                let n = node()
                try merge(end, into: n)
                if count < length {
                    for digit in UInt8(ascii: "0")...UInt8(ascii: "9") {
                        var next = comparison
                        if comparison == 0 { next = digit < limit[count] ? -1 : (digit > limit[count] ? 1 : 0) }
                        if valid(count + 1, next) { try edge(n, digit, states[count][next + 1]) }
                    }
                }
                states[count - 1][comparison + 1] = n
            }
        }
        let zero = node()
        try merge(end, into: zero)
        try edge(root, UInt8(ascii: "0"), zero)
        for digit in UInt8(ascii: "1")...UInt8(ascii: "9") {
            let comparison = digit < limit[0] ? -1 : (digit > limit[0] ? 1 : 0)
            if valid(1, comparison) { try edge(root, digit, states[0][comparison + 1]) }
        }
    }

    /// `value` as a JSON string literal, quotes included.
    static func jsonString(_ value: String) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "\"")]
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), byte]
            case 0x0A: bytes += Array("\\n".utf8)
            case 0..<0x20: bytes += Array(("\\u00" + (byte < 16 ? "0" : "") + String(byte, radix: 16)).utf8)
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        return bytes
    }
}
