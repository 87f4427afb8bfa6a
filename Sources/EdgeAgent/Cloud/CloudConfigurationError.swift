/// A cloud section that cannot be used; each case names the file, the line and the key.
public enum CloudConfigurationError: Error, CustomStringConvertible, Equatable {
    case syntax(file: String, line: Int, problem: String)
    case unknownKey(file: String, line: Int, key: String)
    case badValue(file: String, line: Int, key: String, value: String, reason: String)
    case missingKey(file: String, key: String)
    /// The API key's file or variable is named but empty or unreadable. The key itself is never printed.
    case apiKeyUnavailable(source: String)
    /// A cloud section given to a build without the package's Cloud trait (`Board/build-release.sh --no-cloud`).
    case notInThisBuild(file: String, line: Int)

    static let notInThisBuildReason = "this build of edge-agent has no cloud escalation (built without the Cloud trait)"

    public var description: String {
        switch self {
        case .syntax(let file, let line, let problem): "\(file):\(line): not YAML: \(problem)"
        case .unknownKey(let file, let line, let key): "\(file):\(line): unknown key '\(key)'"
        case .badValue(let file, let line, let key, let value, let reason):
            "\(file):\(line): '\(key)' is '\(value)': \(reason)"
        case .missingKey(let file, let key): "\(file): the required key '\(key)' is missing"
        case .apiKeyUnavailable(let source): "the cloud API key cannot be read from \(source)"
        case .notInThisBuild(let file, let line):
            (file.isEmpty ? "" : "\(file):\(line): ") + Self.notInThisBuildReason
                + "; remove the cloud section or use a build with it"
        }
    }
}
