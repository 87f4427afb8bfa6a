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

extension OutgoingItem {
    /// What makes two items the same message: the spool and its file hold one of each.
    public struct Key: Hashable, Sendable {
        public var id: String
        public var topic: String
    }

    public var key: Key { Key(id: id, topic: topic) }
}

/// What the agent holds while the broker is away, as a state machine without I/O (STYLE.md #8): items in, what to
/// send or drop out. Bounded: when full, the oldest telemetry report goes first, and only when there is none the
/// oldest item of any kind — a dropped item is reported, never silent. On delivery, items past their expiry are
/// dropped (and reported) rather than sent late. Order is kept: what waited goes before anything newer.
/// `SpoolStore` keeps the same items in a file, so they outlive the process (`restore`).
public struct PublishSpool: Sendable {
    public enum Drop: Sendable, Equatable {
        /// Made room for a newer item.
        case full(OutgoingItem)
        /// Its expiry passed while it waited.
        case expired(OutgoingItem)
        /// A device action held before the machine last booted: a board without a real-time clock cannot tell
        /// how long ago that was, so it is never executed.
        case beforeReboot(OutgoingItem)

        public var item: OutgoingItem {
            switch self {
            case .full(let item), .expired(let item), .beforeReboot(let item): item
            }
        }
    }

    public let capacity: Int
    /// How long a device action without an expiry of its own may wait; nil lets it wait for ever.
    public let actionExpiry: TimeInterval?
    public private(set) var items: [OutgoingItem] = []

    public init(capacity: Int, actionExpiry: TimeInterval? = nil) {
        precondition(capacity > 0, "a spool holds at least one item")
        self.capacity = capacity
        self.actionExpiry = actionExpiry
    }

    /// `item` as the spool keeps it: a device action gets an expiry when it has none.
    public func stamped(_ item: OutgoingItem, now: Date) -> OutgoingItem {
        guard item.kind == .action, item.expiresAt == nil, let actionExpiry else { return item }
        var stamped = item
        stamped.expiresAt = now.addingTimeInterval(actionExpiry)
        return stamped
    }

    /// Takes back, oldest first, what a previous run left in the spool's file, before anything new is held.
    /// Drops what expired meanwhile, device actions from before a reboot, and what no longer fits.
    public mutating func restore(_ previous: [(item: OutgoingItem, sameBoot: Bool)], now: Date) -> [Drop] {
        var kept: [OutgoingItem] = []
        var drops: [Drop] = []
        for (item, sameBoot) in previous {
            if let expiry = item.expiresAt, expiry <= now {
                drops.append(.expired(item))
            } else if item.kind == .action && !sameBoot {
                drops.append(.beforeReboot(item))
            } else if !kept.contains(where: { $0.key == item.key }) && !items.contains(where: { $0.key == item.key }) {
                kept.append(item)
            }
        }
        return drops + putBack(kept)
    }

    public var isEmpty: Bool { items.isEmpty }
    public var count: Int { items.count }

    /// Keeps `item`; returns what was dropped to make room.
    public mutating func hold(_ item: OutgoingItem) -> [Drop] {
        if items.contains(where: { $0.key == item.key }) { return [] }  // already held
        let drops = trim(to: capacity - 1)
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
        return trim(to: capacity)
    }

    /// Drops the oldest telemetry, then the oldest items, until at most `count` remain.
    private mutating func trim(to count: Int) -> [Drop] {
        var drops: [Drop] = []
        while items.count > count {
            let victim = items.firstIndex { $0.kind == .telemetry } ?? items.startIndex
            drops.append(.full(items.remove(at: victim)))
        }
        return drops
    }
}
