import Synchronization

/// The last state each catalog device reported on its `state_topic` (zigbee2mqtt publishes the whole state as a
/// JSON object there). Written by the agent's MQTT side, read by the inference worker: thread-safe.
public final class DeviceStates: DeviceStateSource {
    private let states = Mutex<[String: JSONValue]>([:])
    /// State topic → the devices that report on it (usually one).
    private let devicesByTopic: [String: [String]]

    public init(catalog: Catalog) {
        var byTopic: [String: [String]] = [:]
        for device in catalog.devices {
            if let topic = device.stateTopic { byTopic[topic, default: []].append(device.id) }
        }
        devicesByTopic = byTopic
    }

    /// The topics to subscribe to.
    public var topics: [String] { devicesByTopic.keys.sorted() }

    public func devices(reportingOn topic: String) -> [String] { devicesByTopic[topic] ?? [] }

    public func state(of device: String) -> JSONValue? { states.withLock { $0[device] } }

    public func update(_ device: String, to state: JSONValue) { states.withLock { $0[device] = state } }

    /// A state message: a JSON object is kept whole; a bare value (`ON`, `21.5`) is kept as `{"state": value}`.
    /// Returns the devices updated; none when `topic` is not a state topic.
    @discardableResult
    public func record(topic: String, payload: String) -> [String] {
        let devices = devices(reportingOn: topic)
        guard !devices.isEmpty else { return [] }
        let value: JSONValue
        switch JSONValue(parsing: Array(payload.utf8)) {
        case .object(let members)?: value = .object(members)
        case let scalar?: value = .object([("state", scalar)])
        case nil: value = .object([("state", .string(payload.trimmedWhitespace))])
        }
        states.withLock { states in
            for device in devices { states[device] = value }
        }
        return devices
    }

    /// `{"device": state or "unknown", …}` for the devices asked about, in the order asked.
    public func report(for devices: [String]) -> JSONValue {
        .object(devices.map { ($0, state(of: $0) ?? .string("unknown")) })
    }
}
