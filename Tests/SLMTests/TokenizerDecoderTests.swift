import XCTest

@testable import SLM

/// The streaming decoder over a vocabulary of the 256 single bytes, so that token `b` is byte `b` and any byte
/// sequence, valid UTF-8 or not, can be fed in.
final class TokenizerDecoderTests: XCTestCase {
    static let bytes = Result {
        try Tokenizer(tokens: ByteLevel.scalars.map { String(Unicode.Scalar($0)!) }, merges: [])
    }

    func stream(_ bytes: [UInt8]) throws -> (outputs: [String], flushed: String) {
        var decoder = TextDecoder(tokenizer: try Self.bytes.get())
        let outputs = bytes.map { decoder.append(Int32($0)) }
        return (outputs, decoder.flush())
    }

    func testByteVocabularyIsTheIdentity() throws {
        let tokenizer = try Self.bytes.get()
        let text = "naïve café 💡\n\t"
        XCTAssertEqual(tokenizer.encode(text), Array(text.utf8).map(Int32.init))
        XCTAssertEqual(tokenizer.piece(0x20), [0x20])
    }

    func testHoldsBackAnEmojiUntilItsLastByte() throws {
        let (outputs, flushed) = try stream([0x41, 0xF0, 0x9F, 0x92, 0xA1, 0x42])
        XCTAssertEqual(outputs, ["A", "", "", "", "💡", "B"])
        XCTAssertEqual(flushed, "")
    }

    func testAccentedWordsByteByByte() throws {
        let text = "naïve café"
        let (outputs, flushed) = try stream(Array(text.utf8))
        XCTAssertEqual(outputs, ["n", "a", "", "ï", "v", "e", " ", "c", "a", "f", "", "é"])
        XCTAssertEqual(outputs.joined() + flushed, text)
    }

    func testBytesThatCannotCompleteBecomeReplacementCharacters() throws {
        // A lead byte followed by ASCII: the broken sequence is one U+FFFD, the ASCII survives.
        XCTAssertEqual(try stream([0xF0, 0x9F, 0x41]).outputs, ["", "", "\u{FFFD}A"])
        // A stray continuation byte, and a byte that never starts a character, come out at once.
        XCTAssertEqual(try stream([0x80, 0xFF, 0x41]).outputs, ["\u{FFFD}", "\u{FFFD}", "A"])
        // A surrogate (ED A0 …) or an overlong form (E0 80 …) is invalid from its second byte.
        XCTAssertEqual(try stream([0xED]).outputs, [""])
        XCTAssertEqual(try stream([0xED, 0xA0]).outputs.last?.isEmpty, false)
        XCTAssertEqual(try stream([0xE0, 0x80]).outputs.last?.isEmpty, false)
        XCTAssertEqual(try stream([0xF4, 0x90]).outputs.last?.isEmpty, false)
        // An incomplete character at the end of generation is flushed as U+FFFD.
        let (outputs, flushed) = try stream([0x61, 0xE2, 0x82])
        XCTAssertEqual(outputs, ["a", "", ""])
        XCTAssertEqual(flushed, "\u{FFFD}")
    }

    func testMultiByteTokens() throws {
        // A token may carry the end of one character and the start of the next.
        let tokens = ["a", "\u{00C3}", "\u{00AF}v", "e\u{00C3}", "\u{00A9}"]  // a, C3, AF 'v', 'e' C3, A9
        let tokenizer = try Tokenizer(tokens: tokens, merges: [])
        var decoder = TextDecoder(tokenizer: tokenizer)
        XCTAssertEqual([0, 1, 2, 3, 4].map { decoder.append($0) }, ["a", "", "ïv", "e", "é"])
    }
}
