#if Cloud
    import ArgumentParser
    import EdgeAgent
    import Synchronization

    #if canImport(FoundationEssentials)
        import FoundationEssentials
    #else
        import Foundation
    #endif

    /// `edge-agent cloud-bench`: measures the cloud path against an endpoint (Benchmarks/cloud_bench.py starts the
    /// project's test server for it): the share answered locally, each path's latency, the outbox's throughput, and a
    /// simulated offline period on a simulated clock.
    struct CloudBenchCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cloud-bench", abstract: "Measures the cloud path and the outbox.", shouldDisplay: false)

        @Option(name: .long, help: "The endpoint's base URL.") var baseURL: String
        @Option(name: .long, help: "The catalog YAML.") var catalog = "Board/catalog/home.yaml"
        @Option(name: .long, help: "A directory for the state files.") var state: String
        @Option(name: .long, help: "Commands, one per line (the mixed set).") var commands: String
        @Option(name: .long, help: "Items for the outbox throughput.") var items = 500
        @Option(name: .long, help: "Simulated offline seconds.") var offlineSeconds = 600.0
        @Option(name: .long, help: "Seconds between commands while offline.") var every = 5.0

        func run() throws {
            let catalog = try Catalog(contentsOf: self.catalog)
            let lines = try String(contentsOfFile: commands, encoding: .utf8).split(separator: "\n").map(String.init)
                .filter { !$0.isEmpty }
            let report = try runBlocking { [self] in try await measure(catalog: catalog, commands: lines) }
            try printJSON(report)
        }

        struct Report: Encodable {
            var commands = 0
            var answeredLocally = 0
            var escalated = 0
            var localMedianMs = 0.0
            var cloudMedianMs = 0.0
            var cloudP90Ms = 0.0
            var enqueuePerS = 0.0
            var drainPerS = 0.0
            var offlineSeconds = 0.0
            var offlineIn = 0
            var offlineDeferred = 0
            var offlineAnswered = 0
            var offlineExpired = 0
            var offlineDuplicates = 0
            var offlineLeft = 0
        }

        func config(_ base: String, file: String, policy: CloudPolicy = CloudPolicy(questions: true))
            -> CloudConfiguration
        {
            CloudConfiguration(
                endpoint: CloudEndpoint(
                    baseURL: base, model: "bench", connectTimeout: .milliseconds(300), timeout: .seconds(5)),
                policy: CloudPolicy(
                    mode: policy.mode, questions: policy.questions, requestsPerDay: nil, tokensPerDay: nil),
                outbox: OutboxSettings(maxItems: 100_000), statePath: state + "/" + file)
        }

        func measure(catalog: Catalog, commands: [String]) async throws -> Report {
            var report = Report()
            let interpreter = Interpreter(catalog: catalog)
            let clock = ContinuousClock()

            // 1. The mixed set: what stays local, what goes to the cloud, and how long each path takes.
            let live = try CloudEscalator(configuration: config(baseURL, file: "live.sqlite"), catalog: catalog)
            var local: [Double] = []
            var cloud: [Double] = []
            for (i, text) in commands.enumerated() {
                let start = clock.now
                let first = interpreter.interpret(text)
                let result = await live.escalate(
                    text: text, local: first,
                    request: EscalationRequest(id: "m\(i)", replyRoute: ReplyRoute(topic: "bench")))
                let ms = Self.ms(clock.now - start)
                if result.via == "cloud" { cloud.append(ms) } else { local.append(ms) }
            }
            _ = try live.learnedCommands.forget(key: nil)
            report.commands = commands.count
            report.answeredLocally = local.count
            report.escalated = cloud.count
            report.localMedianMs = Self.percentile(local, 0.5)
            report.cloudMedianMs = Self.percentile(cloud, 0.5)
            report.cloudP90Ms = Self.percentile(cloud, 0.9)

            // 2. Outbox throughput: durable enqueues (one transaction each), then a drain against the endpoint.
            let outbox = live.outbox
            let now = Date().timeIntervalSince1970
            var start = clock.now
            for i in 0..<items {
                _ = try outbox.enqueue(
                    OutboxItem(
                        id: "q\(i)", createdAt: now, expiresAt: now + 3600, kind: .question,
                        replyRoute: ReplyRoute(topic: "bench", correlationData: [UInt8(i & 255)]),
                        text: "what time is it \(i)"))
            }
            report.enqueuePerS = Double(items) / Self.seconds(clock.now - start)
            let delivered = Counter()
            start = clock.now
            while try outbox.count > 0 {
                await live.drainOnce(deliver: delivered.add)
            }
            report.drainPerS = Double(delivered.count) / Self.seconds(clock.now - start)
            await live.shutdown()

            // 3. A simulated offline period: commands keep arriving at an agent whose link is down (a closed port),
            //    then the link returns. Device actions expire after 30 s; questions wait up to an hour.
            let simulated = SimulatedClock(Date().timeIntervalSince1970)
            let offline = try CloudEscalator(
                configuration: config("http://127.0.0.1:9", file: "offline.sqlite"), catalog: catalog,
                now: simulated.read)
            let answers = Counter()
            let device = "make sure nobody can drive in tonight"
            let question = "what is the capital of France"
            var t = 0.0
            var i = 0
            while t < offlineSeconds {
                let text = i % 3 == 2 ? question : device
                let local = interpreter.interpret(text)
                let result = await offline.escalate(
                    text: text, local: local,
                    request: EscalationRequest(id: "o\(i)", replyRoute: ReplyRoute(topic: "bench")))
                report.offlineIn += 1
                if result.status == .deferred { report.offlineDeferred += 1 }
                i += 1
                let next = t + every
                while t < next {
                    t += 1
                    simulated.advance(1)
                    await offline.drainOnce(deliver: answers.add)
                }
            }
            await offline.shutdown()
            // The link is back: the agent restarts on the same state, online.
            let back = try CloudEscalator(
                configuration: config(baseURL, file: "offline.sqlite"), catalog: catalog, now: simulated.read)
            for _ in 0..<1000 {
                await back.drainOnce(deliver: answers.add)
                if try back.outbox.count == 0 { break }
                simulated.advance(0.1)
            }
            report.offlineSeconds = offlineSeconds
            report.offlineLeft = try back.outbox.count
            await back.shutdown()
            report.offlineAnswered = answers.results.filter { $0.status == .ok }.count
            report.offlineExpired = answers.results.filter { $0.status == .expired }.count
            let ids = answers.results.compactMap(\.id)
            report.offlineDuplicates = ids.count - Set(ids).count
            return report
        }

        static func ms(_ d: Duration) -> Double { seconds(d) * 1000 }
        static func seconds(_ d: Duration) -> Double {
            Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        static func percentile(_ values: [Double], _ p: Double) -> Double {
            guard !values.isEmpty else { return 0 }
            let sorted = values.sorted()
            return rounded(sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p + 0.5))], 3)
        }
    }

    final class Counter: Sendable {
        private let items = Mutex<[Interpretation]>([])
        var count: Int { items.withLock { $0.count } }
        var results: [Interpretation] { items.withLock { $0 } }
        var add: CloudEscalator.Deliver { { [self] _, result in items.withLock { $0.append(result) } } }
    }

    final class SimulatedClock: Sendable {
        private let value: Mutex<Double>
        init(_ start: Double) { value = Mutex(start) }
        var read: @Sendable () -> Double { { [self] in value.withLock { $0 } } }
        func advance(_ seconds: Double) { value.withLock { $0 += seconds } }
    }
#endif
