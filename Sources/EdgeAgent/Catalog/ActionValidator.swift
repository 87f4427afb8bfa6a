/// One publish: the payload goes to a topic that came from the catalog, never from the action.
public struct DeviceCommand: Equatable, Sendable {
    public var device: String
    public var topic: String
    public var payload: [UInt8]

    public var payloadText: String { String(decoding: payload, as: UTF8.self) }
}

/// An action the catalog allows, with what to publish and what was adjusted on the way.
public struct ValidatedAction: Equatable, Sendable {
    public var action: Action
    public var commands: [DeviceCommand]
    /// The devices a `HassGetState` asks about; empty for every other intent.
    public var queried: [String]
    /// Clamping, unit conversion and devices skipped while expanding an area, for the result's `reason`.
    public var notes: [String]
}

/// Turns a proposed action into commands for catalog devices, or refuses it. Device ids, areas and floors are
/// looked up in the catalog; topics and payload spellings come only from there, so nothing the model says can
/// address anything else.
public struct ActionValidator: Sendable {
    public let catalog: Catalog
    /// The devices' last reported states, for relative changes; nil where no state is known (`edge-agent ask`).
    public let states: (any DeviceStateSource)?

    /// How far beyond a range a value is taken as a slip and clamped, as a fraction of the range's width;
    /// further out it is refused as meaningless (105 % → 100 %, 150 % refused).
    public static let clampTolerance = 0.1
    /// The step of "brighter" / "dimmer" when the action gives none, in %.
    public static let defaultBrightnessStep = 10.0
    /// The step of "warmer" / "cooler" when the action gives none, in the device's own unit.
    public static let defaultTemperatureStep = 1.0

    public init(catalog: Catalog, states: (any DeviceStateSource)? = nil) {
        self.catalog = catalog
        self.states = states
    }

    /// `NotACommand` validates to nothing to publish, whatever slots came with it.
    public func validate(_ action: Action) throws(ActionRejection) -> ValidatedAction {
        var result = ValidatedAction(action: action, commands: [], queried: [], notes: [])
        if action.intent == .notACommand { return result }
        if let value = action.value, !value.isFinite { throw .notFinite(intent: action.intent) }
        if let area = action.area, catalog.area(area) == nil { throw .unknownArea(area) }
        if let floor = action.floor, catalog.floor(floor) == nil { throw .unknownFloor(floor) }
        let needed = try capabilities(for: action)

        let (devices, scenes) = try targets(of: action, needing: needed, notes: &result.notes)
        if action.intent == .getState {
            result.queried = devices.map(\.id)
            return result
        }
        for scene in scenes {
            result.commands.append(DeviceCommand(device: scene.id, topic: scene.topic, payload: scene.payload.bytes))
        }
        for device in devices {
            let payload = try payload(for: action, device: device, notes: &result.notes)
            result.commands.append(DeviceCommand(device: device.id, topic: device.topic, payload: payload.bytes))
        }
        return result
    }

    /// What a device must be able to do for the action.
    func capabilities(for action: Action) throws(ActionRejection) -> [Capability] {
        switch action.intent {
        case .turnOn, .turnOff: return [.onOff]
        case .lightSet:
            var needed: [Capability] = []
            if action.value != nil {
                switch action.unit {
                case nil, .percent: needed.append(.brightness)
                case .kelvin: needed.append(.colorTemp)
                case .some(let unit): throw .wrongUnit(intent: action.intent, unit: unit)
                }
            }
            if let color = action.color {
                guard NamedColor.hex(color) != nil else { throw .unknownColor(color) }
                needed.append(.color)
            }
            guard !needed.isEmpty else { throw .missingValue(action.intent) }
            return needed
        case .brightnessUp, .brightnessDown: return [.brightness]
        case .climateSetTemperature, .temperatureUp, .temperatureDown: return [.targetTemperature]
        case .setPosition: return [.position]
        case .openCover, .closeCover: return [.openClose]
        case .lock, .unlock: return [.lock]
        case .getState, .notACommand: return []
        }
    }

    /// Named devices must exist and be able to do it; an area, floor or domain expands to the devices that can.
    func targets(of action: Action, needing needed: [Capability], notes: inout [String]) throws(ActionRejection)
        -> ([Device], [Scene])
    {
        if !action.devices.isEmpty {
            var devices: [Device] = []
            var scenes: [Scene] = []
            for id in action.devices {
                if let device = catalog.device(id) {
                    if let missing = needed.first(where: { !device.has($0) }) {
                        throw .missingCapability(device: id, intent: action.intent, capability: missing)
                    }
                    if !devices.contains(where: { $0.id == id }) { devices.append(device) }
                } else if let scene = catalog.scene(id) {
                    guard action.intent == .turnOn else { throw .sceneCannotDo(scene: id, intent: action.intent) }
                    if !scenes.contains(where: { $0.id == id }) { scenes.append(scene) }
                } else {
                    throw .unknownDevice(id)
                }
            }
            return (devices, scenes)
        }
        var candidates: [Device]
        if let area = action.area {
            candidates = catalog.devices(inArea: area)
        } else if let floor = action.floor {
            candidates = catalog.devices(onFloor: floor)
        } else if action.domain != nil {
            candidates = catalog.devices
        } else {
            throw .noTarget(action.intent)
        }
        if let domain = action.domain { candidates = candidates.filter { $0.type == domain } }
        let able = candidates.filter { device in needed.allSatisfy(device.has) }
        let skipped = candidates.filter { device in !needed.allSatisfy(device.has) }
        if !able.isEmpty, !skipped.isEmpty, action.domain != nil {
            notes.append("skipped \(skipped.map(\.id).joined(separator: ", ")): cannot do \(action.intent.rawValue)")
        }
        guard !able.isEmpty else {
            throw .noMatchingDevices(
                intent: action.intent, area: action.area, floor: action.floor, domain: action.domain)
        }
        return (able, [])
    }

    func payload(for action: Action, device: Device, notes: inout [String]) throws(ActionRejection) -> JSONValue {
        let mapping = device.payload
        switch action.intent {
        case .turnOn: return .object([("state", .string(mapping.on))])
        case .turnOff: return .object([("state", .string(mapping.off))])
        case .openCover: return .object([("state", .string(mapping.open))])
        case .closeCover: return .object([("state", .string(mapping.close))])
        case .lock: return .object([("state", .string(mapping.lock))])
        case .unlock: return .object([("state", .string(mapping.unlock))])
        case .lightSet:
            var members: [(String, JSONValue)] = [("state", .string(mapping.on))]
            if let value = action.value {
                if action.unit == .kelvin, let range = device.colorTemp {
                    let kelvin = try fit(value, range.lowerBound, range.upperBound, "K", device, &notes)
                    let sent = mapping.colorTempInKelvin ? kelvin.rounded() : (1_000_000 / kelvin).rounded()
                    members.append(("color_temp", .number(sent)))
                } else {
                    let percent = try fit(value, 0, 100, "%", device, &notes)
                    if percent == 0 && action.color == nil { return .object([("state", .string(mapping.off))]) }
                    members.append(("brightness", .number((percent * mapping.brightnessMax / 100).rounded())))
                }
            }
            if let color = action.color, let hex = NamedColor.hex(color) {
                members.append(("color", .object([("hex", .string(hex))])))
            }
            return .object(members)
        case .brightnessUp, .brightnessDown:
            if let unit = action.unit, unit != .percent { throw .wrongUnit(intent: action.intent, unit: unit) }
            let step = try fit(action.value ?? Self.defaultBrightnessStep, 1, 100, "%", device, &notes)
            let raw = (step * mapping.brightnessMax / 100).rounded()
            return .object([("brightness_step", .number(action.intent == .brightnessUp ? raw : -raw))])
        case .climateSetTemperature:
            guard let range = device.targetTemperature else {
                throw .missingCapability(device: device.id, intent: action.intent, capability: .targetTemperature)
            }
            guard var value = action.value else { throw .missingValue(action.intent) }
            let given: TemperatureUnit
            switch action.unit {
            case nil: given = range.unit
            case .celsius: given = .celsius
            case .fahrenheit: given = .fahrenheit
            case .some(let unit): throw .wrongUnit(intent: action.intent, unit: unit)
            }
            if given != range.unit {
                let converted = given == .fahrenheit ? (value - 32) * 5 / 9 : value * 9 / 5 + 32
                notes.append(
                    "'\(device.id)': \(JSONValue.format(value)) °\(given.rawValue) is "
                        + "\(JSONValue.format((converted * 100).rounded() / 100)) °\(range.unit.rawValue)")
                value = converted
            }
            let fitted = try fit(value, range.min, range.max, "°" + range.unit.rawValue, device, &notes)
            let stepped = Swift.min(Swift.max((fitted / range.step).rounded() * range.step, range.min), range.max)
            return .object([(mapping.temperatureKey, .number(stepped))])
        case .temperatureUp, .temperatureDown:
            return try relativeSetPoint(for: action, device: device, notes: &notes)
        case .setPosition:
            if let unit = action.unit, unit != .percent { throw .wrongUnit(intent: action.intent, unit: unit) }
            guard let value = action.value else { throw .missingValue(action.intent) }
            return .object([("position", .number(try fit(value, 0, 100, "%", device, &notes).rounded()))])
        case .getState, .notACommand: return .object([])
        }
    }

    /// The last reported set-point moved by the step (given in the device's unit when the action has none), then
    /// fitted to the range and its step like an absolute one.
    func relativeSetPoint(for action: Action, device: Device, notes: inout [String]) throws(ActionRejection)
        -> JSONValue
    {
        guard let range = device.targetTemperature else {
            throw .missingCapability(device: device.id, intent: action.intent, capability: .targetTemperature)
        }
        var step = action.value ?? Self.defaultTemperatureStep
        switch (action.unit, range.unit) {
        case (nil, _), (.celsius, .celsius), (.fahrenheit, .fahrenheit): break
        case (.celsius, .fahrenheit): step *= 9.0 / 5.0
        case (.fahrenheit, .celsius): step *= 5.0 / 9.0
        case (.some(let unit), _): throw .wrongUnit(intent: action.intent, unit: unit)
        }
        guard step.isFinite, step > 0, step <= range.max - range.min else {
            throw .outOfRange(
                device: device.id, value: step, unit: "°" + range.unit.rawValue, min: 0, max: range.max - range.min)
        }
        let key = device.payload.temperatureKey
        guard case .number(let current)? = states?.state(of: device.id)?[key] else {
            throw .unknownCurrentValue(device: device.id, key: key)
        }
        let target = current + (action.intent == .temperatureUp ? step : -step)
        let clamped = Swift.min(Swift.max(target, range.min), range.max)
        if clamped != target {
            notes.append(
                "'\(device.id)': \(JSONValue.format(target)) °\(range.unit.rawValue) clamped to "
                    + "\(JSONValue.format(clamped)) °\(range.unit.rawValue)")
        }
        let stepped = Swift.min(Swift.max((clamped / range.step).rounded() * range.step, range.min), range.max)
        return .object([(key, .number(stepped))])
    }

    /// The value inside `min...max`: as is, clamped with a note when it is a slip, or refused when far out.
    func fit(_ value: Double, _ min: Double, _ max: Double, _ unit: String, _ device: Device, _ notes: inout [String])
        throws(ActionRejection) -> Double
    {
        guard value.isFinite else { throw .outOfRange(device: device.id, value: value, unit: unit, min: min, max: max) }
        if value >= min && value <= max { return value }
        let slack = (max - min) * Self.clampTolerance
        guard value >= min - slack && value <= max + slack else {
            throw .outOfRange(device: device.id, value: value, unit: unit, min: min, max: max)
        }
        let clamped = Swift.min(Swift.max(value, min), max)
        notes.append(
            "'\(device.id)': \(JSONValue.format(value)) \(unit) clamped to \(JSONValue.format(clamped)) \(unit)")
        return clamped
    }
}
