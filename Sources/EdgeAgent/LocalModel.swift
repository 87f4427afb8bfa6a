import SLM

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A model ready to run on this device: the weights mapped, the tokenizer built, a worker pool and a session
/// with its KV cache allocated.
public final class LocalModel {
    public let path: String
    public let model: Model
    public let tokenizer: Tokenizer
    public let pool: ThreadPool
    public let session: Session
    /// From opening the file to a session ready for its first token.
    public let loadSeconds: Double

    /// Loads a model by manifest name or path. `threads` defaults to the number of cores, the context length to
    /// 2048 (or the model's trained length when shorter).
    public init(
        _ nameOrPath: String?, threads: Int? = nil, contextLength: Int? = nil, store: ModelStore = ModelStore()
    ) throws {
        let clock = ContinuousClock()
        let start = clock.now
        path = try store.resolve(nameOrPath)
        let file = try GGUFFile(path: path)
        file.map.prefetch()
        model = try Model(file: file)
        tokenizer = try Tokenizer(gguf: file)
        pool = ThreadPool(threads: threads ?? LocalModel.defaultThreadCount)
        session = try Session(
            model: model, contextLength: contextLength ?? min(model.config.trainedContextLength, 2048), pool: pool)
        loadSeconds = (clock.now - start).seconds
    }

    /// The cores this process may run on.
    public static var defaultThreadCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
}
