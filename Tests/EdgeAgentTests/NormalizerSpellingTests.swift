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

    /// Words as a home's catalog gives them: "nightlight" both ways, "backyard" as one word.
    let home = Normalizer(vocabulary: [
        "kitchen", "living room", "night light", "nightlight", "front door", "hallway", "backyard", "good night",
        "desk lamp",
    ])

    func testTyposOfShortWordsAndCommonMisspellings() {
        let table: [(String, String)] = [
            ("trun on teh kitchen light", "turn on the kitchen light"),
            ("turn on hte lamp", "turn on the lamp"),
            ("is the front dor locked", "is the front door locked"),  // a double typed once
            ("fna on", "fan on"),  // two neighbours swapped
            ("turn on the lite", "turn on the light"),
            ("lites off thru the hallway", "lights off through the hallway"),
            ("nite", "night"),
            ("is it dark tonite", "is it dark tonight"),
            ("pls dim the lights plz", "please dim the lights please"),
        ]
        for (input, expected) in table {
            XCTAssertEqual(home.normalize(input).text, expected, input)
        }
        // Before fillers are marked, so "can u" is a hedge like "can you".
        XCTAssertEqual(home.normalize("can u dim the lights thx").contentTokens.map(\.text), ["dim", "the", "lights"])
        let door = home.normalize("front dor").tokens[1]
        XCTAssertEqual(door.correctedFrom, "dor")
        // A catalog that uses a listed spelling as a name keeps it.
        XCTAssertEqual(Normalizer(vocabulary: ["lite"]).normalize("lite on").text, "lite on")
    }

    func testCompoundsWrittenTogetherOrApart() {
        let table: [(String, String)] = [
            ("turn on the livingroom lights", "turn on the living room lights"),
            ("livingroom", "living room"),
            ("turn on the night light", "turn on the nightlight"),
            ("turn on the nite light", "turn on the nightlight"),
            ("lights in the back yard", "lights in the backyard"),
            ("goodnight", "good night"),
            ("the desklamp", "the desk lamp"),
        ]
        for (input, expected) in table {
            XCTAssertEqual(home.normalize(input).text, expected, input)
        }
        let input = "the livingroom"
        let split = home.normalize(input).tokens
        XCTAssertEqual(split.map { String(input[$0.range]) }, ["the", "livingroom", "livingroom"])
        XCTAssertTrue(split.allSatisfy { $0.correctedFrom == nil })  // every letter as typed
        let typo = "the nite light"
        let joined = home.normalize(typo).tokens[1]
        XCTAssertEqual(String(typo[joined.range]), "nite light")
        XCTAssertEqual(joined.correctedFrom, "nite light")
        XCTAssertNil(home.normalize("the night light").tokens[1].correctedFrom)
    }

    func testCompoundsThatStayAsTheyAre() {
        let untouched = [
            "offset the heating", "the onset", "setup", "the doorstop", "a living thing",
            "the kitchen room",  // two caller words apart that are no caller word together
        ]
        for input in untouched {
            XCTAssertEqual(home.normalize(input).text, input, input)
        }
        // Without "nightlight" in the catalog, "night light" stays two words.
        XCTAssertEqual(
            Normalizer(vocabulary: ["night light"]).normalize("turn on the night light").text,
            "turn on the night light")
    }

    func testOfTypedForOff() {
        let table: [(String, String)] = [
            ("turn of the lights", "turn off the lights"),
            ("switch of the kitchen light", "switch off the kitchen light"),
            ("lights of in the kitchen", "lights off in the kitchen"),
            ("the kitchen lights of", "the kitchen lights off"),
            ("desk lamp of now please", "desk lamp off now please"),
            ("turn the fan of and the lights on", "turn the fan off and the lights on"),
            ("is the hallway light of", "is the hallway light off"),
        ]
        for (input, expected) in table {
            XCTAssertEqual(home.normalize(input).text, expected, input)
        }
        let untouched = [
            "the lights of the kitchen", "the light of the moon", "turn on the light of the hall",
            "the speed of the fan", "what is the temperature of", "all of the lights", "a lot of",
            "the lights of my kitchen in the morning",
        ]
        for input in untouched {
            XCTAssertEqual(home.normalize(input).text, input, input)
        }
    }

    func testRealWordsAreNotCorrected() {
        // Each is within reach of a command or catalog word: "heating", "dim", "good", "door", "night", "room".
        let untouched = [
            "i am heading out lock the door", "take a note", "the dot", "mid morning", "oh my god", "the hal",
            "a knight", "rom", "the lights in the hall are too bright", "no lights", "the heater is heated",
            "the lounge is warm", "the lamb", "own it", "the floor is cold",
        ]
        for input in untouched {
            let result = home.normalize(input)
            XCTAssertEqual(result.text, input, input)
            XCTAssertTrue(result.tokens.allSatisfy { $0.correctedFrom == nil }, input)
        }
    }

    func testCommonWordListIsCleanAndSmall() {
        let words = NormalizerCommonWords.words
        XCTAssertTrue(words.contains("heading"))
        XCTAssertLessThan(words.count, 2_000)
        for word in words {
            XCTAssertTrue(word.unicodeScalars.allSatisfy { $0.value >= 0x61 && $0.value <= 0x7A }, word)
            XCTAssertNil(NormalizerLexicon.commonMisspellings[word], word)
        }
    }

    func testShortTypoShapes() {
        func s(_ word: String) -> [UInt32] { word.unicodeScalars.map(\.value) }
        XCTAssertTrue(NormalizerSpelling.isSwap(s("fna"), of: s("fan")))
        XCTAssertFalse(NormalizerSpelling.isSwap(s("naf"), of: s("fan")))  // not neighbours
        XCTAssertFalse(NormalizerSpelling.isSwap(s("fan"), of: s("fan")))
        XCTAssertTrue(NormalizerSpelling.isDoubleTypedOnce(s("dor"), of: s("door")))
        XCTAssertTrue(NormalizerSpelling.isDoubleTypedOnce(s("hal"), of: s("hall")))
        XCTAssertFalse(NormalizerSpelling.isDoubleTypedOnce(s("dom"), of: s("door")))
        XCTAssertFalse(NormalizerSpelling.isDoubleTypedOnce(s("lam"), of: s("lamp")))  // no double in "lamp"
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
