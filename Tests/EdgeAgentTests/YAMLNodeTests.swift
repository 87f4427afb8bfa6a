import XCTest
import YAML

/// The YAML tree the catalog, board profile and config readers walk: lines for messages, YAML 1.2 scalars, and
/// limits that a hostile file cannot get past.
final class YAMLNodeTests: XCTestCase {
    func testTreeKeepsOrderAndLines() throws {
        let yaml = """
            # a comment
            name: Kitchen
            aliases: [Küche, cooking]
            nested:
              level: 2
            """
        let root = try XCTUnwrap(try YAMLNode.compose(yaml: yaml))
        let mapping = try XCTUnwrap(root.mapping)
        XCTAssertEqual(mapping.keys.compactMap(\.string), ["name", "aliases", "nested"])
        XCTAssertEqual(mapping["name"]?.string, "Kitchen")
        XCTAssertEqual(mapping["name"]?.mark?.line, 2)
        XCTAssertEqual(mapping["aliases"]?.sequence?.compactMap(\.string), ["Küche", "cooking"])
        XCTAssertEqual(mapping["nested"]?.mapping?["level"]?.int, 2)
        XCTAssertEqual(mapping["nested"]?.mapping?["level"]?.mark?.line, 5)
        XCTAssertEqual(mapping["aliases"]?.description, "[Küche, cooking]")
    }

    func testScalarsResolveAsYAML12Core() throws {
        let yaml = """
            a: true
            b: ON
            c: "true"
            d: 21.5
            e: -3
            f: 0x1F
            g: ~
            h:
            i: 1e3
            j: nan
            k: .inf
            l: '42'
            """
        let m = try XCTUnwrap(try YAMLNode.compose(yaml: yaml)?.mapping)
        XCTAssertEqual(m["a"]?.bool, true)
        XCTAssertNil(m["b"]?.bool, "ON is text, as zigbee2mqtt means it")
        XCTAssertEqual(m["b"]?.string, "ON")
        XCTAssertNil(m["c"]?.bool, "a quoted scalar is text")
        XCTAssertEqual(m["d"]?.float, 21.5)
        XCTAssertEqual(m["e"]?.int, -3)
        XCTAssertEqual(m["f"]?.int, 31)
        XCTAssertEqual(m["g"]?.isNull, true)
        XCTAssertEqual(m["h"]?.isNull, true)
        XCTAssertEqual(m["i"]?.float, 1000)
        XCTAssertNil(m["j"]?.float, "only .nan is a number")
        XCTAssertEqual(m["k"]?.float, .infinity)
        XCTAssertNil(m["l"]?.int)
        XCTAssertEqual(m["l"]?.scalar?.style, .singleQuoted)
    }

    func testSyntaxErrorsGiveTheLine() {
        let yaml = "a: 1\nb: [1, 2\nc: 3\n"
        XCTAssertThrowsError(try YAMLNode.compose(yaml: yaml)) { error in
            let error = error as? YAMLError
            XCTAssertNotNil(error)
            XCTAssertGreaterThanOrEqual(error?.line ?? 0, 2)
            XCTAssertFalse(error?.problem.isEmpty ?? true)
        }
        XCTAssertThrowsError(try YAMLNode.compose(yaml: "a: *nothing\n"))
    }

    func testEmptyTextHasNoDocument() throws {
        XCTAssertNil(try YAMLNode.compose(yaml: ""))
        XCTAssertNil(try YAMLNode.compose(yaml: "# only a comment\n"))
    }

    func testDeepNestingIsRefused() {
        let yaml = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        XCTAssertThrowsError(try YAMLNode.compose(yaml: yaml)) { error in
            XCTAssertTrue((error as? YAMLError)?.problem.contains("deeper") ?? false, "\(error)")
        }
    }

    func testAliasBombIsRefused() {
        // Each level doubles the previous: 2^30 nodes once expanded.
        var lines = ["a0: &a0 [x, x]"]
        for i in 1...30 { lines.append("a\(i): &a\(i) [*a\(i - 1), *a\(i - 1)]") }
        XCTAssertThrowsError(try YAMLNode.compose(yaml: lines.joined(separator: "\n"))) { error in
            XCTAssertTrue((error as? YAMLError)?.problem.contains("nodes") ?? false, "\(error)")
        }
    }
}
