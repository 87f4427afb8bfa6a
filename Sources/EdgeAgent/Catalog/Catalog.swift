/// The home the agent may act on: floors, areas, devices and scenes. Nothing outside it can ever be addressed.
/// Built only by `CatalogLoader`, which validates it; see Board/catalog/home.yaml for the format.
public struct Catalog: Equatable, Sendable {
    /// The catalog of a YAML file, validated.
    public init(contentsOf path: String) throws { self = try CatalogLoader.load(contentsOf: path) }

    public init(yaml: String, file: String = "catalog") throws { self = try CatalogLoader.load(yaml: yaml, file: file) }

    init(floors: [Floor], areas: [Area], devices: [Device], scenes: [Scene]) {
        self.floors = floors
        self.areas = areas
        self.devices = devices
        self.scenes = scenes
    }

    public let floors: [Floor]
    public let areas: [Area]
    public let devices: [Device]
    public let scenes: [Scene]

    public func device(_ id: String) -> Device? { devices.first { $0.id == id } }
    public func area(_ id: String) -> Area? { areas.first { $0.id == id } }
    public func floor(_ id: String) -> Floor? { floors.first { $0.id == id } }
    public func scene(_ id: String) -> Scene? { scenes.first { $0.id == id } }

    /// The areas whose name or an alias is `name`, ignoring case and repeated spaces ("Wohnzimmer" → living_room).
    public func areas(named name: String) -> [Area] {
        let key = CatalogCheck.fold(name)
        return areas.filter { ([$0.name] + $0.aliases).contains { CatalogCheck.fold($0) == key } }
    }

    public func floors(named name: String) -> [Floor] {
        let key = CatalogCheck.fold(name)
        return floors.filter { ([$0.name] + $0.aliases).contains { CatalogCheck.fold($0) == key } }
    }

    /// The devices and scenes called `name`, optionally only those in one area; more than one means "which one?".
    public func targets(named name: String, inArea area: String? = nil) -> [String] {
        let key = CatalogCheck.fold(name)
        let devices = devices.filter { device in
            (area == nil || device.area == area)
                && ([device.name] + device.aliases).contains { CatalogCheck.fold($0) == key }
        }
        let scenes =
            area != nil ? [] : scenes.filter { ([$0.name] + $0.aliases).contains { CatalogCheck.fold($0) == key } }
        return devices.map(\.id) + scenes.map(\.id)
    }

    /// The devices of an area, in catalog order.
    public func devices(inArea area: String) -> [Device] { devices.filter { $0.area == area } }

    /// The devices of every area on a floor, in catalog order.
    public func devices(onFloor floor: String) -> [Device] {
        let areaIDs = Set(areas.filter { $0.floor == floor }.map(\.id))
        return devices.filter { areaIDs.contains($0.area) }
    }
}

public struct Floor: Equatable, Sendable {
    public var id: String
    public var name: String
    public var aliases: [String]
    public var level: Int
}

public struct Area: Equatable, Sendable {
    public var id: String
    public var name: String
    public var aliases: [String]
    /// A floor id, or nil for an area that belongs to no floor (the garden).
    public var floor: String?
}

/// A scene is published verbatim to its topic, as zigbee2mqtt's `{"scene_recall": 1}` to a group.
public struct Scene: Equatable, Sendable {
    public var id: String
    public var name: String
    public var aliases: [String]
    public var topic: String
    public var payload: JSONValue
}

/// Home Assistant's domains for the kinds of device the agent can address.
public enum DeviceType: String, Codable, CaseIterable, Sendable {
    case light
    case `switch`
    case climate
    case cover
    case lock
    case fan
    case sensor
    case mediaPlayer = "media_player"

    /// What a device of this type may be able to do; a catalog entry that claims more is refused.
    public var allowedCapabilities: Set<Capability> {
        switch self {
        case .light: [.onOff, .brightness, .color, .colorTemp]
        case .switch, .mediaPlayer: [.onOff]
        case .fan: [.onOff]
        case .climate: [.onOff, .targetTemperature]
        case .cover: [.openClose, .position]
        case .lock: [.lock]
        case .sensor: []
        }
    }
}

public enum Capability: String, Codable, CaseIterable, Sendable {
    case onOff = "on_off"
    case brightness
    case color
    case colorTemp = "color_temp"
    case targetTemperature = "target_temperature"
    case position
    case openClose = "open_close"
    case lock
}

public enum TemperatureUnit: String, Codable, CaseIterable, Sendable {
    case celsius = "C"
    case fahrenheit = "F"
}

public struct TemperatureRange: Equatable, Sendable {
    public var min: Double
    public var max: Double
    public var step: Double
    public var unit: TemperatureUnit
}

public struct Device: Equatable, Sendable {
    public var id: String
    public var name: String
    public var aliases: [String]
    public var area: String
    public var type: DeviceType
    /// Where commands go (zigbee2mqtt: `zigbee2mqtt/<name>/set`).
    public var topic: String
    /// Where the device reports its state (zigbee2mqtt: `zigbee2mqtt/<name>`), if it does.
    public var stateTopic: String?
    public var capabilities: Set<Capability>
    /// Colour temperature range in kelvin, when the device has `color_temp`.
    public var colorTemp: ClosedRange<Double>?
    /// Set-point range, when the device has `target_temperature`.
    public var targetTemperature: TemperatureRange?
    public var payload: PayloadMapping

    public func has(_ capability: Capability) -> Bool { capabilities.contains(capability) }

    /// The intents this device accepts, from its capabilities; every device can be asked about (`HassGetState`).
    public var intents: [Intent] {
        Intent.allCases.filter { intent in
            switch intent {
            case .turnOn, .turnOff: has(.onOff)
            case .lightSet: has(.brightness) || has(.color) || has(.colorTemp)
            case .brightnessUp, .brightnessDown: has(.brightness)
            case .climateSetTemperature, .temperatureUp, .temperatureDown: has(.targetTemperature)
            case .setPosition: has(.position)
            case .openCover, .closeCover: has(.openClose)
            case .lock, .unlock: has(.lock)
            case .getState: true
            case .notACommand: false
            }
        }
    }
}

/// How a device's commands are spelled. The defaults are zigbee2mqtt's: `{"state":"ON","brightness":0-254}`,
/// `{"color":{"hex":"#RRGGBB"}}`, `{"color_temp":<mired>}`, `{"current_heating_setpoint":21}`, `{"position":40}`,
/// `{"state":"OPEN"}`, `{"state":"LOCK"}`.
public struct PayloadMapping: Equatable, Sendable {
    public var on = "ON"
    public var off = "OFF"
    /// The device's brightness value at 100 %.
    public var brightnessMax: Double = 254
    /// zigbee2mqtt takes colour temperature in mired; some bridges want kelvin.
    public var colorTempInKelvin = false
    public var temperatureKey = "current_heating_setpoint"
    public var open = "OPEN"
    public var close = "CLOSE"
    public var lock = "LOCK"
    public var unlock = "UNLOCK"

    public init() {}
}
