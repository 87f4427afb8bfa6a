/// A board profile that cannot be found or read; each case names the file, and where it can the line and key.
public enum BoardProfileError: Error, CustomStringConvertible, Equatable {
    case syntax(file: String, line: Int, problem: String)
    case missingKey(file: String, key: String)
    case badValue(file: String, line: Int, key: String, value: String, reason: String)
    case unknownKey(file: String, line: Int, key: String)
    case unknownBoard(name: String, searched: [String], known: [String])
    case notDetected(model: String?, searched: [String])

    public var description: String {
        switch self {
        case .syntax(let file, let line, let problem): "\(file):\(line): not YAML: \(problem)"
        case .missingKey(let file, let key): "\(file): the required key '\(key)' is missing"
        case .badValue(let file, let line, let key, let value, let reason):
            "\(file):\(line): '\(key)' is '\(value)': \(reason)"
        case .unknownKey(let file, let line, let key): "\(file):\(line): unknown key '\(key)'"
        case .unknownBoard(let name, let searched, let known):
            "no board profile '\(name)' in \(searched.joined(separator: ", ")); known: \(known.joined(separator: ", "))"
        case .notDetected(let model, let searched):
            "no board profile matches this machine (\(model ?? "no device-tree model or DMI product name")) in "
                + "\(searched.joined(separator: ", ")); choose one with --board"
        }
    }
}
