import ArgumentParser

@main
struct EdgeAgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge-agent",
        abstract: "Understands free-form device commands offline with a small language model.",
        subcommands: [
            RunCommand.self, AskCommand.self, EvalCommand.self, GenerateCommand.self, TokenizeCommand.self, BenchCommand.self, CheckCommand.self,
            OutboxCommand.self, LearnedCLICommand.self,
        ] + cloudOnly)

    /// Commands a build without the package's Cloud trait leaves out (`outbox` and `learned` stay: they read the
    /// state file, and say that this build has no cloud escalation).
    #if Cloud
        static let cloudOnly: [any ParsableCommand.Type] = [CloudBenchCommand.self]
    #else
        static let cloudOnly: [any ParsableCommand.Type] = []
    #endif
}
