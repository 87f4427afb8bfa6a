import Foundation
import XCTest

@testable import SLM

/// SentencePiece-style encoding on a vocabulary built in the test, then Gemma 3's against llama.cpp's ids.
final class TokenizerSentencePieceTests: XCTestCase {
    /// Scores decide the merge order: "▁ab" forms from "▁a" + "b" only because "▁a" (score -1) beats "ab" (-2).
    static let tokens = ["<unk>", "<s>", "▁", "a", "b", "c", "▁a", "ab", "▁ab", "bc", "<0x21>", "<0xC3>", "<0xA9>", "  "]
    static let scores: [Float] = [0, 0, -5, -6, -6, -6, -1, -2, -3, -4, 0, 0, 0, 0]
    static let types: [TokenType] = [
        .unknown, .control, .normal, .normal, .normal, .normal, .normal, .normal, .normal, .normal, .byte, .byte, .byte,
        .userDefined,
    ]

    func tiny(spacePrefix: Bool = false) throws -> Tokenizer {
        try Tokenizer(
            tokens: Self.tokens, tokenTypes: Self.types, merges: [], scores: Self.scores, model: "llama",
            preTokenizer: "default", bosID: 1, unknownID: 0, addsBOS: true, addsSpacePrefix: spacePrefix)
    }

    func testHighestScoreMergesFirst() throws {
        let t = try tiny()
        XCTAssertEqual(t.encode("ab", addBOS: false), [7])
        XCTAssertEqual(t.encode(" ab", addBOS: false), [8])  // ▁a + b, not ▁ + ab
        XCTAssertEqual(t.encode("abc", addBOS: false), [7, 5])  // ab (-2) before bc (-4)
        XCTAssertEqual(t.encode(" a", addBOS: true), [1, 6])
    }

    func testByteFallbackAndUserDefinedTokens() throws {
        let t = try tiny()
        // "!" and "é" are no tokens: their UTF-8 bytes are; "d" has no byte token, so it becomes <unk>.
        XCTAssertEqual(t.encode("a!é", addBOS: false), [3, 10, 11, 12])
        XCTAssertEqual(t.encode("d", addBOS: false), [0])
        // Two spaces are a user-defined token, matched before spaces become ▁.
        XCTAssertEqual(t.encode("a  b", addBOS: false), [3, 13, 4])
        XCTAssertEqual(t.decode([3, 10, 11, 12, 13, 8]), "a!é   ab")
    }

    func testSpacePrefix() throws {
        XCTAssertEqual(try tiny(spacePrefix: true).encode("ab", addBOS: false), [8])
        XCTAssertEqual(try tiny(spacePrefix: true).decode([8]), " ab")
    }

    func testGemmaTokenIDsMatchLlamaCpp() throws {
        let gguf = try GGUFFile(path: TestResources.optionalModelPath(TestResources.gemma3, fetchName: "gemma-3-270m"))
        let tokenizer = try Tokenizer(gguf: gguf)
        XCTAssertEqual(tokenizer.modelName, "llama")
        XCTAssertEqual(tokenizer.bosID, 2)
        XCTAssertTrue(tokenizer.addsBOS)
        let data = try Data(contentsOf: URL(fileURLWithPath: TestResources.referencePath(TestResources.gemma3Reference)))
        let reference = try JSONDecoder().decode(TokenizerReference.self, from: data)
        XCTAssertGreaterThan(reference.tokenize.count, 10)
        for item in reference.tokenize {
            XCTAssertEqual(tokenizer.encode(item.text), item.ids, item.text.debugDescription)
            // Decoding gives the text back (BOS, a control token, decodes to nothing).
            XCTAssertEqual(tokenizer.decode(item.ids), item.text, item.text.debugDescription)
        }
        for (name, prompt) in reference.prompts {
            XCTAssertEqual(tokenizer.encode(prompt.text), prompt.ids, name)
        }
        XCTAssertTrue(tokenizer.isEndOfGeneration(1))
        XCTAssertTrue(tokenizer.isEndOfGeneration(106))  // <end_of_turn>
    }
}
