#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the inference worker does with one command, in order:
/// 1. refuse it if it expired while it waited (`expired`, never executed);
/// 2. local interpretation (`AgentRuntime.makeInterpreter`: the rules, then the language model);
/// 3. (in `AgentService`, when configured) escalation through `CloudEscalator`, off the inference worker;
/// 4. the answer for the publisher: for a question, the devices' last known states added to the result.
public struct AgentPipeline: Sendable {
    public let catalog: Catalog
    public let interpreter: any CommandInterpreting
    public let states: DeviceStates

    public init(catalog: Catalog, interpreter: any CommandInterpreting, states: DeviceStates) {
        self.catalog = catalog
        self.interpreter = interpreter
        self.states = states
    }

    public func process(_ request: AgentRequest, now: Date = Date()) -> Interpretation {
        if request.isExpired(now: now) {
            return Self.result(request.id, .expired, reason: "expired before it was executed")
        }
        return interpreter.interpret(request.text, id: request.id)
    }

    public func refusal(_ request: AgentRequest, reason: String) -> Interpretation {
        Self.result(request.id, .rejected, reason: reason)
    }

    public static func errorResult(id: String?, reason: String) -> Interpretation {
        result(id, .error, reason: reason)
    }

    static func result(_ id: String?, _ status: Interpretation.Status, reason: String) -> Interpretation {
        Interpretation(
            id: id, status: status, intents: [], actions: [], queried: [], via: "none", confidence: 0, latencyMs: 0,
            reason: reason, candidates: [])
    }

    /// The result JSON (DESIGN.md's `…/result`), with `"states"` for the devices a question asked about:
    /// `{"front_door": {"state": "LOCK"}}`, or `"unknown"` for a device that has not reported yet.
    public func resultPayload(_ result: Interpretation) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var bytes = try? Array(encoder.encode(result)) else {
            return Array(#"{"status":"error","reason":"the result could not be encoded"}"#.utf8)
        }
        guard result.status == .ok, !result.queried.isEmpty, bytes.last == UInt8(ascii: "}") else { return bytes }
        bytes.removeLast()
        bytes += Array(#","states":"#.utf8) + states.report(for: result.queried).bytes + [UInt8(ascii: "}")]
        return bytes
    }
}
