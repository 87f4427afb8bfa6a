import XCTest

@testable import EdgeAgent

/// Typo correction towards the catalog's words and the built-in command words, and the words it must leave alone.
final class NormalizerSpellingTests: XCTestCase {
    let normalizer = Normalizer(vocabulary: ["kitchen", "thermostat", "hallway", "living room", "dehumidifier"])

    func testCorrections() {
        let table: [(String, String)] = [
            ("turn of the kitchn lights", "turn off the kitchen lights"),
            ("trun on the lamp", "turn on the lamp"),
            ("swich off the lihgts", "switch off the lights"),
            ("set the thermostta to 20", "set the thermostat to 20"),
            ("turn on the dehumidfiier", "turn on the dehumidifier"),  // two edits in a long word
            ("open the blnds", "open the blinds"),
            ("the lmap", "the lamp"),  // a transposition is one edit
            ("turn the lights of", "turn the lights off"),
            ("lving room lights on", "living room lights on"),
        ]
        for (input, expected) in table {
            XCTAssertEqual(normalizer.normalize(input).text, expected, input)
        }
        let token = normalizer.normalize("trun on").tokens[0]
        XCTAssertEqual(token.correctedFrom, "trun")
        XCTAssertEqual(token.range, "trun on".startIndex..<"trun on".index("trun on".startIndex, offsetBy: 4))
    }

    func testWordsThatAreNotTypos() {
        let untouched = [
            "look at the clock", "the light of the moon", "it is night", "put it in the oven", "the hallway",
            "the kitchen", "dim", "mp3", "lpma",  // "lpma": four letters, but two edits from "lamp"
            "the bedroom", "the cold kitchen", "make it brighter", "lose", "a smart plug",
        ]
        for input in untouched {
            let result = normalizer.normalize(input)
            XCTAssertEqual(result.text, input, input)
            XCTAssertTrue(result.tokens.allSatisfy { $0.correctedFrom == nil }, input)
        }
        // "of" becomes "off" only after a switching verb or at the end of the command.
        XCTAssertEqual(normalizer.normalize("turn on the light of the hall").text, "turn on the light of the hall")
    }

    func testDistanceIsOptimalStringAlignment() {
        func d(_ a: String, _ b: String, _ limit: Int = 3) -> Int? {
            NormalizerSpelling.distance(a.unicodeScalars.map(\.value), b.unicodeScalars.map(\.value), limit: limit)
        }
        XCTAssertEqual(d("lamp", "lamp"), 0)
        XCTAssertEqual(d("lmap", "lamp"), 1)  // transposition
        XCTAssertEqual(d("kitchn", "kitchen"), 1)
        XCTAssertEqual(d("kitten", "sitting"), 3)
        XCTAssertNil(d("kitten", "sitting", 2))
        XCTAssertEqual(d("", "ab"), 2)
        XCTAssertNil(d("abc", "", 2))
    }

    func testTiesAreDeterministic() {
        // "lamo" is one edit from "lamp" and from the caller's "lama" and "lame": the built-in command word wins.
        let normalizer = Normalizer(vocabulary: ["lama", "lamb"])
        XCTAssertEqual(normalizer.normalize("lamo").text, "lamp")
        // Between two caller words at the same distance, the shorter, then the alphabetically first.
        let callers = Normalizer(vocabulary: ["zonk", "bonk"])
        XCTAssertEqual(callers.normalize("donk").text, "bonk")
    }
}
