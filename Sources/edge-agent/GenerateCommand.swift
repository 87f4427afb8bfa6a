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
    }

    func validate() throws {
        if maxTokens < 0 { throw ValidationError("--max-tokens must not be negative, got \(maxTokens)") }
        if system != nil && noSystem { throw ValidationError("--system and --no-system exclude each other") }
        if (system != nil || noSystem) && !chat { throw ValidationError("--system and --no-system need --chat") }
    }

    func run() throws {
        let sampling = SamplingParameters(
            temperature: temperature, topK: topK == 0 ? nil : topK, topP: topP, minP: minP,
            repetitionPenalty: repeatPenalty, seed: seed)
        try sampling.validate()
        let local = try modelOptions.load()
        let tokens: [Int32]
        if chat {
            let template = try ChatTemplate(gguf: local.model.file)
            let systemPrompt: ChatTemplate.SystemPrompt
            if noSystem {
                systemPrompt = .none
            } else if let system {
                systemPrompt = .text(system)
            } else {
                systemPrompt = .modelDefault
            }
            // Special tokens count only in the template's markup, never in the user's words.
            tokens = template.encode([.user(prompt)], systemPrompt: systemPrompt, with: local.tokenizer)
        } else {
            tokens = local.tokenizer.encode(prompt, parseSpecial: false)
        }
        let generator = Generator(session: local.session, tokenizer: local.tokenizer)
        let result = try generator.generate(prompt: tokens, maxTokens: maxTokens, sampling: sampling) { piece in
            if !json {
                print(piece, terminator: "")
                fflush(nil)
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
