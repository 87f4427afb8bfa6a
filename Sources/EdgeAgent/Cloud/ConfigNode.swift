import YAML

/// Reads one YAML mapping of the cloud section with errors that name the file, line and key; unknown keys are
/// refused, so a misspelt option is never silently ignored.
struct ConfigNode {
    let node: YAMLNode
    let file: String
    let path: String

    var line: Int { (node.mark?.line ?? 0) }

    init(_ node: YAMLNode, file: String, path: String) throws(CloudConfigurationError) {
        guard node.mapping != nil else {
            throw .syntax(file: file, line: node.mark?.line ?? 0, problem: "'\(path)' must be a mapping of keys")
        }
        self.node = node
        self.file = file
        self.path = path
    }

    func key(_ name: String) -> String { path.isEmpty ? name : path + "." + name }

    func check(allowed: Set<String>) throws(CloudConfigurationError) {
        for (k, _) in node.mapping! {
            guard let name = k.string else { continue }
            if !allowed.contains(name) { throw .unknownKey(file: file, line: k.mark?.line ?? 0, key: key(name)) }
        }
    }

    subscript(_ name: String) -> YAMLNode? { node.mapping![name] }

    func section(_ name: String) throws(CloudConfigurationError) -> ConfigNode? {
        guard let child = self[name], !isNull(child) else { return nil }
        return try ConfigNode(child, file: file, path: key(name))
    }

    func isNull(_ node: YAMLNode) -> Bool {
        node.scalar.map { $0.string == "" || $0.string == "~" || $0.string == "null" } ?? false
    }

    func bad(_ name: String, _ value: YAMLNode, _ reason: String) -> CloudConfigurationError {
        .badValue(
            file: file, line: value.mark?.line ?? line, key: key(name), value: value.any.map { "\($0)" } ?? "?",
            reason: reason)
    }

    func string(_ name: String) throws(CloudConfigurationError) -> String? {
        guard let value = self[name], !isNull(value) else { return nil }
        guard let text = value.scalar?.string else { throw bad(name, value, "expected a string") }
        return text
    }

    func double(_ name: String, min: Double = -.infinity) throws(CloudConfigurationError) -> Double? {
        guard let value = self[name], !isNull(value) else { return nil }
        guard let text = value.scalar?.string, let number = Double(text), number.isFinite else {
            throw bad(name, value, "expected a number")
        }
        guard number >= min else { throw bad(name, value, "must be at least \(min)") }
        return number
    }

    func int(_ name: String, min: Int = Int.min) throws(CloudConfigurationError) -> Int? {
        guard let value = self[name], !isNull(value) else { return nil }
        guard let text = value.scalar?.string, let number = Int(text) else {
            throw bad(name, value, "expected a whole number")
        }
        guard number >= min else { throw bad(name, value, "must be at least \(min)") }
        return number
    }

    func bool(_ name: String) throws(CloudConfigurationError) -> Bool? {
        guard let value = self[name], !isNull(value) else { return nil }
        switch value.scalar?.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw bad(name, value, "expected true or false")
        }
    }

    func strings(_ name: String) throws(CloudConfigurationError) -> [String] {
        guard let value = self[name], !isNull(value) else { return [] }
        if let scalar = value.scalar { return [scalar.string] }
        guard let sequence = value.sequence else { throw bad(name, value, "expected a list of strings") }
        var out: [String] = []
        for item in sequence {
            guard let text = item.scalar?.string else { throw bad(name, item, "expected a string") }
            out.append(text)
        }
        return out
    }
}

extension YAMLNode {
    /// A printable form of a scalar for error messages.
    var any: String? { scalar?.string }
}
