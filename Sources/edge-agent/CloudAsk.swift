import EdgeAgent

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `edge-agent ask --cloud-config FILE`: the cloud path without MQTT. Nothing is queued (no one would get the
/// late answer); an unreachable cloud leaves the local answer with the reason.
struct CloudAsk {
    let escalator: any Escalating

    init(configPath: String, catalog: Catalog) throws {
        escalator = try CloudConfiguration(contentsOf: configPath).escalator(catalog: catalog)
    }

    func escalate(_ text: String, local: Interpretation) throws -> Interpretation {
        let escalator = self.escalator
        let request = EscalationRequest(
            id: "ask-" + String(UUID().uuidString.lowercased().prefix(8)), replyRoute: ReplyRoute(topic: "stdout"),
            queueWhenOffline: false)
        return try runBlocking { await escalator.escalate(text: text, local: local, request: request) }
    }

    func shutdown() {
        let escalator = self.escalator
        _ = try? runBlocking { await escalator.shutdown() }
    }
}
