#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One line of a labelled set: `{"text", "expected": {"status"?, "actions"?: [{"intent", "devices"?, "value"?,
/// "unit"?, "color"?}]}, "tags"?}`. `devices` are the ids after expansion: "the kitchen lights" lists each light.
public struct LabelledCommand: Decodable, Equatable, Sendable {
    public struct Expected: Decodable, Equatable, Sendable {
        /// "ok" unless the text should be `ambiguous` or `rejected`.
        public var status: Interpretation.Status
        public var actions: [Action]

        enum CodingKeys: String, CodingKey { case status, actions }

        public init(status: Interpretation.Status = .ok, actions: [Action] = []) {
            self.status = status
            self.actions = actions
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let status = try c.decodeIfPresent(String.self, forKey: .status) ?? "ok"
            guard let known = Interpretation.Status(rawValue: status),
                [.ok, .ambiguous, .rejected, .unrecognized].contains(known)
            else {
                throw DecodingError.dataCorruptedError(
                    forKey: .status, in: c, debugDescription: "'\(status)' is not ok, ambiguous, rejected or unrecognized")
            }
            self.status = known
            self.actions = try c.decodeIfPresent([Action].self, forKey: .actions) ?? []
            if known == .ok && actions.isEmpty {
                throw DecodingError.dataCorruptedError(
                    forKey: .actions, in: c, debugDescription: "an ok label needs its actions (NotACommand for none)")
            }
        }
    }

    public var text: String
    public var expected: Expected
    public var tags: [String]

    enum CodingKeys: String, CodingKey { case text, expected, tags }

    public init(text: String, expected: Expected, tags: [String] = []) {
        self.text = text
        self.expected = expected
        self.tags = tags
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        text = try c.decode(String.self, forKey: .text)
        expected = try c.decode(Expected.self, forKey: .expected)
        tags = try c.decodeIfPresent([String].self, forKey: .tags) ?? []
    }

    /// Whether following the label publishes something: a device command, not a question or chit-chat.
    public var actuates: Bool {
        expected.status == .ok && expected.actions.contains { $0.intent != .notACommand && $0.intent != .getState }
    }

    /// What the label is counted under: its first intent, or its status when it has none.
    public var category: String {
        expected.status == .ok ? expected.actions.first?.intent.rawValue ?? "ok" : expected.status.rawValue
    }

    /// Reads a JSON Lines file; blank lines and lines starting with `#` are skipped.
    public static func load(contentsOf path: String) throws(LabelledSetError) -> [LabelledCommand] {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path) }
        var commands: [LabelledCommand] = []
        let decoder = JSONDecoder()
        for (index, line) in String(decoding: data, as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false
        ).enumerated() {
            let trimmed = line.trimmedWhitespace
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            do {
                commands.append(try decoder.decode(LabelledCommand.self, from: Data(trimmed.utf8)))
            } catch {
                throw .badLine(file: path, line: index + 1, reason: LabelledSetError.describe(error))
            }
        }
        guard !commands.isEmpty else { throw .empty(path) }
        return commands
    }
}

public enum LabelledSetError: Error, CustomStringConvertible, Equatable {
    case unreadable(String)
    case empty(String)
    case badLine(file: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path): "cannot read the labelled set '\(path)'"
        case .empty(let path): "the labelled set '\(path)' has no commands"
        case .badLine(let file, let line, let reason): "\(file):\(line): \(reason)"
        }
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): return context.debugDescription
        case DecodingError.keyNotFound(let key, _): return "missing '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "'\(path)': \(context.debugDescription)"
        default: return "\(error)"
        }
    }
}
