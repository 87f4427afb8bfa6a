import Foundation
import XCTest

@testable import SLM

/// The parts of llama.cpp's reference file the tokenizer tests read.
struct TokenizerReference: Decodable {
    struct Case: Decodable {
        let text: String
        let ids: [Int32]
    }

    let tokenize: [Case]
    let prompts: [String: Case]

    static func load() throws -> TokenizerReference {
        let data = try Data(contentsOf: URL(fileURLWithPath: TestResources.referencePath()))
        return try JSONDecoder().decode(TokenizerReference.self, from: data)
    }

    func prompt(_ name: String) throws -> Case {
        try XCTUnwrap(prompts[name], "the reference has no prompt '\(name)'")
    }
}

/// SmolLM2's tokenizer, loaded once for all tests.
enum SmolLM2 {
    private static let loaded = Result { () throws -> (Tokenizer, GGUFFile) in
        let gguf = try GGUFFile(path: TestResources.modelPath())
        return (try Tokenizer(gguf: gguf), gguf)
    }

    static func tokenizer() throws -> Tokenizer { try loaded.get().0 }
    static func gguf() throws -> GGUFFile { try loaded.get().1 }
}

final class TokenizerReferenceTests: XCTestCase {
    func testMetadata() throws {
        let tokenizer = try SmolLM2.tokenizer()
        XCTAssertEqual(tokenizer.vocabularySize, 49_152)
        XCTAssertEqual(tokenizer.bosID, 1)
        XCTAssertEqual(tokenizer.eosID, 2)
        XCTAssertFalse(tokenizer.addsBOS)
        XCTAssertEqual(tokenizer.modelName, "gpt2")
        XCTAssertEqual(tokenizer.preTokenizerName, "smollm")
        XCTAssertEqual(tokenizer.token(for: "<|im_start|>"), 1)
        XCTAssertEqual(tokenizer.token(for: "<|im_end|>"), 2)
        XCTAssertEqual(tokenizer.token(for: "Ġthe"), 260)
        XCTAssertNil(tokenizer.token(for: "not a token at all"))
        XCTAssertEqual(tokenizer.tokenType(2), .control)
        XCTAssertEqual(tokenizer.tokenType(260), .normal)
    }

    func testEncodeAgreesWithLlamaCppOnEveryReferenceString() throws {
        let tokenizer = try SmolLM2.tokenizer()
        let reference = try TokenizerReference.load()
        XCTAssertGreaterThan(reference.tokenize.count, 10)
        for item in reference.tokenize {
            XCTAssertEqual(tokenizer.encode(item.text), item.ids, "\(item.text.debugDescription)")
        }
    }

    func testEncodeAgreesWithLlamaCppOnEveryReferencePrompt() throws {
        let tokenizer = try SmolLM2.tokenizer()
        let reference = try TokenizerReference.load()
        XCTAssertGreaterThanOrEqual(reference.prompts.count, 4)
        for (name, prompt) in reference.prompts {
            XCTAssertEqual(tokenizer.encode(prompt.text), prompt.ids, name)
        }
    }

    func testDecodingTheIdsGivesBackEveryReferenceString() throws {
        let tokenizer = try SmolLM2.tokenizer()
        let reference = try TokenizerReference.load()
        for text in reference.tokenize.map(\.text) + reference.prompts.values.map(\.text) {
            XCTAssertEqual(tokenizer.decode(tokenizer.encode(text), renderSpecial: true), text)
        }
    }

    func testAddBOSOnRequest() throws {
        let tokenizer = try SmolLM2.tokenizer()
        XCTAssertEqual(tokenizer.encode("Hello world!", addBOS: true), [1, 19556, 905, 17])
        XCTAssertEqual(tokenizer.encode("Hello world!"), [19556, 905, 17])
    }

    func testSpecialTokensAreSpelledOutWhenNotParsed() throws {
        let tokenizer = try SmolLM2.tokenizer()
        XCTAssertEqual(tokenizer.encode("<|im_end|>"), [2])
        let spelled = tokenizer.encode("<|im_end|>", parseSpecial: false)
        XCTAssertGreaterThan(spelled.count, 1)
        XCTAssertFalse(spelled.contains { tokenizer.tokenType($0) == .control }, "\(spelled)")
        XCTAssertEqual(tokenizer.decode(spelled), "<|im_end|>")

        let text = "<|im_start|>user\nhi<|im_end|>\n"
        XCTAssertEqual(tokenizer.encode(text).filter { $0 <= 2 }, [1, 2])
        XCTAssertEqual(tokenizer.encode(text, parseSpecial: false).filter { $0 <= 2 }, [])
    }

    func testControlTokensDecodeToNothingUnlessRendered() throws {
        let tokenizer = try SmolLM2.tokenizer()
        XCTAssertEqual(tokenizer.piece(2), [])
        XCTAssertEqual(tokenizer.piece(2, renderSpecial: true), Array("<|im_end|>".utf8))
        XCTAssertEqual(tokenizer.piece(260), Array(" the".utf8))
        XCTAssertEqual(tokenizer.piece(197), [0x09])
        XCTAssertEqual(tokenizer.decode([1, 4093, 198, 19556, 2]), "user\nHello")
    }

    func testEndOfGeneration() throws {
        let tokenizer = try SmolLM2.tokenizer()
        XCTAssertTrue(tokenizer.isEndOfGeneration(2))  // <|im_end|>, the EOS
        XCTAssertTrue(tokenizer.isEndOfGeneration(0))  // <|endoftext|>
        XCTAssertFalse(tokenizer.isEndOfGeneration(1))  // <|im_start|>
        XCTAssertFalse(tokenizer.isEndOfGeneration(260))
    }

    func testStreamingDecoderHoldsBackASplitEmoji() throws {
        let tokenizer = try SmolLM2.tokenizer()
        // "💡" is F0 9F 92 A1; SmolLM2 spells " 💡" as "ĠðŁ" (20 F0 9F), "Ĵ" (92), "¡" (A1).
        let ids = tokenizer.encode("lights → 50% 💡")
        XCTAssertEqual(Array(ids.suffix(3)), [15107, 236, 111])
        var decoder = TextDecoder(tokenizer: tokenizer)
        let outputs = ids.map { decoder.append($0) }
        XCTAssertEqual(Array(outputs.suffix(3)), [" ", "", "💡"])
        XCTAssertEqual(outputs.joined() + decoder.flush(), "lights → 50% 💡")
        XCTAssertFalse(outputs.joined().unicodeScalars.contains("\u{FFFD}"))
    }

    func testStreamingDecoderOnAccentedWords() throws {
        let tokenizer = try SmolLM2.tokenizer()
        let text = "naïve café"
        var decoder = TextDecoder(tokenizer: tokenizer)
        var outputs: [String] = []
        for id in tokenizer.encode(text) { outputs.append(decoder.append(id)) }
        outputs.append(decoder.flush())
        XCTAssertEqual(outputs.joined(), text)
        XCTAssertFalse(outputs.joined().unicodeScalars.contains("\u{FFFD}"))
        // "ï" (C3 AF) is split between "na" + C3 and AF + "ve" in some vocabularies; whatever the split, no output may
        // end with a dangling lead byte, which would have become U+FFFD.
        for output in outputs { XCTAssertFalse(output.unicodeScalars.contains("\u{FFFD}"), output) }
    }

    func testStreamingDecoderWithControlTokens() throws {
        let tokenizer = try SmolLM2.tokenizer()
        var plain = TextDecoder(tokenizer: tokenizer)
        XCTAssertEqual([19556, 2].map { plain.append($0) }, ["Hello", ""])
        var rendered = TextDecoder(tokenizer: tokenizer, renderSpecial: true)
        XCTAssertEqual([19556, 2].map { rendered.append($0) }, ["Hello", "<|im_end|>"])
    }

    /// Timings, printed and not asserted: run in release for numbers that mean anything
    /// (`swift test -c release -Xswiftc -enable-testing --filter TokenizerReferenceTests/testSpeed`).
    func testSpeed() throws {
        let path = try TestResources.modelPath()
        let clock = ContinuousClock()
        var ggufTimes: [Duration] = []
        var tokenizerTimes: [Duration] = []
        var tokenizer: Tokenizer?
        for _ in 0..<5 {
            var gguf: GGUFFile?
            ggufTimes.append(try clock.measure { gguf = try GGUFFile(path: path) })
            tokenizerTimes.append(try clock.measure { tokenizer = try Tokenizer(gguf: gguf!) })
        }
        let command = """
            Please turn on the kitchen lights and set them to 40% brightness, then dim the bedroom lamp to 30%, \
            close the garage door, lock the front door and set the thermostat in the living room to 21.5 °C right now
            """
        XCTAssertEqual(command.split(separator: " ").count, 40)
        let rounds = 2_000
        var count = 0
        let encodeTime = clock.measure {
            for _ in 0..<rounds { count &+= tokenizer!.encode(command).count }
        }
        let tokens = tokenizer!.encode(command).count
        print(
            """
            tokenizer speed: GGUF open+parse median \(ggufTimes.sorted()[2]), Tokenizer(gguf:) median \
            \(tokenizerTimes.sorted()[2]) (min \(tokenizerTimes.min()!)); encode of a 40-word command \
            (\(command.utf8.count) bytes, \(tokens) tokens): \(encodeTime / rounds) each
            """)
        XCTAssertEqual(count, rounds * tokens)
    }
}
