import Foundation
import XCTest

@testable import EdgeAgent

/// The JSON names of actions, and the schema generated from the sample catalog.
final class CatalogSchemaTests: XCTestCase {
    func testIntentNamesAreHomeAssistants() {
        XCTAssertEqual(
            Intent.allCases.map(\.rawValue),
            [
                "HassTurnOn", "HassTurnOff", "HassLightSet", "HassLightBrightnessUp", "HassLightBrightnessDown",
                "HassClimateSetTemperature", "HassClimateTemperatureUp", "HassClimateTemperatureDown",
                "HassSetPosition", "HassOpenCover", "HassCloseCover", "HassLock", "HassUnlock", "HassGetState",
                "NotACommand",
            ])
    }

    func testActionJSONNamesAreStable() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let action = Action(
            .lightSet, devices: ["bedroom_lamp"], area: "bedroom", floor: "upstairs", domain: .light, value: 30,
            unit: .percent, color: "red")
        XCTAssertEqual(
            String(decoding: try encoder.encode(action), as: UTF8.self),
            #"{"area":"bedroom","color":"red","devices":["bedroom_lamp"],"domain":"light","floor":"upstairs","#
                + #""intent":"HassLightSet","unit":"percent","value":30}"#)
        XCTAssertEqual(
            String(decoding: try encoder.encode(Action(.notACommand)), as: UTF8.self), #"{"intent":"NotACommand"}"#)
        XCTAssertEqual(try JSONDecoder().decode(Action.self, from: try encoder.encode(action)), action)
        XCTAssertEqual(
            try JSONDecoder().decode(
                Action.self,
                from: Data(#"{"intent":"HassTurnOff","floor":"ground_floor","domain":"media_player"}"#.utf8)),
            Action(.turnOff, floor: "ground_floor", domain: .mediaPlayer))
    }

    func testTheSchemaHoldsExactlyTheCatalogsNames() throws {
        let catalog = try CatalogLoaderTests.sample()
        let schema = CatalogSchema.schema(for: catalog)
        let properties = try XCTUnwrap(schema["properties"])
        func enumeration(_ value: JSONValue?) -> [String] {
            guard case .array(let items)? = value?["enum"] else { return [] }
            return items.compactMap { if case .string(let text) = $0 { text } else { nil } }
        }
        XCTAssertEqual(enumeration(properties["intent"]), Intent.allCases.map(\.rawValue))
        XCTAssertEqual(
            enumeration(properties["devices"]?["items"]), catalog.devices.map(\.id) + catalog.scenes.map(\.id))
        XCTAssertEqual(enumeration(properties["devices"]?["items"]).count, 34)
        XCTAssertEqual(
            enumeration(properties["area"]),
            ["living_room", "kitchen", "hall", "office", "garage", "bedroom", "kids_room", "bathroom", "garden"])
        XCTAssertEqual(enumeration(properties["floor"]), ["ground_floor", "upstairs"])
        XCTAssertEqual(
            enumeration(properties["domain"]),
            ["light", "switch", "climate", "cover", "lock", "fan", "sensor", "media_player"])
        XCTAssertEqual(enumeration(properties["unit"]), ["percent", "celsius", "fahrenheit", "kelvin"])
        XCTAssertEqual(enumeration(properties["color"]), NamedColor.names)
        XCTAssertTrue(enumeration(properties["color"]).contains("warm white"))
        // From 0 % up to the highest colour temperature, 6500 K; 5 °C is 41 °F, 30 °C is 86 °F.
        XCTAssertEqual(properties["value"]?["minimum"], .number(0))
        XCTAssertEqual(properties["value"]?["maximum"], .number(6500))
        XCTAssertEqual(schema["required"], .array([.string("intent")]))
        XCTAssertEqual(schema["additionalProperties"], .bool(false))

        // It is JSON, and the same catalog gives the same bytes.
        let parsed = try JSONSerialization.jsonObject(with: Data(schema.bytes)) as? [String: Any]
        XCTAssertEqual(parsed?["type"] as? String, "object")
        XCTAssertEqual(CatalogSchema.schema(for: catalog).text, schema.text)

        // A smaller catalog gives a smaller schema: nothing is hard-coded.
        let small = try CatalogLoader.load(yaml: CatalogLoaderTests.base)
        let smallProperties = try XCTUnwrap(CatalogSchema.schema(for: small)["properties"])
        XCTAssertEqual(enumeration(smallProperties["devices"]?["items"]), ["kitchen_light", "hall_lock"])
        XCTAssertEqual(enumeration(smallProperties["area"]), ["kitchen", "hall"])
        XCTAssertEqual(enumeration(smallProperties["floor"]), ["ground"])
        XCTAssertEqual(enumeration(smallProperties["domain"]), ["light", "lock"])
        XCTAssertEqual(smallProperties["value"]?["maximum"], .number(100))
    }

    func testJSONTextEscapes() {
        XCTAssertEqual(
            JSONValue.object([("a\"b", .string("line\nend\u{1}")), ("n", .number(-2.5)), ("z", .null)]).text,
            #"{"a\"b":"line\nend\u0001","n":-2.5,"z":null}"#)
    }
}
