import Foundation
import XCTest

@testable import EdgeAgent

/// Actions against the sample home: what is published (exact topic and bytes), what is clamped and what is refused.
final class CatalogActionValidatorTests: XCTestCase {
    var catalog: Catalog!
    var validator: ActionValidator!

    override func setUpWithError() throws {
        catalog = try CatalogLoaderTests.sample()
        validator = ActionValidator(catalog: catalog)
    }

    /// `topic payload` per command, in order.
    func published(_ action: Action, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        do {
            return try validator.validate(action).commands.map { "\($0.topic) \($0.payloadText)" }
        } catch {
            XCTFail("refused: \(error)", file: file, line: line)
            return []
        }
    }

    func rejection(_ action: Action) -> ActionRejection? {
        do {
            let result = try validator.validate(action)
            XCTFail("accepted \(action): \(result.commands.map(\.payloadText))")
            return nil
        } catch {
            return error
        }
    }

    func testAcceptedActionsPublishZigbee2mqttPayloads() {
        let table: [(Action, [String])] = [
            (Action(.turnOn, devices: ["living_room_lamp"]), [#"zigbee2mqtt/living_room_lamp/set {"state":"ON"}"#]),
            (Action(.turnOff, devices: ["living_room_lamp"]), [#"zigbee2mqtt/living_room_lamp/set {"state":"OFF"}"#]),
            (Action(.turnOff, devices: ["towel_warmer"]), [#"zigbee2mqtt/towel_warmer/set {"state":"off"}"#]),
            (Action(.turnOn, devices: ["living_room_tv"]), [#"zigbee2mqtt/living_room_tv_plug/set {"state":"ON"}"#]),
            (
                Action(.lightSet, devices: ["bedroom_lamp"], value: 30, unit: .percent),
                [#"zigbee2mqtt/bedroom_lamp/set {"state":"ON","brightness":76}"#]
            ),
            (
                Action(.lightSet, devices: ["bedroom_lamp"], value: 100),
                [#"zigbee2mqtt/bedroom_lamp/set {"state":"ON","brightness":254}"#]
            ),
            // A dimmer whose scale is 0–100.
            (
                Action(.lightSet, devices: ["bedroom_ceiling"], value: 30),
                [#"zigbee2mqtt/bedroom_ceiling/set {"state":"ON","brightness":30}"#]
            ),
            (
                Action(.lightSet, devices: ["bedroom_lamp"], value: 0),
                [#"zigbee2mqtt/bedroom_lamp/set {"state":"OFF"}"#]
            ),
            (
                Action(.lightSet, devices: ["bedroom_lamp"], color: "red"),
                [##"zigbee2mqtt/bedroom_lamp/set {"state":"ON","color":{"hex":"#FF0000"}}"##]
            ),
            (
                Action(.lightSet, devices: ["bedroom_lamp"], color: "Warm White"),
                [##"zigbee2mqtt/bedroom_lamp/set {"state":"ON","color":{"hex":"#FFD8A8"}}"##]
            ),
            (
                Action(.lightSet, devices: ["bedroom_lamp"], value: 50, color: "#00ff80"),
                [##"zigbee2mqtt/bedroom_lamp/set {"state":"ON","brightness":127,"color":{"hex":"#00FF80"}}"##]
            ),
            // 1 000 000 / 2700 K = 370.4 mired.
            (
                Action(.lightSet, devices: ["bedroom_lamp"], value: 2700, unit: .kelvin),
                [#"zigbee2mqtt/bedroom_lamp/set {"state":"ON","color_temp":370}"#]
            ),
            (
                Action(.brightnessUp, devices: ["living_room_lamp"]),
                [#"zigbee2mqtt/living_room_lamp/set {"brightness_step":25}"#]
            ),
            (
                Action(.brightnessDown, devices: ["living_room_lamp"], value: 20, unit: .percent),
                [#"zigbee2mqtt/living_room_lamp/set {"brightness_step":-51}"#]
            ),
            (
                Action(.climateSetTemperature, devices: ["downstairs_thermostat"], value: 21.5, unit: .celsius),
                [#"zigbee2mqtt/downstairs_thermostat/set {"current_heating_setpoint":21.5}"#]
            ),
            // Rounded to the thermostat's 0.5 ° step.
            (
                Action(.climateSetTemperature, devices: ["upstairs_thermostat"], value: 19.2),
                [#"zigbee2mqtt/upstairs_thermostat/set {"current_heating_setpoint":19}"#]
            ),
            (
                Action(.setPosition, devices: ["living_room_blinds"], value: 40, unit: .percent),
                [#"zigbee2mqtt/living_room_blinds/set {"position":40}"#]
            ),
            (Action(.openCover, devices: ["garage_door"]), [#"zigbee2mqtt/garage_door/set {"state":"OPEN"}"#]),
            (Action(.closeCover, devices: ["bedroom_blinds"]), [#"zigbee2mqtt/bedroom_blinds/set {"state":"CLOSE"}"#]),
            (Action(.lock, devices: ["front_door"]), [#"zigbee2mqtt/front_door_lock/set {"state":"LOCK"}"#]),
            (Action(.unlock, devices: ["front_door"]), [#"zigbee2mqtt/front_door_lock/set {"state":"UNLOCK"}"#]),
            (Action(.turnOn, devices: ["movie_night"]), [#"zigbee2mqtt/living_room_group/set {"scene_recall":1}"#]),
            (
                Action(.turnOff, devices: ["kitchen_ceiling", "coffee_machine", "kitchen_ceiling"]),
                [
                    #"zigbee2mqtt/kitchen_ceiling/set {"state":"OFF"}"#,
                    #"zigbee2mqtt/coffee_machine_plug/set {"state":"OFF"}"#,
                ]
            ),
            (Action(.notACommand), []),
            (Action(.notACommand, devices: ["front_door"]), []),
        ]
        for (action, expected) in table {
            XCTAssertEqual(published(action), expected, "\(action)")
        }
    }

    func testSlightlyOutOfRangeValuesAreClampedWithANote() throws {
        let table: [(Action, String, String)] = [
            (
                Action(.lightSet, devices: ["bedroom_lamp"], value: 105, unit: .percent),
                #"{"state":"ON","brightness":254}"#, "'bedroom_lamp': 105 % clamped to 100 %"
            ),
            (
                Action(.lightSet, devices: ["bedroom_lamp"], value: -3), #"{"state":"OFF"}"#,
                "'bedroom_lamp': -3 % clamped to 0 %"
            ),
            (
                Action(.climateSetTemperature, devices: ["downstairs_thermostat"], value: 31.5, unit: .celsius),
                #"{"current_heating_setpoint":30}"#, "'downstairs_thermostat': 31.5 °C clamped to 30 °C"
            ),
            (
                Action(.setPosition, devices: ["office_blinds"], value: 108), #"{"position":100}"#,
                "'office_blinds': 108 % clamped to 100 %"
            ),
            // 1 000 000 / 2200 K = 454.5 mired.
            (
                Action(.lightSet, devices: ["bedroom_lamp"], value: 2000, unit: .kelvin),
                #"{"state":"ON","color_temp":455}"#, "'bedroom_lamp': 2000 K clamped to 2200 K"
            ),
            (
                Action(.brightnessUp, devices: ["patio_lamp"], value: 0.5), #"{"brightness_step":3}"#,
                "'patio_lamp': 0.5 % clamped to 1 %"
            ),
        ]
        for (action, payload, note) in table {
            let result = try validator.validate(action)
            XCTAssertEqual(result.commands.map(\.payloadText), [payload], "\(action)")
            XCTAssertEqual(result.notes, [note], "\(action)")
        }
        XCTAssertEqual(try validator.validate(Action(.lightSet, devices: ["bedroom_lamp"], value: 100)).notes, [])
    }

    func testRefusalsNameTheReason() {
        let table: [(Action, ActionRejection)] = [
            (
                Action(.lightSet, devices: ["bedroom_lamp"], value: 150),
                .outOfRange(device: "bedroom_lamp", value: 150, unit: "%", min: 0, max: 100)
            ),
            (
                Action(.climateSetTemperature, devices: ["downstairs_thermostat"], value: 45),
                .outOfRange(device: "downstairs_thermostat", value: 45, unit: "°C", min: 5, max: 30)
            ),
            (
                Action(.lightSet, devices: ["hall_light"], value: 50),
                .missingCapability(device: "hall_light", intent: .lightSet, capability: .brightness)
            ),
            (
                Action(.lightSet, devices: ["living_room_lamp"], color: "red"),
                .missingCapability(device: "living_room_lamp", intent: .lightSet, capability: .color)
            ),
            (
                Action(.lock, devices: ["living_room_lamp"]),
                .missingCapability(device: "living_room_lamp", intent: .lock, capability: .lock)
            ),
            (
                Action(.setPosition, devices: ["garage_door"], value: 50),
                .missingCapability(device: "garage_door", intent: .setPosition, capability: .position)
            ),
            (
                Action(.turnOn, devices: ["front_door"]),
                .missingCapability(device: "front_door", intent: .turnOn, capability: .onOff)
            ),
            (
                Action(.turnOn, devices: ["kitchen_temperature"]),
                .missingCapability(device: "kitchen_temperature", intent: .turnOn, capability: .onOff)
            ),
            (Action(.lightSet, devices: ["bedroom_lamp"], color: "octarine"), .unknownColor("octarine")),
            (Action(.lightSet, devices: ["bedroom_lamp"], color: "#12345"), .unknownColor("#12345")),
            (Action(.lightSet, devices: ["bedroom_lamp"]), .missingValue(.lightSet)),
            (Action(.climateSetTemperature, devices: ["downstairs_thermostat"]), .missingValue(.climateSetTemperature)),
            (Action(.setPosition, devices: ["living_room_blinds"]), .missingValue(.setPosition)),
            (
                Action(.setPosition, devices: ["living_room_blinds"], value: 20, unit: .celsius),
                .wrongUnit(intent: .setPosition, unit: .celsius)
            ),
            (
                Action(.climateSetTemperature, devices: ["downstairs_thermostat"], value: 300, unit: .kelvin),
                .wrongUnit(intent: .climateSetTemperature, unit: .kelvin)
            ),
            (
                Action(.lightSet, devices: ["bedroom_lamp"], value: 20, unit: .celsius),
                .wrongUnit(intent: .lightSet, unit: .celsius)
            ),
            (Action(.turnOff, devices: ["movie_night"]), .sceneCannotDo(scene: "movie_night", intent: .turnOff)),
            (Action(.getState), .noTarget(.getState)),
            (Action(.turnOff), .noTarget(.turnOff)),
            (
                Action(.openCover, area: "kitchen"),
                .noMatchingDevices(intent: .openCover, area: "kitchen", floor: nil, domain: nil)
            ),
            (
                Action(.turnOn, floor: "upstairs", domain: .lock),
                .noMatchingDevices(intent: .turnOn, area: nil, floor: "upstairs", domain: .lock)
            ),
        ]
        for (action, expected) in table {
            XCTAssertEqual(rejection(action), expected, "\(action)")
        }
        XCTAssertEqual(
            ActionRejection.outOfRange(device: "bedroom_lamp", value: 150, unit: "%", min: 0, max: 100).description,
            "150 % is outside 0–100 % for 'bedroom_lamp'")
        XCTAssertEqual(
            ActionRejection.missingCapability(device: "hall_light", intent: .lightSet, capability: .brightness)
                .description,
            "'hall_light' cannot do HassLightSet: it has no brightness")
    }

    func testAreaAndFloorExpansion() throws {
        func devices(_ action: Action) throws -> [String] { try validator.validate(action).commands.map(\.device) }
        // "all lights downstairs"
        XCTAssertEqual(
            try devices(Action(.turnOff, floor: "ground_floor", domain: .light)),
            [
                "living_room_lamp", "living_room_ceiling", "kitchen_ceiling", "kitchen_counter", "hall_light",
                "office_desk_lamp", "garage_light",
            ])
        // "the kitchen lights"
        XCTAssertEqual(
            try devices(Action(.turnOn, area: "kitchen", domain: .light)), ["kitchen_ceiling", "kitchen_counter"])
        // "switch everything off upstairs": whatever upstairs can be switched.
        XCTAssertEqual(
            try devices(Action(.turnOff, floor: "upstairs")),
            [
                "bedroom_lamp", "bedroom_ceiling", "upstairs_thermostat", "kids_nightlight", "kids_ceiling", "kids_fan",
                "bathroom_mirror", "bathroom_fan", "towel_warmer",
            ])
        XCTAssertEqual(try devices(Action(.closeCover, floor: "upstairs", domain: .cover)), ["bedroom_blinds"])
        XCTAssertEqual(try devices(Action(.closeCover, area: "living_room")), ["living_room_blinds"])
        XCTAssertEqual(try devices(Action(.lock, domain: .lock)), ["front_door"])
        // An area wins over a floor; named devices win over both.
        XCTAssertEqual(
            try devices(Action(.turnOn, area: "garden", floor: "upstairs", domain: .light)),
            ["garden_lights", "patio_lamp"])
        XCTAssertEqual(try devices(Action(.turnOn, devices: ["hall_light"], area: "kitchen")), ["hall_light"])

        // Only the lights of the area that can take a colour; the others are named in a note.
        let colour = try validator.validate(Action(.lightSet, area: "living_room", domain: .light, color: "blue"))
        XCTAssertEqual(colour.commands.map(\.device), ["living_room_ceiling"])
        XCTAssertEqual(colour.notes, ["skipped living_room_lamp: cannot do HassLightSet"])
        let dim = try validator.validate(Action(.lightSet, area: "living_room", domain: .light, value: 50))
        XCTAssertEqual(
            dim.commands.map(\.payloadText), [#"{"state":"ON","brightness":127}"#, #"{"state":"ON","brightness":127}"#])

        let question = try validator.validate(Action(.getState, area: "hall"))
        XCTAssertEqual(question.queried, ["hall_light", "front_door", "hall_motion"])
        XCTAssertEqual(question.commands, [])
        XCTAssertEqual(try validator.validate(Action(.getState, devices: ["front_door"])).queried, ["front_door"])
    }

    func testFahrenheitIsConvertedForACelsiusThermostatAndBack() throws {
        // (70 − 32) × 5/9 = 21.11 °C, to the 0.5 ° step: 21.
        let warm = try validator.validate(
            Action(.climateSetTemperature, devices: ["downstairs_thermostat"], value: 70, unit: .fahrenheit))
        XCTAssertEqual(warm.commands.map(\.payloadText), [#"{"current_heating_setpoint":21}"#])
        XCTAssertEqual(warm.notes, ["'downstairs_thermostat': 70 °F is 21.11 °C"])
        XCTAssertEqual(
            try validator.validate(
                Action(.climateSetTemperature, devices: ["upstairs_thermostat"], value: 64.4, unit: .fahrenheit)
            ).commands.map(\.payloadText), [#"{"current_heating_setpoint":18}"#])
        // 212 °F is 100 °C: far outside, refused rather than clamped.
        XCTAssertEqual(
            rejection(
                Action(.climateSetTemperature, devices: ["downstairs_thermostat"], value: 212, unit: .fahrenheit)),
            .outOfRange(device: "downstairs_thermostat", value: 100, unit: "°C", min: 5, max: 30))

        let fahrenheitHome = try CatalogLoader.load(
            yaml: """
                areas: [{id: den, name: Den}]
                devices:
                  - id: den_thermostat
                    name: Den thermostat
                    area: den
                    type: climate
                    topic: zigbee2mqtt/den_thermostat/set
                    capabilities: {target_temperature: {min: 45, max: 86, step: 1, unit: F}}
                    payload: {temperature_key: occupied_heating_setpoint}
                """)
        let den = try ActionValidator(catalog: fahrenheitHome).validate(
            Action(.climateSetTemperature, devices: ["den_thermostat"], value: 21, unit: .celsius))
        // 21 °C = 69.8 °F, to the 1 ° step: 70.
        XCTAssertEqual(den.commands.map(\.payloadText), [#"{"occupied_heating_setpoint":70}"#])
        XCTAssertEqual(den.notes, ["'den_thermostat': 21 °C is 69.8 °F"])
    }

    func testPayloadBytesAreExactlyTheJSON() throws {
        let command = try XCTUnwrap(
            validator.validate(Action(.lightSet, devices: ["kids_nightlight"], value: 30, color: "blue")).commands.first
        )
        XCTAssertEqual(command.device, "kids_nightlight")
        XCTAssertEqual(command.topic, "zigbee2mqtt/kids_nightlight/set")
        XCTAssertEqual(command.payload, Array(##"{"state":"ON","brightness":76,"color":{"hex":"#0000FF"}}"##.utf8))
        let parsed = try JSONSerialization.jsonObject(with: Data(command.payload)) as? [String: Any]
        XCTAssertEqual(parsed?["brightness"] as? Int, 76)
    }
}
