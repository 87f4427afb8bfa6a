import SLM

/// The model's prompt for one catalog: instructions naming what exists (devices with their area, areas, floors,
/// scenes) and a few examples, written as a chat's system message and earlier turns or as a completion document
/// (`SLMPromptFormat`). Everything here is evaluated once and kept as the prefix of the KV cache; a command adds
/// only its own turn.
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
            "Intents: " + SLMAnswer.intentWords.map(\.1).joined(separator: ", ")
                + " (set: brightness % or colour; question: asking about a device; none: not for a device).",
            "Give a device, area or value only when the command says it.",
        ]
        system = lines.joined(separator: "\n")
        examples = Self.examples(for: catalog)
    }

    /// The examples: one per kind of request the catalog can serve, each on a different area when it can be,
    /// with the two that are not device commands and the question spread among them.
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
        func add(_ command: String, _ action: Action) {
            var answer = SLMAnswer(action)
            answer.value = nil
            answer.color = nil
            examples.append((command, answer.text))
        }

        if let d = pick({ $0.has(.brightness) }) {
            add("dim the \(name(d)) to 40%", Action(.lightSet, devices: [d.id], value: 40))
        }
        add("tell me a joke", Action(.notACommand))
        if let d = pick({ $0.has(.openClose) }) { add("close the \(name(d))", Action(.closeCover, devices: [d.id])) }
        if let area = catalog.areas.first(where: { area in
            !usedAreas.contains(area.id) && catalog.devices(inArea: area.id).filter { $0.type == .light }.count > 1
        }) {
            usedAreas.insert(area.id)
            add("switch off the lights in the \(area.name.lowercased())", Action(.turnOff, area: area.id, domain: .light))
        }
        if let d = pick({ $0.stateTopic != nil && $0.has(.onOff) }) {
            add("is the \(name(d)) on?", Action(.getState, devices: [d.id]))
        }
        if let d = pick({ $0.has(.targetTemperature) }), let range = d.targetTemperature {
            let value = ((range.min + range.max) / 2).rounded()
            add("set the \(name(d)) to \(JSONValue.format(value)) degrees",
                Action(.climateSetTemperature, devices: [d.id], value: value))
        }
        if let d = pick({ $0.has(.onOff) && $0.type != .light }) {
            add("could you turn on the \(name(d))", Action(.turnOn, devices: [d.id]))
        }
        if let d = pick({ $0.has(.brightness) }) {
            add("the \(name(d)) is too dark", Action(.brightnessUp, devices: [d.id]))
        }
        if let d = pick({ $0.has(.lock) }) { add("unlock the \(name(d))", Action(.unlock, devices: [d.id])) }
        add("what's the weather like tomorrow?", Action(.notACommand))
        if let d = pick({ $0.has(.color) }) { add("make the \(name(d)) red", Action(.lightSet, devices: [d.id], color: "red")) }
        if let d = pick({ $0.has(.position) }) {
            add("open the \(name(d)) to 70 percent", Action(.setPosition, devices: [d.id], value: 70))
        }
        if let d = pick({ $0.has(.onOff) && $0.type == .light }) {
            add("switch the \(name(d)) off", Action(.turnOff, devices: [d.id]))
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
