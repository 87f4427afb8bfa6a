import MQTT

enum MQTTMessageFixture {
    static func text(_ topic: String, _ text: String, properties: MQTTProperties = MQTTProperties()) -> MQTTMessage {
        MQTTMessage(topic: topic, text: text, properties: properties)
    }
}
