import Foundation
import XCTest

@testable import EdgeAgent

/// The shipped sample catalog, and every way a catalog is refused, each naming the entry and its line.
final class CatalogLoaderTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let samplePath = packageRoot + "/Board/catalog/home.yaml"

    static func sample() throws -> Catalog { try CatalogLoader.load(contentsOf: samplePath) }

    func testTheSampleHomeLoads() throws {
        let catalog = try Self.sample()
        XCTAssertEqual(catalog.floors.map(\.id), ["ground_floor", "upstairs"])
        XCTAssertEqual(
            catalog.areas.map(\.id),
            ["living_room", "kitchen", "hall", "office", "garage", "bedroom", "kids_room", "bathroom", "garden"])
        XCTAssertEqual(catalog.devices.count, 31)
        XCTAssertEqual(catalog.scenes.map(\.id), ["movie_night", "good_night", "good_morning"])
        XCTAssertEqual(catalog.area("garden")?.floor, nil)
        XCTAssertEqual(catalog.floor("ground_floor")?.aliases, ["downstairs", "ground level", "Erdgeschoss"])

        let lamp = try XCTUnwrap(catalog.device("living_room_lamp"))
        XCTAssertEqual(lamp.name, "Living room lamp")
        XCTAssertEqual(lamp.aliases, ["floor lamp", "reading lamp", "Wohnzimmerlampe"])
        XCTAssertEqual(lamp.type, .light)
        XCTAssertEqual(lamp.topic, "zigbee2mqtt/living_room_lamp/set")
        XCTAssertEqual(lamp.stateTopic, "zigbee2mqtt/living_room_lamp")
        XCTAssertEqual(lamp.capabilities, [.onOff, .brightness, .colorTemp])
        XCTAssertEqual(lamp.colorTemp, 2200...4000)
        XCTAssertEqual(lamp.payload, PayloadMapping())

        let thermostat = try XCTUnwrap(catalog.device("downstairs_thermostat"))
        XCTAssertEqual(thermostat.targetTemperature, TemperatureRange(min: 5, max: 30, step: 0.5, unit: .celsius))
        XCTAssertEqual(catalog.device("bedroom_ceiling")?.payload.brightnessMax, 100)
        XCTAssertEqual(catalog.device("towel_warmer")?.payload.on, "on")
        XCTAssertEqual(catalog.device("towel_warmer")?.payload.off, "off")
        XCTAssertEqual(catalog.device("kitchen_temperature")?.capabilities, [])
        XCTAssertEqual(catalog.device("garage_door")?.capabilities, [.openClose])
        XCTAssertEqual(catalog.device("front_door")?.type, .lock)
        XCTAssertEqual(catalog.scene("movie_night")?.payload.text, #"{"scene_recall":1}"#)

        // One thermostat per floor.
        for floor in catalog.floors {
            XCTAssertEqual(catalog.devices(onFloor: floor.id).filter { $0.type == .climate }.count, 1, floor.id)
        }
        // Every topic is zigbee2mqtt's command topic.
        for device in catalog.devices {
            XCTAssertTrue(device.topic.hasPrefix("zigbee2mqtt/") && device.topic.hasSuffix("/set"), device.id)
        }
    }

    // MARK: refusals

    /// A valid catalog of two areas on one floor and two devices; each refusal test changes one thing.
    static let base = """
        floors:
          - id: ground
            name: Ground floor
            level: 0
        areas:
          - id: kitchen
            name: Kitchen
            floor: ground
          - id: hall
            name: Hall
            floor: ground
        devices:
          - id: kitchen_light
            name: Kitchen light
            aliases: [ceiling light]
            area: kitchen
            type: light
            topic: zigbee2mqtt/kitchen_light/set
            capabilities: [on_off, brightness]
          - id: hall_lock
            name: Front door
            area: hall
            type: lock
            topic: zigbee2mqtt/front_door/set
            capabilities: [lock]

        """

    func refusal(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> CatalogError? {
        do {
            let catalog = try CatalogLoader.load(yaml: yaml, file: "home.yaml")
            XCTFail("accepted: \(catalog.devices.map(\.id))", file: file, line: line)
            return nil
        } catch let error as CatalogError {
            return error
        } catch {
            XCTFail("not a CatalogError: \(error)", file: file, line: line)
            return nil
        }
    }

    func testTheBaseIsValid() throws {
        let catalog = try CatalogLoader.load(yaml: Self.base)
        XCTAssertEqual(catalog.devices.map(\.id), ["kitchen_light", "hall_lock"])
    }

    func testDuplicateDeviceID() {
        let error = refusal(
            Self.base.replacingOccurrences(of: "id: hall_lock", with: "id: kitchen_light"))
        XCTAssertEqual(error, .duplicateID(file: "home.yaml", line: 20, entry: "device 'kitchen_light'", firstLine: 13))
        XCTAssertEqual(error?.description, "home.yaml:20: device 'kitchen_light': the id is already used on line 13")
    }

    func testASceneCannotReuseADeviceID() {
        let error = refusal(
            Self.base + "scenes:\n  - id: hall_lock\n    name: X\n    topic: a/b\n    payload: {scene_recall: 1}\n")
        XCTAssertEqual(error, .duplicateID(file: "home.yaml", line: 27, entry: "scene 'hall_lock'", firstLine: 20))
    }

    func testDuplicateAreaID() {
        let error = refusal(Self.base.replacingOccurrences(of: "id: hall\n", with: "id: kitchen\n"))
        XCTAssertEqual(error, .duplicateID(file: "home.yaml", line: 9, entry: "area 'kitchen'", firstLine: 6))
    }

    func testUnknownAreaReference() {
        let error = refusal(Self.base.replacingOccurrences(of: "area: hall", with: "area: cellar"))
        XCTAssertEqual(
            error,
            .unknownReference(file: "home.yaml", line: 20, entry: "device 'hall_lock'", key: "area", id: "cellar"))
        XCTAssertEqual(
            error?.description,
            "home.yaml:20: device 'hall_lock': 'area' names 'cellar', which the catalog does not define")
    }

    func testUnknownFloorReference() {
        let error = refusal(
            Self.base.replacingOccurrences(of: "floor: ground\n  - id: hall", with: "floor: attic\n  - id: hall"))
        XCTAssertEqual(
            error, .unknownReference(file: "home.yaml", line: 6, entry: "area 'kitchen'", key: "floor", id: "attic"))
    }

    func testUnknownType() {
        let error = refusal(Self.base.replacingOccurrences(of: "type: lock", with: "type: toaster"))
        XCTAssertEqual(error, .unknownType(file: "home.yaml", line: 23, entry: "device 'hall_lock'", type: "toaster"))
        XCTAssertTrue(error?.description.contains("unknown type 'toaster'; known: light, switch") == true)
    }

    func testALockCannotHaveBrightness() {
        let error = refusal(Self.base.replacingOccurrences(of: "[lock]", with: "[lock, brightness]"))
        XCTAssertEqual(
            error,
            .capabilityNotAllowed(
                file: "home.yaml", line: 25, entry: "device 'hall_lock'", type: "lock", capability: "brightness"))
        XCTAssertEqual(
            error?.description, "home.yaml:25: device 'hall_lock': a lock cannot have the capability 'brightness'")
    }

    func testUnknownCapability() {
        let error = refusal(Self.base.replacingOccurrences(of: "[lock]", with: "[lock, teleport]"))
        guard case .badValue(_, 25, "device 'hall_lock'", "capabilities", "teleport", _) = error else {
            return XCTFail("\(String(describing: error))")
        }
    }

    func testColourTemperatureRangeMinAboveMax() {
        let error = refusal(
            Self.base.replacingOccurrences(
                of: "capabilities: [on_off, brightness]",
                with: "capabilities:\n      on_off:\n      color_temp: {min: 6500, max: 2200}"))
        XCTAssertEqual(
            error,
            .badRange(
                file: "home.yaml", line: 21, entry: "device 'kitchen_light'", capability: "color_temp", min: 6500,
                max: 2200))
    }

    func testTargetTemperatureRangeMinEqualsMax() {
        let error = refusal(
            Self.base.replacingOccurrences(of: "type: light", with: "type: climate").replacingOccurrences(
                of: "capabilities: [on_off, brightness]",
                with: "capabilities:\n      target_temperature: {min: 20, max: 20}"))
        XCTAssertEqual(
            error,
            .badRange(
                file: "home.yaml", line: 20, entry: "device 'kitchen_light'", capability: "target_temperature",
                min: 20, max: 20))
        XCTAssertEqual(
            error?.description, "home.yaml:20: device 'kitchen_light': 'target_temperature' has min 20 ≥ max 20")
    }

    func testTargetTemperatureUnitAndStep() {
        let climate = Self.base.replacingOccurrences(of: "type: light", with: "type: climate")
        let badUnit = refusal(
            climate.replacingOccurrences(
                of: "capabilities: [on_off, brightness]",
                with: "capabilities:\n      target_temperature: {min: 5, max: 30, unit: K}"))
        guard case .badValue(_, _, "device 'kitchen_light'", "unit", "K", _) = badUnit else {
            return XCTFail("\(String(describing: badUnit))")
        }
        let badStep = refusal(
            climate.replacingOccurrences(
                of: "capabilities: [on_off, brightness]",
                with: "capabilities:\n      target_temperature: {min: 5, max: 30, step: 0}"))
        guard case .badValue(_, _, "device 'kitchen_light'", "step", "0", _) = badStep else {
            return XCTFail("\(String(describing: badStep))")
        }
    }

    func testEmptyName() {
        let error = refusal(Self.base.replacingOccurrences(of: "name: Front door", with: "name: \"  \""))
        XCTAssertEqual(error, .emptyName(file: "home.yaml", line: 21, entry: "device 'hall_lock'"))
        let area = refusal(Self.base.replacingOccurrences(of: "name: Hall", with: "name: \"\""))
        XCTAssertEqual(area, .emptyName(file: "home.yaml", line: 10, entry: "area 'hall'"))
    }

    func testAliasCollidingWithAnotherDevicesNameInTheSameArea() {
        let second = """
              - id: kitchen_strip
                name: Counter strip
                aliases: [Kitchen  LIGHT]
                area: kitchen
                type: light
                topic: zigbee2mqtt/kitchen_strip/set

            """
        let error = refusal(Self.base + second.replacingOccurrences(of: "      - ", with: "  - "))
        XCTAssertEqual(
            error,
            .ambiguousAlias(
                file: "home.yaml", line: 26, entry: "device 'kitchen_strip'", alias: "Kitchen  LIGHT",
                other: "kitchen_light", area: "kitchen"))
        // The same alias in another area is fine: "the ceiling light" is resolved by the area.
        let elsewhere =
            Self.base
            + second.replacingOccurrences(of: "      - ", with: "  - ")
            .replacingOccurrences(of: "area: kitchen", with: "area: hall")
        XCTAssertNoThrow(try CatalogLoader.load(yaml: elsewhere))
    }

    func testUnknownKeys() {
        let device = refusal(
            Self.base.replacingOccurrences(of: "    area: hall", with: "    room: hall\n    area: hall"))
        XCTAssertEqual(device, .unknownKey(file: "home.yaml", line: 22, entry: "device 'hall_lock'", key: "room"))
        XCTAssertEqual(device?.description, "home.yaml:22: device 'hall_lock': unknown key 'room'")
        let top = refusal(Self.base + "rooms: []\n")
        XCTAssertEqual(top, .unknownKey(file: "home.yaml", line: 26, entry: "the catalog", key: "rooms"))
        let payload = refusal(Self.base + "    payload: {brightness_scale: 100}\n")
        XCTAssertEqual(
            payload, .unknownKey(file: "home.yaml", line: 26, entry: "device 'hall_lock'", key: "brightness_scale"))
    }

    func testMissingKeysAndBadIDs() {
        let noTopic = refusal(Self.base.replacingOccurrences(of: "    topic: zigbee2mqtt/front_door/set\n", with: ""))
        XCTAssertEqual(noTopic, .missingKey(file: "home.yaml", line: 20, entry: "device 'hall_lock'", key: "topic"))
        let noID = refusal(Self.base.replacingOccurrences(of: "id: hall_lock", with: "uid: hall_lock"))
        XCTAssertEqual(noID, .missingKey(file: "home.yaml", line: 20, entry: "devices[1]", key: "id"))
        let badID = refusal(Self.base.replacingOccurrences(of: "id: hall_lock", with: "id: Hall Lock"))
        guard case .badValue(_, 20, "devices[1]", "id", "Hall Lock", _) = badID else {
            return XCTFail("\(String(describing: badID))")
        }
        XCTAssertEqual(
            refusal("floors: []\nareas: []\n"),
            .missingKey(file: "home.yaml", line: 1, entry: "the catalog", key: "devices"))
    }

    func testTwoAreasCannotShareAName() {
        let error = refusal(
            Self.base.replacingOccurrences(of: "name: Hall", with: "name: Hall\n    aliases: [KITCHEN]"))
        XCTAssertEqual(
            error, .ambiguousName(file: "home.yaml", line: 9, entry: "area 'hall'", name: "KITCHEN", other: "kitchen"))
        XCTAssertEqual(error?.description, "home.yaml:9: area 'hall': the name 'KITCHEN' is also a name of 'kitchen'")
    }

    func testNamesAndAliasesResolveToIDs() throws {
        let catalog = try Self.sample()
        XCTAssertEqual(catalog.areas(named: "wohnzimmer").map(\.id), ["living_room"])
        XCTAssertEqual(catalog.areas(named: "Kids' room").map(\.id), ["kids_room"])
        XCTAssertEqual(catalog.areas(named: "cellar").map(\.id), [])
        XCTAssertEqual(catalog.floors(named: "Downstairs").map(\.id), ["ground_floor"])
        XCTAssertEqual(catalog.targets(named: "Wohnzimmerlampe"), ["living_room_lamp"])
        XCTAssertEqual(catalog.targets(named: "bedside  LAMP"), ["bedroom_lamp"])
        XCTAssertEqual(catalog.targets(named: "Movie night"), ["movie_night"])
        // Only the living room calls a device "ceiling light"; an area narrows the search.
        XCTAssertEqual(catalog.targets(named: "ceiling light"), ["living_room_ceiling"])
        XCTAssertEqual(catalog.targets(named: "ceiling light", inArea: "kitchen"), [])
        XCTAssertEqual(catalog.targets(named: "extractor fan", inArea: "kitchen"), ["kitchen_hood"])
    }

    func testAKeyGivenTwiceIsRefused() {
        let error = refusal(
            Self.base.replacingOccurrences(of: "    area: hall", with: "    area: hall\n    area: kitchen"))
        XCTAssertEqual(
            error,
            .badValue(
                file: "home.yaml", line: 23, entry: "device 'hall_lock'", key: "area", value: "kitchen",
                reason: "the key is given twice"))
    }

    func testEachDeviceAcceptsTheIntentsOfItsCapabilities() throws {
        let catalog = try Catalog(contentsOf: Self.samplePath)
        XCTAssertEqual(
            catalog.device("bedroom_lamp")?.intents,
            [.turnOn, .turnOff, .lightSet, .brightnessUp, .brightnessDown, .getState])
        XCTAssertEqual(catalog.device("hall_light")?.intents, [.turnOn, .turnOff, .getState])
        XCTAssertEqual(catalog.device("front_door")?.intents, [.lock, .unlock, .getState])
        XCTAssertEqual(
            catalog.device("living_room_blinds")?.intents, [.setPosition, .openCover, .closeCover, .getState])
        XCTAssertEqual(catalog.device("garage_door")?.intents, [.openCover, .closeCover, .getState])
        XCTAssertEqual(
            catalog.device("downstairs_thermostat")?.intents,
            [.turnOn, .turnOff, .climateSetTemperature, .temperatureUp, .temperatureDown, .getState])
        XCTAssertEqual(catalog.device("kitchen_temperature")?.intents, [.getState])
    }

    func testAWildcardTopicIsRefused() {
        for topic in ["zigbee2mqtt/#", "zigbee2mqtt/+/set", "$SYS/broker", "\"\""] {
            let error = refusal(Self.base.replacingOccurrences(of: "zigbee2mqtt/front_door/set", with: topic))
            guard case .badValue(_, 24, "device 'hall_lock'", "topic", _, _) = error else {
                return XCTFail("\(topic): \(String(describing: error))")
            }
        }
    }

    func testAMissingFileIsNamed() {
        XCTAssertThrowsError(try Catalog(contentsOf: "/nonexistent/home.yaml")) { error in
            XCTAssertEqual(
                error as? CatalogError,
                .syntax(file: "/nonexistent/home.yaml", line: 0, problem: "cannot be read as UTF-8 text"))
        }
    }

    func testNotYAMLGivesTheLine() {
        let error = refusal("areas:\n  - id: a\n    name: [unclosed\ndevices: []\n")
        guard case .syntax("home.yaml", let line, _) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertGreaterThan(line, 1)
    }
}
