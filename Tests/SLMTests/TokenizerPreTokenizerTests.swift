import XCTest

@testable import SLM

/// The pre-tokenizers' words for strings whose splits follow from the regexes by hand.
final class TokenizerPreTokenizerTests: XCTestCase {
    func words(_ pre: PreTokenizer, _ text: String) -> [String] {
        var text = text
        return text.withUTF8 { bytes in
            var words: [String] = []
            pre.split(bytes) { words.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self)) }
            return words
        }
    }

    func testGPT2() {
        XCTAssertEqual(
            words(.gpt2, "Hello world!!  it's 2024"), ["Hello", " world", "!!", " ", " it", "'s", " 2024"])
        // Contractions are case-sensitive in GPT-2's pattern: "'S" is punctuation then a letter.
        XCTAssertEqual(words(.gpt2, "IT'S don't"), ["IT", "'", "S", " don", "'t"])
        // Trailing spaces stay together; a run before a word leaves its last space to the word.
        XCTAssertEqual(words(.gpt2, "a   b  "), ["a", "  ", " b", "  "])
        // Only U+0020 joins the next word; other spaces stand alone.
        XCTAssertEqual(words(.gpt2, "a\tb\u{3000}c\n\nd"), ["a", "\t", "b", "\u{3000}", "c", "\n", "\n", "d"])
        XCTAssertEqual(words(.gpt2, "x -42 °C"), ["x", " -", "42", " °", "C"])
        XCTAssertEqual(words(.gpt2, "naïve Ωμέγα 東京"), ["naïve", " Ωμέγα", " 東京"])
        XCTAssertEqual(words(.gpt2, ""), [])
    }

    func testIsolatedDigitsOfSmolLM() {
        XCTAssertEqual(
            words(.isolatedDigits, "Hello world!!  it's 2024"),
            ["Hello", " world", "!!", " ", " it", "'s", " ", "2", "0", "2", "4"])
        // A space before a digit stays alone, since the digit was split off first; so do non-ASCII numbers.
        XCTAssertEqual(words(.isolatedDigits, "to 21.5 ½"), ["to", " ", "2", "1", ".", "5", " ", "½"])
        XCTAssertEqual(words(.isolatedDigits, "x2  y"), ["x", "2", " ", " y"])
    }

    func testLlama3() {
        XCTAssertEqual(
            words(.llama3, "Hello WORLD'S 12345\n\nok"), ["Hello", " WORLD", "'S", " ", "123", "45", "\n\n", "ok"])
        // One non-letter may lead a word; line breaks stay with punctuation or spaces before them.
        XCTAssertEqual(words(.llama3, "(hello)...\n  x"), ["(hello", ")...\n", " ", " x"])
        XCTAssertEqual(words(.llama3, "a \n\t b"), ["a", " \n", "\t", " b"])
    }

    func testLlamaCppDefault() {
        XCTAssertEqual(words(.fallback, "a+b=1234567 ok!"), ["a", "+", "b", "=", "123", "456", "7", " ok", "!"])
        XCTAssertEqual(words(.fallback, "x 12345"), ["x", " ", "123", "45"])
    }
}
