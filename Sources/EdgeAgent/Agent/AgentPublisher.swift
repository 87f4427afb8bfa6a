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
///
/// With a `SpoolStore`, every change of the spool is written to its file under the spool's lock (the file's order
/// is the spool's), and a spooled item leaves the file once the broker acknowledged it; what a previous run left
/// there is taken back at start. What goes straight to a connected broker is never written: the file is for
/// what the broker could not take.
public final class AgentPublisher: Sendable {
    private let client: MQTTClient
    private let qos: MQTTQoS
    private let spool: Mutex<PublishSpool>
    private let store: SpoolStore?
    private let metrics: AgentMetrics
    private let logger: Logger
    /// Spooled items published and not yet acknowledged, still in the file.
    private let unacknowledged = Mutex(0)

    public init(
        client: MQTTClient, qos: MQTTQoS, spool: PublishSpool, store: SpoolStore? = nil,
        restoring previous: [SpoolStore.Stored] = [], metrics: AgentMetrics, logger: Logger
    ) {
        self.client = client
        self.qos = qos
        self.store = store
        self.metrics = metrics
        self.logger = logger
        var spool = spool
        let drops = spool.restore(previous.map { ($0.item, $0.sameBoot) }, now: Date())
        self.spool = Mutex(spool)
        if !previous.isEmpty {
            logger.info(
                "Spool restored from the previous run",
                metadata: ["agent.spool_depth": "\(spool.count)", "agent.spool_dropped": "\(drops.count)"])
        }
        persist(removed: drops.map(\.item))
        report(drops)
    }

    public var spoolDepth: Int { spool.withLock { $0.count } }

    /// Publishes `item`, or keeps it for later when the broker is away (or earlier items still wait).
    public func send(_ item: OutgoingItem) {
        let drops = spool.withLock { spool -> [PublishSpool.Drop] in
            // Under the lock, so a flush cannot interleave and reorder.
            if spool.isEmpty && client.state == .connected {
                switch publish(item) {
                case .published, .expired: return []
                case .failed: break
                }
            }
            logger.debug("Spooled", metadata: ["agent.item_id": "\(item.id)", "mqtt.topic": "\(item.topic)"])
            let kept = spool.stamped(item, now: Date())
            let drops = spool.hold(kept)
            persist(held: [kept], removed: drops.map(\.item))
            return drops
        }
        report(drops)
    }

    /// Sends what the spool holds, oldest first; what cannot be sent stays, in order. Called on every reconnection.
    public func flush(now: Date = Date()) {
        let (sent, drops) = spool.withLock { spool -> (Int, [PublishSpool.Drop]) in
            guard !spool.isEmpty, client.state == .connected else { return (0, []) }
            var (pending, drops) = spool.release(now: now)
            var gone = drops.map(\.item)
            var sent = 0
            sending: while let item = pending.first {
                switch publish(item) {
                case .failed: break sending
                case .expired: gone.append(item)
                case .published(let delivery):
                    sent += 1
                    if delivery.qos == .atMostOnce { gone.append(item) } else { removeWhenAcknowledged(item, delivery) }
                }
                pending.removeFirst()
            }
            let overflow = spool.putBack(pending)
            persist(removed: gone + overflow.map(\.item))
            return (sent, drops + overflow)
        }
        if sent > 0 { logger.info("Spool delivered", metadata: ["agent.spool_sent": "\(sent)"]) }
        report(drops)
    }

    /// Waits, up to `timeout`, until the broker acknowledged every spooled item sent (at shutdown, so the file
    /// does not keep what was delivered).
    public func settle(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while unacknowledged.withLock({ $0 }) > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    private func removeWhenAcknowledged(_ item: OutgoingItem, _ delivery: MQTTDelivery) {
        guard store != nil else { return }
        unacknowledged.withLock { $0 += 1 }
        Task {
            defer { unacknowledged.withLock { $0 -= 1 } }
            do {
                try await delivery.acknowledged()
                persist(removed: [item])
            } catch {
                logger.info(
                    "No acknowledgement for a spooled item",
                    metadata: ["agent.item_id": "\(item.id)", "mqtt.error": "\(error)"])
                // The broker's refusal is an answer: sending it again would be refused again. Otherwise it stays
                // in the file and is sent again after a restart unless it expires first (at least once).
                if let error = error as? MQTTError, case .rejected = error.kind { persist(removed: [item]) }
            }
        }
    }

    /// Writes a change of the spool to its file. A failed write is logged and the spool goes on in memory: the
    /// broker's absence must not stop the agent because a disk is full.
    private func persist(held: [OutgoingItem] = [], removed: [OutgoingItem] = []) {
        guard let store else { return }
        do {
            try store.record(held: held, removed: removed)
        } catch {
            logger.error(
                "Spool file not written", metadata: ["spool.path": "\(store.path)", "spool.error": "\(error)"])
        }
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

    private enum Outcome {
        case published(MQTTDelivery)
        /// Past its expiry: dropped and counted, never sent.
        case expired
        case failed
    }

    private func publish(_ item: OutgoingItem) -> Outcome {
        var properties = MQTTProperties(correlationData: item.correlationData)
        properties.userProperties = [MQTTUserProperty("id", item.id)]
        if let expiry = item.expiresAt {
            let seconds = expiry.timeIntervalSinceNow.rounded(.up)
            guard seconds > 0 else {
                // Never sent late: dropped and counted, as the spool does.
                logger.info("Dropped an expired item", metadata: ["agent.item_id": "\(item.id)"])
                metrics.recordSpoolDrops(1)
                return .expired
            }
            properties.messageExpiryInterval = UInt32(min(seconds, Double(UInt32.max)))
        }
        do {
            return .published(
                try client.publish(
                    topic: item.topic, payload: item.payload, qos: qos, retain: item.retain, properties: properties))
        } catch {
            logger.info(
                "Publish failed, spooling", metadata: ["mqtt.topic": "\(item.topic)", "mqtt.error": "\(error)"])
            return .failed
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
            case .beforeReboot(let item):
                logger.info(
                    "Dropped a device action spooled before the machine rebooted",
                    metadata: ["agent.item_id": "\(item.id)", "agent.item_kind": "\(item.kind.rawValue)"])
            }
        }
    }
}
