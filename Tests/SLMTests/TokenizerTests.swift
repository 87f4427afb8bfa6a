import Foundation
import XCTest

@testable import SLM

/// Tiny tokenizers built in the test, with ids worked out by hand.
final class TokenizerTests: XCTestCase {
    // Byte-level spellings: "Ġ" is a space, "Ċ" a line feed.
    static let tokens = [
        "<|im_end|>", "h", "e", "l", "o", "Ġ", "w", "r", "d", "he", "ll", "hell", "hello", "Ġw", "or", "Ġwor", "el",
        "@@", "Ċ", "lo",
    ]
    static let merges = ["h e", "l l", "he ll", "hell o", "Ġ w", "o r", "Ġw or", "e l"]
    static var types: [TokenType] {
        var types = [TokenType](repeating: .normal, count: tokens.count)
        types[0] = .control
        types[17] = .userDefined
        return types
    }

    func tiny(pre: String = "gpt2", types: [TokenType]? = TokenizerTests.types) throws -> Tokenizer {
        try Tokenizer(tokens: Self.tokens, tokenTypes: types, merges: Self.merges, preTokenizer: pre, eosID: 0)
    }

    func testMergesByRank() throws {
        let tokenizer = try tiny()
        // hello: h e l l o → he l l o → he ll o → hell o → hello. world: Ġw o r l d → Ġw or l d → Ġwor l d.
        XCTAssertEqual(tokenizer.encode("hello world"), [12, 15, 3, 8])
        // "l l" (rank 1) beats "e l" (rank 7) although "e l" comes first in the word.
        XCTAssertEqual(tokenizer.encode("ell"), [2, 10])
        // Equal ranks merge leftmost first.
        XCTAssertEqual(tokenizer.encode("lll"), [10, 3])
        XCTAssertEqual(tokenizer.encode("\n"), [18])
        // BPE never merges across words: "lo" is a token but no merge makes it.
        XCTAssertEqual(tokenizer.encode("lo"), [3, 4])
        XCTAssertEqual(tokenizer.encode(""), [])
    }

    func testIgnoreMergesTakesWholeWordTokensForLlama3() throws {
        XCTAssertEqual(try tiny(pre: "llama3").encode("lo"), [19])
        XCTAssertEqual(try tiny(pre: "llama3").encode("hello world"), [12, 15, 3, 8])
    }

    func testSpecialTokens() throws {
        let tokenizer = try tiny()
        XCTAssertEqual(tokenizer.encode("hello<|im_end|> world"), [12, 0, 15, 3, 8])
        // Spelled out instead; bytes with no token ('<', '|', 'i', 'm', '_', 'n', '>') are dropped, as in llama.cpp.
        XCTAssertEqual(tokenizer.encode("hello<|im_end|>", parseSpecial: false), [12, 2, 8])
        // User-defined tokens are always matched.
        XCTAssertEqual(tokenizer.encode("hello@@world"), [12, 17, 6, 14, 3, 8])
        XCTAssertEqual(tokenizer.encode("hello@@world", parseSpecial: false), [12, 17, 6, 14, 3, 8])
    }

    func testSegmentsParseSpecialTokensOnlyWhereAllowed() throws {
        let tokenizer = try tiny()
        let segments = [
            TextSegment("hello<|im_end|>", parseSpecial: true), TextSegment("<|im_end|>", parseSpecial: false),
            TextSegment(" world", parseSpecial: true),
        ]
        XCTAssertEqual(tokenizer.encode(segments), [12, 0, 2, 8, 15, 3, 8])
        // Text runs across segments as one string: " w" + "or" is one word.
        XCTAssertEqual(
            tokenizer.encode([TextSegment(" w", parseSpecial: true), TextSegment("or", parseSpecial: false)]), [15])
    }

    func testBOS() throws {
        let tokenizer = try Tokenizer(tokens: Self.tokens, merges: Self.merges, bosID: 0, addsBOS: true)
        XCTAssertEqual(tokenizer.encode("hello"), [0, 12])
        XCTAssertEqual(tokenizer.encode("hello", addBOS: false), [12])
        XCTAssertEqual(try tiny().encode("hello", addBOS: true), [12], "no BOS token, nothing to add")
    }

    func testDecoding() throws {
        let tokenizer = try tiny()
        XCTAssertEqual(tokenizer.decode([12, 15, 3, 8, 18]), "hello world\n")
        XCTAssertEqual(tokenizer.piece(5), [0x20])
        XCTAssertEqual(tokenizer.piece(0), [])
        XCTAssertEqual(tokenizer.piece(0, renderSpecial: true), Array("<|im_end|>".utf8))
        XCTAssertEqual(tokenizer.piece(17), Array("@@".utf8))
        XCTAssertEqual(tokenizer.decode([12, 0, 15], renderSpecial: true), "hello<|im_end|> wor")
    }

    func testEndOfTurnTokensAreMarkupAndEndGeneration() throws {
        // All typed normal, as in a carelessly converted file: <|im_end|> is still markup and still ends generation.
        let tokenizer = try Tokenizer(tokens: Self.tokens, merges: Self.merges)
        XCTAssertEqual(tokenizer.tokenType(0), .control)
        XCTAssertEqual(tokenizer.encode("hello<|im_end|>"), [12, 0])
        XCTAssertTrue(tokenizer.isEndOfGeneration(0))
        XCTAssertFalse(tokenizer.isEndOfGeneration(12))
        XCTAssertNil(tokenizer.eosID)
        XCTAssertTrue(try Tokenizer(tokens: Self.tokens, merges: Self.merges, endOfTurnIDs: [12]).isEndOfGeneration(12))
    }

    func testVocabularyLookups() throws {
        let tokenizer = try tiny()
        XCTAssertEqual(tokenizer.vocabularySize, Self.tokens.count)
        XCTAssertEqual(tokenizer.token(for: "Ġwor"), 15)
        XCTAssertEqual(tokenizer.token(for: "<|im_end|>"), 0)
        XCTAssertNil(tokenizer.token(for: " wor"))
        // A repeated text maps to its last id, as in llama.cpp.
        XCTAssertEqual(try Tokenizer(tokens: ["a", "b", "a"], merges: []).token(for: "a"), 2)
    }

    func testUnsupportedModelAndPreTokenizerAreNamed() {
        XCTAssertThrowsError(try Tokenizer(tokens: Self.tokens, merges: Self.merges, model: "rwkv")) { error in
            XCTAssertEqual(error as? TokenizerError, .unsupportedModel("rwkv", supported: ["gpt2", "llama"]))
            XCTAssertTrue("\(error)".contains("'rwkv'"), "\(error)")
            XCTAssertTrue("\(error)".contains("gpt2"), "\(error)")
        }
        XCTAssertThrowsError(try Tokenizer(tokens: Self.tokens, merges: Self.merges, preTokenizer: "qwen2")) { error in
            guard case .unsupportedPreTokenizer("qwen2", let supported) = error as? TokenizerError else {
                return XCTFail("\(error)")
            }
            XCTAssertTrue(supported.contains("smollm") && supported.contains("gpt-2") && supported.contains("llama3"))
            XCTAssertTrue("\(error)".contains("'qwen2'") && "\(error)".contains("smollm"), "\(error)")
        }
    }

    func testInconsistentArraysAreRejected() {
        XCTAssertThrowsError(try Tokenizer(tokens: Self.tokens, tokenTypes: [.normal], merges: Self.merges)) {
            guard case .invalidMetadata(GGUFKey.tokenTypes, _) = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try Tokenizer(tokens: Self.tokens, merges: Self.merges, bosID: 99)) {
            guard case .invalidMetadata(GGUFKey.bosTokenID, _) = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try Tokenizer(tokens: Self.tokens, merges: ["h e", "hello"])) {
            guard case .invalidMetadata(GGUFKey.merges, let reason) = $0 as? TokenizerError else {
                return XCTFail("\($0)")
            }
            XCTAssertTrue(reason.contains("merge 1"), reason)
        }
        XCTAssertThrowsError(try Tokenizer(tokens: [], merges: [])) {
            guard case .invalidMetadata(GGUFKey.tokens, _) = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
    }

    // MARK: from a GGUF file

    func testReadsATokenizerFromGGUF() throws {
        let gguf = try TinyGGUF.file(
            tinyMetadata() + [(GGUFKey.addBOS, .bool(true)), (GGUFKey.bosTokenID, .uint32(9))])
        let tokenizer = try Tokenizer(gguf: gguf)
        XCTAssertEqual(tokenizer.encode("hello world"), [9, 12, 15, 3, 8])
        XCTAssertEqual(tokenizer.bosID, 9)
        XCTAssertNil(tokenizer.eosID)
        XCTAssertEqual(tokenizer.tokenType(17), .userDefined)
    }

    func testGGUFErrorsNameTheKeyOrValue() throws {
        func error(_ metadata: [(String, TinyGGUF.Value)]) throws -> Error? {
            let gguf = try TinyGGUF.file(metadata)
            do {
                _ = try Tokenizer(gguf: gguf)
                return nil
            } catch {
                return error
            }
        }
        var metadata = tinyMetadata()
        metadata[0].1 = .string("rwkv")
        XCTAssertEqual(try error(metadata) as? TokenizerError, .unsupportedModel("rwkv", supported: ["gpt2", "llama"]))
        metadata = tinyMetadata()
        metadata[1].1 = .string("qwen2")
        XCTAssertEqual(
            try error(metadata) as? TokenizerError,
            .unsupportedPreTokenizer("qwen2", supported: Tokenizer.supportedPreTokenizers))

        XCTAssertEqual(
            try error(tinyMetadata().filter { $0.0 != GGUFKey.tokens }) as? GGUFError, .missingKey(GGUFKey.tokens))
        XCTAssertEqual(
            try error(tinyMetadata().filter { $0.0 != GGUFKey.merges }) as? GGUFError, .missingKey(GGUFKey.merges))
        XCTAssertEqual(
            try error(tinyMetadata().filter { $0.0 != GGUFKey.tokenizerModel }) as? GGUFError,
            .missingKey(GGUFKey.tokenizerModel))
        metadata = tinyMetadata()
        metadata[2].1 = .int32s([1, 2])
        XCTAssertEqual(
            try error(metadata) as? GGUFError,
            .wrongType(key: GGUFKey.tokens, expected: "array of strings", found: "array of integer"))
        metadata = tinyMetadata()
        metadata[3].1 = .int32s([1, 9] + [Int32](repeating: 1, count: Self.tokens.count - 2))
        XCTAssertEqual(
            try error(metadata) as? TokenizerError,
            .invalidMetadata(key: GGUFKey.tokenTypes, reason: "token 1 has type 9.0"))
        XCTAssertEqual(
            try error(tinyMetadata() + [(GGUFKey.eosTokenID, .uint32(500))]) as? TokenizerError,
            .invalidMetadata(key: GGUFKey.eosTokenID, reason: "token id 500 is outside the 20 tokens"))
    }

    func testMissingPreTokenizerMeansLlamaCppDefault() throws {
        let tokenizer = try Tokenizer(gguf: TinyGGUF.file(tinyMetadata().filter { $0.0 != GGUFKey.tokenizerPre }))
        XCTAssertEqual(tokenizer.preTokenizerName, "default")
    }

    private func tinyMetadata() -> [(String, TinyGGUF.Value)] {
        [
            (GGUFKey.tokenizerModel, .string("gpt2")),
            (GGUFKey.tokenizerPre, .string("gpt-2")),
            (GGUFKey.tokens, .strings(Self.tokens)),
            (GGUFKey.tokenTypes, .int32s(Self.types.map { Int32($0.rawValue) })),
            (GGUFKey.merges, .strings(Self.merges)),
        ]
    }
}
