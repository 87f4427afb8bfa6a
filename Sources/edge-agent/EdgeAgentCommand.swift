import ArgumentParser

@main
struct EdgeAgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "edge-agent", abstract: "An offline command interpreter for MQTT devices.")
}
