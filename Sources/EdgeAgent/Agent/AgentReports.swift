#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the agent says about itself: the birth payload, the periodic telemetry, Home Assistant's discovery
/// configs. Pure functions of their inputs, so each payload's shape is tested without a broker.
public enum AgentReports {
    public struct Identity: Sendable {
        public var agentID: String
        public var version: String
        public var model: String
        public var catalogHash: String
        public var capabilities: [String]
        public var board: String?
    }

    public static func birth(_ identity: Identity, startedAt: Date) -> JSONValue {
        .object([
            ("state", .string("online")), ("agent_id", .string(identity.agentID)),
            ("version", .string(identity.version)), ("model", .string(identity.model)),
            ("catalog_hash", .string(identity.catalogHash)),
            ("capabilities", .array(identity.capabilities.map(JSONValue.string))),
            ("board", identity.board.map(JSONValue.string) ?? .null),
            ("started_at", .number((startedAt.timeIntervalSince1970 * 1000).rounded() / 1000)),
        ])
    }

    public struct Snapshot: Sendable {
        public var uptimeSeconds: Double
        public var residentBytes: Int?
        public var budgetBytes: Int?
        public var memoryLevel: String
        public var model: String
        public var byStatus: [String: Int]
        public var byPath: [String: Int]
        public var latencyP50: Double?
        public var latencyP95: Double?
        public var tokensPerSecond: Double?
        public var queueDepth: Int
        public var spoolDepth: Int
        public var spoolDropped: Int
        public var reconnects: Int
    }

    public static func telemetry(_ s: Snapshot, agentID: String) -> JSONValue {
        func counts(_ table: [String: Int]) -> JSONValue {
            .object(table.sorted { $0.key < $1.key }.map { ($0.key, .number(Double($0.value))) })
        }
        func number(_ value: Double?, places: Double = 1000) -> JSONValue {
            value.map { .number(($0 * places).rounded() / places) } ?? .null
        }
        let use = s.residentBytes.flatMap { rss in s.budgetBytes.map { Double(rss) / Double(max(1, $0)) } }
        return .object([
            ("agent_id", .string(agentID)), ("uptime_s", number(s.uptimeSeconds, places: 10)),
            ("rss_bytes", s.residentBytes.map { .number(Double($0)) } ?? .null),
            ("memory_budget_bytes", s.budgetBytes.map { .number(Double($0)) } ?? .null),
            ("memory_budget_use", number(use)), ("memory_level", .string(s.memoryLevel)),
            ("model", .string(s.model)),
            ("commands", .object([("by_status", counts(s.byStatus)), ("by_path", counts(s.byPath))])),
            ("commands_total", .number(Double(s.byStatus.values.reduce(0, +)))),
            ("latency_ms", .object([("p50", number(s.latencyP50)), ("p95", number(s.latencyP95))])),
            ("tokens_per_s", number(s.tokensPerSecond)),
            ("queue_depth", .number(Double(s.queueDepth))), ("spool_depth", .number(Double(s.spoolDepth))),
            ("spool_dropped", .number(Double(s.spoolDropped))), ("broker_reconnects", .number(Double(s.reconnects))),
        ])
    }

    /// Home Assistant MQTT discovery: a connectivity binary sensor on the status topic and one sensor per
    /// telemetry figure, all under one device, each `(topic, retained config)`.
    public static func discovery(
        _ identity: Identity, topics: AgentTopics, prefix: String
    ) -> [(topic: String, payload: JSONValue)] {
        let node = "edge_agent_\(identity.agentID)"
        let device = JSONValue.object([
            ("identifiers", .array([.string(node)])), ("name", .string("edge-agent \(identity.agentID)")),
            ("manufacturer", .string("edge-agent")), ("model", .string(identity.model)),
            ("sw_version", .string(identity.version)),
        ])
        var configs: [(String, JSONValue)] = [
            (
                "\(prefix)/binary_sensor/\(node)/status/config",
                .object([
                    ("name", .string("Status")), ("unique_id", .string("\(node)_status")),
                    ("state_topic", .string(topics.status)), ("payload_on", .string("online")),
                    ("payload_off", .string("offline")), ("device_class", .string("connectivity")),
                    ("device", device),
                ])
            )
        ]
        let sensors: [(key: String, name: String, template: String, unit: String?, deviceClass: String?)] = [
            ("uptime", "Uptime", "{{ value_json.uptime_s }}", "s", "duration"),
            ("rss", "Resident memory", "{{ value_json.rss_bytes }}", "B", "data_size"),
            ("memory_use", "Memory budget use", "{{ (value_json.memory_budget_use * 100) | round(1) }}", "%", nil),
            ("commands", "Commands handled", "{{ value_json.commands_total }}", nil, nil),
            ("latency_p50", "Latency p50", "{{ value_json.latency_ms.p50 }}", "ms", "duration"),
            ("latency_p95", "Latency p95", "{{ value_json.latency_ms.p95 }}", "ms", "duration"),
            ("queue_depth", "Queue depth", "{{ value_json.queue_depth }}", nil, nil),
            ("spool_depth", "Spool depth", "{{ value_json.spool_depth }}", nil, nil),
            ("reconnects", "Broker reconnects", "{{ value_json.broker_reconnects }}", nil, nil),
        ]
        for sensor in sensors {
            var members: [(String, JSONValue)] = [
                ("name", .string(sensor.name)), ("unique_id", .string("\(node)_\(sensor.key)")),
                ("state_topic", .string(topics.telemetry)), ("value_template", .string(sensor.template)),
                ("availability_topic", .string(topics.status)), ("entity_category", .string("diagnostic")),
            ]
            if let unit = sensor.unit { members.append(("unit_of_measurement", .string(unit))) }
            if let deviceClass = sensor.deviceClass { members.append(("device_class", .string(deviceClass))) }
            members.append(("device", device))
            configs.append(("\(prefix)/sensor/\(node)/\(sensor.key)/config", .object(members)))
        }
        return configs
    }

    /// FNV-1a (64 bit) of a file's bytes as `fnv1a64:<hex>`: tells a changed catalog apart, not a security hash.
    public static func contentHash(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "fnv1a64:" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
