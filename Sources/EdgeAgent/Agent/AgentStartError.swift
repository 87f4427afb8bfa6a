/// Why the agent will not start, beyond a bad config (which has its own error and exit code).
public enum AgentStartError: Error, CustomStringConvertible, Equatable {
    /// The model does not fit the memory budget at any usable context; the message lists every term. The process
    /// exits with `memoryRefusalExitCode` (75), which the systemd unit does not restart on.
    case memory(String)

    public var description: String {
        switch self {
        case .memory(let message): "not starting: \(message)"
        }
    }
}
