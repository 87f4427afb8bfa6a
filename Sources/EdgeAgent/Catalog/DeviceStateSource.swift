/// Where the validator learns a device's last reported state (the JSON of its `state_topic`), for changes that are
/// relative to it ("two degrees warmer"). The agent keeps one fed from MQTT; `edge-agent ask` has none.
public protocol DeviceStateSource: Sendable {
    func state(of device: String) -> JSONValue?
}
