import XCTest

@testable import EdgeAgent

/// Odd input never crashes and gives a sensible answer; long input takes linear time.
final class NormalizerRobustnessTests: XCTestCase {
    let normalizer = Normalizer(vocabulary: ["kitchen"])

    func testEmptyAndWhitespace() {
        for input in ["", " ", "\t\n  \r\n", "!!! ?? ...", "\u{301}"] {
            let result = normalizer.normalize(input)
            XCTAssertEqual(result.text, "", input)
            XCTAssertEqual(result.tokens, [], input)
            XCTAssertEqual(result.quantities, [], input)
        }
    }

    func testEmojiAndOddUnicode() {
        XCTAssertEqual(normalizer.normalize("turn on the 💡 please 🙏🏽").text, "turn on the please")
        XCTAssertEqual(normalizer.normalize("👨‍👩‍👧 lights 🇩🇪 on").text, "lights on")
        XCTAssertEqual(normalizer.normalize("ＴＶ ５０％").text, "ｔｖ 50 %")
        XCTAssertEqual(normalizer.normalize("lamp ٥٠%").quantities.first?.value, 50)
        XCTAssertEqual(normalizer.normalize("l̴̡i̸g̷h̵t on").foldedText, "light on")
        XCTAssertEqual(normalizer.normalize("电灯 开").text, "电灯 开")
        XCTAssertEqual(normalizer.normalize("\u{0}\u{7}lamp\u{FEFF}on\u{200B}").text, "lamp on")
    }

    func testHugeNumbersStayWords() {
        let digits = String(repeating: "9", count: 40)
        let result = normalizer.normalize("set \(digits) %")
        XCTAssertEqual(result.quantities, [])
        XCTAssertEqual(result.text, "set \(digits) %")
    }

    func testLongInputIsLinear() {
        let phrase = "turn on the kitchn lamp to 42 % please "
        let short = String(repeating: phrase, count: 260)  // about 10,000 characters
        let long = String(repeating: phrase, count: 1040)
        XCTAssertGreaterThanOrEqual(short.count, 10_000)
        let result = normalizer.normalize(short)
        XCTAssertEqual(result.quantities.count, 260)
        XCTAssertEqual(result.tokens.count, 260 * 9)
        XCTAssertEqual(result.tokens.filter { $0.text == "kitchen" }.count, 260)
        for input in [
            String(repeating: "a", count: 10_000), String(repeating: "1", count: 10_000),
            String(repeating: "%", count: 10_000), String(repeating: "1,", count: 5_000),
            String(repeating: "twenty ", count: 1_500), String(repeating: "\u{301}", count: 10_000),
        ] {
            _ = normalizer.normalize(input)
        }

        func seconds(_ input: String) -> Double {
            let clock = ContinuousClock()
            var best = Duration.seconds(1000)
            for _ in 0..<3 { best = min(best, clock.measure { _ = normalizer.normalize(input) }) }
            return Double(best.components.seconds) + Double(best.components.attoseconds) * 1e-18
        }
        // Four times the text; a quadratic pass would take sixteen times as long.
        let ratio = seconds(long) / seconds(short)
        print("normalizer: 4x input took \(ratio)x the time")
        XCTAssertLessThan(ratio, 10)
    }

    /// Reported, not asserted: the time budget is for release builds on the board.
    func testMeasureTimePerCommand() {
        let vocabulary: Set<String> = [
            "kitchen", "bedroom", "living room", "hallway", "bathroom", "office", "garage", "ceiling light",
            "desk lamp", "floor lamp", "bedroom lamp", "reading light", "thermostat", "heater", "fan", "blinds",
            "curtains", "front door", "back door", "tv", "speaker", "porch light", "garden lights", "dehumidifier",
        ]
        let normalizer = Normalizer(vocabulary: vocabulary)
        let commands = [
            "hey jarvis could you please dim the bedroom lamp to thirty percent in the kitchn now",
            "set the thermostat in the living room to twenty one point five degrees celsius please ok",
            "it's too cold in here can you turn the heater up by 2 degrees and close the blinds",
        ]
        var sink = 0
        for command in commands { sink &+= normalizer.normalize(command).tokens.count }
        let iterations = 20_000
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for i in 0..<iterations { sink &+= normalizer.normalize(commands[i % commands.count]).tokens.count }
        }
        let micros =
            (Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) * 1e-12)
            / Double(iterations)
        print("normalizer: \(micros) µs per 15-word command (\(sink))")
    }
}
