import ArgumentParser
import EdgeAgent
import SLM

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measures model load time, prefill and decode speed, and peak memory.")

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "Prompt tokens evaluated at once (prefill).")
    var promptTokens = 128

    @Option(name: .long, help: "Tokens generated one at a time (decode).")
    var genTokens = 64

    @Option(name: .long, help: "Measured rounds, after one warm-up round; medians are reported.")
    var rounds = 5

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    struct Report: Encodable {
        var model: String
        var threads: Int
        var kernels: String
        var promptTokens: Int
        var genTokens: Int
        var rounds: Int
        var prefillTokS: Double
        var decodeTokS: Double
        var loadMs: Double
        var peakRssMb: Double
        var modelFileMb: Double
        var kvCacheMb: Double
    }

    func validate() throws {
        guard promptTokens >= 1, genTokens >= 1, rounds >= 1 else {
            throw ValidationError("--prompt-tokens, --gen-tokens and --rounds must be at least 1")
        }
    }

    func run() throws {
        let local = try modelOptions.load()
        guard promptTokens + genTokens <= local.session.contextLength else {
            throw ValidationError(
                "\(promptTokens) + \(genTokens) tokens do not fit the context of \(local.session.contextLength)")
        }
        // An ordinary English text, repeated, as llama.cpp's benchmark scripts use.
        var prompt: [Int32] = []
        let sentence = local.tokenizer.encode("The quick brown fox jumps over the lazy dog. ", parseSpecial: false)
        while prompt.count < promptTokens { prompt += sentence }
        prompt = Array(prompt.prefix(promptTokens))

        let result = try Benchmark(session: local.session, prompt: prompt, generatedTokens: genTokens, rounds: rounds)
            .run()
        let megabyte = 1024.0 * 1024.0
        let report = Report(
            model: local.path, threads: local.pool.threadCount, kernels: Kernels.instructionSet,
            promptTokens: promptTokens, genTokens: genTokens, rounds: rounds,
            prefillTokS: rounded(result.prefillTokensPerSecond), decodeTokS: rounded(result.decodeTokensPerSecond),
            loadMs: rounded(local.loadSeconds * 1000), peakRssMb: rounded(Double(ProcessMemory.peakResidentBytes() ?? 0) / megabyte),
            modelFileMb: rounded(Double(local.model.fileSize) / megabyte),
            kvCacheMb: rounded(Double(local.session.kvCacheBytes) / megabyte))
        if json {
            try printJSON(report)
        } else {
            print("model       \(report.model) (\(report.modelFileMb) MB)")
            print("threads     \(report.threads), kernels \(report.kernels)")
            print("load        \(report.loadMs) ms")
            print("prefill     \(report.prefillTokS) tokens/s (pp\(promptTokens))")
            print("decode      \(report.decodeTokS) tokens/s (tg\(genTokens))")
            print("peak RSS    \(report.peakRssMb) MB (KV cache \(report.kvCacheMb) MB for \(local.session.contextLength) tokens)")
        }
    }
}
