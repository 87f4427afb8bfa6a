import XCTest

@testable import EdgeAgent

/// Numbers and units found in the text: value, unit, sign, and the exact text they came from.
final class NormalizerQuantityTests: XCTestCase {
    let normalizer = Normalizer()

    func testQuantities() {
        let table:
            [(
                input: String, value: Double, unit: NormalizedText.Quantity.Unit, sign: NormalizedText.Quantity.Sign,
                source: String
            )] = [
                ("Dim the bedroom lamp to 30%", 30, .percent, .none, "30%"),
                ("dim the bedroom lamp to thirty percent", 30, .percent, .none, "thirty percent"),
                ("set the thermostat to 21,5 °C", 21.5, .celsius, .none, "21,5 °C"),
                ("set the thermostat to 21.5°C", 21.5, .celsius, .none, "21.5°C"),
                ("set it to seventy degrees fahrenheit", 70, .fahrenheit, .none, "seventy degrees fahrenheit"),
                ("set it to 70F", 70, .fahrenheit, .none, "70F"),
                ("set it to 21 celsius", 21, .celsius, .none, "21 celsius"),
                ("set it to 21 degrees", 21, .degrees, .none, "21 degrees"),
                ("set it to 21℃", 21, .celsius, .none, "21℃"),
                ("turn the lights to half", 50, .percent, .none, "half"),
                ("three quarters", 75, .percent, .none, "three quarters"),
                ("a quarter", 25, .percent, .none, "a quarter"),
                ("warm white 2700K", 2700, .kelvin, .none, "2700K"),
                ("warm white 2,700 k", 2700, .kelvin, .none, "2,700 k"),
                ("colour temperature 4000 kelvin", 4000, .kelvin, .none, "4000 kelvin"),
                ("twenty-five percent", 25, .percent, .none, "twenty-five percent"),
                ("a hundred percent", 100, .percent, .none, "a hundred percent"),
                ("one hundred pct", 100, .percent, .none, "one hundred pct"),
                ("10 per cent brighter", 10, .percent, .none, "10 per cent"),
                ("brightness +10%", 10, .percent, .plus, "+10%"),
                ("brightness -10%", -10, .percent, .minus, "-10%"),
                ("minus five degrees", -5, .degrees, .minus, "minus five degrees"),
                ("it's 2 cold", 2, .number, .none, "2"),
                ("channel ninety-nine", 99, .number, .none, "ninety-nine"),
                ("volume 0", 0, .number, .none, "0"),
                ("set it to twenty one point five", 21.5, .number, .none, "twenty one point five"),
                ("set it to 21 degrees c", 21, .celsius, .none, "21 degrees c"),
                ("set to 21 ° c", 21, .celsius, .none, "21 ° c"),
            ]
        for row in table {
            let result = normalizer.normalize(row.input)
            XCTAssertEqual(result.quantities.count, 1, row.input)
            guard let quantity = result.quantities.first else { continue }
            XCTAssertEqual(quantity.value, row.value, accuracy: 1e-9, row.input)
            XCTAssertEqual(quantity.unit, row.unit, row.input)
            XCTAssertEqual(quantity.sign, row.sign, row.input)
            XCTAssertEqual(String(row.input[quantity.range]), row.source, row.input)
        }
    }

    func testNumbersInsideWordsAreNotMangled() {
        for input in ["play mp3", "switch to tv2", "a 4k tv", "3d printer", "the 2nd lamp"] {
            let result = normalizer.normalize(input)
            XCTAssertEqual(result.quantities, [], input)
            XCTAssertEqual(result.text, input.lowercased(), input)
        }
        // A lone "c" after a number is not a unit: only "21c" or "21 °c" is.
        XCTAssertEqual(normalizer.normalize("lamp 2 c").quantities.first?.unit, .number)
        // "k" is kelvin only for colour temperatures.
        XCTAssertEqual(normalizer.normalize("lamp 2 k").quantities.first?.unit, .number)
    }

    func testSeveralQuantitiesAndTheirTokens() {
        let result = normalizer.normalize("set 1,2,3 to 1,000 and lamp 5 to 50%")
        XCTAssertEqual(result.quantities.map(\.value), [1, 2, 3, 1000, 5, 50])
        guard result.quantities.count == 6 else { return }
        let last = result.quantities[5]
        XCTAssertEqual(result.tokens[last.tokens].map(\.text), ["50", "%"])
        XCTAssertEqual(result.tokens[last.tokens].map(\.kind), [.number, .unit])
    }

    func testGermanNumberWords() {
        let table: [(String, Double, NormalizedText.Quantity.Unit)] = [
            ("null", 0, .number), ("drei", 3, .number), ("zwölf", 12, .number), ("einundzwanzig grad", 21, .degrees),
            ("Lampe auf fünfzig Prozent", 50, .percent), ("fuenfundsiebzig prozent", 75, .percent),
            ("dreißig", 30, .number), ("hundert prozent", 100, .percent), ("neunundneunzig", 99, .number),
        ]
        for (words, value, unit) in table {
            let quantities = normalizer.normalize(words).quantities
            XCTAssertEqual(quantities.map(\.value), [value], words)
            XCTAssertEqual(quantities.first?.unit, unit, words)
        }
        // The article is not a number.
        XCTAssertEqual(normalizer.normalize("ein licht und eine lampe").quantities, [])
        XCTAssertEqual(normalizer.normalize("einundzwanzig").text, "21")
    }

    func testDottedAndCommaSequencesAreNotDecimals() {
        XCTAssertEqual(normalizer.normalize("on 10.5.2024").quantities.map(\.value), [10, 5, 2024])
        XCTAssertEqual(normalizer.normalize("lamps 1,2,3").quantities.map(\.value), [1, 2, 3])
        XCTAssertEqual(normalizer.normalize("version 3.5").quantities.map(\.value), [3.5])
    }

    func testNumberWords() {
        let table: [(String, Double)] = [
            ("zero", 0), ("seven", 7), ("thirteen", 13), ("forty two", 42), ("fourty", 40), ("ninety-nine", 99),
            ("one hundred", 100), ("a hundred", 100), ("one hundred and one", 101), ("five hundred twenty", 520),
            ("two thousand", 2000), ("a thousand", 1000), ("six thousand five hundred", 6500),
        ]
        for (words, value) in table {
            let quantities = normalizer.normalize(words).quantities
            XCTAssertEqual(quantities.map(\.value), [value], words)
        }
        // Separate numbers stay separate; "a" and "and" alone are words.
        XCTAssertEqual(normalizer.normalize("five twenty").quantities.map(\.value), [5, 20])
        XCTAssertEqual(normalizer.normalize("zero five").quantities.map(\.value), [0, 5])
        XCTAssertEqual(normalizer.normalize("a lamp and a fan").quantities, [])
        XCTAssertEqual(normalizer.normalize("one hundred and").text, "100 and")
    }
}
