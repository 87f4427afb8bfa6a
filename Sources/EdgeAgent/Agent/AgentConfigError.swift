/// A configuration the agent refuses: the file, the line (1-based; 0 for a command-line override) and the key
/// as a path (`broker.tls.ca_file`), with the reason. Never carries a secret's value.
public struct AgentConfigError: Error, Equatable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case syntax
        case unknownKey
        case missingKey
        case badValue
        /// A section this build leaves out (`cloud:` without the package's Cloud trait).
        case notInThisBuild
    }

    public var kind: Kind
    public var file: String
    public var line: Int
    public var key: String
    public var reason: String

    public init(_ kind: Kind, file: String, line: Int, key: String, reason: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.key = key
        self.reason = reason
    }

    public var description: String {
        switch kind {
        case .syntax: "\(file):\(line): not YAML: \(reason)"
        case .unknownKey: "\(file):\(line): unknown key '\(key)'\(reason.isEmpty ? "" : "; \(reason)")"
        case .missingKey: "\(file):\(line): the key '\(key)' is missing: \(reason)"
        case .badValue: "\(file):\(line): '\(key)': \(reason)"
        case .notInThisBuild: "\(file):\(line): '\(key)': \(reason); remove the section or use a build with it"
        }
    }
}
