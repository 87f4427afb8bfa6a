import Foundation
import XCTest

@testable import EdgeAgent

/// "Warmer" / "two degrees cooler": the new set-point is the last reported one moved by the step, fitted to the
/// thermostat's range and step; without a reported set-point nothing is sent.
final class RelativeSetPointTests: XCTestCase {
    func validator(downstairs: Double?, upstairs: Double? = nil) throws -> ActionValidator {
        var states: [String: JSONValue] = [:]
        if let downstairs { states["downstairs_thermostat"] = .object([("current_heating_setpoint", .number(downstairs))]) }
        if let upstairs { states["upstairs_thermostat"] = .object([("current_heating_setpoint", .number(upstairs))]) }
        return ActionValidator(catalog: try CatalogLoaderTests.sample(), states: DeviceStateSnapshot(states))
    }

    func payloads(_ action: Action, _ validator: ActionValidator) throws -> [String] {
        try validator.validate(action).commands.map(\.payloadText)
    }

    func testDefaultStepIsOneDegreeInTheDevicesUnit() throws {
        let v = try validator(downstairs: 20.5)
        XCTAssertEqual(
            try payloads(Action(.temperatureUp, devices: ["downstairs_thermostat"]), v),
            [#"{"current_heating_setpoint":21.5}"#])
        XCTAssertEqual(
            try payloads(Action(.temperatureDown, devices: ["downstairs_thermostat"]), v),
            [#"{"current_heating_setpoint":19.5}"#])
    }

    func testStepInFahrenheitIsConvertedAndRoundedToTheThermostatsStep() throws {
        // 4 °F = 2.2 °C; 20 + 2.2 = 22.2, on a 0.5 step 22.
        let v = try validator(downstairs: 20)
        XCTAssertEqual(
            try payloads(Action(.temperatureUp, devices: ["downstairs_thermostat"], value: 4, unit: .fahrenheit), v),
            [#"{"current_heating_setpoint":22}"#])
    }

    func testClampedToTheRangeWithANote() throws {
        let v = try validator(downstairs: 29.5)
        let result = try v.validate(Action(.temperatureUp, devices: ["downstairs_thermostat"], value: 3))
        XCTAssertEqual(result.commands.map(\.payloadText), [#"{"current_heating_setpoint":30}"#])
        XCTAssertTrue(result.notes.contains { $0.contains("clamped to 30") }, "\(result.notes)")
    }

    func testAreaExpandsToItsThermostat() throws {
        let v = try validator(downstairs: 20, upstairs: 18)
        let result = try v.validate(Action(.temperatureUp, area: "bedroom", domain: .climate))
        XCTAssertEqual(result.commands.map(\.device), ["upstairs_thermostat"])
        XCTAssertEqual(result.commands.map(\.payloadText), [#"{"current_heating_setpoint":19}"#])
    }

    /// "it's cold in the bedroom": a stated condition of a place moves that place's thermostat a step, found through
    /// its area or floor; without a place it is ambiguous between the thermostats; about the past or the weather,
    /// nothing moves.
    func testStatedConditionsMoveThePlacesThermostat() throws {
        let states = DeviceStateSnapshot([
            "downstairs_thermostat": .object([("current_heating_setpoint", .number(20))]),
            "upstairs_thermostat": .object([("current_heating_setpoint", .number(18))]),
        ])
        let interpreter = Interpreter(catalog: try CatalogLoaderTests.sample(), states: states)
        let moves: [(String, String, String)] = [
            ("it's cold in the bedroom", "upstairs_thermostat", #"{"current_heating_setpoint":19}"#),
            ("I'm freezing in the lounge", "downstairs_thermostat", #"{"current_heating_setpoint":21}"#),
            ("the bedroom feels chilly", "upstairs_thermostat", #"{"current_heating_setpoint":19}"#),
            ("it's a bit nippy downstairs", "downstairs_thermostat", #"{"current_heating_setpoint":21}"#),
            ("it's boiling in the living room", "downstairs_thermostat", #"{"current_heating_setpoint":19}"#),
            ("it's roasting upstairs", "upstairs_thermostat", #"{"current_heating_setpoint":17}"#),
            // A room without a thermostat of its own: its floor's.
            ("it's cold in the kitchen", "downstairs_thermostat", #"{"current_heating_setpoint":21}"#),
        ]
        for (text, device, payload) in moves {
            let result = interpreter.interpret(text)
            XCTAssertEqual(result.status, .ok, "\(text): \(result.reason ?? "")")
            XCTAssertEqual(result.actions.map(\.device), [device], text)
            XCTAssertEqual(result.actions.map(\.payload), [payload], text)
        }
        for text in ["it's chilly in here", "I'm cold"] {
            let result = interpreter.interpret(text)
            XCTAssertEqual(result.status, .ambiguous, text)
            XCTAssertEqual(Set(result.candidates), ["downstairs_thermostat", "upstairs_thermostat"], text)
            XCTAssertEqual(result.actions, [], text)
        }
        for text in [
            "it was cold in the bedroom yesterday", "is it cold in the bedroom", "it will be hot upstairs tomorrow",
            "it's not cold in the bedroom", "it's cold outside", "it's cold in the garden", "the coffee is cold",
        ] {
            XCTAssertEqual(interpreter.interpret(text).actions, [], text)
        }
    }

    func testUnknownCurrentSetPointIsRefusedByName() throws {
        let v = try validator(downstairs: nil)
        XCTAssertThrowsError(try v.validate(Action(.temperatureUp, devices: ["downstairs_thermostat"]))) { error in
            XCTAssertEqual(
                error as? ActionRejection,
                .unknownCurrentValue(device: "downstairs_thermostat", key: "current_heating_setpoint"))
            XCTAssertTrue("\(error)".contains("downstairs_thermostat"))
        }
        // A state without the set-point, or with text in it, is no better.
        let text = ActionValidator(
            catalog: try CatalogLoaderTests.sample(),
            states: DeviceStateSnapshot(["downstairs_thermostat": .object([("current_heating_setpoint", .string("hot"))])]))
        XCTAssertThrowsError(try text.validate(Action(.temperatureDown, devices: ["downstairs_thermostat"])))
    }

    func testNonsenseStepsAndOtherDevicesAreRefused() throws {
        let v = try validator(downstairs: 20)
        for action in [
            Action(.temperatureUp, devices: ["downstairs_thermostat"], value: -2),
            Action(.temperatureUp, devices: ["downstairs_thermostat"], value: 500),
            Action(.temperatureUp, devices: ["downstairs_thermostat"], value: .nan),
            Action(.temperatureUp, devices: ["downstairs_thermostat"], value: 2, unit: .percent),
            Action(.temperatureUp, devices: ["bedroom_lamp"]),
        ] {
            XCTAssertThrowsError(try v.validate(action), "\(action)")
        }
    }

    func testStatesDecodeFromJSON() throws {
        let json = #"{"downstairs_thermostat": {"current_heating_setpoint": 19, "mode": "heat", "on": true, "x": null}}"#
        let states = try JSONDecoder().decode([String: JSONValue].self, from: Data(json.utf8))
        let state = try XCTUnwrap(states["downstairs_thermostat"])
        XCTAssertEqual(state["current_heating_setpoint"], .number(19))
        XCTAssertEqual(state["mode"], .string("heat"))
        XCTAssertEqual(state["on"], .bool(true))
        XCTAssertEqual(state["x"], .null)
    }
}
