import ArgumentParser

@main
struct EdgeAgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge-agent",
        abstract: "Understands free-form device commands offline with a small language model.",
        subcommands: [AskCommand.self, GenerateCommand.self, TokenizeCommand.self, BenchCommand.self, CheckCommand.self,
            OutboxCommand.self, LearnedCLICommand.self, CloudBenchCommand.self,
        ])
}
