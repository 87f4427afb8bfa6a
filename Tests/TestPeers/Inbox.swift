import Foundation
import MQTT

/// Collects what a client receives, so a test can wait for a message matching a condition.
public final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var received: [MQTTMessage] = []
    private var task: Task<Void, Never>?

    public init(_ client: MQTTClient) {
        let messages = client.messages
        task = Task { [weak self] in
            for await message in messages {
                guard let self else { return }
                self.lock.withLock { self.received.append(message) }
            }
        }
    }

    deinit { task?.cancel() }

    public var messages: [MQTTMessage] { lock.withLock { received } }

    /// The first message on `topic` (and matching `condition`), waiting at most `timeout` seconds.
    public func first(
        on topic: String, timeout: TimeInterval = 10, where condition: (MQTTMessage) -> Bool = { _ in true }
    ) async throws -> MQTTMessage {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let message = messages.first(where: { $0.topic == topic && condition($0) }) { return message }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BrokerError(
            "no message on '\(topic)' within \(timeout) s; received: \(messages.map { "\($0.topic) \($0.text?.prefix(80) ?? "")" })"
        )
    }
}
