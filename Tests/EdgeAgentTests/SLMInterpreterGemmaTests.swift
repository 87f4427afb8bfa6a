import EdgeAgent
import Foundation
import SLM
import XCTest

/// The local model behind the matcher with a base model, Gemma 3 270M: its file has no chat template, so the prompt
/// is a few-shot completion document, which must answer clear commands and come back the same from the prefix cache.
/// The model is optional: these tests skip, saying how to fetch it, only when its file is absent.
final class SLMInterpreterGemmaTests: XCTestCase {
    static let fileName = "gemma-3-270m-q4_k_m.gguf"
    nonisolated(unsafe) static let local = Result { () throws -> LocalModel in
        let path = ModelStore().cacheDirectory + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("optional model \(fileName) not found at \(path): fetch it with Models/fetch.sh gemma-3-270m")
        }
        return try LocalModel(path, threads: 2)
    }

    func make(_ cache: PrefixCache?) throws -> SLMInterpreter {
        var options = SLMInterpreter.Options()
        options.prefixCache = cache
        return try SLMInterpreter(catalog: try SLMInterpreterTests.catalog.get(), model: try Self.local.get(), options: options)
    }

    func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("prefix-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// Gemma's file carries no `tokenizer.chat_template`; SmolLM2's carries ChatML.
    func testBaseModelGetsTheCompletionPromptWithItsBOS() throws {
        let local = try Self.local.get()
        XCTAssertNil(local.model.file.metadata[GGUFKey.chatTemplate])
        XCTAssertEqual(SLMPromptFormat(gguf: local.model.file), .completion)
        let smol = try SLMInterpreterTests.local.get()
        guard case .chat = SLMPromptFormat(gguf: smol.model.file) else {
            return XCTFail("SmolLM2's ChatML template is not recognised")
        }

        let slm = try make(nil)
        let prefix = slm.format.prefixTokens(slm.prompt, tokenizer: local.tokenizer)
        XCTAssertEqual(prefix.first, local.tokenizer.bosID, "Gemma's prompt starts with its BOS token")
        XCTAssertEqual(prefix.filter { $0 == local.tokenizer.bosID }.count, 1)
        let text = local.tokenizer.decode(prefix)
        XCTAssertTrue(text.hasPrefix(slm.prompt.system + "\n\nCommand: "), text)
        XCTAssertTrue(text.hasSuffix("}\n\n"), text)
        let example = slm.prompt.examples[0]
        XCTAssertTrue(text.contains("Command: \(example.command)\nAction:\n\(example.answer)\n\n"), text)

        let command = slm.format.commandTokens("open the\ngarage door", tokenizer: local.tokenizer)
        XCTAssertFalse(command.contains(try XCTUnwrap(local.tokenizer.bosID)))
        XCTAssertEqual(local.tokenizer.decode(command), "Command: open the garage door\nAction:\n")
        print("Gemma completion prefix: \(slm.startup.prefixTokens) tokens in \(slm.startup.seconds) s")
    }

    /// Clear commands the matcher could have decided, each a different intent, and one that is not for a device.
    func testClearCommandsGetTheRightAction() throws {
        let interpreter = Interpreter(catalog: try SLMInterpreterTests.catalog.get(), model: try make(nil), fastPath: false)
        let cases = [
            SLMInterpreterTests.Case("switch off the hall light", .turnOff, ["hall_light"]),
            SLMInterpreterTests.Case("unlock the front door", .unlock, ["front_door"]),
            SLMInterpreterTests.Case("close the garage door", .closeCover, ["garage_door"]),
            SLMInterpreterTests.Case("is the coffee machine on?", .getState, ["coffee_machine"]),
            SLMInterpreterTests.Case("what's the capital of france"),
        ]
        for expected in cases {
            let result = interpreter.interpret(expected.text)
            XCTAssertEqual(result.via, "slm")
            XCTAssertTrue(
                SLMInterpreterTests.matches(result, expected),
                "\(expected.text) → \(result.status) \(result.resolved.map(\.intent.rawValue)) "
                    + "\(result.resolved.map(\.devices)) \(result.reason ?? "")")
        }
    }

    func testSameAnswersWithoutWithAndAfterReloadFromTheCache() throws {
        try SLMPrefixCacheTests.checkSameAnswersWithoutWithAndAfterReload(directory: temporaryDirectory(), make)
    }
}
