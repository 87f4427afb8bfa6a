#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One message the agent must deliver: an action for a device, a result, or a telemetry report, with its
/// idempotency key and the time after which sending it would be wrong (an action must never execute late).
public struct OutgoingItem: Sendable, Equatable {
    public enum Kind: String, Sendable { case action, result, telemetry }

    public var id: String
    public var kind: Kind
    public var topic: String
    public var payload: [UInt8]
    public var retain: Bool
    public var correlationData: [UInt8]?
    public var expiresAt: Date?

    public init(
        id: String, kind: Kind, topic: String, payload: [UInt8], retain: Bool = false,
        correlationData: [UInt8]? = nil, expiresAt: Date? = nil
    ) {
        self.id = id
        self.kind = kind
        self.topic = topic
        self.payload = payload
        self.retain = retain
        self.correlationData = correlationData
        self.expiresAt = expiresAt
    }
}

/// What the agent holds while the broker is away, as a state machine without I/O (STYLE.md #8): items in, what to
/// send or drop out. Bounded: when full, the oldest telemetry report goes first, and only when there is none the
/// oldest item of any kind — a dropped item is reported, never silent. On delivery, items past their expiry are
/// dropped (and reported) rather than sent late. Order is kept: what waited goes before anything newer.
public struct PublishSpool: Sendable {
    public enum Drop: Sendable, Equatable {
        /// Made room for a newer item.
        case full(OutgoingItem)
        /// Its expiry passed while it waited.
        case expired(OutgoingItem)
    }

    public let capacity: Int
    public private(set) var items: [OutgoingItem] = []

    public init(capacity: Int) {
        precondition(capacity > 0, "a spool holds at least one item")
        self.capacity = capacity
    }

    public var isEmpty: Bool { items.isEmpty }
    public var count: Int { items.count }

    /// Keeps `item`; returns what was dropped to make room.
    public mutating func hold(_ item: OutgoingItem) -> [Drop] {
        var drops: [Drop] = []
        if items.contains(where: { $0.id == item.id && $0.topic == item.topic }) { return [] }  // already held
        while items.count >= capacity {
            let victim = items.firstIndex { $0.kind == .telemetry } ?? items.startIndex
            drops.append(.full(items.remove(at: victim)))
        }
        items.append(item)
        return drops
    }

    /// The items to send now, in order, and those whose expiry has passed; the spool keeps nothing of either.
    public mutating func release(now: Date) -> (send: [OutgoingItem], drops: [Drop]) {
        var send: [OutgoingItem] = []
        var drops: [Drop] = []
        for item in items {
            if let expiry = item.expiresAt, expiry <= now {
                drops.append(.expired(item))
            } else {
                send.append(item)
            }
        }
        items = []
        return (send, drops)
    }

    /// Puts back, at the front and in order, items that could not be sent after `release`.
    /// Returns what no longer fits (newer items may have arrived meanwhile), by the same rule as `hold`.
    public mutating func putBack(_ unsent: [OutgoingItem]) -> [Drop] {
        items = unsent + items
        var drops: [Drop] = []
        while items.count > capacity {
            let victim = items.firstIndex { $0.kind == .telemetry } ?? items.startIndex
            drops.append(.full(items.remove(at: victim)))
        }
        return drops
    }
}
