#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The JSON the model writes, which is an `Action` in the model's own words: the target first (so the intent is
/// chosen knowing what kind of device it is for), and intents as the plain words a command uses ("off", "open",
/// "question") rather than Home Assistant's names, which a 135M model maps poorly. The model writes no value,
/// unit or colour: those must be in the words to be kept at all, so they are read from the words (the
/// normaliser's quantities, the catalog's colour names), and the model's answer ends with its intent — two to
/// four fewer decoding steps a command.
///
///     {"devices":["bedroom_lamp"],"intent":"set"}
struct SLMAnswer: Codable, Equatable {
    var devices: [String]?
    var area: String?
    var floor: String?
    var domain: String?
    var intent: String
    var value: Double?
    var color: String?

    /// The model's word for each intent, in the order the prompt lists them. Each starts with a different
    /// token, so the first token the model picks decides the intent (with "set_light" and "set_position", a
    /// greedy pick of "set" would pool their probability and then choose between them blind).
    static let intentWords: [(Intent, String)] = [
        (.turnOn, "on"), (.turnOff, "off"), (.lightSet, "set"), (.brightnessUp, "brighter"),
        (.brightnessDown, "dimmer"), (.climateSetTemperature, "temperature"), (.setPosition, "position"),
        (.openCover, "open"), (.closeCover, "close"), (.lock, "lock"), (.unlock, "unlock"), (.getState, "question"),
        (.notACommand, "none"),
    ]

    static func word(for intent: Intent) -> String { intentWords.first { $0.0 == intent }!.1 }
    static func intent(for word: String) -> Intent? { intentWords.first { $0.1 == word }?.0 }

    init(_ action: Action) {
        devices = action.devices.isEmpty ? nil : action.devices
        area = action.area
        floor = action.floor
        domain = action.domain?.rawValue
        intent = Self.word(for: action.intent)
        value = action.value
        color = action.color
    }

    /// The action, with the unit taken from the words of the command, else the one the intent implies.
    func action(quantities: [NormalizedText.Quantity]) -> Action? {
        guard let intent = Self.intent(for: intent) else { return nil }
        var unit: ValueUnit?
        if let value {
            switch quantities.first(where: { abs(abs($0.value) - abs(value)) < 0.001 })?.unit {
            case .percent?: unit = .percent
            case .celsius?: unit = .celsius
            case .fahrenheit?: unit = .fahrenheit
            case .kelvin?: unit = .kelvin
            case .degrees?, .number?, nil:
                switch intent {
                case .lightSet, .setPosition, .brightnessUp, .brightnessDown: unit = .percent
                default: unit = nil
                }
            }
        }
        return Action(
            intent, devices: devices ?? [], area: area, floor: floor, domain: domain.flatMap(DeviceType.init(rawValue:)),
            value: value, unit: unit, color: color)
    }

    /// Compact JSON in the schema's key order, as the examples show it.
    var text: String {
        var members: [(String, JSONValue)] = []
        if let devices { members.append(("devices", .array(devices.map(JSONValue.string)))) }
        if let area { members.append(("area", .string(area))) }
        if let floor { members.append(("floor", .string(floor))) }
        if let domain { members.append(("domain", .string(domain))) }
        members.append(("intent", .string(intent)))
        if let value { members.append(("value", .number(value))) }
        if let color { members.append(("color", .string(color))) }
        return JSONValue.object(members).text
    }

    /// The schema of the model's answer for `catalog`: the catalog's enums (`CatalogSchema`), with at most three
    /// devices, the target first and the intents in the model's words.
    static func schema(for catalog: Catalog) -> JSONValue {
        let catalogSchema = CatalogSchema.schema(for: catalog)
        guard case .object(let properties)? = catalogSchema["properties"] else { return catalogSchema }
        func property(_ key: String) -> JSONValue { properties.first { $0.0 == key }!.1 }
        let intents = JSONValue.object([
            ("type", .string("string")), ("enum", .array(intentWords.map { .string($0.1) })),
        ])
        let devices = property("devices").setting("minItems", .number(1)).setting("maxItems", .number(3))
        return .object([
            ("type", .string("object")),
            (
                "properties",
                .object([
                    ("devices", devices), ("area", property("area")), ("floor", property("floor")),
                    ("domain", property("domain")), ("intent", intents),
                ])
            ),
            ("required", .array([.string("intent")])),
            ("additionalProperties", .bool(false)),
        ])
    }
}
