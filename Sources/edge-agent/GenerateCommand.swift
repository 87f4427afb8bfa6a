import ArgumentParser
import EdgeAgent
import SLM

#if canImport(Glibc)
    import Glibc
#endif

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Generates text after a prompt and streams it to standard output.")

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "The prompt.")
    var prompt: String

    @Flag(name: .long, help: "Wrap the prompt as a user message in the model's chat template.")
    var chat = false

    @Option(name: .long, help: "The system prompt for --chat. Default: the model's own default, if its template has one.")
    var system: String?

    @Flag(name: .long, help: "With --chat: no system message at all, not even the model's default.")
    var noSystem = false

    @Option(name: .long, help: "Tokens to generate at most.")
    var maxTokens = 128

    @Option(name: .long, help: "Sampling temperature; 0 picks the most likely token (greedy).")
    var temperature: Float = 0

    @Option(name: .long, help: "Keep the K most likely tokens (0: off).")
    var topK = 0

    @Option(name: .long, help: "Keep the smallest set of tokens whose probability reaches P (1: off).")
    var topP: Float = 1

    @Option(name: .long, help: "Drop tokens less likely than P times the most likely one (0: off).")
    var minP: Float = 0

    @Option(name: .long, help: "Penalty for repeating recent tokens (1: off).")
    var repeatPenalty: Float = 1

    @Option(name: .long, help: "Seed of the random sampler.")
    var seed: UInt64?

    @Flag(name: .long, help: "Print one JSON object at the end instead of streaming.")
    var json = false

    struct Report: Encodable {
        var text: String
        var promptTokens: Int
        var generatedTokens: Int
        var stopReason: String
        var prefillTokS: Double
        var decodeTokS: Double
        var loadMs: Double

        enum CodingKeys: String, CodingKey {
            case text
            case promptTokens = "prompt_tokens"
            case generatedTokens = "generated_tokens"
            case stopReason = "stop_reason"
            case prefillTokS = "prefill_tok_s"
            case decodeTokS = "decode_tok_s"
            case loadMs = "load_ms"
        }
    }

    func validate() throws {
        if maxTokens < 0 { throw ValidationError("--max-tokens must not be negative, got \(maxTokens)") }
        if system != nil && noSystem { throw ValidationError("--system and --no-system exclude each other") }
        if (system != nil || noSystem) && !chat { throw ValidationError("--system and --no-system need --chat") }
    }

    func run() throws {
        let sampling = try SamplingParameters(
            temperature: temperature, topK: topK, topP: topP, minP: minP, repetitionPenalty: repeatPenalty,
            seed: seed)
        let local = try modelOptions.load()
        let text: String
        if chat {
            let template = try ChatTemplate(gguf: local.model.file)
            let systemPrompt: ChatTemplate.SystemPrompt = noSystem ? .none : system.map { .custom($0) } ?? .modelDefault
            text = template.render([ChatMessage(role: .user, content: prompt)], systemPrompt: systemPrompt)
        } else {
            text = prompt
        }
        let tokens = local.tokenizer.encode(text, parseSpecial: chat)
        let generator = Generator(session: local.session, tokenizer: local.tokenizer)
        let result = try generator.generate(prompt: tokens, maxTokens: maxTokens, sampling: sampling) { piece in
            if !json {
                print(piece, terminator: "")
                fflush(stdout)
            }
            return true
        }
        if json {
            try printJSON(
                Report(
                    text: result.text, promptTokens: result.promptTokenCount, generatedTokens: result.tokens.count,
                    stopReason: result.stopReason.rawValue, prefillTokS: rounded(result.prefillTokensPerSecond),
                    decodeTokS: rounded(result.decodeTokensPerSecond), loadMs: rounded(local.loadSeconds * 1000)))
        } else {
            print()
        }
    }
}
