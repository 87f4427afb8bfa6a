/// Why an action was refused; each case names the device, area, value or slot at fault.
public enum ActionRejection: Error, CustomStringConvertible, Equatable {
    case unknownDevice(String)
    case unknownArea(String)
    case unknownFloor(String)
    case noTarget(Intent)
    case noMatchingDevices(intent: Intent, area: String?, floor: String?, domain: DeviceType?)
    case missingCapability(device: String, intent: Intent, capability: Capability)
    case missingValue(Intent)
    case notFinite(intent: Intent)
    case outOfRange(device: String, value: Double, unit: String, min: Double, max: Double)
    case unknownColor(String)
    case wrongUnit(intent: Intent, unit: ValueUnit)
    case sceneCannotDo(scene: String, intent: Intent)
    /// A relative change needs the device's current value, and none has arrived on its state topic.
    case unknownCurrentValue(device: String, key: String)

    public var description: String {
        switch self {
        case .unknownDevice(let id): "no device or scene '\(id)' in the catalog"
        case .unknownArea(let id): "no area '\(id)' in the catalog"
        case .unknownFloor(let id): "no floor '\(id)' in the catalog"
        case .noTarget(let intent): "\(intent.rawValue) names no device, area or floor"
        case .noMatchingDevices(let intent, let area, let floor, let domain):
            "no \(domain?.rawValue ?? "device") "
                + (area.map { "in the area '\($0)'" } ?? floor.map { "on the floor '\($0)'" } ?? "")
                + " can do \(intent.rawValue)"
        case .missingCapability(let device, let intent, let capability):
            "'\(device)' cannot do \(intent.rawValue): it has no \(capability.rawValue)"
        case .missingValue(let intent): "\(intent.rawValue) needs a value"
        case .notFinite(let intent): "\(intent.rawValue) has a value that is not a finite number"
        case .outOfRange(let device, let value, let unit, let min, let max):
            "\(JSONValue.format(value)) \(unit) is outside \(JSONValue.format(min))–\(JSONValue.format(max)) \(unit) "
                + "for '\(device)'"
        case .unknownColor(let color): "unknown colour '\(color)'"
        case .wrongUnit(let intent, let unit): "\(intent.rawValue) does not take a value in \(unit.rawValue)"
        case .sceneCannotDo(let scene, let intent): "the scene '\(scene)' can only be turned on, not \(intent.rawValue)"
        case .unknownCurrentValue(let device, let key):
            "the current '\(key)' of '\(device)' is unknown (nothing received on its state topic yet)"
        }
    }
}
