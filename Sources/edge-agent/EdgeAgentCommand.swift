import ArgumentParser

@main
struct EdgeAgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge-agent",
        abstract: "Understands free-form device commands offline with a small language model.",
        subcommands: [
            RunCommand.self, AskCommand.self, EvalCommand.self, GenerateCommand.self, TokenizeCommand.self, BenchCommand.self, CheckCommand.self,
            OutboxCommand.self, LearnedCLICommand.self, CloudBenchCommand.self,
        ])
}
