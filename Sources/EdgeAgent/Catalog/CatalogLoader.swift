import YAML

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Reads a catalog from YAML through a YAML node tree (not `YAMLDecoder`) so that every refusal can give the line
/// and the unknown keys can be named.
public enum CatalogLoader {
    public static func load(contentsOf path: String) throws -> Catalog {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else { throw CatalogError.syntax(file: path, line: 0, problem: "cannot be read as UTF-8 text") }
        return try load(yaml: text, file: path)
    }

    public static func load(yaml: String, file: String = "catalog") throws -> Catalog {
        let root: Node?
        do {
            root = try YAMLNode.compose(yaml: yaml)
        } catch {
            throw CatalogError.syntax(file: file, line: error.line, problem: error.problem)
        }
        guard let root, root.mapping != nil else {
            throw CatalogError.syntax(file: file, line: root?.mark?.line ?? 1, problem: "expected a mapping of keys")
        }
        let reader = Reader(file: file)
        let top = try reader.fields(root, entry: "the catalog", allowed: ["floors", "areas", "devices", "scenes"])
        let floors = try reader.list(top, "floors").map(reader.floor)
        let areas = try reader.list(top, "areas", required: true).map(reader.area)
        let devices = try reader.list(top, "devices", required: true).map(reader.device)
        let scenes = try reader.list(top, "scenes").map(reader.scene)
        let catalog = Catalog(
            floors: floors.map(\.value), areas: areas.map(\.value), devices: devices.map(\.value),
            scenes: scenes.map(\.value))
        try CatalogCheck(file: file, floors: floors, areas: areas, devices: devices, scenes: scenes).run()
        return catalog
    }

}

/// A parsed entry with the line it starts on, for the checks across entries.
struct Located<Value> {
    var value: Value
    var line: Int
    var entry: String
}

/// The keys of one YAML mapping, checked against the keys the entry allows.
struct Fields {
    var entry: String
    var line: Int
    var values: [String: Node]
    var keyLines: [String: Int]
}

struct Reader {
    let file: String

    func fields(_ node: Node, entry: String, allowed: Set<String>) throws -> Fields {
        guard let mapping = node.mapping else {
            throw CatalogError.badValue(
                file: file, line: node.mark?.line ?? 0, entry: entry, key: entry, value: "\(node)",
                reason: "expected a mapping of keys")
        }
        var fields = Fields(entry: entry, line: node.mark?.line ?? 0, values: [:], keyLines: [:])
        for (key, value) in mapping {
            let name = key.string ?? "\(key)"
            guard allowed.contains(name) else {
                throw CatalogError.unknownKey(file: file, line: key.mark?.line ?? 0, entry: entry, key: name)
            }
            guard fields.values[name] == nil else {
                throw CatalogError.badValue(
                    file: file, line: key.mark?.line ?? 0, entry: entry, key: name, value: value.scalar?.string ?? "",
                    reason: "the key is given twice")
            }
            fields.values[name] = value
            fields.keyLines[name] = key.mark?.line ?? 0
        }
        return fields
    }

    func list(_ fields: Fields, _ key: String, required: Bool = false) throws -> [(Node, Int)] {
        guard let node = fields.values[key], !isNull(node) else {
            if required { throw CatalogError.missingKey(file: file, line: fields.line, entry: fields.entry, key: key) }
            return []
        }
        guard let sequence = node.sequence else {
            throw badValue(fields, key, node, "expected a list")
        }
        return sequence.enumerated().map { ($0.element, $0.offset) }
    }

    func isNull(_ node: Node) -> Bool {
        guard let scalar = node.scalar, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    func badValue(_ fields: Fields, _ key: String, _ node: Node, _ reason: String) -> CatalogError {
        .badValue(
            file: file, line: node.mark?.line ?? fields.keyLines[key] ?? fields.line, entry: fields.entry, key: key,
            value: node.scalar?.string ?? "\(node)", reason: reason)
    }

    func string(_ fields: Fields, _ key: String) throws -> String? {
        guard let node = fields.values[key] else { return nil }
        guard let scalar = node.scalar else { throw badValue(fields, key, node, "expected text") }
        return scalar.string
    }

    func required(_ fields: Fields, _ key: String) throws -> String {
        guard let value = try string(fields, key) else {
            throw CatalogError.missingKey(file: file, line: fields.line, entry: fields.entry, key: key)
        }
        return value
    }

    func number(_ fields: Fields, _ key: String) throws -> Double? {
        guard let node = fields.values[key] else { return nil }
        guard let value = node.float, value.isFinite else { throw badValue(fields, key, node, "expected a number") }
        return value
    }

    func aliases(_ fields: Fields) throws -> [String] {
        guard let node = fields.values["aliases"] else { return [] }
        guard let sequence = node.sequence else { throw badValue(fields, "aliases", node, "expected a list of names") }
        return try sequence.map { item in
            guard let text = item.scalar?.string else { throw badValue(fields, "aliases", item, "expected a name") }
            guard !text.trimmedWhitespace.isEmpty else {
                throw badValue(fields, "aliases", item, "an alias cannot be empty")
            }
            return text
        }
    }

    /// The id of an entry: lower-case letters, digits and underscores, so it can sit in a schema enum and a topic.
    func id(_ node: Node, kind: String, index: Int) throws -> (String, String) {
        let provisional = "\(kind)s[\(index)]"
        let raw = try node.mapping.flatMap { mapping in mapping["id"] }.map { idNode -> String in
            guard let text = idNode.scalar?.string else {
                throw CatalogError.badValue(
                    file: file, line: idNode.mark?.line ?? 0, entry: provisional, key: "id", value: "\(idNode)",
                    reason: "expected text")
            }
            return text
        }
        guard let raw else {
            throw CatalogError.missingKey(file: file, line: node.mark?.line ?? 0, entry: provisional, key: "id")
        }
        guard !raw.isEmpty,
            raw.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" })
        else {
            throw CatalogError.badValue(
                file: file, line: node.mapping?["id"]?.mark?.line ?? 0, entry: provisional, key: "id", value: raw,
                reason: "an id is lower-case letters, digits and underscores")
        }
        return (raw, "\(kind) '\(raw)'")
    }

    func name(_ fields: Fields) throws -> String {
        let name = try required(fields, "name")
        guard !name.trimmedWhitespace.isEmpty else {
            throw CatalogError.emptyName(file: file, line: fields.keyLines["name"] ?? fields.line, entry: fields.entry)
        }
        return name
    }

    func topic(_ fields: Fields, _ key: String) throws -> String? {
        guard let topic = try string(fields, key) else { return nil }
        // A wildcard or an empty level would make a publish address more than the one device.
        guard !topic.isEmpty, !topic.contains("#"), !topic.contains("+"), !topic.contains("\0"),
            !topic.hasPrefix("$")
        else { throw badValue(fields, key, fields.values[key]!, "a topic is one concrete MQTT topic, no wildcards") }
        return topic
    }

    func floor(_ item: (Node, Int)) throws -> Located<Floor> {
        let (id, entry) = try self.id(item.0, kind: "floor", index: item.1)
        let fields = try self.fields(item.0, entry: entry, allowed: ["id", "name", "aliases", "level"])
        guard let level = try number(fields, "level") else {
            throw CatalogError.missingKey(file: file, line: fields.line, entry: entry, key: "level")
        }
        guard level == level.rounded() else {
            throw badValue(fields, "level", fields.values["level"]!, "expected a whole number")
        }
        return Located(
            value: Floor(id: id, name: try name(fields), aliases: try aliases(fields), level: Int(level)),
            line: fields.line, entry: entry)
    }

    func area(_ item: (Node, Int)) throws -> Located<Area> {
        let (id, entry) = try self.id(item.0, kind: "area", index: item.1)
        let fields = try self.fields(item.0, entry: entry, allowed: ["id", "name", "aliases", "floor"])
        return Located(
            value: Area(
                id: id, name: try name(fields), aliases: try aliases(fields), floor: try string(fields, "floor")),
            line: fields.line, entry: entry)
    }

    func scene(_ item: (Node, Int)) throws -> Located<Scene> {
        let (id, entry) = try self.id(item.0, kind: "scene", index: item.1)
        let fields = try self.fields(item.0, entry: entry, allowed: ["id", "name", "aliases", "topic", "payload"])
        guard let topic = try topic(fields, "topic") else {
            throw CatalogError.missingKey(file: file, line: fields.line, entry: entry, key: "topic")
        }
        guard let payloadNode = fields.values["payload"] else {
            throw CatalogError.missingKey(file: file, line: fields.line, entry: entry, key: "payload")
        }
        return Located(
            value: Scene(
                id: id, name: try name(fields), aliases: try aliases(fields), topic: topic,
                payload: try json(payloadNode, fields)),
            line: fields.line, entry: entry)
    }

    /// A YAML value as JSON, for a scene's payload.
    func json(_ node: Node, _ fields: Fields) throws -> JSONValue {
        if let mapping = node.mapping {
            return .object(try mapping.map { ($0.key.string ?? "\($0.key)", try json($0.value, fields)) })
        }
        if let sequence = node.sequence { return .array(try sequence.map { try json($0, fields) }) }
        guard let scalar = node.scalar else { throw badValue(fields, "payload", node, "expected JSON-like YAML") }
        if scalar.style == .plain {
            if let value = node.bool { return .bool(value) }
            if let value = node.float, value.isFinite { return .number(value) }
            if isNull(node) { return .null }
        }
        return .string(scalar.string)
    }

    static let deviceKeys: Set<String> = [
        "id", "name", "aliases", "area", "type", "topic", "state_topic", "capabilities", "payload",
    ]

    func device(_ item: (Node, Int)) throws -> Located<Device> {
        let (id, entry) = try self.id(item.0, kind: "device", index: item.1)
        let fields = try self.fields(item.0, entry: entry, allowed: Self.deviceKeys)
        let name = try name(fields)
        let area = try required(fields, "area")
        let typeName = try required(fields, "type")
        guard let type = DeviceType(rawValue: typeName) else {
            throw CatalogError.unknownType(
                file: file, line: fields.values["type"]?.mark?.line ?? fields.line, entry: entry, type: typeName)
        }
        guard let topic = try topic(fields, "topic") else {
            throw CatalogError.missingKey(file: file, line: fields.line, entry: entry, key: "topic")
        }
        var device = Device(
            id: id, name: name, aliases: try aliases(fields), area: area, type: type, topic: topic,
            stateTopic: try self.topic(fields, "state_topic"), capabilities: [], colorTemp: nil,
            targetTemperature: nil, payload: PayloadMapping())
        if let node = fields.values["capabilities"] { try capabilities(node, into: &device, fields) }
        if let node = fields.values["payload"] { device.payload = try payload(node, entry: entry) }
        return Located(value: device, line: fields.line, entry: entry)
    }

    /// `capabilities` is a list of names (`[on_off, brightness]`) or a mapping of names to their parameters
    /// (`color_temp: {min: 2200, max: 6500}`, `target_temperature: {min: 5, max: 30, step: 0.5, unit: C}`).
    func capabilities(_ node: Node, into device: inout Device, _ fields: Fields) throws {
        var items: [(Node, Node?)] = []
        if let sequence = node.sequence {
            items = sequence.map { ($0, nil) }
        } else if let mapping = node.mapping {
            items = mapping.map { ($0.key, $0.value) }
        } else {
            throw badValue(fields, "capabilities", node, "expected a list or a mapping of capabilities")
        }
        let entry = fields.entry
        for (key, parameters) in items {
            let keyName = key.string ?? "\(key)"
            let line = key.mark?.line ?? fields.line
            guard let capability = Capability(rawValue: keyName) else {
                throw CatalogError.badValue(
                    file: file, line: line, entry: entry, key: "capabilities", value: keyName,
                    reason: "unknown capability; known: " + Capability.allCases.map(\.rawValue).joined(separator: ", "))
            }
            guard device.type.allowedCapabilities.contains(capability) else {
                throw CatalogError.capabilityNotAllowed(
                    file: file, line: line, entry: entry, type: device.type.rawValue, capability: keyName)
            }
            device.capabilities.insert(capability)
            let parameterNode = parameters.flatMap { $0.mapping == nil ? nil : $0 }
            if let parameters, parameterNode == nil, parameters.bool == false {
                device.capabilities.remove(capability)
                continue
            }
            switch capability {
            case .colorTemp:
                var low = 2200.0
                var high = 6500.0
                if let parameterNode {
                    let p = try self.fields(parameterNode, entry: entry, allowed: ["min", "max"])
                    low = try number(p, "min") ?? low
                    high = try number(p, "max") ?? high
                }
                guard low < high, low > 0 else {
                    throw CatalogError.badRange(
                        file: file, line: line, entry: entry, capability: keyName, min: low, max: high)
                }
                device.colorTemp = low...high
            case .targetTemperature:
                guard let parameterNode else {
                    throw CatalogError.missingKey(file: file, line: line, entry: entry, key: "target_temperature.min")
                }
                let p = try self.fields(parameterNode, entry: entry, allowed: ["min", "max", "step", "unit"])
                guard let low = try number(p, "min") else {
                    throw CatalogError.missingKey(file: file, line: p.line, entry: entry, key: "target_temperature.min")
                }
                guard let high = try number(p, "max") else {
                    throw CatalogError.missingKey(file: file, line: p.line, entry: entry, key: "target_temperature.max")
                }
                guard low < high else {
                    throw CatalogError.badRange(
                        file: file, line: line, entry: entry, capability: keyName, min: low, max: high)
                }
                let step = try number(p, "step") ?? 0.5
                guard step > 0, step <= high - low else {
                    throw badValue(p, "step", p.values["step"]!, "the step must be above 0 and within the range")
                }
                let unitName = try string(p, "unit") ?? "C"
                guard let unit = TemperatureUnit(rawValue: unitName) else {
                    throw badValue(p, "unit", p.values["unit"]!, "the unit is C or F")
                }
                device.targetTemperature = TemperatureRange(min: low, max: high, step: step, unit: unit)
            default:
                if let parameterNode {
                    _ = try self.fields(parameterNode, entry: entry, allowed: [])
                }
            }
        }
    }

    func payload(_ node: Node, entry: String) throws -> PayloadMapping {
        let p = try fields(
            node, entry: entry,
            allowed: [
                "on", "off", "brightness_max", "color_temp_unit", "temperature_key", "open", "close", "lock", "unlock",
            ])
        var mapping = PayloadMapping()
        mapping.on = try string(p, "on") ?? mapping.on
        mapping.off = try string(p, "off") ?? mapping.off
        mapping.open = try string(p, "open") ?? mapping.open
        mapping.close = try string(p, "close") ?? mapping.close
        mapping.lock = try string(p, "lock") ?? mapping.lock
        mapping.unlock = try string(p, "unlock") ?? mapping.unlock
        mapping.temperatureKey = try string(p, "temperature_key") ?? mapping.temperatureKey
        if let max = try number(p, "brightness_max") {
            guard max >= 1, max == max.rounded() else {
                throw badValue(p, "brightness_max", p.values["brightness_max"]!, "expected a whole number ≥ 1")
            }
            mapping.brightnessMax = max
        }
        if let unit = try string(p, "color_temp_unit") {
            guard unit == "mired" || unit == "kelvin" else {
                throw badValue(p, "color_temp_unit", p.values["color_temp_unit"]!, "expected mired or kelvin")
            }
            mapping.colorTempInKelvin = unit == "kelvin"
        }
        return mapping
    }
}
