#if Cloud
    #if canImport(FoundationEssentials)
        import FoundationEssentials
    #else
        import Foundation
    #endif

    /// The outbox half of the escalator: what cannot be sent now is kept, and answered later by the drain loop.
    extension CloudEscalator {
        func enqueue(
            text: String, kind: EscalationKind, request: EscalationRequest, local: Interpretation, why: String,
            retryAfter: Duration? = nil
        ) -> Interpretation {
            guard request.queueWhenOffline else { return Self.annotate(local, "\(why); not queued") }
            let created = now()
            let lifetime =
                kind == .deviceCommand ? configuration.outbox.deviceActionExpiry : configuration.outbox.questionExpiry
            let expires = request.expiresAt ?? created + lifetime.seconds
            var item = OutboxItem(
                id: request.id, createdAt: created, expiresAt: expires, kind: kind, replyRoute: request.replyRoute,
                text: text)
            if let retryAfter { item.nextAttemptAt = created + retryAfter.seconds }
            let outcome: Outbox.Enqueued
            do {
                outcome = try store.outbox.enqueue(item)
            } catch {
                logger.error("the outbox cannot store an escalation", metadata: ["cloud.error": "\(error)"])
                return Self.annotate(local, "\(why); the outbox cannot store it: \(error)")
            }
            switch outcome {
            case .full(let count):
                return Self.annotate(local, "\(why); the outbox is full (\(count) items), not queued")
            case .queued, .duplicate:
                var deferred = Interpretation(
                    id: request.id, status: .deferred, intents: [], actions: [], queried: [], via: "cloud",
                    confidence: 0,
                    latencyMs: 0, reason: "\(why): queued, expires in \(Self.seconds(expires - created)) s",
                    candidates: [])
                if outcome == .duplicate { deferred.reason = "already queued" }
                return deferred
            }
        }

        /// Drains the outbox until cancelled: expired items get `expired`, due items are sent (the link probed with
        /// backoff while offline), answers go to `deliver` with the item's reply route. Call it from the agent's
        /// service group; cancelling it leaves every undelivered item on disk.
        public func run(deliver: Deliver, pollInterval: Duration = .milliseconds(100)) async {
            while !Task.isCancelled {
                await drainOnce(deliver: deliver)
                try? await Task.sleep(for: pollInterval)
            }
        }

        /// One pass of the drain loop; returns how many items were answered or expired.
        @discardableResult
        public func drainOnce(deliver: Deliver) async -> Int {
            var done = 0
            let time = now()
            for item in (try? store.outbox.expired(now: time)) ?? [] {
                await deliver(item.replyRoute, expiredResult(item, now: time))
                try? store.outbox.remove(id: item.id)
                done += 1
            }
            for item in (try? store.outbox.answered(now: time)) ?? [] {
                if let result = storedAnswer(item) {
                    await deliver(item.replyRoute, result)
                }
                try? store.outbox.remove(id: item.id)
                done += 1
            }
            if !connectivity.canSend {
                guard let due = nextProbeAt, now() >= due else {
                    if nextProbeAt == nil { nextProbeAt = now() + (connectivity.probeDelay ?? .seconds(1)).seconds }
                    return done
                }
                nextProbeAt = nil
                linkEvent(await client.probe(timeout: configuration.endpoint.connectTimeout))
                if !connectivity.canSend { return done }
            }
            for item in (try? store.outbox.due(now: now())) ?? [] {
                if !connectivity.canSend { break }
                let usage = (try? store.budget.usage(day: today())) ?? CloudPolicy.Usage()
                // The budget may have run out while the item waited: it waits on (until its expiry) rather than spend.
                if let limit = policy.requestsPerDay, usage.requests >= limit {
                    try? store.outbox.scheduleRetry(id: item.id, at: now() + 60, error: "daily request budget spent")
                    continue
                }
                if let limit = policy.tokensPerDay, usage.tokens + configuration.endpoint.maxTokens > limit {
                    try? store.outbox.scheduleRetry(id: item.id, at: now() + 60, error: "daily token budget spent")
                    continue
                }
                let redacted = redact(item.text)
                var error: CloudError?
                var result: Interpretation?
                do {
                    result = try await ask(text: redacted, id: item.id)
                } catch let failure {
                    error = failure
                }
                switch delivery.step(after: error, item: item, now: now()) {
                case .deliver:
                    guard var answer = result else { continue }
                    answer.id = item.id
                    answer.latencyMs = (now() - item.createdAt) * 1000
                    // Kept before delivery: a crash between the two re-delivers it, never asks twice.
                    try? store.outbox.recordAnswer(id: item.id, answer: Array((answer.jsonText ?? "").utf8))
                    await deliver(item.replyRoute, answer)
                    try? store.outbox.remove(id: item.id)
                    done += 1
                case .retry(let at):
                    try? store.outbox.scheduleRetry(id: item.id, at: at, error: error?.description ?? "")
                case .expire:
                    await deliver(item.replyRoute, expiredResult(item, now: now()))
                    try? store.outbox.remove(id: item.id)
                    done += 1
                case .fail(let reason):
                    await deliver(
                        item.replyRoute,
                        Interpretation(
                            id: item.id, status: .unrecognized, intents: [], actions: [], queried: [], via: "cloud",
                            confidence: 0, latencyMs: (now() - item.createdAt) * 1000, reason: "cloud: \(reason)",
                            candidates: []))
                    try? store.outbox.remove(id: item.id)
                    done += 1
                }
            }
            return done
        }

        func expiredResult(_ item: OutboxItem, now: Double) -> Interpretation {
            Interpretation(
                id: item.id, status: .expired, intents: [], actions: [], queried: [], via: "cloud", confidence: 0,
                latencyMs: (now - item.createdAt) * 1000,
                reason: "waited \(Self.seconds(now - item.createdAt)) s for the cloud; expired after "
                    + "\(Self.seconds(item.expiresAt - item.createdAt)) s, never executed", candidates: [])
        }

        /// An answer stored before a crash, rebuilt from its JSON by validating its actions again.
        func storedAnswer(_ item: OutboxItem) -> Interpretation? {
            guard let bytes = item.answer, let stored = try? JSONDecoder().decode(StoredAnswer.self, from: Data(bytes))
            else {
                return nil
            }
            var result = Self.validate(
                stored.resolved ?? [], validator: validator, via: "cloud", confidence: Self.cloudConfidence)
            if stored.status != "ok" {
                result = Interpretation(
                    id: item.id, status: .rejected, intents: [], actions: [], queried: [], via: "cloud", confidence: 0,
                    latencyMs: 0, reason: stored.reason, candidates: [])
            }
            result.id = item.id
            result.latencyMs = (now() - item.createdAt) * 1000
            return result
        }

        struct StoredAnswer: Decodable {
            var status: String
            var reason: String?
            var resolved: [Action]?
        }
    }
#endif
