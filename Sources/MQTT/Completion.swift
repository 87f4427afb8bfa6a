import Synchronization

/// A result that arrives once from a libmosquitto callback (CONNACK, SUBACK, PUBACK/PUBCOMP) and that any number of
/// tasks may await, each with its own deadline.
final class Completion<Value: Sendable>: Sendable {
    private struct State {
        var result: Result<Value, MQTTError>?
        var waiters: [Int: CheckedContinuation<Result<Value, MQTTError>, Never>] = [:]
        var nextWaiter = 0
        var cancelled: Set<Int> = []
    }

    private let state = Mutex(State())

    /// Sets the result once; later calls are ignored.
    func complete(_ result: Result<Value, MQTTError>) {
        let waiters = state.withLock { state -> [CheckedContinuation<Result<Value, MQTTError>, Never>] in
            guard state.result == nil else { return [] }
            state.result = result
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: result) }
    }

    var isComplete: Bool { state.withLock { $0.result != nil } }

    var isFailure: Bool {
        state.withLock {
            if case .failure = $0.result { return true }
            return false
        }
    }

    /// Waits for the result, at most `timeout`; throws `.timedOut` naming `operation` past it.
    func value(timeout: Duration, operation: String) async throws(MQTTError) -> Value {
        let outcome = await withTaskGroup(of: Result<Value, MQTTError>?.self) { group in
            group.addTask { await self.wait() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
        guard let outcome else {
            throw MQTTError(operation: operation, kind: .timedOut, message: "no answer within \(timeout)")
        }
        return try outcome.get()
    }

    private static var cancelled: MQTTError { MQTTError(operation: "wait", kind: .timedOut, message: "cancelled") }

    private func wait() async -> Result<Value, MQTTError>? {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<Value, MQTTError>, Never>) in
                let ready = state.withLock { state -> Result<Value, MQTTError>? in
                    if let result = state.result { return result }
                    if state.cancelled.remove(id) != nil { return .failure(Self.cancelled) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                let waiter = state.waiters.removeValue(forKey: id)
                if waiter == nil { state.cancelled.insert(id) }
                return waiter
            }
            waiter?.resume(returning: .failure(Self.cancelled))
        }
    }
}
