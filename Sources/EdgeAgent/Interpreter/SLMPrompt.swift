import SLM

/// The model's prompt for one catalog: a system message naming what exists (devices with their area, areas,
/// floors, scenes) and a few examples as earlier turns. Everything here is evaluated once and kept as the prefix
/// of the KV cache; a command adds only its own turn.
///
/// The examples are written from the catalog itself, each about a different area and intent, so they teach the
/// answer's form without teaching a favourite area or device (DESIGN: a naive prompt's model copies its examples'
/// slots); two are not device commands and one is a question, because those are answers too.
public struct SLMPrompt: Sendable, Equatable {
    public var system: String
    public var examples: [(command: String, answer: String)]

    public static func == (a: SLMPrompt, b: SLMPrompt) -> Bool {
        a.system == b.system && a.examples.map(\.command) == b.examples.map(\.command)
            && a.examples.map(\.answer) == b.examples.map(\.answer)
    }

    public init(catalog: Catalog) {
        var lines = [
            "You turn one smart-home command into one JSON action. Use only these ids.",
            "Devices (id: name, area):",
        ]
        for device in catalog.devices {
            var names = device.name
            if let alias = device.aliases.first(where: { $0.allSatisfy(\.isASCII) }) { names += " / " + alias }
            lines.append("\(device.id): \(names), \(device.area)")
        }
        if !catalog.scenes.isEmpty {
            lines.append("Scenes: " + catalog.scenes.map { "\($0.id) (\($0.name))" }.joined(separator: ", "))
        }
        lines.append("Areas: " + catalog.areas.map(\.id).joined(separator: ", "))
        if !catalog.floors.isEmpty {
            lines.append(
                "Floors: "
                    + catalog.floors.map { floor in
                        "\(floor.id) (\(([floor.name] + floor.aliases.prefix(1)).joined(separator: ", ").lowercased()))"
                    }.joined(separator: ", "))
        }
        lines += [
            "Intents: HassTurnOn, HassTurnOff, HassLightSet (brightness % or color), HassLightBrightnessUp, "
                + "HassLightBrightnessDown, HassClimateSetTemperature, HassSetPosition, HassOpenCover, "
                + "HassCloseCover, HassLock, HassUnlock, HassGetState (a question about a device), "
                + "NotACommand (anything that is not for a device).",
            "Give a device, area or value only when the command says it.",
        ]
        system = lines.joined(separator: "\n")
        examples = Self.examples(for: catalog)
    }

    /// The examples: one per kind of request the catalog can serve, each on a different area when it can be.
    static func examples(for catalog: Catalog) -> [(command: String, answer: String)] {
        var examples: [(String, String)] = []
        var usedAreas = Set<String>()
        var usedDevices = Set<String>()
        func pick(_ test: (Device) -> Bool) -> Device? {
            let able = catalog.devices.filter { test($0) && !usedDevices.contains($0.id) }
            let device = able.first { !usedAreas.contains($0.area) } ?? able.first
            if let device {
                usedAreas.insert(device.area)
                usedDevices.insert(device.id)
            }
            return device
        }
        func name(_ device: Device) -> String { device.name.lowercased() }
        func answer(_ members: [(String, JSONValue)]) -> String { JSONValue.object(members).text }
        func ids(_ device: Device) -> (String, JSONValue) { ("devices", .array([.string(device.id)])) }

        if let d = pick({ $0.has(.brightness) }) {
            examples.append(
                ("dim the \(name(d)) to 40%",
                    answer([("intent", .string("HassLightSet")), ids(d), ("value", .number(40)), ("unit", .string("percent"))])))
        }
        examples.append(("tell me a joke", answer([("intent", .string("NotACommand"))])))
        if let d = pick({ $0.has(.openClose) }) {
            examples.append(("close the \(name(d))", answer([("intent", .string("HassCloseCover")), ids(d)])))
        }
        if let area = catalog.areas.first(where: { area in
            !usedAreas.contains(area.id) && catalog.devices(inArea: area.id).filter { $0.type == .light }.count > 1
        }) {
            usedAreas.insert(area.id)
            examples.append(
                ("switch off the lights in the \(area.name.lowercased())",
                    answer([("intent", .string("HassTurnOff")), ("area", .string(area.id)), ("domain", .string("light"))])))
        }
        if let d = pick({ $0.has(.targetTemperature) }), let range = d.targetTemperature {
            let value = ((range.min + range.max) / 2).rounded()
            examples.append(
                ("set the \(name(d)) to \(JSONValue.format(value)) degrees",
                    answer([
                        ("intent", .string("HassClimateSetTemperature")), ids(d), ("value", .number(value)),
                        ("unit", .string(range.unit == .celsius ? "celsius" : "fahrenheit")),
                    ])))
        }
        if let d = pick({ $0.stateTopic != nil && $0.has(.onOff) }) {
            examples.append(("is the \(name(d)) on?", answer([("intent", .string("HassGetState")), ids(d)])))
        }
        if let d = pick({ $0.has(.onOff) && $0.type != .light }) {
            examples.append(("could you turn on the \(name(d))", answer([("intent", .string("HassTurnOn")), ids(d)])))
        }
        examples.append(("what's the weather like tomorrow?", answer([("intent", .string("NotACommand"))])))
        if let d = pick({ $0.has(.color) }) {
            examples.append(
                ("make the \(name(d)) red", answer([("intent", .string("HassLightSet")), ids(d), ("color", .string("red"))])))
        }
        if let d = pick({ $0.has(.lock) }) {
            examples.append(("lock the \(name(d))", answer([("intent", .string("HassLock")), ids(d)])))
        }
        if let floor = catalog.floors.last {
            examples.append(
                ("turn off everything \(floor.name.lowercased())",
                    answer([("intent", .string("HassTurnOff")), ("floor", .string(floor.id))])))
        }
        if let d = pick({ $0.has(.brightness) }) {
            examples.append(
                ("the \(name(d)) is too dark", answer([("intent", .string("HassLightBrightnessUp")), ids(d)])))
        }
        return examples
    }

    /// The prefix kept in the KV cache: the system message and the examples as earlier turns.
    public func prefixMessages() -> [ChatMessage] {
        var messages = [ChatMessage.system(system)]
        for example in examples { messages += [.user(example.command), .assistant(example.answer)] }
        return messages
    }
}
