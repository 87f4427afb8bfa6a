import XCTest

@testable import EdgeAgent

/// Canonical text and tokens for the commands people actually type, and that every token points back at what the
/// user wrote.
final class NormalizerTests: XCTestCase {
    let normalizer = Normalizer(vocabulary: ["kitchen", "bedroom lamp", "living room", "café"])

    func testCanonicalText() {
        let table: [(input: String, canonical: String)] = [
            ("Dim the bedroom lamp to 30%", "dim the bedroom lamp to 30 %"),
            ("dim the bedroom lamp to thirty percent", "dim the bedroom lamp to 30 %"),
            ("set the thermostat to 21,5 °C", "set the thermostat to 21.5 °c"),
            ("set it to seventy degrees fahrenheit", "set it to 70 °f"),
            ("turn the lights to half", "turn the lights to 50 %"),
            ("IT'S TOO COLD in here!!", "it is too cold in here"),
            ("turn of the kitchn lights", "turn off the kitchen lights"),
            ("warm white 2700K", "warm white 2700 k"),
            ("twenty-five percent", "25 %"),
            ("a hundred percent", "100 %"),
            ("don't turn on the fan", "do not turn on the fan"),
            ("play the mp3 on tv2", "play the mp3 on tv2"),
            ("it's 2 cold in here", "it is 2 cold in here"),
            ("What's the temperature?", "what is the temperature"),
            (
                "I'm cold, can't you turn the heating up? we won't mind. let's go",
                "i am cold can not you turn the heating up we will not mind let us go"
            ),
            ("it’s “too” bright — dim it", "it is too bright dim it"),
            ("  turn\t on \n the   lamp  ", "turn on the lamp"),
            ("the kitchen's lights", "the kitchen lights"),
            ("set 70°F", "set 70 °f"),
            ("set 21 ° c", "set 21 °c"),
            ("set to 21 degrees", "set to 21 °"),
            ("twenty one point five degrees celsius", "21.5 °c"),
            ("one hundred and five", "105"),
            ("two thousand seven hundred kelvin", "2700 k"),
            ("three quarters", "75 %"),
            ("a quarter", "25 %"),
            ("1,000 and 1,2,3", "1000 and 1 2 3"),
            ("a 4k tv", "a 4k tv"),
            ("lights 10 per cent brighter", "lights 10 % brighter"),
            ("brightness +10%", "brightness +10 %"),
            ("minus five degrees", "-5 °"),
            ("-5°C outside", "-5 °c outside"),
            ("wi-fi plug", "wi-fi plug"),
            ("Turn ON The Café Lights", "turn on the café lights"),
            ("zero", "0"),
            ("ninety-nine", "99"),
            ("twenty one", "21"),
            ("set it to twenty", "set it to 20"),
        ]
        for (input, canonical) in table {
            XCTAssertEqual(normalizer.normalize(input).text, canonical, input)
        }
    }

    func testTokensMapBackToTheOriginal() {
        let input = "Hey Jarvis, it's  TWENTY-FIVE °C in the Kitchn!"
        let result = normalizer.normalize(input)
        let rows = result.tokens.map { ($0.text, String(input[$0.range]), $0.kind, $0.isFiller) }
        let expected: [(String, String, NormalizedText.Token.Kind, Bool)] = [
            ("hey", "Hey", .word, true), ("jarvis", "Jarvis", .word, true), ("it", "it's", .word, false),
            ("is", "it's", .word, false), ("25", "TWENTY-FIVE", .number, false), ("°c", "°C", .unit, false),
            ("in", "in", .word, false), ("the", "the", .word, false), ("kitchen", "Kitchn", .word, false),
        ]
        XCTAssertEqual(rows.count, expected.count)
        for (row, want) in zip(rows, expected) {
            XCTAssertEqual(row.0, want.0)
            XCTAssertEqual(row.1, want.1, want.0)
            XCTAssertEqual(row.2, want.2, want.0)
            XCTAssertEqual(row.3, want.3, want.0)
        }
        XCTAssertEqual(result.tokens.last?.correctedFrom, "kitchn")
    }

    /// Every token of every input covers text of the original, in order, whatever the input.
    func testRangesAreOrderedAndInsideTheOriginal() {
        let inputs = [
            "Dim the bedroom lamp to 30%", "set the thermostat to 21,5 °C", "don't turn on the fan", "café ☕️ 50%",
            "Cafe\u{301} lights", "l̴̡i̸g̷h̵t on", "–5 °C", "2,700K warm", "it's…", "电灯 开",
        ]
        for input in inputs {
            let result = normalizer.normalize(input)
            XCTAssertEqual(result.text, result.tokens.map(\.text).joined(separator: " "), input)
            XCTAssertEqual(result.foldedText, result.tokens.map(\.folded).joined(separator: " "), input)
            var previous = input.startIndex
            for token in result.tokens {
                XCTAssertGreaterThanOrEqual(token.range.lowerBound, previous, input)
                XCTAssertFalse(input[token.range].isEmpty, input)
                previous = token.range.lowerBound
            }
            for quantity in result.quantities {
                XCTAssertEqual(quantity.range.lowerBound, result.tokens[quantity.tokens.lowerBound].range.lowerBound)
                XCTAssertEqual(
                    quantity.range.upperBound, result.tokens[quantity.tokens.upperBound - 1].range.upperBound)
            }
        }
    }

    func testDiacriticsAreKeptWithAFoldedVariant() {
        for input in ["Café lights", "Cafe\u{301} lights"] {
            let result = normalizer.normalize(input)
            XCTAssertEqual(result.tokens.first?.folded, "cafe", input)
            XCTAssertNotEqual(result.tokens.first?.text, "cafe", input)
            XCTAssertEqual(result.foldedText, "cafe lights", input)
        }
        XCTAssertEqual(normalizer.normalize("Küche Straße Œuvre Łódź").foldedText, "kuche strasse oeuvre lodz")
        XCTAssertEqual(normalizer.normalize("Küche").text, "küche")
    }

    func testFillersAreMarkedNotRemoved() {
        let result = normalizer.normalize("hey jarvis could you please turn on the lamp")
        XCTAssertEqual(result.text, "hey jarvis could you please turn on the lamp")
        XCTAssertEqual(result.contentTokens.map(\.text), ["turn", "on", "the", "lamp"])
        XCTAssertEqual(
            normalizer.normalize("ok google can you dim the lights thanks").contentTokens.map(\.text),
            ["dim", "the", "lights"])
        XCTAssertEqual(
            normalizer.normalize("would you mind opening the blinds").contentTokens.map(\.text),
            ["opening", "the", "blinds"])
        // After "hey", a command word is not taken for the assistant's name.
        XCTAssertEqual(
            normalizer.normalize("hey turn on the lamp").contentTokens.map(\.text), ["turn", "on", "the", "lamp"])
        XCTAssertEqual(normalizer.normalize("alexa lights off").contentTokens.map(\.text), ["lights", "off"])
    }

    func testQuestionMark() {
        XCTAssertTrue(normalizer.normalize("is the hall light on?").isQuestion)
        XCTAssertFalse(normalizer.normalize("turn the hall light on!").isQuestion)
        XCTAssertFalse(normalizer.normalize("on? no, off").isQuestion)
    }
}
