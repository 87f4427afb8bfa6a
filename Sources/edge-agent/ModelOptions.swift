import ArgumentParser
import EdgeAgent

/// How to find and run a model: shared by every command that loads one.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "A model name from the manifest, or the path of a GGUF file. Default: the manifest's default model.")
    var model: String?

    @Option(name: .long, help: "Worker threads for the matrix work. Default: the number of cores.")
    var threads: Int?

    @Option(name: .long, help: "Context length in tokens (KV cache size). Default: 2048 or the model's trained length.")
    var context: Int?

    func validate() throws {
        if let threads, threads < 1 || threads > 256 {
            throw ValidationError("--threads must be between 1 and 256, got \(threads)")
        }
        if let context, context < 1 { throw ValidationError("--context must be positive, got \(context)") }
    }

    func load() throws -> LocalModel {
        try LocalModel(model, threads: threads, contextLength: context)
    }
}
