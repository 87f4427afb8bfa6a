import SLM

/// How the interpreter's prompt is laid out for one model.
///
/// An instruction-tuned model whose chat template the engine renders (ChatML: SmolLM2-135M-Instruct) gets the
/// instructions as a system turn and each example as a user turn and an assistant turn. A base model was never
/// trained on turns: a file without `tokenizer.chat_template` (Gemma 3 270M's has none), or with a template the engine
/// cannot render, gets the same instructions and examples as a plain document to continue:
///
///     <instructions and catalog>
///
///     Command: dim the bedroom lamp to 40%
///     Action:
///     {"intent":"set","devices":["bedroom_lamp"]}
///
///     Command: <the command>
///     Action:
///
/// The answer starts a line of its own, so no token of the model's spelling straddles the end of the prompt ("Action: "
/// would leave a space that the model joins to the "{"), and each example's answer is tokenized on its own, as the
/// generator writes one. Everything before a command's "Command:" is the same for every command: the prefix cache
/// holds it.
public enum SLMPromptFormat: Sendable, Equatable, CustomStringConvertible {
    case chat(ChatTemplate)
    case completion

    /// Chat when the file's template is one the engine renders, else completion.
    public init(gguf: GGUFFile) {
        if gguf.metadata[GGUFKey.chatTemplate] != nil, let template = try? ChatTemplate(gguf: gguf) {
            self = .chat(template)
        } else {
            self = .completion
        }
    }

    public var description: String {
        switch self {
        case .chat: "chat"
        case .completion: "completion"
        }
    }

    /// The prefix kept in the KV cache: the instructions and every example, with the model's BOS when it adds one.
    public func prefixTokens(_ prompt: SLMPrompt, tokenizer: Tokenizer) -> [Int32] {
        switch self {
        case .chat(let template):
            return template.encode(
                prompt.prefixMessages(), systemPrompt: .none, addGenerationPrompt: false, with: tokenizer)
        case .completion:
            var tokens = tokenizer.encode(prompt.system + "\n\n", parseSpecial: false)
            for example in prompt.examples {
                tokens += commandTokens(example.command, tokenizer: tokenizer)
                tokens += tokenizer.encode(example.answer, parseSpecial: false, addBOS: false)
                tokens += tokenizer.encode("\n\n", parseSpecial: false, addBOS: false)
            }
            return tokens
        }
    }

    /// The tokens of one command's turn, after the prefix, ending where the answer begins.
    public func commandTokens(_ text: String, tokenizer: Tokenizer) -> [Int32] {
        switch self {
        case .chat(let template):
            return tokenizer.encode(
                template.segments([.user(text)], systemPrompt: .none, addGenerationPrompt: true), addBOS: false)
        case .completion:
            // One line: a command cannot write the next "Action:" itself.
            let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
            return tokenizer.encode("Command: \(line)\nAction:\n", parseSpecial: false, addBOS: false)
        }
    }
}
