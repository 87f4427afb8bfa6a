public struct ChatMessage: Equatable, Sendable {
    public enum Role: String, Sendable {
        case system, user, assistant
    }

    public var role: Role
    public var content: String

    public init(role: Role, content: String) {
        self.role = role
        self.content = content
    }

    public static func system(_ content: String) -> ChatMessage { ChatMessage(role: .system, content: content) }
    public static func user(_ content: String) -> ChatMessage { ChatMessage(role: .user, content: content) }
    public static func assistant(_ content: String) -> ChatMessage { ChatMessage(role: .assistant, content: content) }
}

/// How a conversation is written as the model's prompt. The GGUF file carries a Jinja template
/// (`tokenizer.chat_template`); rather than interpret Jinja, the engine recognises the template's family and renders it
/// natively. ChatML so far:
///
///     <|im_start|>system\n{content}<|im_end|>\n<|im_start|>user\n{content}<|im_end|>\n<|im_start|>assistant\n
///
/// Some ChatML templates (SmolLM2's, Qwen2.5's) insert a default system message when the conversation does not start
/// with one; its text is read from the template.
public struct ChatTemplate: Equatable, Sendable {
    public enum Format: Equatable, Sendable {
        case chatML
    }

    /// The system message to use when the conversation does not start with one.
    public enum SystemPrompt: Equatable, Sendable {
        /// The template's default system message, if it has one.
        case modelDefault
        case none
        case text(String)
    }

    public let format: Format
    /// The system message the template inserts when the conversation does not start with one.
    public let defaultSystemPrompt: String?

    public init(format: Format, defaultSystemPrompt: String?) {
        self.format = format
        self.defaultSystemPrompt = defaultSystemPrompt
    }

    /// Recognises the template's family from its text.
    public init(template: String) throws {
        guard template.contains("<|im_start|>") else { throw ChatTemplateError.unsupported(template: template) }
        self.init(format: .chatML, defaultSystemPrompt: Self.defaultChatMLSystemPrompt(in: template))
    }

    public init(gguf: GGUFFile) throws {
        try self.init(template: gguf.string(GGUFKey.chatTemplate))
    }

    /// The prompt for `messages`, ending with the assistant's turn opened if `addGenerationPrompt`.
    public func render(
        _ messages: [ChatMessage], systemPrompt: SystemPrompt = .modelDefault, addGenerationPrompt: Bool = true
    ) -> String {
        segments(messages, systemPrompt: systemPrompt, addGenerationPrompt: addGenerationPrompt).map(\.text).joined()
    }

    /// The prompt's token ids. Special tokens are parsed in the template's markup only, never in message content.
    public func encode(
        _ messages: [ChatMessage], systemPrompt: SystemPrompt = .modelDefault, addGenerationPrompt: Bool = true,
        with tokenizer: Tokenizer
    ) -> [Int32] {
        tokenizer.encode(segments(messages, systemPrompt: systemPrompt, addGenerationPrompt: addGenerationPrompt))
    }

    /// The prompt as markup (special tokens parsed) and content (not parsed).
    public func segments(
        _ messages: [ChatMessage], systemPrompt: SystemPrompt = .modelDefault, addGenerationPrompt: Bool = true
    ) -> [TextSegment] {
        var segments: [TextSegment] = []
        func markup(_ text: String) { segments.append(TextSegment(text, parseSpecial: true)) }
        func turn(_ role: ChatMessage.Role, _ content: TextSegment) {
            markup("<|im_start|>\(role.rawValue)\n")
            segments.append(content)
            markup("<|im_end|>\n")
        }
        if messages.first?.role != .system {
            switch systemPrompt {
            case .modelDefault:
                // The template's own text, so its markup is parsed as the template would have it.
                if let defaultSystemPrompt { turn(.system, TextSegment(defaultSystemPrompt, parseSpecial: true)) }
            case .none: break
            case .text(let text): turn(.system, TextSegment(text, parseSpecial: false))
            }
        }
        for message in messages { turn(message.role, TextSegment(message.content, parseSpecial: false)) }
        if addGenerationPrompt { markup("<|im_start|>assistant\n") }
        return segments
    }

    /// The text of a system turn the template writes literally, `<|im_start|>system\n…<|im_end|>`, in a string
    /// literal of a Jinja tag or in the template's plain text. A system turn built from a message
    /// (`'<|im_start|>system\n' + messages[0]['content']`) has no such literal.
    static func defaultChatMLSystemPrompt(in template: String) -> String? {
        let opening = "<|im_start|>system\n"
        for text in jinjaTexts(template) {
            guard let start = text.firstRange(of: opening),
                let end = text[start.upperBound...].firstRange(of: "<|im_end|>"),
                start.upperBound < end.lowerBound
            else { continue }
            return String(text[start.upperBound..<end.lowerBound])
        }
        return nil
    }

    /// The template's plain text between tags, and the string literals inside its `{{ }}` and `{% %}` tags with
    /// escapes (`\n`, `\'`) resolved.
    static func jinjaTexts(_ template: String) -> [String] {
        var texts: [String] = []
        let characters = Array(template)
        var i = 0
        var plain = ""
        while i < characters.count {
            guard characters[i] == "{", i + 1 < characters.count, "{%#".contains(characters[i + 1]) else {
                plain.append(characters[i])
                i += 1
                continue
            }
            texts.append(plain)
            plain = ""
            let close: Character = characters[i + 1] == "{" ? "}" : characters[i + 1]
            i += 2
            // Inside a tag: collect string literals until the closing delimiter.
            while i < characters.count,
                !(characters[i] == close && i + 1 < characters.count && characters[i + 1] == "}")
            {
                guard characters[i] == "'" || characters[i] == "\"", close != "#" else {
                    i += 1
                    continue
                }
                let quote = characters[i]
                var literal = ""
                i += 1
                while i < characters.count, characters[i] != quote {
                    if characters[i] == "\\", i + 1 < characters.count {
                        i += 1
                        switch characters[i] {
                        case "n": literal.append("\n")
                        case "t": literal.append("\t")
                        case "r": literal.append("\r")
                        default: literal.append(characters[i])
                        }
                    } else {
                        literal.append(characters[i])
                    }
                    i += 1
                }
                texts.append(literal)
                i += 1
            }
            i += 2
        }
        texts.append(plain)
        return texts
    }
}

public enum ChatTemplateError: Error, CustomStringConvertible, Equatable {
    case unsupported(template: String)

    public var description: String {
        switch self {
        case .unsupported(let template):
            "the chat template is not ChatML (it has no '<|im_start|>'), the only format supported so far: "
                + String(template.prefix(120)).debugDescription
        }
    }
}
