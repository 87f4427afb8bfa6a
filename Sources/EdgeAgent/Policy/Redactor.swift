#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Extra things to hide before a text leaves the device: names (people, addresses, anything the owner lists) and
/// regular expressions.
public struct RedactionRules: Sendable, Equatable {
    public var names: [String]
    public var patterns: [String]

    public init(names: [String] = [], patterns: [String] = []) {
        self.names = names
        self.patterns = patterns
    }

    init(_ node: ConfigNode) throws(CloudConfigurationError) {
        try node.check(allowed: ["names", "patterns"])
        names = try node.strings("names")
        patterns = try node.strings("patterns")
        for pattern in patterns {
            guard (try? Regex(pattern)) != nil else {
                throw node.bad("patterns", node["patterns"]!, "'\(pattern)' is not a regular expression")
            }
        }
    }
}

/// A text with its personal data replaced by placeholders (`<EMAIL_1>`, `<PHONE_1>`, `<IP_1>`, `<MAC_1>`,
/// `<NAME_1>`, `<SECRET_1>`), and the map to put them back in the answer.
public struct RedactedText: Sendable, Equatable {
    public var text: String
    /// Placeholder → original, in order of appearance.
    public var replacements: [(placeholder: String, original: String)]

    public static func == (a: RedactedText, b: RedactedText) -> Bool {
        a.text == b.text && a.replacements.map(\.placeholder) == b.replacements.map(\.placeholder)
            && a.replacements.map(\.original) == b.replacements.map(\.original)
    }

    /// `answer` with every placeholder replaced by what it stood for.
    public func restore(_ answer: String) -> String {
        var out = answer
        // Longest placeholder first, so <NAME_1> never eats the start of <NAME_12>.
        for (placeholder, original) in replacements.sorted(by: { $0.placeholder.count > $1.placeholder.count }) {
            out = out.replacingAll(placeholder, with: original)
        }
        return out
    }
}

/// Replaces e-mail addresses, phone numbers, IPv4/IPv6 and MAC addresses, and the owner's names and patterns with
/// placeholders before anything leaves the device. The same value gets the same placeholder within one text.
public struct Redactor: Sendable {
    public let rules: RedactionRules

    public init(rules: RedactionRules = RedactionRules()) { self.rules = rules }

    enum Kind: String, CaseIterable {
        case secret = "SECRET"
        case name = "NAME"
        case email = "EMAIL"
        case mac = "MAC"
        case ip = "IP"
        case phone = "PHONE"
    }

    /// `text` redacted; with `previous`, its placeholders are reused and numbering continues, so several texts of
    /// one request (the prompt and the command) share one map.
    /// `builtins: false` applies only the owner's names and patterns (for our own catalog listing, whose ranges
    /// such as "2200-4000 K" are not phone numbers).
    public func redact(_ text: String, continuing previous: RedactedText? = nil, builtins: Bool = true) -> RedactedText
    {
        var state = RedactedText(text: text, replacements: previous?.replacements ?? [])
        var counters: [Kind: Int] = [:]
        for (placeholder, _) in state.replacements {
            for kind in Kind.allCases where placeholder.hasPrefix("<\(kind.rawValue)_") {
                counters[kind, default: 0] += 1
            }
        }
        func replace(_ ranges: [Range<String.Index>], kind: Kind) {
            // Right to left, so earlier ranges stay valid.
            var out = state.text
            var found: [(Range<String.Index>, String)] = []
            for range in ranges {
                let original = String(state.text[range])
                let placeholder: String
                if let known = state.replacements.first(where: { $0.original == original }) {
                    placeholder = known.placeholder
                } else {
                    counters[kind, default: 0] += 1
                    placeholder = "<\(kind.rawValue)_\(counters[kind]!)>"
                    state.replacements.append((placeholder, original))
                }
                found.append((range, placeholder))
            }
            for (range, placeholder) in found.reversed() { out.replaceSubrange(range, with: placeholder) }
            state.text = out
        }
        // The owner's patterns first; then the fixed kinds, so a name inside an e-mail address goes with the address.
        for pattern in rules.patterns {
            guard let regex = try? Regex(pattern) else { continue }
            replace(state.text.ranges(of: regex).filter { !$0.isEmpty }, kind: .secret)
        }
        if builtins {
            replace(state.text.ranges(of: Self.email), kind: .email)
            replace(state.text.ranges(of: Self.mac), kind: .mac)
            replace(state.text.ranges(of: Self.ipv4).filter { Self.isIPv4(state.text[$0]) }, kind: .ip)
            replace(state.text.ranges(of: Self.ipv6Candidate).filter { Self.isIPv6(state.text[$0]) }, kind: .ip)
            replace(state.text.ranges(of: Self.phone).filter { Self.isPhoneNumber(state.text[$0]) }, kind: .phone)
        }
        for name in rules.names where !name.isEmpty {
            let lower = state.text.lowercased()
            // Lowercasing can change lengths for some scripts; match on the original when it does.
            let haystack = lower.count == state.text.count ? lower : state.text
            var ranges: [Range<String.Index>] = []
            for range in haystack.ranges(of: name.lowercased()) where Self.isWordBoundary(haystack, range) {
                let start = state.text.index(
                    state.text.startIndex, offsetBy: haystack.distance(from: haystack.startIndex, to: range.lowerBound))
                let end = state.text.index(
                    start, offsetBy: haystack.distance(from: range.lowerBound, to: range.upperBound))
                ranges.append(start..<end)
            }
            replace(ranges, kind: .name)
        }
        return state
    }

    nonisolated(unsafe) static let email = try! Regex(#"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+"#)
    nonisolated(unsafe) static let mac = try! Regex(#"\b[0-9A-Fa-f]{2}([:\-][0-9A-Fa-f]{2}){5}\b"#)
    nonisolated(unsafe) static let ipv4 = try! Regex(#"\b\d{1,3}(\.\d{1,3}){3}\b"#)
    nonisolated(unsafe) static let ipv6Candidate = try! Regex(#"[0-9A-Fa-f]{0,4}(:[0-9A-Fa-f]{0,4}){2,7}(%\w+)?"#)
    /// International or national numbers: an optional +, then at least seven digits with spaces, dashes, dots or
    /// brackets between them. Set-points ("21.5 degrees") and percentages are far shorter.
    nonisolated(unsafe) static let phone = try! Regex(#"(\+|\b00)?\(?\d[\d \-./()]{5,}\d\b"#)

    /// At least seven digits, and a phone number's shape: a leading + or 0, three or more groups, or one run.
    /// "2200-4000" (a range) is not one.
    static func isPhoneNumber(_ text: Substring) -> Bool {
        guard text.filter(\.isNumber).count >= 7 else { return false }
        let groups = text.split(whereSeparator: { !$0.isNumber }).count
        return text.hasPrefix("+") || text.hasPrefix("0") || text.hasPrefix("(") || groups >= 3 || groups == 1
    }

    static func isIPv4(_ text: Substring) -> Bool {
        let parts = text.split(separator: ".")
        return parts.count == 4 && parts.allSatisfy { Int($0).map { $0 <= 255 } ?? false }
    }

    static func isIPv6(_ text: Substring) -> Bool {
        guard text.filter({ $0 == ":" }).count >= 2 else { return false }
        let address = text.split(separator: "%", maxSplits: 1).first.map(String.init) ?? ""
        var buffer = in6_addr()
        return inet_pton(AF_INET6, address, &buffer) == 1
    }

    static func isWordBoundary(_ text: String, _ range: Range<String.Index>) -> Bool {
        let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
        let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
        // Never inside a word, a number or one of our placeholders ("<EMAIL_1>").
        return !(before?.isLetter ?? false) && !(before?.isNumber ?? false) && before != "<" && before != "_"
            && !(after?.isLetter ?? false) && !(after?.isNumber ?? false) && after != "_"
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
