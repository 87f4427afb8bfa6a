/// Checks the model's slots against the words of the command: a device, area, floor, value or colour is kept only
/// when the text supports it — its name or an alias is said (in any order, plurals folded), or it is the one
/// candidate of an area the text names — since a small model readily copies slots from its examples or invents
/// an area. What is dropped is reported, and lowers the confidence.
struct SLMGrounding {
    let catalog: Catalog
    let text: NormalizedText
    let words: Set<String>

    /// Words that name a kind of device, for "the bedroom light" when the bedroom has one light.
    static let typeWords: [DeviceType: Set<String>] = [
        .light: ["light", "lamp", "lighting", "bulb"],
        .cover: ["blind", "shutter", "curtain", "cover", "shade"],
        .climate: ["heating", "thermostat", "heater", "temperature", "heat"],
        .lock: ["lock", "door"],
        .fan: ["fan", "extractor"],
        .switch: ["plug", "switch", "socket"],
        .mediaPlayer: ["tv", "television", "telly"],
    ]
    /// Words that make a target of a whole domain ("all the lights") without an area.
    static let everywhere: Set<String> = ["all", "every", "everything", "everywhere", "whole", "entire"]

    init(catalog: Catalog, text: NormalizedText) {
        self.catalog = catalog
        self.text = text
        var words = Set<String>()
        for token in text.tokens { words.formUnion(Self.words(token.folded)) }
        self.words = words
    }

    /// Lowercase words without diacritics, plural "s" and possessives dropped.
    static func words(_ phrase: String) -> [String] {
        Diacritics.fold(phrase.lowercased()).split { !$0.isLetter && !$0.isNumber }.compactMap { word in
            guard word.count > 1 else { return nil }
            if word.count > 3 && word.hasSuffix("s") && !word.hasSuffix("ss") { return String(word.dropLast()) }
            return String(word)
        }
    }

    /// Every word of `phrase` is in the text.
    func says(_ phrase: String) -> Bool {
        var phraseWords = Self.words(phrase)
        // "the kids fan" names "Kids' room fan".
        if phraseWords.count > 1 { phraseWords.removeAll { $0 == "room" } }
        return !phraseWords.isEmpty && phraseWords.allSatisfy(words.contains)
    }

    func saysAny(_ names: [String]) -> Bool { names.contains(where: says) }

    func namesArea(_ area: Area) -> Bool { saysAny([area.name] + area.aliases) }
    func namesFloor(_ floor: Floor) -> Bool { saysAny([floor.name] + floor.aliases) }

    /// The device is named, or it is the only one that fits in an area the text names (or in the whole catalog).
    func supports(device: Device, intent: Intent) -> Bool {
        if saysAny([device.name] + device.aliases) { return true }
        let able = { (d: Device) in d.intents.contains(intent) }
        let typeSaid = !(Self.typeWords[device.type] ?? []).isDisjoint(with: words)
        if let area = catalog.area(device.area), namesArea(area) {
            let inArea = catalog.devices(inArea: area.id)
            if inArea.filter(able).count == 1 && able(device) && intent != .getState { return true }
            if typeSaid && inArea.filter({ $0.type == device.type }).count == 1 { return true }
        }
        // "lock up": the catalog's only lock.
        if ![.turnOn, .turnOff, .getState].contains(intent), catalog.devices.filter(able).count == 1, able(device) {
            return true
        }
        return typeSaid && catalog.devices.filter({ $0.type == device.type }).count == 1
    }

    func supports(value: Double) -> Bool {
        text.quantities.contains { abs(abs($0.value) - abs(value)) < 0.001 }
    }

    /// The action with unsupported slots removed, and what was removed.
    func ground(_ proposed: Action) -> (action: Action, dropped: [String]) {
        var action = proposed
        var dropped: [String] = []
        if action.intent == .notACommand { return (Action(.notACommand), []) }
        action.devices = proposed.devices.filter { id in
            let kept: Bool
            if let device = catalog.device(id) {
                kept = supports(device: device, intent: proposed.intent)
            } else if let scene = catalog.scene(id) {
                kept = saysAny([scene.name] + scene.aliases)
            } else {
                kept = false
            }
            if !kept { dropped.append("device \(id)") }
            return kept
        }
        if !action.devices.isEmpty {
            // The devices decide the target; an area or floor beside them changes nothing.
            action.area = nil
            action.floor = nil
        }
        if let id = action.area, !(catalog.area(id).map(namesArea) ?? false) {
            dropped.append("area \(id)")
            action.area = nil
        }
        if let id = action.floor, !(catalog.floor(id).map(namesFloor) ?? false) {
            dropped.append("floor \(id)")
            action.floor = nil
        }
        if action.devices.isEmpty && action.area == nil && action.floor == nil && action.domain != nil
            && Self.everywhere.isDisjoint(with: words)
        {
            dropped.append("domain \(action.domain!.rawValue) everywhere")
            action.domain = nil
        }
        if let value = action.value, !supports(value: value) {
            dropped.append("value \(JSONValue.format(value))")
            action.value = nil
            action.unit = nil
        }
        if let color = action.color, !says(color) {
            dropped.append("color \(color)")
            action.color = nil
        }
        return (action, dropped)
    }

    /// The devices the words name outright (a name or alias, all its words said), keeping only those named by the
    /// most words: "the shutters in the bedroom" is the bedroom's shutters, not every shutter.
    func namedDevices() -> [Device] {
        var best: [Device] = []
        var bestCount = 0
        for device in catalog.devices {
            let counts = ([device.name] + device.aliases).filter(says).map { Self.words($0).count }
            guard let count = counts.max() else { continue }
            if count > bestCount {
                best = [device]
                bestCount = count
            } else if count == bestCount {
                best.append(device)
            }
        }
        return best
    }

    /// The one value the words give, with its unit, for an intent that needs one and got none from the model.
    func spokenValue() -> (Double, ValueUnit?)? {
        guard text.quantities.count == 1, let quantity = text.quantities.first else { return nil }
        let unit: ValueUnit?
        switch quantity.unit {
        case .percent: unit = .percent
        case .celsius: unit = .celsius
        case .fahrenheit: unit = .fahrenheit
        case .kelvin: unit = .kelvin
        case .degrees, .number: unit = nil
        }
        return (abs(quantity.value), unit)
    }

    /// The colour the words name, if exactly one.
    func spokenColor() -> String? {
        // Longest names first, so "warm white" wins over "white".
        let said = NamedColor.names.sorted { $0.count > $1.count }.filter(says)
        guard let first = said.first else { return nil }
        return said.allSatisfy { first.contains($0) } ? first : nil
    }

    /// The intent fitted to what the devices can do, where the model's word has a sibling that fits: "set" for a
    /// thermostat is its temperature, for blinds their position.
    static func fit(_ intent: Intent, to devices: [Device]) -> Intent {
        guard !devices.isEmpty, !devices.allSatisfy({ $0.intents.contains(intent) }) else { return intent }
        let siblings: [Intent: [Intent]] = [
            .lightSet: [.climateSetTemperature, .setPosition], .climateSetTemperature: [.lightSet, .setPosition],
            .setPosition: [.lightSet, .climateSetTemperature], .brightnessUp: [.openCover],
            .brightnessDown: [.closeCover], .turnOn: [.openCover, .unlock], .turnOff: [.closeCover, .lock],
            .openCover: [.turnOn], .closeCover: [.turnOff],
        ]
        for sibling in siblings[intent] ?? [] where devices.allSatisfy({ $0.intents.contains(sibling) }) {
            return sibling
        }
        return intent
    }

    /// Words that say which way a change goes, for the intents that come in opposite pairs.
    static let polarity: [(Intent, Set<String>)] = [
        (.turnOn, ["on", "start", "activate", "enable", "an", "ein"]),
        (.turnOff, ["off", "stop", "kill", "deactivate", "disable", "aus"]),
        (.openCover, ["open", "raise"]),
        (.closeCover, ["close", "shut", "lower"]),
        (.lock, ["lock"]),
        (.unlock, ["unlock"]),
        (.brightnessUp, ["brighter", "brighten", "dark", "darker", "increase"]),
        (.brightnessDown, ["dim", "dimmer", "bright", "darken", "decrease", "reduce"]),
    ]
    static let opposite: [Intent: Intent] = [
        .turnOn: .turnOff, .turnOff: .turnOn, .openCover: .closeCover, .closeCover: .openCover, .lock: .unlock,
        .unlock: .lock, .brightnessUp: .brightnessDown, .brightnessDown: .brightnessUp,
    ]

    static let upWords: Set<String> = ["up", "brighter", "brighten", "increase", "raise", "louder"]
    static let downWords: Set<String> = ["down", "dim", "dimmer", "darken", "decrease", "reduce", "lower", "quieter"]

    /// The words move a level up or down and say nothing of on: "dim the mirror light", "turn the TV volume up".
    var saysLevelChangeNotOn: Bool {
        let on = Self.polarity.first { $0.0 == .turnOn }!.1
        // "fire up the coffee maker" is on.
        let phrasalOn = words.contains("up") && !MatcherVerb.phrasalOn.isDisjoint(with: words)
        return on.isDisjoint(with: words) && !phrasalOn
            && !(Self.upWords.isDisjoint(with: words) && Self.downWords.isDisjoint(with: words))
    }

    /// The sentence asks rather than tells: "is the hall light on?".
    var isQuestion: Bool {
        text.isQuestion || text.contentTokens.first.map { MatcherLexicon.questionOpeners.contains($0.folded) } ?? false
    }

    /// The intent the words support: the model's, unless the words say the opposite and not the model's own
    /// ("stop the sprinkler" is never "on"), or ask a question where the model proposes a change.
    func groundIntent(_ intent: Intent, targetsNamed: Bool) -> Intent {
        if isQuestion, intent != .getState, targetsNamed { return .getState }
        guard let other = Self.opposite[intent] else { return intent }
        let own = Self.polarity.first { $0.0 == intent }!.1
        let theirs = Self.polarity.first { $0.0 == other }!.1
        if own.isDisjoint(with: words) && !theirs.isDisjoint(with: words) { return other }
        return intent
    }

    /// Whether the action still says what to act on.
    static func hasTarget(_ action: Action) -> Bool {
        !action.devices.isEmpty || action.area != nil || action.floor != nil || action.domain != nil
    }
}
