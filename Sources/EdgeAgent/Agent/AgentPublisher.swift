import Logging
import MQTT
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Sends the agent's outgoing messages: straight to the broker while connected, into the `PublishSpool` while not,
/// and the spool's content first, in order, once the connection is back (`flush`). Every item is published at the
/// configured QoS (1 by default), so libmosquitto retries what was in flight when a connection broke.
public final class AgentPublisher: Sendable {
    private let client: MQTTClient
    private let qos: MQTTQoS
    private let spool: Mutex<PublishSpool>
    private let metrics: AgentMetrics
    private let logger: Logger

    public init(client: MQTTClient, qos: MQTTQoS, spoolCapacity: Int, metrics: AgentMetrics, logger: Logger) {
        self.client = client
        self.qos = qos
        self.spool = Mutex(PublishSpool(capacity: spoolCapacity))
        self.metrics = metrics
        self.logger = logger
    }

    public var spoolDepth: Int { spool.withLock { $0.count } }

    /// Publishes `item`, or keeps it for later when the broker is away (or earlier items still wait).
    public func send(_ item: OutgoingItem) {
        let drops = spool.withLock { spool -> [PublishSpool.Drop] in
            // Under the lock, so a flush cannot interleave and reorder.
            if spool.isEmpty && client.state == .connected && publish(item) { return [] }
            logger.debug("Spooled", metadata: ["agent.item_id": "\(item.id)", "mqtt.topic": "\(item.topic)"])
            return spool.hold(item)
        }
        report(drops)
    }

    /// Sends what the spool holds, oldest first; what cannot be sent stays, in order. Called on every reconnection.
    public func flush(now: Date = Date()) {
        let (sent, drops) = spool.withLock { spool -> (Int, [PublishSpool.Drop]) in
            guard !spool.isEmpty, client.state == .connected else { return (0, []) }
            var (pending, drops) = spool.release(now: now)
            var sent = 0
            while let item = pending.first, publish(item) {
                pending.removeFirst()
                sent += 1
            }
            drops += spool.putBack(pending)
            return (sent, drops)
        }
        if sent > 0 { logger.info("Spool delivered", metadata: ["agent.spool_sent": "\(sent)"]) }
        report(drops)
    }

    /// Publishes at once or not at all (QoS 0, not spooled): retained presence and discovery, which are
    /// republished on every connection anyway.
    public func publishNow(topic: String, payload: [UInt8], retain: Bool) {
        do {
            try client.publish(topic: topic, payload: payload, qos: qos, retain: retain)
        } catch {
            logger.info("Not published", metadata: ["mqtt.topic": "\(topic)", "mqtt.error": "\(error)"])
        }
    }

    private func publish(_ item: OutgoingItem) -> Bool {
        var properties = MQTTProperties(correlationData: item.correlationData)
        properties.userProperties = [MQTTUserProperty("id", item.id)]
        if let expiry = item.expiresAt {
            let seconds = expiry.timeIntervalSinceNow.rounded(.up)
            guard seconds > 0 else {
                // Never sent late: dropped and counted, as the spool does.
                logger.info("Dropped an expired item", metadata: ["agent.item_id": "\(item.id)"])
                metrics.recordSpoolDrops(1)
                return true
            }
            properties.messageExpiryInterval = UInt32(min(seconds, Double(UInt32.max)))
        }
        do {
            try client.publish(
                topic: item.topic, payload: item.payload, qos: qos, retain: item.retain, properties: properties)
            return true
        } catch {
            logger.info(
                "Publish failed, spooling", metadata: ["mqtt.topic": "\(item.topic)", "mqtt.error": "\(error)"])
            return false
        }
    }

    private func report(_ drops: [PublishSpool.Drop]) {
        guard !drops.isEmpty else { return }
        metrics.recordSpoolDrops(drops.count)
        for drop in drops {
            switch drop {
            case .full(let item):
                logger.info(
                    "Spool full, dropped the oldest item",
                    metadata: ["agent.item_id": "\(item.id)", "agent.item_kind": "\(item.kind.rawValue)"])
            case .expired(let item):
                logger.info(
                    "Dropped an item that expired while the broker was away",
                    metadata: ["agent.item_id": "\(item.id)", "agent.item_kind": "\(item.kind.rawValue)"])
            }
        }
    }
}
