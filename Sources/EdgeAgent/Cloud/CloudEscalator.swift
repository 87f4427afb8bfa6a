#if Cloud
    import Logging

    #if canImport(FoundationEssentials)
        import FoundationEssentials
    #else
        import Foundation
    #endif

    /// The seam between the interpreter and the cloud: decides by policy whether a command may leave, redacts it, asks
    /// the cloud, validates the answer against the catalog exactly like a local one, learns it, and when the link is
    /// down keeps the command in the outbox and answers it later through `run(deliver:)`.
    public actor CloudEscalator {
        public typealias Deliver = @Sendable (ReplyRoute, Interpretation) async -> Void

        public let configuration: CloudConfiguration
        public let catalog: Catalog
        let client: CloudClient
        let store: CloudStore
        let policy: CloudPolicy
        let redactor: Redactor
        let prompt: CloudPrompt
        let validator: ActionValidator
        let normalizer: Normalizer
        let delivery: OutboxDelivery
        let logger: Logger
        /// Wall-clock seconds since 1970; injectable so tests can move a day or an expiry forward.
        let now: @Sendable () -> Double
        var connectivity: Connectivity
        var nextProbeAt: Double?
        var lastDecision: String?
        /// Confidence given to a validated cloud answer (the cloud gives none; the catalog checked it).
        public static let cloudConfidence = 0.9

        public init(
            configuration: CloudConfiguration, catalog: Catalog,
            environment: [String: String] = ProcessInfo.processInfo.environment,
            connectivity: Connectivity = Connectivity(), delivery: OutboxDelivery? = nil,
            logger: Logger = Logger(label: "edge-agent.cloud"),
            now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
        ) throws {
            self.configuration = configuration
            self.catalog = catalog
            self.client = try CloudClient(endpoint: configuration.endpoint, environment: environment, logger: logger)
            do {
                self.store = try CloudStore(path: configuration.statePath, outboxSettings: configuration.outbox)
            } catch {
                let client = self.client
                Task { await client.shutdown() }
                throw error
            }
            self.policy = configuration.policy
            self.redactor = Redactor(rules: configuration.redaction)
            self.prompt = CloudPrompt(catalog: catalog)
            self.validator = ActionValidator(catalog: catalog)
            self.normalizer = Interpreter(catalog: catalog).normalizer
            self.delivery = delivery ?? OutboxDelivery(maxDelay: configuration.outbox.maxRetryDelay)
            self.connectivity = connectivity
            self.logger = logger
            self.now = now
        }

        /// Closes the HTTP client; the outbox stays on disk for the next start.
        public func shutdown() async { await client.shutdown() }

        public var link: Connectivity.State { connectivity.state }
        public nonisolated var outbox: Outbox { store.outbox }
        public nonisolated var learnedCommands: LearnedCommands { store.learned }

        public func status() -> CloudStatus {
            let usage = (try? store.budget.usage(day: today())) ?? CloudPolicy.Usage()
            return CloudStatus(
                link: connectivity.state, outbox: (try? store.outbox.count) ?? 0, requestsToday: usage.requests,
                tokensToday: usage.tokens, responseFormat: client.responseFormat.rawValue, lastDecision: lastDecision)
        }

        // MARK: Escalation

        /// The answer to a command the local interpreter gave `local` for: a learned answer (`via: learned`), the
        /// cloud's validated answer (`via: cloud`), `deferred` (kept in the outbox, answered later through `run`), or
        /// `local` itself with the reason the cloud was not asked.
        public func escalate(text: String, local: Interpretation, request: EscalationRequest) async -> Interpretation {
            let start = ContinuousClock.now
            var result = await decide(text: text, local: local, request: request)
            result.id = request.id
            if result.via != local.via || result.status != local.status {
                result.latencyMs = local.latencyMs + Self.milliseconds(since: start)
            }
            return result
        }

        private func decide(text: String, local: Interpretation, request: EscalationRequest) async -> Interpretation {
            if let learned = learned(text), learned.status == .ok { return learned }
            let kind = Self.kind(of: local)
            let redacted = redact(text)
            let payloadBytes = client.body(
                system: redacted.system, user: redacted.user.text, schema: prompt.schema, format: client.responseFormat
            ).text.utf8.count
            let policyRequest = CloudPolicy.Request(
                kind: kind, localStatus: local.status, localConfidence: local.confidence, scope: scope(of: local),
                allowCloud: request.allowCloud, payloadBytes: payloadBytes,
                estimatedTokens: payloadBytes / 4 + configuration.endpoint.maxTokens)
            let usage = (try? store.budget.usage(day: today())) ?? CloudPolicy.Usage()
            let decision = policy.decide(policyRequest, usage: usage, minuteOfDay: minuteOfDay())
            lastDecision = decision.reason
            logger.debug(
                "cloud policy decision",
                metadata: ["cloud.allowed": "\(decision.allowed)", "cloud.reason": "\(decision.reason)"])
            guard decision.allowed else { return Self.annotate(local, "cloud not asked: \(decision.reason)") }

            let localIsGood =
                kind == .deviceCommand && local.status == .ok && local.confidence >= policy.confidenceThreshold
            if !connectivity.canSend {
                if localIsGood { return Self.annotate(local, "cloud offline; the local answer stands") }
                return enqueue(text: text, kind: kind, request: request, local: local, why: "cloud offline")
            }
            do {
                let answer = try await ask(text: redacted, id: request.id)
                return answer
            } catch {
                if error.isTransient {
                    if localIsGood { return Self.annotate(local, "cloud: \(error); the local answer stands") }
                    return enqueue(
                        text: text, kind: kind, request: request, local: local, why: error.description,
                        retryAfter: error.retryAfter)
                }
                return Self.annotate(local, "cloud: \(error)")
            }
        }

        /// A learned answer for `text`, validated against today's catalog; nil when none (or it went stale).
        public func learned(_ text: String) -> Interpretation? {
            let start = ContinuousClock.now
            let keys = learningKeys(text)
            guard let entry = try? store.learned.find(key: keys.key, nearKey: keys.near) else { return nil }
            guard entry.fingerprint == LearnedCommands.fingerprint(of: entry.actions, in: catalog) else {
                // The catalog changed under this entry: it may now address something else.
                _ = try? store.learned.forget(key: entry.key)
                logger.info(
                    "forgot a learned command: its devices changed", metadata: ["cloud.learned": "\(entry.key)"])
                return nil
            }
            var result = Self.validate(
                entry.actions, validator: validator, via: "learned", confidence: Self.cloudConfidence)
            guard result.status == .ok else {
                _ = try? store.learned.forget(key: entry.key)
                return nil
            }
            try? store.learned.markUsed(key: entry.key)
            result.reason = (result.reason.map { $0 + "; " } ?? "") + "learned from the cloud"
            result.latencyMs = Self.milliseconds(since: start)
            return result
        }

        struct Redacted {
            var system: String
            var user: RedactedText
        }

        func redact(_ text: String) -> Redacted {
            let system = redactor.redact(prompt.system, builtins: false)
            let user = redactor.redact(text, continuing: system)
            return Redacted(system: system.text, user: user)
        }

        /// One request to the cloud and its validated answer; charges the budget and updates the link's state.
        func ask(text: Redacted, id: String) async throws(CloudError) -> Interpretation {
            let day = today()
            try? store.budget.charge(day: day, requests: 1, tokens: 0)
            let completion: CloudCompletion
            do {
                completion = try await client.complete(
                    system: text.system, user: text.user.text, schema: prompt.schema, idempotencyKey: id)
                linkEvent(.answered)
            } catch {
                linkEvent(error.outcome)
                throw error
            }
            let tokens =
                completion.totalTokens > 0
                ? completion.totalTokens
                : (text.system.utf8.count + text.user.text.utf8.count + completion.content.utf8.count) / 4
            try? store.budget.charge(day: day, requests: 0, tokens: tokens)
            var answer = try CloudAnswer.decode(completion.content)
            answer.answer = answer.answer.map(text.user.restore)
            return interpretation(of: answer, learnFrom: text.user.restore(text.user.text))
        }

        /// The cloud's answer held to the policy and the catalog; learned when it is a valid device command.
        func interpretation(of answer: CloudAnswer, learnFrom original: String?) -> Interpretation {
            let answerScope = scope(of: answer.actions)
            let permitted = policy.permits(answerScope)
            if !permitted.allowed {
                return Interpretation(
                    id: nil, status: .rejected, intents: [], actions: [], queried: [], via: "cloud", confidence: 0,
                    latencyMs: 0, reason: "the cloud's answer is refused: \(permitted.reason)", candidates: [])
            }
            var result = Self.validate(
                answer.actions, validator: validator, via: "cloud", confidence: Self.cloudConfidence)
            if result.status == .ok, let reply = answer.answer, !reply.isEmpty {
                result.reason = (result.reason.map { $0 + "; " } ?? "") + reply
            }
            if result.status == .ok, let original, Self.isLearnable(answer.actions) {
                let keys = learningKeys(original)
                let entry = LearnedCommand(
                    key: keys.key, nearKey: keys.near, text: original, actions: answer.actions,
                    fingerprint: LearnedCommands.fingerprint(of: answer.actions, in: catalog), learnedAt: now(), uses: 0
                )
                do {
                    try store.learned.store(entry)
                } catch {
                    logger.warning("could not store a learned command", metadata: ["cloud.error": "\(error)"])
                }
            }
            return result
        }

        /// Device commands only: a reply to a question would go stale, and "not a command" teaches nothing.
        static func isLearnable(_ actions: [Action]) -> Bool {
            !actions.isEmpty && actions.allSatisfy { $0.intent != .notACommand && $0.intent != .getState }
        }

        func learningKeys(_ text: String) -> (key: String, near: String) {
            let normalized = normalizer.normalize(text)
            return (normalized.foldedText, normalized.contentTokens.map(\.folded).joined(separator: " "))
        }

        /// Actions validated one by one; any refusal makes the whole answer `rejected` with nothing to publish.
        static func validate(
            _ actions: [Action], validator: ActionValidator, via: String, confidence: Double
        ) -> Interpretation {
            var result = Interpretation(
                id: nil, status: .ok, intents: [], actions: [], queried: [], via: via, confidence: confidence,
                latencyMs: 0,
                reason: nil, candidates: [])
            guard !actions.isEmpty else {
                result.status = .unrecognized
                result.reason = "the answer has no action"
                return result
            }
            do {
                return try validator.apply(actions, to: result)
            } catch {
                return Interpretation(
                    id: nil, status: .rejected, intents: [], actions: [], queried: [], via: via, confidence: 0,
                    latencyMs: 0, reason: "the \(via) answer is refused by the catalog: \(error)", candidates: [])
            }
        }

        // MARK: Helpers

        func linkEvent(_ outcome: Connectivity.Outcome) {
            let before = connectivity.state
            switch connectivity.event(outcome) {
            case .none: break
            case .publish(let state), .publishAndDrain(let state):
                logger.info(
                    "cloud link changed",
                    metadata: ["cloud.link": "\(state.rawValue)", "cloud.was": "\(before.rawValue)"])
                if state == .offline { nextProbeAt = now() + (connectivity.probeDelay ?? .seconds(1)).seconds }
                if state != .offline { nextProbeAt = nil }
            case .probe(let after):
                nextProbeAt = now() + after.seconds
            }
        }

        /// A local answer that only NotACommand describes is a free-form question; everything else may be a command.
        static func kind(of local: Interpretation) -> EscalationKind {
            local.status == .ok && local.intents == [Intent.notACommand.rawValue] ? .question : .deviceCommand
        }

        /// The intents, devices and areas a local answer names (actions, questions and candidates alike).
        func scope(of local: Interpretation) -> CloudPolicy.Scope {
            var scope = CloudPolicy.Scope()
            scope.intents = Set(local.intents.filter { $0 != Intent.notACommand.rawValue })
            let devices = local.actions.map(\.device) + local.queried + local.candidates
            for id in devices {
                scope.devices.insert(id)
                if let area = catalog.device(id)?.area { scope.areas.insert(area) }
            }
            return scope
        }

        func scope(of actions: [Action]) -> CloudPolicy.Scope {
            var scope = CloudPolicy.Scope()
            for action in actions {
                if action.intent != .notACommand { scope.intents.insert(action.intent.rawValue) }
                for id in action.devices {
                    scope.devices.insert(id)
                    if let area = catalog.device(id)?.area { scope.areas.insert(area) }
                }
                if let area = action.area {
                    scope.areas.insert(area)
                    for device in catalog.devices(inArea: area) { scope.devices.insert(device.id) }
                }
                if let floor = action.floor {
                    for device in catalog.devices(onFloor: floor) {
                        scope.devices.insert(device.id)
                        scope.areas.insert(device.area)
                    }
                }
            }
            return scope
        }

        static func annotate(_ local: Interpretation, _ note: String) -> Interpretation {
            var result = local
            result.reason = (local.reason.map { $0 + "; " } ?? "") + note
            return result
        }

        func today() -> Int64 {
            let time = now()
            return BudgetLedger.day(of: time, utcOffset: Self.utcOffset(at: time))
        }

        func minuteOfDay() -> Int {
            let time = now() + Double(Self.utcOffset(at: now()))
            let seconds = Int(time.truncatingRemainder(dividingBy: 86_400))
            return (seconds < 0 ? seconds + 86_400 : seconds) / 60
        }

        static func utcOffset(at time: Double) -> Int {
            TimeZone.current.secondsFromGMT(for: Date(timeIntervalSince1970: time))
        }

        static func milliseconds(since start: ContinuousClock.Instant) -> Double {
            let elapsed = ContinuousClock.now - start
            return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        }

        static func seconds(_ value: Double) -> String { JSONValue.format((value * 10).rounded() / 10) }
    }

    extension Interpretation {
        /// The result's JSON with the resolved actions, as the outbox keeps an answer until it is delivered.
        var jsonText: String? {
            struct Stored: Encodable {
                var status: String
                var reason: String?
                var resolved: [Action]
            }
            guard
                let data = try? JSONEncoder().encode(
                    Stored(status: status.rawValue, reason: reason, resolved: resolved))
            else {
                return nil
            }
            return String(decoding: data, as: UTF8.self)
        }
    }

    extension CloudEscalator: Escalating {}
#endif
