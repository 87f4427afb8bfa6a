/// Reading JSON into a `JSONValue`: device states from a state topic or a fixture file. Members keep the order the
/// decoder reports them in, which JSON does not define.
extension JSONValue: Decodable {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        if let object = try? decoder.container(keyedBy: Key.self) {
            self = .object(try object.allKeys.map { ($0.stringValue, try object.decode(JSONValue.self, forKey: $0)) })
            return
        }
        if var array = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !array.isAtEnd { items.append(try array.decode(JSONValue.self)) }
            self = .array(items)
            return
        }
        let value = try decoder.singleValueContainer()
        if value.decodeNil() {
            self = .null
        } else if let bool = try? value.decode(Bool.self) {
            self = .bool(bool)
        } else if let number = try? value.decode(Double.self) {
            self = .number(number)
        } else {
            self = .string(try value.decode(String.self))
        }
    }
}

/// Device states fixed at one moment: a file `{"<device id>": <its state JSON>, …}` for `edge-agent ask` and
/// `eval`, or a table in tests.
public struct DeviceStateSnapshot: DeviceStateSource {
    public var states: [String: JSONValue]

    public init(_ states: [String: JSONValue]) { self.states = states }

    public func state(of device: String) -> JSONValue? { states[device] }
}
