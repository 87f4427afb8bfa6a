import YAML

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the agent uses on one kind of board: Board/profiles/<name>.yaml.
public struct BoardProfile: Sendable, Equatable {
    /// The file's name without `.yaml`.
    public var name: String
    public var description: String
    public var cores: Int
    public var threads: Int
    public var ramMB: Int
    /// The agent's memory limit from this profile, before the reserve.
    public var memoryLimitMB: Int
    /// What the budget keeps back for the rest of the system.
    public var reserveMB: Int
    public var contextLength: Int
    /// A manifest name or path.
    public var model: String
    public var telemetryIntervalSeconds: Int
    /// Prefixes of `/proc/device-tree/model` that identify the board.
    public var deviceTreeModels: [String]
    /// Substrings of the DMI product name (`/sys/class/dmi/id/product_name`) that identify it.
    public var dmiProducts: [String]
    /// The profile to use on this CPU architecture (`uname -m`) when no profile matches.
    public var fallbackFor: String?

    public var memoryLimitBytes: Int { memoryLimitMB << 20 }
    public var reserveBytes: Int { reserveMB << 20 }
    public var ramBytes: Int { ramMB << 20 }

    static let keys: Set<String> = [
        "description", "cores", "threads", "ram_mb", "memory_limit_mb", "reserve_mb", "context_length", "model",
        "telemetry_interval_s", "detect", "fallback_for",
    ]

    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BoardProfileError.syntax(file: path, line: 0, problem: "cannot be read")
        }
        var name = String(path.split(separator: "/").last ?? "")
        if name.hasSuffix(".yaml") { name.removeLast(".yaml".count) }
        try self.init(yaml: String(decoding: data, as: UTF8.self), name: name, file: path)
    }

    public init(yaml: String, name: String, file: String) throws {
        let root: Node?
        do {
            root = try YAMLNode.compose(yaml: yaml)
        } catch {
            throw BoardProfileError.syntax(file: file, line: error.line, problem: error.problem)
        }
        guard let root, let mapping = root.mapping else {
            throw BoardProfileError.syntax(
                file: file, line: root?.mark?.line ?? 1, problem: "expected a mapping of keys")
        }
        var values: [String: Node] = [:]
        for (key, value) in mapping {
            let keyName = key.string ?? "\(key)"
            guard Self.keys.contains(keyName) else {
                throw BoardProfileError.unknownKey(file: file, line: key.mark?.line ?? 0, key: keyName)
            }
            values[keyName] = value
        }
        func node(_ key: String) throws -> Node {
            guard let node = values[key] else { throw BoardProfileError.missingKey(file: file, key: key) }
            return node
        }
        func string(_ key: String, _ node: Node) throws -> String {
            guard let value = node.scalar?.string, !value.isEmpty else {
                throw BoardProfileError.badValue(
                    file: file, line: node.mark?.line ?? 0, key: key, value: "\(node)", reason: "expected text")
            }
            return value
        }
        func positive(_ key: String, optional: Int? = nil, zeroAllowed: Bool = false) throws -> Int {
            guard let node = values[key] else {
                if let optional { return optional }
                throw BoardProfileError.missingKey(file: file, key: key)
            }
            let text = node.scalar?.string ?? "\(node)"
            guard let value = Int(text), value > 0 || (zeroAllowed && value == 0) else {
                throw BoardProfileError.badValue(
                    file: file, line: node.mark?.line ?? 0, key: key, value: text,
                    reason: zeroAllowed ? "expected a whole number ≥ 0" : "expected a whole number > 0")
            }
            return value
        }
        self.name = name
        description = try string("description", try node("description"))
        cores = try positive("cores")
        threads = try positive("threads")
        ramMB = try positive("ram_mb")
        memoryLimitMB = try positive("memory_limit_mb")
        reserveMB = try positive("reserve_mb", optional: 0, zeroAllowed: true)
        contextLength = try positive("context_length")
        model = try string("model", try node("model"))
        telemetryIntervalSeconds = try positive("telemetry_interval_s")
        fallbackFor = try values["fallback_for"].map { try string("fallback_for", $0) }
        deviceTreeModels = []
        dmiProducts = []
        if let detect = values["detect"] {
            guard let detectMapping = detect.mapping else {
                throw BoardProfileError.badValue(
                    file: file, line: detect.mark?.line ?? 0, key: "detect", value: "\(detect)",
                    reason: "expected a mapping with device_tree and dmi_product lists")
            }
            for (key, value) in detectMapping {
                let keyName = "detect." + (key.string ?? "\(key)")
                guard keyName == "detect.device_tree" || keyName == "detect.dmi_product" else {
                    throw BoardProfileError.unknownKey(file: file, line: key.mark?.line ?? 0, key: keyName)
                }
                guard let list = value.sequence else {
                    throw BoardProfileError.badValue(
                        file: file, line: value.mark?.line ?? 0, key: keyName, value: "\(value)",
                        reason: "expected a list of strings")
                }
                let strings = try list.map { try string(keyName, $0) }
                if keyName == "detect.device_tree" { deviceTreeModels = strings } else { dmiProducts = strings }
            }
        }
        guard threads <= cores else {
            throw BoardProfileError.badValue(
                file: file, line: values["threads"]?.mark?.line ?? 0, key: "threads", value: "\(threads)",
                reason: "more than the \(cores) cores")
        }
        guard memoryLimitMB <= ramMB, reserveMB < memoryLimitMB else {
            throw BoardProfileError.badValue(
                file: file, line: values["memory_limit_mb"]?.mark?.line ?? 0, key: "memory_limit_mb",
                value: "\(memoryLimitMB)",
                reason: "must be at most ram_mb (\(ramMB)) and above reserve_mb (\(reserveMB))")
        }
    }

}
