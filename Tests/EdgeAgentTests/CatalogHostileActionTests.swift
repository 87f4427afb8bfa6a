import Foundation
import XCTest

@testable import EdgeAgent

/// Nothing outside the catalog can be addressed: unknown or injected ids, non-finite and huge values, wrong JSON
/// types, and a few thousand random actions whose every command must go to a catalog topic.
final class CatalogHostileActionTests: XCTestCase {
    var catalog: Catalog!
    var validator: ActionValidator!

    override func setUpWithError() throws {
        catalog = try CatalogLoaderTests.sample()
        validator = ActionValidator(catalog: catalog)
    }

    static let hostileIDs = [
        "zigbee2mqtt/#", "#", "+", "zigbee2mqtt/+/set", "zigbee2mqtt/living_room_lamp/set", "living_room_lamp/set",
        "$SYS/broker/clients", "", " ", "living_room_lamp ", "LIVING_ROOM_LAMP", "Living room lamp", "Wohnzimmerlampe",
        "../living_room_lamp", "living_room_lamp\0", "living_room_lamp\",\"topic\":\"x", "*", "all", "oven",
    ]

    func testUnknownAndInjectedIDsAreRefused() {
        for id in Self.hostileIDs {
            for intent in Intent.allCases where intent != .notACommand {
                XCTAssertThrowsError(try validator.validate(Action(intent, devices: [id]))) { error in
                    guard intent != .lightSet, intent != .climateSetTemperature, intent != .setPosition else { return }
                    XCTAssertEqual(error as? ActionRejection, .unknownDevice(id), "\(intent) \(id)")
                }
                // A good id beside a bad one does not let the bad one through, nor half the action.
                XCTAssertThrowsError(
                    try validator.validate(Action(intent, devices: ["living_room_lamp", id], value: 50)))
                XCTAssertThrowsError(try validator.validate(Action(intent, area: id)))
                XCTAssertThrowsError(try validator.validate(Action(intent, floor: id)))
            }
            XCTAssertEqual(rejection(Action(.turnOn, area: id, domain: .light)), .unknownArea(id))
            XCTAssertEqual(rejection(Action(.turnOn, floor: id, domain: .light)), .unknownFloor(id))
        }
    }

    func testNonFiniteAndHugeValuesAreRefused() {
        let values = [
            Double.nan, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e300, -1e9,
            1e9, Double.signalingNaN,
        ]
        let targets: [(Intent, String, ValueUnit?)] = [
            (.lightSet, "bedroom_lamp", nil), (.lightSet, "bedroom_lamp", .percent),
            (.lightSet, "bedroom_lamp", .kelvin),
            (.brightnessUp, "bedroom_lamp", nil), (.brightnessDown, "bedroom_lamp", .percent),
            (.climateSetTemperature, "downstairs_thermostat", nil),
            (.climateSetTemperature, "downstairs_thermostat", .celsius),
            (.climateSetTemperature, "downstairs_thermostat", .fahrenheit),
            (.setPosition, "living_room_blinds", nil), (.turnOn, "bedroom_lamp", nil),
        ]
        for value in values {
            for (intent, device, unit) in targets {
                let action = Action(intent, devices: [device], value: value, unit: unit)
                if value.isFinite && intent == .turnOn {
                    XCTAssertNoThrow(try validator.validate(action))  // a value means nothing to "turn on"
                    continue
                }
                XCTAssertThrowsError(try validator.validate(action), "\(intent) \(device) \(value)") { error in
                    if !value.isFinite { XCTAssertEqual(error as? ActionRejection, .notFinite(intent: intent)) }
                }
            }
        }
    }

    func testWrongJSONTypesAndUnknownNamesDoNotDecode() {
        let bad = [
            #"{"devices":["living_room_lamp"]}"#,
            #"{"intent":"HassSelfDestruct","devices":["living_room_lamp"]}"#,
            #"{"intent":"hassturnon","devices":["living_room_lamp"]}"#,
            #"{"intent":"HassTurnOn","devices":"living_room_lamp"}"#,
            #"{"intent":"HassTurnOn","devices":[1]}"#,
            #"{"intent":"HassTurnOn","devices":[null]}"#,
            #"{"intent":"HassLightSet","devices":["bedroom_lamp"],"value":"50"}"#,
            #"{"intent":"HassLightSet","devices":["bedroom_lamp"],"value":[50]}"#,
            #"{"intent":"HassLightSet","devices":["bedroom_lamp"],"value":50,"unit":"rankine"}"#,
            #"{"intent":"HassTurnOn","domain":"oven"}"#,
            #"{"intent":"HassTurnOn","area":["kitchen"]}"#,
            #"{"intent":"HassLightSet","devices":["bedroom_lamp"],"color":255}"#,
            #"{"intent":"HassLightSet","devices":["bedroom_lamp"],"value":1e999}"#,
            #"["HassTurnOn"]"#,
        ]
        for text in bad {
            XCTAssertThrowsError(try JSONDecoder().decode(Action.self, from: Data(text.utf8)), text)
        }
    }

    /// Random actions from catalog ids, hostile ids and wild values: whatever passes publishes only to the topic the
    /// catalog gives its device, and only to devices the action named or that lie in the area/floor it named.
    func testRandomActionsOnlyEverReachCatalogTopics() throws {
        var random = CatalogTestRandom(seed: 0x5eed)
        let ids = catalog.devices.map(\.id) + catalog.scenes.map(\.id) + Self.hostileIDs
        let areas = catalog.areas.map(\.id) + ["zigbee2mqtt/#", "cellar", ""]
        let floors = catalog.floors.map(\.id) + ["attic", "#"]
        let values: [Double?] = [nil, 0, 30, 50, 100, 105, 150, -5, 21, 70, 2700, .nan, .infinity, 1e308, -0.0]
        let colours: [String?] = [nil, "red", "#00FF00", "octarine", "#zzzzzz"]
        let topics = Dictionary(
            uniqueKeysWithValues: catalog.devices.map { ($0.id, $0.topic) } + catalog.scenes.map { ($0.id, $0.topic) })
        var accepted = 0
        for _ in 0..<5000 {
            var action = Action(random.pick(Intent.allCases))
            action.devices = (0..<random.below(3)).map { _ in random.pick(ids) }
            if random.below(3) == 0 { action.area = random.pick(areas) }
            if random.below(3) == 0 { action.floor = random.pick(floors) }
            if random.below(2) == 0 { action.domain = random.pick(DeviceType.allCases) }
            action.value = random.pick(values)
            if random.below(2) == 0 { action.unit = random.pick(ValueUnit.allCases) }
            action.color = random.pick(colours)
            guard let result = try? validator.validate(action) else { continue }
            // "Not a device command" publishes nothing, whatever slots came with it.
            if action.intent == .notACommand {
                XCTAssertEqual(result.commands, [])
                XCTAssertEqual(result.queried, [])
                continue
            }
            accepted += 1
            for command in result.commands {
                XCTAssertEqual(topics[command.device], command.topic, "\(action)")
                XCTAssertFalse(command.topic.contains("#") || command.topic.contains("+"))
                let device = catalog.device(command.device)
                if !action.devices.isEmpty {
                    XCTAssertTrue(action.devices.contains(command.device), "\(action)")
                } else if let area = action.area {
                    XCTAssertEqual(device?.area, area, "\(action)")
                } else if let floor = action.floor {
                    XCTAssertEqual(device.flatMap { catalog.area($0.area)?.floor }, floor, "\(action)")
                }
                if let domain = action.domain, action.devices.isEmpty { XCTAssertEqual(device?.type, domain) }
                XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(command.payload)), command.payloadText)
            }
            for id in action.devices { XCTAssertNotNil(topics[id], "accepted an unknown id: \(action)") }
            if let value = action.value, !value.isFinite {
                XCTFail("accepted a non-finite value: \(action)")
            }
        }
        // The table must exercise acceptance too, or it proves nothing.
        XCTAssertGreaterThan(accepted, 100)
    }

    func rejection(_ action: Action) -> ActionRejection? {
        do {
            _ = try validator.validate(action)
            return nil
        } catch {
            return error
        }
    }
}

/// A seeded generator (Steele, Lea and Flood's CatalogTestRandom), so a failure repeats.
struct CatalogTestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}
