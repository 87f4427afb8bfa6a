import EdgeAgent
import Foundation
import SLM
import XCTest

/// The local model behind the matcher, on the real SmolLM2-135M and the sample catalog: answers only from the
/// catalog, grounded in the words, the same with and without the prefix cache, and a small development set of
/// commands (ours, for tuning; not the project's labelled set) with its accuracy and latency printed.
final class SLMInterpreterTests: XCTestCase {
    /// The default model's file in the model cache (by path: the tests do not depend on the manifest).
    static let modelPath = ModelStore().cacheDirectory + "/SmolLM2-135M-Instruct.Q4_1.gguf"
    static let catalog = Result { try Catalog(contentsOf: AskCommandTests.catalog) }
    nonisolated(unsafe) static let local = Result { try LocalModel(SLMInterpreterTests.modelPath, threads: 2) }
    /// One interpreter for the tests that do not test start-up: the prefix is evaluated once, not on disk.
    static let shared = Result { () throws -> SLMInterpreter in
        var options = SLMInterpreter.Options()
        options.prefixCache = nil
        return try SLMInterpreter(catalog: catalog.get(), model: local.get(), options: options)
    }

    /// A command and what it must come to: the intent and the devices after validation, or nothing that acts.
    struct Case {
        var text: String
        var intent: Intent?
        var devices: [String]
        var value: Double?
        var color: String?

        init(_ text: String, _ intent: Intent? = nil, _ devices: [String] = [], value: Double? = nil, color: String? = nil) {
            self.text = text
            self.intent = intent
            self.devices = devices
            self.value = value
            self.color = color
        }
    }

    /// Varied on purpose: indirect requests, paraphrases, a German alias, questions and chit-chat.
    static let developmentSet: [Case] = [
        Case("dim the bedroom lamp to 30%", .lightSet, ["bedroom_lamp"], value: 30),
        Case("could you please switch the telly off", .turnOff, ["living_room_tv"]),
        Case("kill the lights in the garage", .turnOff, ["garage_light"]),
        Case("put the coffee machine on", .turnOn, ["coffee_machine"]),
        Case("make it 22 degrees in the living room", .climateSetTemperature, ["downstairs_thermostat"], value: 22),
        Case("raise the office blinds", .openCover, ["office_blinds"]),
        Case("shut the garage door", .closeCover, ["garage_door"]),
        Case("set the bedroom blinds to 50 percent", .setPosition, ["bedroom_blinds"], value: 50),
        Case("lock up the front door", .lock, ["front_door"]),
        Case("unlock the front door for me", .unlock, ["front_door"]),
        Case("turn the night light blue", .lightSet, ["kids_nightlight"], color: "blue"),
        Case("I'd like the sprinkler running", .turnOn, ["sprinkler"]),
        Case("stop the sprinkler", .turnOff, ["sprinkler"]),
        Case("bathroom fan on", .turnOn, ["bathroom_fan"]),
        Case("warm up the towel rail", .turnOn, ["towel_warmer"]),
        Case("brighten the patio lamp a bit", .brightnessUp, ["patio_lamp"]),
        Case("the living room lamp is too bright", .brightnessDown, ["living_room_lamp"]),
        Case("set the upstairs thermostat to 19", .climateSetTemperature, ["upstairs_thermostat"], value: 19),
        Case("switch on the fairy lights", .turnOn, ["garden_lights"]),
        Case("printer off", .turnOff, ["office_printer"]),
        Case("start movie night", .turnOn, ["movie_night"]),
        Case("switch on the nightlight in the nursery", .turnOn, ["kids_nightlight"]),
        Case("mirror light on please", .turnOn, ["bathroom_mirror"]),
        Case("open the shutters in the bedroom", .openCover, ["bedroom_blinds"]),
        Case("Wohnzimmerlampe an", .turnOn, ["living_room_lamp"]),
        Case("make the ceiling light in the living room warm white", .lightSet, ["living_room_ceiling"], color: "warm white"),
        Case("switch the heating off", .turnOff, ["downstairs_thermostat"]),
        Case("it's too dark in the office", .brightnessUp, ["office_desk_lamp"]),
        Case("hall light off", .turnOff, ["hall_light"]),
        Case("can you turn the kids fan on", .turnOn, ["kids_fan"]),
        Case("is the front door locked?", .getState, ["front_door"]),
        Case("is the garage door open?", .getState, ["garage_door"]),
        Case("did I leave the coffee machine on?", .getState, ["coffee_machine"]),
        Case("is the hall light on?", .getState, ["hall_light"]),
        Case("what's the capital of france"),
        Case("thank you so much"),
        Case("how are you today"),
        Case("remind me to buy milk"),
        Case("order a pizza for dinner"),
        Case("what time is it"),
        Case("I love this house"),
        Case("tell me about the weather in paris"),
        Case("don't turn on the heating"),
        Case("turn off the hall light in ten minutes"),
        Case("the kitchen light is broken again"),
        Case("turn the garden lights on at sunset"),
    ]

    func interpreter(fastPath: Bool) throws -> Interpreter {
        Interpreter(catalog: try Self.catalog.get(), model: try Self.shared.get(), fastPath: fastPath)
    }

    /// Whether `result` is what `expected` says; for a non-command, that nothing acts.
    static func matches(_ result: Interpretation, _ expected: Case) -> Bool {
        guard let intent = expected.intent else { return result.actions.isEmpty && result.queried.isEmpty }
        guard result.status == .ok, result.resolved.count == 1, let action = result.resolved.first else { return false }
        if action.intent != intent || Set(action.devices) != Set(expected.devices) { return false }
        if let value = expected.value, action.value != value { return false }
        if let color = expected.color, action.color != color { return false }
        return true
    }

    /// Whatever the model's scores, the answer is JSON of the catalog's schema naming only catalog values.
    func testDecodingFromRandomScoresNamesOnlyCatalogValues() throws {
        let catalog = try Self.catalog.get()
        let slm = try Self.shared.get()
        let tokenizer = slm.model.tokenizer
        let clock = ContinuousClock()
        let start = clock.now
        let sets = GrammarTokenSets(grammar: slm.grammar, vocabulary: GrammarVocabulary(tokenizer: tokenizer))
        sets.precomputeAll()
        let largest = (0..<Int32(slm.grammar.nodeCount)).map { sets.allowed(at: $0).count }.max() ?? 0
        print(
            "catalog grammar: \(slm.grammar.nodeCount) nodes, vocabulary index and every token set in "
                + "\(clock.now - start); at most \(largest) tokens allowed at a node; prefix \(slm.startup.prefixTokens) tokens")
        let scores = Scores(vocabularySize: tokenizer.vocabularySize)
        let generator = ConstrainedGenerator(evaluator: scores, tokenizer: tokenizer, sets: sets)
        let ids = Set(catalog.devices.map(\.id) + catalog.scenes.map(\.id))
        let intents = Set(Intent.allCases.map(\.rawValue))
        for seed in 0..<100 {
            let result = try generator.generate(prompt: [1], maxSteps: 200, sampler: RandomSampler(seed: UInt64(seed)))
            XCTAssertTrue(result.isComplete, result.text)
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.text.utf8)) as? [String: Any])
            XCTAssertTrue(Set(object.keys).isSubset(of: ["devices", "area", "floor", "domain", "intent"]), result.text)
            for id in object["devices"] as? [String] ?? [] { XCTAssertTrue(ids.contains(id), result.text) }
            if let area = object["area"] as? String { XCTAssertNotNil(catalog.area(area), result.text) }
            if let floor = object["floor"] as? String { XCTAssertNotNil(catalog.floor(floor), result.text) }
            let answer = try JSONDecoder().decode(SLMAnswerProbe.self, from: Data(result.text.utf8))
            XCTAssertTrue(["on", "off", "set", "brighter", "dimmer", "temperature", "position", "open", "close", "lock",
                "unlock", "question", "none"].contains(answer.intent), result.text)
            XCTAssertFalse(intents.isEmpty)
        }
    }

    struct SLMAnswerProbe: Decodable { var intent: String }

    /// Scores drawn at random: a model that would write anything.
    final class Scores: TokenEvaluator {
        let logits: UnsafeMutableBufferPointer<Float>
        var random = Xoshiro256StarStar(seed: 11)

        init(vocabularySize: Int) {
            logits = .allocate(capacity: vocabularySize)
            logits.initialize(repeating: 0)
        }

        deinit { logits.deallocate() }

        func evaluate(_ tokens: [Int32]) throws {
            for i in logits.indices { logits[i] = Float(random.next() % 1000) / 100 }
        }
    }

    /// The matcher decides what it can; the model gets the rest; rules only without a model.
    func testFastPathFirstThenTheModel() throws {
        let interpreter = try interpreter(fastPath: true)
        XCTAssertEqual(interpreter.interpret("dim the bedroom lamp to 30%").via, "rules")
        let request = interpreter.interpret("can you turn the kids fan on")
        XCTAssertEqual(request.via, "slm")
        XCTAssertEqual(request.status, .ok, request.reason ?? "")
        XCTAssertEqual(request.resolved.map(\.intent), [.turnOn])
        XCTAssertEqual(request.resolved.first?.devices, ["kids_fan"])
        XCTAssertEqual(try self.interpreter(fastPath: false).interpret("dim the bedroom lamp to 30%").via, "slm")
        let rulesOnly = Interpreter(catalog: try Self.catalog.get())
        XCTAssertNil(rulesOnly.model)
        let unsure = rulesOnly.interpret("can you turn the kids fan on")
        XCTAssertEqual(unsure.via, "rules")
        XCTAssertEqual(unsure.status, .unrecognized)
    }

    /// "Halfway", "a little": the model's open or close would move the cover all the way, which was not asked.
    func testPartOfTheWayIsNeverAFullOpenOrClose() throws {
        for fastPath in [true, false] {
            let interpreter = try interpreter(fastPath: fastPath)
            for text in ["garage door halfway open", "open the garage door a little", "close the office blinds partly"] {
                let result = interpreter.interpret(text)
                XCTAssertTrue(result.actions.isEmpty, "\(text) → \(result.status) \(result.resolved) \(result.reason ?? "")")
            }
        }
    }

    /// A colour said to a light that has none is refused, not a plain "on".
    func testAColourForALightWithoutOneIsRefused() throws {
        let result = try interpreter(fastPath: false).interpret("turn the kitchen light blue")
        XCTAssertTrue(result.actions.isEmpty, "\(result.status) \(result.resolved) \(result.reason ?? "")")
    }

    /// Up, down and dim change a level; the model's "on" for them never acts.
    func testALevelChangeIsNeverOn() throws {
        let interpreter = try interpreter(fastPath: false)
        for text in ["dim the mirror light", "turn the hall light up", "turn the TV volume up"] {
            let result = interpreter.interpret(text)
            XCTAssertTrue(result.actions.isEmpty, "\(text) → \(result.status) \(result.resolved) \(result.reason ?? "")")
        }
    }

    func testDevelopmentSet() throws {
        for fastPath in [true, false] {
            let interpreter = try interpreter(fastPath: fastPath)
            var right = 0
            var falseActuations: [String] = []
            var latencies: [Double] = []
            var wrong: [String] = []
            for expected in Self.developmentSet {
                let result = interpreter.interpret(expected.text)
                if result.via == "slm" { latencies.append(result.latencyMs) }
                if Self.matches(result, expected) {
                    right += 1
                } else {
                    let said =
                        result.via == "slm"
                        ? (try? Self.shared.get().propose(expected.text, normalized: interpreter.normalizer.normalize(expected.text)).output)
                            ?? "" : ""
                    wrong.append(
                        "\(expected.text) → \(result.status) \(result.resolved.map(\.intent.rawValue)) "
                            + "\(result.resolved.map(\.devices)) \(said) \(result.reason ?? "") (\(result.confidence))")
                }
                if expected.intent == nil && !result.actions.isEmpty {
                    falseActuations.append("\(expected.text) (\(result.via))")
                }
            }
            if !fastPath {
                var prompt = 0
                var sampled = 0
                var forced = 0
                var mask = 0.0
                var seconds: [Double] = []
                let slm = try Self.shared.get()
                for expected in Self.developmentSet {
                    let p = try slm.propose(expected.text, normalized: interpreter.normalizer.normalize(expected.text))
                    prompt += p.promptTokens
                    sampled += p.sampledTokens
                    forced += p.forcedTokens
                    mask += p.maskSeconds
                    seconds.append(p.seconds * 1000)
                }
                let n = Double(Self.developmentSet.count)
                seconds.sort()
                print(
                    "per command: \(Double(prompt) / n) prompt tokens, \(Double(sampled) / n) sampled, "
                        + "\(Double(forced) / n) forced; mask \(mask / Double(sampled) * 1e6) µs per sampled token; "
                        + "generation p50 \(seconds[seconds.count / 2]) ms")
            }
            latencies.sort()
            let p50 = latencies.isEmpty ? 0 : latencies[latencies.count / 2]
            let p95 = latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.95))]
            print(
                "dev set, fast path \(fastPath ? "on" : "off"): \(right)/\(Self.developmentSet.count) right, "
                    + "\(falseActuations.count) false actuations, \(latencies.count) by the model: "
                    + "p50 \(p50) ms, p95 \(p95) ms")
            for line in wrong { print("  wrong: \(line)") }
            XCTAssertEqual(falseActuations, [], "nothing acts on a text that is not a device command")
            for line in falseActuations { print("  false actuation: \(line)") }
            XCTAssertGreaterThanOrEqual(Double(right) / Double(Self.developmentSet.count), 0.6)
        }
    }
}
