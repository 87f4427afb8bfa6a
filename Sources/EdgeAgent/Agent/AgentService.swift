import Logging
import MQTT
import ServiceLifecycle
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `edge-agent run`: takes commands over MQTT and answers them. One `Service` (swift-service-lifecycle): `run()`
/// connects, subscribes, then reads messages, watches the connection and reports telemetry until a graceful
/// shutdown (SIGTERM/SIGINT), when it stops taking commands, lets the worker finish what it holds, delivers or
/// keeps what is unsent, publishes `offline` and disconnects.
///
/// A command's path: MQTT thread → `messages` → parse (errors answered at once) → the bounded `InferenceWorker`
/// (`rejected`/`busy` when full) → `AgentPipeline` (interpret) → with a `cloud:` section, `CloudEscalator` (policy,
/// cloud, outbox; answered off the worker, so the cloud's latency holds up no local command) → actions and result through
/// the `AgentPublisher` (spooled while the broker is away).
public final class AgentService: Service, Sendable {
    public let topics: AgentTopics
    public let states: DeviceStates
    public let metrics: AgentMetrics
    public let memory: MemoryGate
    let config: AgentConfig
    let client: MQTTClient
    let publisher: AgentPublisher
    let worker: InferenceWorker
    let pipeline: AgentPipeline
    let identity: AgentReports.Identity
    let budgetBytes: Int?
    let logger: Logger
    let systemd: SystemdNotifier
    /// The cloud half, when configured: every local result passes its policy; late answers come from its outbox.
    let escalator: (any Escalating)?
    let startedAt = ContinuousClock.now
    let startedAtDate = Date()
    private let accepting = Atomic(true)
    private let sequence = Atomic(0)
    /// Tells this run's generated ids from an earlier run's, whose items the spool's file may still hold.
    private let runTag = String(UInt32.random(in: 0...UInt32.max), radix: 36)

    public init(
        config: AgentConfig, catalog: Catalog, states: DeviceStates? = nil, interpreter: any CommandInterpreting,
        escalator: (any Escalating)? = nil, client: MQTTClient,
        identity: AgentReports.Identity, memory: MemoryGate, budgetBytes: Int?, logger: Logger,
        systemd: SystemdNotifier = SystemdNotifier(environment: [:]),
        spoolFile: (store: SpoolStore, items: [SpoolStore.Stored])? = nil
    ) {
        self.config = config
        self.client = client
        self.identity = identity
        self.memory = memory
        self.budgetBytes = budgetBytes
        self.logger = logger
        self.systemd = systemd
        self.escalator = escalator
        topics = AgentTopics(prefix: config.agent.prefix)
        self.states = states ?? DeviceStates(catalog: catalog)
        metrics = AgentMetrics()
        worker = InferenceWorker(capacity: config.limits.queueCapacity)
        publisher = AgentPublisher(
            client: client, qos: MQTTQoS(rawValue: Int32(config.broker.qos)) ?? .atLeastOnce,
            spool: PublishSpool(capacity: config.limits.spoolCapacity, actionExpiry: config.limits.spoolActionExpiry),
            store: spoolFile?.store, restoring: spoolFile?.items ?? [], metrics: metrics, logger: logger)
        pipeline = AgentPipeline(catalog: catalog, interpreter: interpreter, states: self.states)
    }

    public func run() async throws {
        try await connect()
        guard !Task.isCancelled && !Task.isShuttingDownGracefully else { return finishWithoutConnection() }
        try await subscribe()
        // The birth JSON, discovery and the spool follow from the first `.connected` that `watchConnection` sees.
        systemd.notify("READY=1")
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.readMessages() }
                group.addTask { await self.watchConnection() }
                group.addTask { await self.reportPeriodically() }
                group.addTask { await self.keepWatchdogFed() }
                if let escalator = self.escalator {
                    group.addTask {
                        await escalator.run(
                            deliver: { route, result in self.deliverLate(result, to: route) },
                            pollInterval: .milliseconds(100))
                    }
                }
                await group.waitForAll()  // until the graceful shutdown cancels them
            }
        }
        // Not cancelled with this task: the offline message and the last acknowledgements must still be awaited.
        await Task { await self.shutDown() }.value
    }

    // MARK: - Starting

    /// Connects, retrying after 1, 2, 4 … 30 s while the broker cannot be reached (a board often boots
    /// before its broker), until it succeeds or the service is asked to stop. A refusal by the broker (a wrong
    /// password, not authorised) is not retried: it will not get better by itself; the service fails with it.
    private func connect() async throws {
        var failures = 0
        while true {
            do {
                try await client.connect()
                return
            } catch {
                if case .connectionRefused = error.kind { throw error }
                failures += 1
                let delay = min(30, 1 << min(failures - 1, 5))
                logger.info(
                    "Broker not reachable, retrying",
                    metadata: ["mqtt.error": "\(error)", "mqtt.retry_in_s": "\(delay)"])
                do {
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(delay)) }
                } catch {
                    return
                }
                if Task.isShuttingDownGracefully { return }
            }
        }
    }

    private func finishWithoutConnection() {
        logger.info("Agent stopped before it reached the broker")
    }

    private func subscribe() async throws {
        let qos = MQTTQoS(rawValue: Int32(config.broker.qos)) ?? .atLeastOnce
        try await client.subscribe(topics.command, qos: qos)
        for topic in states.topics { try await client.subscribe(topic, qos: qos) }
        if config.hermes.enabled { try await client.subscribe(HermesNLU.queryTopic, qos: qos) }
        logger.info(
            "Agent serving",
            metadata: [
                "agent.id": "\(config.agent.id)", "mqtt.topic": "\(topics.command)",
                "agent.state_topics": "\(states.topics.count)", "agent.hermes": "\(config.hermes.enabled)",
            ])
    }

    /// What every new connection needs besides the retained `online` (sent by the client itself): the birth
    /// JSON, the discovery configs, and whatever the spool kept.
    private func announce() {
        publisher.publishNow(
            topic: topics.birth, payload: AgentReports.birth(identity, startedAt: startedAtDate).bytes, retain: true)
        if config.homeAssistant.discovery {
            for (topic, payload) in AgentReports.discovery(
                identity, topics: topics, prefix: config.homeAssistant.prefix)
            {
                publisher.publishNow(topic: topic, payload: payload.bytes, retain: true)
            }
        }
        publisher.flush()
    }

    private func watchConnection() async {
        for await state in client.connectionStates {
            if state == .connected {
                logger.info("Broker connection back", metadata: ["agent.spool_depth": "\(publisher.spoolDepth)"])
                announce()
            }
        }
    }

    // MARK: - Incoming messages

    private func readMessages() async {
        for await message in client.messages {
            handle(message)
        }
    }

    /// Dispatches one message by topic. Runs on the reading task: only parsing happens here.
    func handle(_ message: MQTTMessage) {
        let receivedAt = ContinuousClock.now
        if message.topic == topics.command {
            handleCommand(message, receivedAt: receivedAt)
        } else if message.topic == HermesNLU.queryTopic {
            handleHermes(message, receivedAt: receivedAt)
        } else {
            do {
                let text = try AgentRequest.checkedText(message, maxBytes: config.limits.maxPayloadBytes)
                states.record(topic: message.topic, payload: text)
            } catch {
                answer(
                    error: "state topic '\(message.topic)': \(error.problem)", id: nil, replyTo: nil,
                    receivedAt: receivedAt)
            }
        }
    }

    private func handleCommand(_ message: MQTTMessage, receivedAt: ContinuousClock.Instant) {
        var request: AgentRequest
        do {
            request = try AgentRequest.parse(message, maxBytes: config.limits.maxPayloadBytes, receivedAt: receivedAt)
        } catch {
            let replyTo = message.properties.responseTopic.map { ($0, message.properties.correlationData) }
            answer(error: error.problem, id: error.id, replyTo: replyTo, receivedAt: receivedAt)
            return
        }
        if request.id == nil { request.id = generatedID() }
        submit(request, hermes: nil)
    }

    private func handleHermes(_ message: MQTTMessage, receivedAt: ContinuousClock.Instant) {
        let query: HermesNLU.Query
        do {
            query = try HermesNLU.parse(message, maxBytes: config.limits.maxPayloadBytes)
        } catch {
            answer(error: "Hermes query: \(error.problem)", id: error.id, replyTo: nil, receivedAt: receivedAt)
            return
        }
        guard HermesNLU.accepts(siteID: query.siteID, configured: config.hermes.siteIDs) else {
            logger.debug("Hermes query for another site", metadata: ["hermes.site_id": "\(query.siteID)"])
            return
        }
        let id = query.id ?? generatedID("hermes-")
        submit(AgentRequest(id: id, text: query.input, source: "hermes", receivedAt: receivedAt), hermes: query)
    }

    private func submit(_ request: AgentRequest, hermes: HermesNLU.Query?) {
        guard accepting.load(ordering: .acquiring) else {
            deliver(pipeline.refusal(request, reason: "shutting down"), for: request, hermes: hermes)
            return
        }
        let accepted = worker.submit { [self] in
            let local = pipeline.process(request)
            guard let escalator, local.status != .expired, local.status != .error else {
                return deliver(local, for: request, hermes: hermes)
            }
            let escalation = EscalationRequest(
                id: request.id ?? generatedID(),
                replyRoute: ReplyRoute(
                    topic: request.responseTopic ?? topics.result, correlationData: request.correlationData),
                allowCloud: request.allowCloud, expiresAt: request.expiresAt?.timeIntervalSince1970)
            Task { [self] in
                let answer = await escalator.escalate(text: request.text, local: local, request: escalation)
                deliver(answer, for: request, hermes: hermes)
            }
        }
        if !accepted { deliver(pipeline.refusal(request, reason: "busy"), for: request, hermes: hermes) }
    }

    // MARK: - Outgoing

    /// `<agent id>-<run tag>-<kind><n>`: unique across restarts, so a new item never passes for a spooled one.
    private func generatedID(_ kind: String = "") -> String {
        "\(config.agent.id)-\(runTag)-\(kind)\(sequence.add(1, ordering: .relaxed).newValue)"
    }

    /// An answer the outbox delivered after the command's own result (`deferred`): its actions, then the result on
    /// the route the command gave.
    private func deliverLate(_ result: Interpretation, to route: ReplyRoute) {
        let id = result.id ?? "unknown"
        if result.status == .ok {
            for (index, action) in result.actions.enumerated() {
                publisher.send(
                    OutgoingItem(
                        id: "\(id)/\(index)", kind: .action, topic: action.topic, payload: Array(action.payload.utf8)))
            }
        }
        publisher.send(
            OutgoingItem(
                id: id, kind: .result, topic: route.topic, payload: pipeline.resultPayload(result),
                correlationData: route.correlationData))
        metrics.record(result, latencyMs: result.latencyMs)
    }

    /// Publishes a decided command: its actions (only for `ok`) to the devices' topics, then the result, or the
    /// Hermes reply for a Hermes query.
    private func deliver(_ result: Interpretation, for request: AgentRequest, hermes: HermesNLU.Query?) {
        let id = request.id ?? "unknown"
        let hermesReply = hermes.map { HermesNLU.reply(to: $0, result: result, catalog: pipeline.catalog) }
        // A Hermes query whose intent its filter excludes is "not recognized": nothing is executed for it.
        let execute = result.status == .ok && hermesReply?.topic != HermesNLU.notRecognizedTopic
        for (index, action) in result.actions.enumerated() where execute {
            publisher.send(
                OutgoingItem(
                    id: "\(id)/\(index)", kind: .action, topic: action.topic, payload: Array(action.payload.utf8),
                    expiresAt: request.expiresAt))
        }
        if let hermesReply {
            publisher.send(
                OutgoingItem(id: id, kind: .result, topic: hermesReply.topic, payload: hermesReply.payload.bytes))
        } else {
            publisher.send(
                OutgoingItem(
                    id: id, kind: .result, topic: request.responseTopic ?? topics.result,
                    payload: pipeline.resultPayload(result), correlationData: request.correlationData))
        }
        let latency = ContinuousClock.now - request.receivedAt
        metrics.record(
            result,
            latencyMs: Double(latency.components.seconds) * 1000 + Double(latency.components.attoseconds) / 1e15)
        logger.debug(
            "Command answered",
            metadata: [
                "agent.command_id": "\(id)", "agent.status": "\(result.status.rawValue)", "agent.via": "\(result.via)",
            ])
    }

    private func answer(
        error problem: String, id: String?, replyTo: (topic: String, correlation: [UInt8]?)?,
        receivedAt: ContinuousClock.Instant
    ) {
        logger.info("Bad input", metadata: ["agent.problem": "\(problem)"])
        let id = id ?? generatedID()
        var request = AgentRequest(id: id, text: "", receivedAt: receivedAt)
        request.responseTopic = replyTo?.topic
        request.correlationData = replyTo?.correlation
        deliver(AgentPipeline.errorResult(id: id, reason: problem), for: request, hermes: nil)
    }

    // MARK: - Telemetry and the memory guard

    private func reportPeriodically() async {
        guard config.telemetry.interval > 0 else { return }
        while !Task.isCancelled {
            do { try await Task.sleep(for: .seconds(config.telemetry.interval)) } catch { return }
            if let reading = MemoryGate.readMachine() { memory.observe(reading) }
            publisher.send(
                OutgoingItem(
                    id: generatedID("telemetry-"), kind: .telemetry,
                    topic: topics.telemetry, payload: telemetry().bytes))
        }
    }

    public func telemetry() -> JSONValue {
        let uptime = ContinuousClock.now - startedAt
        let snapshot = AgentReports.Snapshot(
            uptimeSeconds: Double(uptime.components.seconds) + Double(uptime.components.attoseconds) / 1e18,
            residentBytes: try? ResidentMemory.bytes(), budgetBytes: budgetBytes, memoryLevel: memory.level.rawValue,
            model: identity.model, byStatus: metrics.byStatus, byPath: metrics.byPath,
            latencyP50: metrics.latencyPercentile(50), latencyP95: metrics.latencyPercentile(95),
            tokensPerSecond: nil, queueDepth: worker.depth, spoolDepth: publisher.spoolDepth,
            spoolDropped: metrics.spoolDropped, reconnects: client.reconnects)
        return AgentReports.telemetry(snapshot, agentID: config.agent.id)
    }

    /// `WATCHDOG=1` at half the interval systemd asked for, while the service's loops run.
    private func keepWatchdogFed() async {
        guard let interval = systemd.watchdogInterval else { return }
        while !Task.isCancelled {
            systemd.notify("WATCHDOG=1")
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }

    // MARK: - Stopping

    private func shutDown() async {
        systemd.notify("STOPPING=1")
        accepting.store(false, ordering: .releasing)
        logger.info("Agent stopping: no new commands", metadata: ["agent.queue_depth": "\(worker.depth)"])
        try? client.unsubscribe(topics.command)
        if config.hermes.enabled { try? client.unsubscribe(HermesNLU.queryTopic) }
        await worker.drain()
        await escalator?.shutdown()
        publisher.flush()
        do {
            let delivery = try client.publish(
                topic: topics.status, payload: Array("offline".utf8), qos: .atLeastOnce, retain: true)
            try await delivery.acknowledged()
        } catch {
            logger.info("Could not publish offline", metadata: ["mqtt.error": "\(error)"])
        }
        await publisher.settle(timeout: .seconds(5))
        if publisher.spoolDepth > 0 {
            logger.info("Unsent messages at shutdown", metadata: ["agent.spool_depth": "\(publisher.spoolDepth)"])
        }
        client.disconnect()
        logger.info("Agent stopped")
    }
}
