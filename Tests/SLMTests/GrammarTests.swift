import XCTest

@testable import SLM

/// The schema automaton: tables of documents it must accept and refuse, forced continuations, the per-node token
/// sets against a brute-force check over the real vocabulary, and generation from random scores.
final class GrammarTests: XCTestCase {
    static let action = GrammarSchema.object([
        .init("intent", .stringEnum(["HassTurnOn", "HassTurnOff", "HassLightSet", "NotACommand"]), required: true),
        .init("devices", .array(.stringEnum(["bedroom_lamp", "bedroom_blinds", "kitchen_ceiling"]), minItems: 1, maxItems: 3)),
        .init("area", .stringEnum(["bedroom", "kitchen"])),
        .init("value", .number(minimum: 0, maximum: 6500, fractionDigits: 1)),
        .init("color", .stringEnum(["white", "warm white"])),
    ])

    func testDocumentsTheSchemaAccepts() throws {
        let grammar = try Grammar(Self.action)
        for text in [
            #"{"intent":"HassTurnOn"}"#,
            #"{"intent":"NotACommand"}"#,
            #"{"intent":"HassTurnOff","devices":["bedroom_lamp"]}"#,
            #"{"intent":"HassTurnOff","devices":["bedroom_lamp","kitchen_ceiling","bedroom_blinds"]}"#,
            #"{"intent":"HassTurnOff","area":"kitchen"}"#,
            #"{"intent":"HassLightSet","devices":["bedroom_lamp"],"value":30}"#,
            #"{"intent":"HassLightSet","value":0}"#,
            #"{"intent":"HassLightSet","value":6500}"#,
            #"{"intent":"HassLightSet","value":999}"#,
            #"{"intent":"HassLightSet","value":21.5}"#,
            #"{"intent":"HassLightSet","area":"bedroom","value":100,"color":"warm white"}"#,
        ] {
            XCTAssertTrue(grammar.accepts(text), text)
        }
    }

    func testDocumentsTheSchemaRefuses() throws {
        let grammar = try Grammar(Self.action)
        for text in [
            #"{}"#,  // the intent is required
            #"{"devices":["bedroom_lamp"]}"#,  // and first
            #"{"intent":"HassDance"}"#,  // not in the enum
            #"{"intent":"hassturnon"}"#,
            #"{"intent":"HassTurnOn","devices":[]}"#,  // minItems 1
            #"{"intent":"HassTurnOn","devices":["garage_door"]}"#,  // not in the catalog
            #"{"intent":"HassTurnOn","devices":["bedroom_lamp","bedroom_lamp","bedroom_lamp","bedroom_lamp"]}"#,
            #"{"intent":"HassTurnOn","area":"kitchen","devices":["bedroom_lamp"]}"#,  // keys in schema order
            #"{"intent":"HassTurnOn","area":"kitchen","area":"kitchen"}"#,  // a key once
            #"{"intent":"HassTurnOn","room":"kitchen"}"#,  // no other keys
            #"{"intent":"HassLightSet","value":6501}"#,
            #"{"intent":"HassLightSet","value":65000}"#,
            #"{"intent":"HassLightSet","value":030}"#,  // no leading zeros
            #"{"intent":"HassLightSet","value":-5}"#,
            #"{"intent":"HassLightSet","value":21.}"#,
            #"{"intent":"HassLightSet","value":21.55}"#,
            #"{"intent":"HassLightSet","value":"30"}"#,
            #"{"intent": "HassTurnOn"}"#,  // compact only
            #"{"intent":"HassTurnOn"}}"#,
            #"{"intent":"HassTurnOn""#,  // incomplete
        ] {
            XCTAssertFalse(grammar.accepts(text), text)
        }
        XCTAssertTrue(grammar.acceptsPrefix(#"{"intent":"HassTurnOn""#))
        XCTAssertFalse(grammar.acceptsPrefix(#"{"intent":"HassX"#))
    }

    func testNegativeNumbersAndBooleans() throws {
        let grammar = try Grammar(
            .object([
                .init("t", .number(minimum: -40, maximum: 120, fractionDigits: 0), required: true),
                .init("on", .boolean),
            ]))
        for text in [#"{"t":-40}"#, #"{"t":-7}"#, #"{"t":120}"#, #"{"t":0,"on":true}"#, #"{"t":5,"on":false}"#] {
            XCTAssertTrue(grammar.accepts(text), text)
        }
        for text in [#"{"t":-41}"#, #"{"t":121}"#, #"{"t":1.5}"#, #"{"t":5,"on":yes}"#, #"{"on":true}"#] {
            XCTAssertFalse(grammar.accepts(text), text)
        }
    }

    func testForcedContinuations() throws {
        let grammar = try Grammar(Self.action)
        func forced(after text: String) -> String {
            let node = grammar.next(grammar.start, text.utf8)
            XCTAssertGreaterThanOrEqual(node, 0, text)
            return String(decoding: grammar.forcedBytes(from: node), as: UTF8.self)
        }
        XCTAssertEqual(forced(after: ""), #"{"intent":""#)
        XCTAssertEqual(forced(after: #"{"intent":"N"#), #"otACommand""#)
        XCTAssertEqual(forced(after: #"{"intent":"H"#), "ass")
        XCTAssertEqual(forced(after: #"{"intent":"HassTurnO"#), "")
        XCTAssertEqual(forced(after: #"{"intent":"HassTurnOn","#), "\"")
        XCTAssertEqual(forced(after: #"{"intent":"HassTurnOn","d"#), #"evices":[""#)
        XCTAssertEqual(forced(after: #"{"intent":"HassTurnOn","devices":["k"#), #"itchen_ceiling""#)
        XCTAssertEqual(forced(after: #"{"intent":"HassTurnOn","devices":["b"#), "edroom_")
        XCTAssertEqual(forced(after: #"{"intent":"HassTurnOn","color":"white"#), "\"}")
        XCTAssertEqual(forced(after: #"{"intent":"HassTurnOn","value":6"#), "", "more digits or the end")
    }

    func testBadSchemasThrowNamedErrors() {
        XCTAssertThrowsError(try Grammar(.stringEnum([]))) { XCTAssertEqual($0 as? GrammarError, .emptyEnum) }
        XCTAssertThrowsError(try Grammar(.number(minimum: 5, maximum: 1, fractionDigits: 0))) {
            XCTAssertEqual($0 as? GrammarError, .invalidRange(minimum: 5, maximum: 1))
        }
        XCTAssertThrowsError(try Grammar(.array(.boolean, minItems: 2, maxItems: 1))) {
            XCTAssertEqual($0 as? GrammarError, .invalidArrayBounds(minItems: 2, maxItems: 1))
        }
    }

    static let tokenizer = Result { try Tokenizer(gguf: GGUFFile(path: TestResources.modelPath())) }

    /// At every node reached by a set of documents, the cached token set equals what checking each of the 49,152
    /// tokens one by one gives.
    func testTokenSetsMatchABruteForceCheckOfTheVocabulary() throws {
        let tokenizer = try Self.tokenizer.get()
        let grammar = try Grammar(Self.action)
        let sets = GrammarTokenSets(grammar: grammar, vocabulary: GrammarVocabulary(tokenizer: tokenizer))
        var nodes = Set<Grammar.Node>()
        for text in [#"{"intent":"HassLightSet","devices":["bedroom_lamp"],"value":21.5,"color":"warm white"}"#] {
            var node = grammar.start
            nodes.insert(node)
            for byte in text.utf8 {
                node = grammar.next(node, byte)
                nodes.insert(node)
            }
        }
        for node in nodes {
            var expected: [Int32] = []
            for id in 0..<Int32(tokenizer.vocabularySize) {
                let piece = tokenizer.piece(id)
                if [TokenType.normal, .userDefined, .byte].contains(tokenizer.tokenType(id)), !piece.isEmpty, grammar.next(node, piece) >= 0 {
                    expected.append(id)
                } else if tokenizer.isEndOfGeneration(id), grammar.isAccepting(node) {
                    expected.append(id)
                }
            }
            XCTAssertEqual(sets.allowed(at: node), expected.sorted(), "node \(node)")
            XCTAssertFalse(expected.isEmpty)
        }
    }

    /// Whatever the scores, constrained generation writes only documents of the schema.
    func testGenerationFromRandomScoresOnlyWritesSchemaDocuments() throws {
        let tokenizer = try Self.tokenizer.get()
        let grammar = try Grammar(Self.action)
        let sets = GrammarTokenSets(grammar: grammar, vocabulary: GrammarVocabulary(tokenizer: tokenizer))
        let evaluator = RandomScores(vocabularySize: tokenizer.vocabularySize, seed: 7)
        let generator = ConstrainedGenerator(evaluator: evaluator, tokenizer: tokenizer, sets: sets)
        var intents = Set<String>()
        for seed in 0..<200 {
            let result = try generator.generate(
                prompt: [1, 2, 3], maxSteps: 200, sampler: RandomSampler(seed: UInt64(seed)))
            XCTAssertTrue(result.isComplete, "\(result.text) sampled \(result.sampledTokens) forced \(result.forcedTokens)")
            XCTAssertTrue(grammar.accepts(result.text), result.text)
            let object = try JSONSerialization.jsonObject(with: Data(result.text.utf8)) as! [String: Any]
            intents.insert(object["intent"] as! String)
            for choice in result.choices { XCTAssert(choice.probability > 0 && choice.probability <= 1) }
        }
        XCTAssertEqual(intents.count, 4, "random scores reach every intent")
    }

    func testMaskCostPerStep() throws {
        let tokenizer = try Self.tokenizer.get()
        let grammar = try Grammar(Self.action)
        let clock = ContinuousClock()
        let vocabularyStart = clock.now
        let vocabulary = GrammarVocabulary(tokenizer: tokenizer)
        let vocabularyTime = clock.now - vocabularyStart
        let sets = GrammarTokenSets(grammar: grammar, vocabulary: vocabulary)
        let allStart = clock.now
        sets.precomputeAll()
        let allTime = clock.now - allStart
        var logits = Logits(vocabularySize: tokenizer.vocabularySize)
        var raw = [Float](repeating: 0, count: tokenizer.vocabularySize)
        var steps = 0
        let start = clock.now
        raw.withUnsafeMutableBufferPointer { raw in
            for _ in 0..<20 {
                for node in 0..<Int32(grammar.nodeCount) {
                    logits.load(raw)
                    logits.keepOnly(sets.allowed(at: node))
                    steps += 1
                }
            }
        }
        let perStep = (clock.now - start).seconds / Double(steps)
        print(
            "grammar: \(grammar.nodeCount) nodes; vocabulary index \(vocabularyTime), all token sets \(allTime); "
                + "mask \(perStep * 1e6) µs per step")
        XCTAssertLessThan(perStep, 1e-3)
    }
}

/// Scores drawn at random for every step: a stand-in for a model that writes anything.
final class RandomScores: TokenEvaluator {
    let logits: UnsafeMutableBufferPointer<Float>
    var random: Xoshiro256StarStar

    init(vocabularySize: Int, seed: UInt64) {
        logits = .allocate(capacity: vocabularySize)
        logits.initialize(repeating: 0)
        random = Xoshiro256StarStar(seed: seed)
    }

    deinit { logits.deallocate() }

    func evaluate(_ tokens: [Int32]) throws {
        for i in logits.indices { logits[i] = Float(random.next() % 1000) / 100 }
    }
}
