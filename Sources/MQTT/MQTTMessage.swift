import CMosquitto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

public struct MQTTUserProperty: Sendable, Equatable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// The MQTT 5 properties this client reads and writes. Under MQTT 3.1.1 they are not sent and arrive empty.
public struct MQTTProperties: Sendable, Equatable {
    public var responseTopic: String?
    public var correlationData: [UInt8]?
    /// Seconds; the broker drops the message when it has waited longer, and sends the remaining time onwards.
    public var messageExpiryInterval: UInt32?
    public var contentType: String?
    public var userProperties: [MQTTUserProperty]

    public init(
        responseTopic: String? = nil, correlationData: [UInt8]? = nil, messageExpiryInterval: UInt32? = nil,
        contentType: String? = nil, userProperties: [MQTTUserProperty] = []
    ) {
        self.responseTopic = responseTopic
        self.correlationData = correlationData
        self.messageExpiryInterval = messageExpiryInterval
        self.contentType = contentType
        self.userProperties = userProperties
    }

    public var isEmpty: Bool { self == MQTTProperties() }
}

/// A message: one received from the broker, or one to publish (also the form of a last will and a birth message).
public struct MQTTMessage: Sendable, Equatable {
    public var topic: String
    public var payload: [UInt8]
    public var qos: MQTTQoS
    public var retain: Bool
    public var properties: MQTTProperties

    public init(
        topic: String, payload: [UInt8], qos: MQTTQoS = .atMostOnce, retain: Bool = false,
        properties: MQTTProperties = MQTTProperties()
    ) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.properties = properties
    }

    public init(
        topic: String, text: String, qos: MQTTQoS = .atMostOnce, retain: Bool = false,
        properties: MQTTProperties = MQTTProperties()
    ) {
        self.init(topic: topic, payload: Array(text.utf8), qos: qos, retain: retain, properties: properties)
    }

    /// The payload as UTF-8 text, nil if it is not valid UTF-8.
    public var text: String? { String(validating: payload, as: UTF8.self) }
}

/// A message to publish: the same value as a received one.
public typealias MQTTOutgoingMessage = MQTTMessage

/// A subscription the client keeps across reconnections.
public struct MQTTSubscription: Sendable, Equatable, Hashable {
    public var topicFilter: String
    public var qos: MQTTQoS

    public init(_ topicFilter: String, qos: MQTTQoS = .atMostOnce) {
        self.topicFilter = topicFilter
        self.qos = qos
    }
}

// MARK: - libmosquitto property lists

/// A libmosquitto property list built from `MQTTProperties`; the caller frees it (or hands it to a call that takes
/// ownership, as `mosquitto_will_set_v5` does on success).
func makePropertyList(_ properties: MQTTProperties, operation: String) throws(MQTTError) -> OpaquePointer? {
    var list: OpaquePointer? = nil
    do throws(MQTTError) {
        if let topic = properties.responseTopic {
            try mosquittoCall(operation) {
                mosquitto_property_add_string(&list, Int32(MQTT_PROP_RESPONSE_TOPIC.rawValue), topic)
            }
        }
        if let data = properties.correlationData {
            guard data.count <= Int(UInt16.max) else {
                throw MQTTError.library(operation, code: MOSQ_ERR_INVAL.rawValue)
            }
            try mosquittoCall(operation) {
                data.withUnsafeBytes {
                    mosquitto_property_add_binary(
                        &list, Int32(MQTT_PROP_CORRELATION_DATA.rawValue), $0.baseAddress, UInt16(data.count))
                }
            }
        }
        if let expiry = properties.messageExpiryInterval {
            try mosquittoCall(operation) {
                mosquitto_property_add_int32(&list, Int32(MQTT_PROP_MESSAGE_EXPIRY_INTERVAL.rawValue), expiry)
            }
        }
        if let type = properties.contentType {
            try mosquittoCall(operation) {
                mosquitto_property_add_string(&list, Int32(MQTT_PROP_CONTENT_TYPE.rawValue), type)
            }
        }
        for property in properties.userProperties {
            try mosquittoCall(operation) {
                mosquitto_property_add_string_pair(
                    &list, Int32(MQTT_PROP_USER_PROPERTY.rawValue), property.name, property.value)
            }
        }
    } catch {
        mosquitto_property_free_all(&list)
        throw error
    }
    return list
}

/// Reads the properties this client knows from a libmosquitto property list (others are ignored).
func readPropertyList(_ list: OpaquePointer?) -> MQTTProperties {
    var properties = MQTTProperties()
    guard list != nil else { return properties }
    var text: UnsafeMutablePointer<CChar>? = nil
    if mosquitto_property_read_string(list, Int32(MQTT_PROP_RESPONSE_TOPIC.rawValue), &text, false) != nil,
        let text
    {
        properties.responseTopic = String(cString: text)
        free(text)
    }
    var binary: UnsafeMutableRawPointer? = nil
    var length: UInt16 = 0
    if mosquitto_property_read_binary(list, Int32(MQTT_PROP_CORRELATION_DATA.rawValue), &binary, &length, false)
        != nil
    {
        properties.correlationData =
            binary.map { Array(UnsafeRawBufferPointer(start: $0, count: Int(length))) } ?? []
        free(binary)
    }
    var expiry: UInt32 = 0
    if mosquitto_property_read_int32(list, Int32(MQTT_PROP_MESSAGE_EXPIRY_INTERVAL.rawValue), &expiry, false) != nil {
        properties.messageExpiryInterval = expiry
    }
    text = nil
    if mosquitto_property_read_string(list, Int32(MQTT_PROP_CONTENT_TYPE.rawValue), &text, false) != nil, let text {
        properties.contentType = String(cString: text)
        free(text)
    }
    // User properties repeat: read the first, then continue from the one after each found.
    var name: UnsafeMutablePointer<CChar>? = nil
    var value: UnsafeMutablePointer<CChar>? = nil
    var found = mosquitto_property_read_string_pair(
        list, Int32(MQTT_PROP_USER_PROPERTY.rawValue), &name, &value, false)
    while let property = found {
        if let name, let value {
            properties.userProperties.append(MQTTUserProperty(String(cString: name), String(cString: value)))
        }
        free(name)
        free(value)
        name = nil
        value = nil
        found = mosquitto_property_read_string_pair(
            property, Int32(MQTT_PROP_USER_PROPERTY.rawValue), &name, &value, true)
    }
    return properties
}
