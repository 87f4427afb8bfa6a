/// Home Assistant's intent names (https://developers.home-assistant.io/docs/intent_builtin), so a user can map an
/// action 1:1 onto Assist. Where Assist folds a case into HassTurnOn/Off (locks, covers) or has no intent (relative
/// brightness and set-point), the name is ours in the same style. `NotACommand` is the first-class answer for chit-chat and
/// requests that are not for a device.
public enum Intent: String, Codable, CaseIterable, Sendable {
    case turnOn = "HassTurnOn"
    case turnOff = "HassTurnOff"
    case lightSet = "HassLightSet"
    case brightnessUp = "HassLightBrightnessUp"
    case brightnessDown = "HassLightBrightnessDown"
    case climateSetTemperature = "HassClimateSetTemperature"
    /// Relative set-point ("warmer", "it's too cold in the bedroom"): the step in degrees, from the last known one.
    case temperatureUp = "HassClimateTemperatureUp"
    case temperatureDown = "HassClimateTemperatureDown"
    case setPosition = "HassSetPosition"
    case openCover = "HassOpenCover"
    case closeCover = "HassCloseCover"
    case lock = "HassLock"
    case unlock = "HassUnlock"
    case getState = "HassGetState"
    case notACommand = "NotACommand"
}

public enum ValueUnit: String, Codable, CaseIterable, Sendable {
    case percent
    case celsius
    case fahrenheit
    case kelvin
}

/// One intent with its slots, as the matcher, the model or the cloud proposes it. It addresses nothing until
/// `ActionValidator` has turned it into `DeviceCommand`s.
///
/// JSON: `{"intent":"HassLightSet","devices":["bedroom_lamp"],"area":"bedroom","floor":"upstairs",
/// "domain":"light","value":30,"unit":"percent","color":"red"}`, every slot but `intent` optional.
public struct Action: Codable, Equatable, Sendable {
    public var intent: Intent
    /// Device or scene ids; empty when the action names an area or floor instead.
    public var devices: [String]
    public var area: String?
    public var floor: String?
    /// Narrows an area or floor to one kind of device: "the kitchen lights" is area kitchen, domain light.
    public var domain: DeviceType?
    /// Brightness or position in %, a set-point, a colour temperature in kelvin, or a relative step in %.
    public var value: Double?
    public var unit: ValueUnit?
    /// A named colour ("warm white", "red") or `#RRGGBB`.
    public var color: String?

    public init(
        _ intent: Intent, devices: [String] = [], area: String? = nil, floor: String? = nil, domain: DeviceType? = nil,
        value: Double? = nil, unit: ValueUnit? = nil, color: String? = nil
    ) {
        self.intent = intent
        self.devices = devices
        self.area = area
        self.floor = floor
        self.domain = domain
        self.value = value
        self.unit = unit
        self.color = color
    }

    enum CodingKeys: String, CodingKey { case intent, devices, area, floor, domain, value, unit, color }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        intent = try c.decode(Intent.self, forKey: .intent)
        devices = try c.decodeIfPresent([String].self, forKey: .devices) ?? []
        area = try c.decodeIfPresent(String.self, forKey: .area)
        floor = try c.decodeIfPresent(String.self, forKey: .floor)
        domain = try c.decodeIfPresent(DeviceType.self, forKey: .domain)
        value = try c.decodeIfPresent(Double.self, forKey: .value)
        unit = try c.decodeIfPresent(ValueUnit.self, forKey: .unit)
        color = try c.decodeIfPresent(String.self, forKey: .color)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(intent, forKey: .intent)
        if !devices.isEmpty { try c.encode(devices, forKey: .devices) }
        try c.encodeIfPresent(area, forKey: .area)
        try c.encodeIfPresent(floor, forKey: .floor)
        try c.encodeIfPresent(domain, forKey: .domain)
        try c.encodeIfPresent(value, forKey: .value)
        try c.encodeIfPresent(unit, forKey: .unit)
        try c.encodeIfPresent(color, forKey: .color)
    }
}
