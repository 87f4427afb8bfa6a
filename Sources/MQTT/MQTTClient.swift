import CMosquitto
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `mosquitto_lib_init` runs once per process, the first time a client is made (Swift initialises globals once).
private let libraryInitialised: Int32 = mosquitto_lib_init()

/// An MQTT 5 / 3.1.1 client over libmosquitto.
///
/// libmosquitto's own network thread (`mosquitto_loop_start`) does the socket work and calls back into this class
/// through an `Unmanaged` context pointer; the connection logic lives in `MQTTConnectionStateMachine`, and this
/// class only carries out its actions. libmosquitto's calls are thread-safe once its thread runs; the Swift state
/// they share with the callbacks is behind one `Mutex`, hence `@unchecked Sendable` for the C handle.
///
/// Reconnection: libmosquitto's thread reconnects by itself after a lost connection and cannot be told not to
/// while it runs, so rather than race it with a second reconnect loop, the state machine chooses each delay
/// (exponential, capped, with jitter) on every disconnection and hands it to `mosquitto_reconnect_delay_set`
/// before the thread sleeps; libmosquitto grows it further, up to the maximum, if attempts keep failing within one
/// outage. libmosquitto counts in whole seconds, so delays are rounded up to a second. Subscriptions are restored
/// by the state machine's `resubscribe` action on every CONNACK, whether or not the broker kept the session.
/// Known gap: libmosquitto's thread gives up for good on errors it deems fatal once a socket is open (a failed TLS
/// handshake on a reconnection, a protocol error), without a callback; restarting it is left to a supervisor.
public final class MQTTClient: @unchecked Sendable {
    public let configuration: MQTTConfiguration
    /// Every message received on the client's subscriptions, in arrival order. One consumer.
    public let messages: AsyncStream<MQTTMessage>
    /// Every change of the connection's state, in order (the latest 16 kept for a slow consumer). One consumer; a
    /// service republishes what a new connection needs on `.connected`.
    public let connectionStates: AsyncStream<MQTTConnectionStateMachine.State>

    private let messageSink: AsyncStream<MQTTMessage>.Continuation
    private let stateSink: AsyncStream<MQTTConnectionStateMachine.State>.Continuation
    private let logger: Logger
    private let handle: OpaquePointer
    private let shared: Mutex<Shared>

    private struct Shared {
        var machine: MQTTConnectionStateMachine
        var connection: Completion<Void>?
        var deliveries: [Int32: Completion<Int32>] = [:]
        var subscriptions: [Int32: Completion<Int32>] = [:]
        var loopRunning = false
    }

    public init(_ configuration: MQTTConfiguration, logger: Logger) throws(MQTTError) {
        _ = libraryInitialised
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "mqtt.client_id"] = "\(configuration.clientID)"
        logger[metadataKey: "mqtt.broker"] = "\(configuration.host):\(configuration.port)"
        self.logger = logger
        (messages, messageSink) = AsyncStream.makeStream(
            of: MQTTMessage.self, bufferingPolicy: .bufferingNewest(configuration.incomingBufferLimit))
        (connectionStates, stateSink) = AsyncStream.makeStream(
            of: MQTTConnectionStateMachine.State.self, bufferingPolicy: .bufferingNewest(16))
        shared = Mutex(
            Shared(
                machine: MQTTConnectionStateMachine(
                    backoff: configuration.backoff, hasBirth: configuration.birth != nil)))
        guard let handle = mosquitto_new(configuration.clientID, configuration.cleanSession, nil) else {
            // NULL means out of memory, or (EINVAL) a persistent session without a client id.
            throw MQTTError.library(
                "create client", code: errno == EINVAL ? MOSQ_ERR_INVAL.rawValue : MOSQ_ERR_NOMEM.rawValue)
        }
        self.handle = handle
        mosquitto_user_data_set(handle, Unmanaged.passUnretained(self).toOpaque())
        try configure()
        installCallbacks()
    }

    deinit {
        if shared.withLock({ $0.loopRunning }) {
            _ = mosquitto_disconnect(handle)
            _ = mosquitto_loop_stop(handle, false)
        }
        mosquitto_destroy(handle)
        messageSink.finish()
        stateSink.finish()
    }

    /// Where the connection stands, and how many times it was lost.
    public var state: MQTTConnectionStateMachine.State { shared.withLock { $0.machine.state } }
    public var reconnects: Int { shared.withLock { $0.machine.reconnects } }

    // MARK: - Connecting

    /// Connects and waits for the broker's CONNACK. Throws if the broker cannot be reached, TLS fails, or the
    /// broker refuses (`.connectionRefused`, e.g. a wrong password); after a failure the client is idle again.
    /// Returns at once when the client is already connected or reconnecting.
    public func connect() async throws(MQTTError) {
        let connection = Completion<Void>()
        let actions = shared.withLock { shared in
            let actions = shared.machine.event(.connectRequested)
            if actions.contains(.connect) { shared.connection = connection }
            return actions
        }
        guard actions.contains(.connect) else { return }
        do throws(MQTTError) {
            for action in actions {
                if case .connect = action { try openConnection(awaiting: connection) }
            }
            perform(actions.filter { $0 != .connect })
            try await connection.value(timeout: configuration.timeout, operation: "connect")
        } catch {
            stop()
            throw error
        }
    }

    /// Sends DISCONNECT (so the broker discards the last will) and stops the network thread. No reconnection after.
    public func disconnect() {
        let actions = shared.withLock { $0.machine.event(.disconnectRequested) }
        perform(actions)
        stopLoop()
        logger.info("MQTT disconnected")
    }

    private func openConnection(awaiting connection: Completion<Void>) throws(MQTTError) {
        logger.info("MQTT connecting")
        var properties: OpaquePointer? = nil
        defer { mosquitto_property_free_all(&properties) }
        if configuration.protocolVersion == .v5, let expiry = configuration.sessionExpiryInterval {
            try mosquittoCall("connect") {
                mosquitto_property_add_int32(&properties, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), expiry)
            }
        }
        let operation = "connect to \(configuration.host):\(configuration.port)"
        try mosquittoCall(operation) {
            mosquitto_connect_bind_v5(
                handle, configuration.host, Int32(configuration.port), Int32(configuration.keepAlive), nil, properties)
        }
        // Run the handshake up to the CONNACK on this thread before starting libmosquitto's: a TLS handshake that
        // fails there ends that thread without any callback, so its error would never reach `connect()`.
        let deadline = ContinuousClock.now + configuration.timeout
        while !connection.isComplete {
            guard ContinuousClock.now < deadline else {
                throw MQTTError(
                    operation: operation, kind: .timedOut, message: "no CONNACK within \(configuration.timeout)")
            }
            let rc = mosquitto_loop(handle, 50, 1)
            // A refused CONNACK also ends the loop with an error; the callback's refusal says more.
            if rc != MOSQ_ERR_SUCCESS.rawValue && !connection.isComplete {
                throw MQTTError.library(operation, code: rc)
            }
        }
        if connection.isFailure { return }
        try mosquittoCall("start network thread") { mosquitto_loop_start(handle) }
        shared.withLock { $0.loopRunning = true }
    }

    private func stop() {
        let actions = shared.withLock { $0.machine.event(.disconnectRequested) }
        perform(actions)
        stopLoop()
    }

    private func stopLoop() {
        let running = shared.withLock { shared in
            defer { shared.loopRunning = false }
            return shared.loopRunning
        }
        if running { _ = mosquitto_loop_stop(handle, false) }
        let pending = shared.withLock { shared in
            defer {
                shared.deliveries = [:]
                shared.subscriptions = [:]
            }
            return Array(shared.deliveries.values) + Array(shared.subscriptions.values)
        }
        for completion in pending {
            completion.complete(
                .failure(
                    MQTTError(
                        operation: "wait for acknowledgement", kind: .notConnected, message: "client disconnected")))
        }
    }

    // MARK: - Publishing

    /// Hands the message to libmosquitto and returns once it has accepted it. For QoS ≥ 1, await
    /// `acknowledged()` on the result to know the broker has it (PUBACK, or PUBCOMP for QoS 2).
    @discardableResult
    public func publish(_ message: MQTTOutgoingMessage) throws(MQTTError) -> MQTTDelivery {
        var properties = try propertyList(message.properties, operation: "publish to \(message.topic)")
        defer { mosquitto_property_free_all(&properties) }
        let (id, completion) = try shared.withLock { (shared) throws(MQTTError) -> (Int32, Completion<Int32>?) in
            // Under the lock, so the acknowledgement cannot arrive before its completion is registered.
            var id: Int32 = 0
            try mosquittoCall("publish to \(message.topic)") {
                message.payload.withUnsafeBytes { payload in
                    mosquitto_publish_v5(
                        handle, &id, message.topic, Int32(payload.count), payload.baseAddress, message.qos.rawValue,
                        message.retain, properties)
                }
            }
            guard message.qos > .atMostOnce else { return (id, nil) }
            let completion = Completion<Int32>()
            shared.deliveries[id] = completion
            return (id, completion)
        }
        logger.debug(
            "MQTT published",
            metadata: ["mqtt.topic": "\(message.topic)", "mqtt.qos": "\(message.qos.rawValue)", "mqtt.mid": "\(id)"])
        return MQTTDelivery(messageID: id, qos: message.qos, completion: completion, timeout: configuration.timeout)
    }

    @discardableResult
    public func publish(
        topic: String, payload: [UInt8], qos: MQTTQoS = .atMostOnce, retain: Bool = false,
        properties: MQTTProperties = MQTTProperties()
    ) throws(MQTTError) -> MQTTDelivery {
        try publish(
            MQTTOutgoingMessage(topic: topic, payload: payload, qos: qos, retain: retain, properties: properties))
    }

    // MARK: - Subscribing

    /// Subscribes and, when connected, waits for the SUBACK; the subscription is kept and renewed after every
    /// reconnection. Returns the QoS the broker granted (or the requested one when not connected yet).
    @discardableResult
    public func subscribe(_ topicFilter: String, qos: MQTTQoS = .atMostOnce) async throws(MQTTError) -> MQTTQoS {
        let subscription = MQTTSubscription(topicFilter, qos: qos)
        let operation = "subscribe to \(topicFilter)"
        let completion = try shared.withLock { (shared) throws(MQTTError) -> Completion<Int32>? in
            let actions = shared.machine.event(.subscribeRequested(subscription))
            guard actions.contains(.subscribe(subscription)) else { return nil }
            var id: Int32 = 0
            try mosquittoCall(operation) { mosquitto_subscribe_v5(handle, &id, topicFilter, qos.rawValue, 0, nil) }
            let completion = Completion<Int32>()
            shared.subscriptions[id] = completion
            return completion
        }
        logger.info("MQTT subscribing", metadata: ["mqtt.topic": "\(topicFilter)", "mqtt.qos": "\(qos.rawValue)"])
        guard let completion else { return qos }
        let granted = try await completion.value(timeout: configuration.timeout, operation: operation)
        return MQTTQoS(rawValue: granted) ?? qos
    }

    public func unsubscribe(_ topicFilter: String) throws(MQTTError) {
        let actions = shared.withLock { $0.machine.event(.unsubscribeRequested(topicFilter)) }
        if actions.contains(.unsubscribe(topicFilter)) {
            try mosquittoCall("unsubscribe from \(topicFilter)") {
                mosquitto_unsubscribe_v5(handle, nil, topicFilter, nil)
            }
        }
    }

    // MARK: - Carrying out the state machine's actions

    private func perform(_ actions: [MQTTConnectionStateMachine.Action]) {
        for action in actions {
            switch action {
            case .connect:
                // Only the first connection is opened by us (see the type's comment); libmosquitto reconnects.
                break
            case .scheduleReconnect(let after):
                let seconds = UInt32(max(1, (after / .seconds(1)).rounded(.up)))
                let maximum = UInt32(max(Double(seconds), (configuration.backoff.maximum / .seconds(1)).rounded(.up)))
                _ = mosquitto_reconnect_delay_set(handle, seconds, maximum, true)
                logger.info("MQTT reconnecting", metadata: ["mqtt.reconnect_delay_s": "\(seconds)"])
            case .subscribe(let subscription):
                subscribeQuietly(subscription)
            case .resubscribe(let subscriptions):
                for subscription in subscriptions { subscribeQuietly(subscription) }
            case .unsubscribe(let filter):
                _ = mosquitto_unsubscribe_v5(handle, nil, filter, nil)
            case .publishBirth:
                guard let birth = configuration.birth else { break }
                do { try publish(birth) } catch {
                    logger.info("MQTT birth message not published", metadata: ["mqtt.error": "\(error)"])
                }
            case .disconnect:
                _ = mosquitto_disconnect_v5(handle, Int32(MQTT_RC_NORMAL_DISCONNECTION.rawValue), nil)
            case .reportState(let state):
                logger.debug("MQTT connection state", metadata: ["mqtt.state": "\(state)"])
                stateSink.yield(state)
            }
        }
    }

    private func subscribeQuietly(_ subscription: MQTTSubscription) {
        do {
            try mosquittoCall("resubscribe to \(subscription.topicFilter)") {
                mosquitto_subscribe_v5(handle, nil, subscription.topicFilter, subscription.qos.rawValue, 0, nil)
            }
            logger.info("MQTT resubscribed", metadata: ["mqtt.topic": "\(subscription.topicFilter)"])
        } catch {
            logger.info("MQTT resubscription failed", metadata: ["mqtt.error": "\(error)"])
        }
    }

    // MARK: - Configuration of the libmosquitto handle

    private func configure() throws(MQTTError) {
        let version = configuration.protocolVersion == .v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311
        try mosquittoCall("set protocol version") {
            mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, Int32(version))
        }
        try mosquittoCall("set TCP_NODELAY") {
            mosquitto_int_option(handle, MOSQ_OPT_TCP_NODELAY, configuration.noDelay ? 1 : 0)
        }
        if let credentials = configuration.credentials {
            try mosquittoCall("set username and password") {
                mosquitto_username_pw_set(handle, credentials.username, credentials.password)
            }
        }
        if let tls = configuration.tls {
            if tls.caFile == nil && tls.caDirectory == nil {
                try mosquittoCall("use the system's certificate authorities") {
                    mosquitto_int_option(handle, MOSQ_OPT_TLS_USE_OS_CERTS, 1)
                }
            }
            if tls.caFile != nil || tls.caDirectory != nil || tls.certificateFile != nil {
                try mosquittoCall("set TLS certificates") {
                    mosquitto_tls_set(handle, tls.caFile, tls.caDirectory, tls.certificateFile, tls.keyFile, nil)
                }
            }
            try mosquittoCall("set TLS options") {
                mosquitto_tls_opts_set(handle, tls.verifyPeer ? 1 : 0, tls.version, nil)
            }
            try mosquittoCall("set TLS host name check") { mosquitto_tls_insecure_set(handle, !tls.verifyPeer) }
        }
        if let will = configuration.will {
            var properties = try propertyList(will.properties, operation: "set last will")
            do throws(MQTTError) {
                try mosquittoCall("set last will on \(will.topic)") {
                    will.payload.withUnsafeBytes { payload in
                        mosquitto_will_set_v5(
                            handle, will.topic, Int32(payload.count), payload.baseAddress, will.qos.rawValue,
                            will.retain,
                            properties)
                    }
                }
            } catch {
                mosquitto_property_free_all(&properties)  // on success libmosquitto owns them
                throw error
            }
        }
        let backoff = configuration.backoff
        _ = mosquitto_reconnect_delay_set(
            handle, UInt32(max(1, (backoff.minimum / .seconds(1)).rounded(.up))),
            UInt32(max(1, (backoff.maximum / .seconds(1)).rounded(.up))), true)
    }

    /// MQTT 3.1.1 has no properties: they are not sent.
    private func propertyList(_ properties: MQTTProperties, operation: String) throws(MQTTError) -> OpaquePointer? {
        guard configuration.protocolVersion == .v5, !properties.isEmpty else { return nil }
        return try makePropertyList(properties, operation: operation)
    }

    private func installCallbacks() {
        mosquitto_connect_v5_callback_set(handle) { _, context, reasonCode, _, _ in
            MQTTClient.from(context).didConnect(reasonCode: reasonCode)
        }
        mosquitto_disconnect_v5_callback_set(handle) { _, context, reasonCode, _ in
            MQTTClient.from(context).didDisconnect(reasonCode: reasonCode)
        }
        mosquitto_message_v5_callback_set(handle) { _, context, message, properties in
            guard let message else { return }
            MQTTClient.from(context).didReceive(message.pointee, properties: properties)
        }
        mosquitto_publish_v5_callback_set(handle) { _, context, id, reasonCode, _ in
            MQTTClient.from(context).didAcknowledgePublication(id: id, reasonCode: reasonCode)
        }
        mosquitto_log_callback_set(handle) { _, context, level, text in
            guard let text else { return }
            MQTTClient.from(context).didLog(level: level, text: String(cString: text))
        }
        mosquitto_subscribe_v5_callback_set(handle) { _, context, id, count, granted, _ in
            let first = count > 0 ? granted?.pointee : nil
            MQTTClient.from(context).didAcknowledgeSubscription(id: id, granted: first ?? 0)
        }
    }

    private func didLog(level: Int32, text: String) {
        logger.debug("libmosquitto", metadata: ["mqtt.library_level": "\(level)", "mqtt.library_log": "\(text)"])
    }

    private static func from(_ context: UnsafeMutableRawPointer?) -> MQTTClient {
        Unmanaged<MQTTClient>.fromOpaque(context!).takeUnretainedValue()
    }

    // MARK: - Callbacks, on libmosquitto's thread

    private func didConnect(reasonCode: Int32) {
        let (actions, connection) = shared.withLock { shared in
            (shared.machine.event(.connected(reasonCode: reasonCode)), shared.connection)
        }
        if reasonCode == 0 {
            logger.info("MQTT connected")
            connection?.complete(.success(()))
        } else {
            let error = MQTTError.refused(
                "connect", reasonCode: reasonCode, protocolVersion: configuration.protocolVersion)
            logger.info("MQTT connection refused", metadata: ["mqtt.error": "\(error)"])
            connection?.complete(.failure(error))
        }
        perform(actions)
    }

    private func didDisconnect(reasonCode: Int32) {
        let (actions, connection) = shared.withLock { shared in
            (shared.machine.event(.disconnected(reasonCode: reasonCode)), shared.connection)
        }
        if reasonCode != 0 {
            logger.info(
                "MQTT connection lost", metadata: ["mqtt.reason": "\(String(cString: mosquitto_strerror(reasonCode)))"])
            // A connection that ends before its CONNACK (e.g. a TLS handshake the network thread finishes and
            // fails) fails `connect()`; once connected, this completion is already set and ignores it.
            connection?.complete(.failure(MQTTError.library("connect", code: reasonCode)))
        }
        perform(actions)
    }

    private func didReceive(_ message: mosquitto_message, properties: OpaquePointer?) {
        let topic = String(cString: message.topic)
        let payload =
            message.payloadlen > 0 && message.payload != nil
            ? Array(UnsafeRawBufferPointer(start: message.payload, count: Int(message.payloadlen))) : []
        let received = MQTTMessage(
            topic: topic, payload: payload, qos: MQTTQoS(rawValue: message.qos) ?? .atMostOnce, retain: message.retain,
            properties: readPropertyList(properties))
        logger.debug("MQTT received", metadata: ["mqtt.topic": "\(topic)", "mqtt.bytes": "\(payload.count)"])
        if case .dropped = messageSink.yield(received) {
            logger.info("MQTT incoming buffer full, dropped the oldest message", metadata: ["mqtt.topic": "\(topic)"])
        }
    }

    private func didAcknowledgePublication(id: Int32, reasonCode: Int32) {
        guard let completion = shared.withLock({ $0.deliveries.removeValue(forKey: id) }) else { return }
        if reasonCode >= 0x80 {
            completion.complete(.failure(.rejected("publish (message \(id))", reasonCode: reasonCode)))
        } else {
            completion.complete(.success(reasonCode))
        }
    }

    private func didAcknowledgeSubscription(id: Int32, granted: Int32) {
        guard let completion = shared.withLock({ $0.subscriptions.removeValue(forKey: id) }) else { return }
        if granted >= 0x80 {
            completion.complete(.failure(.rejected("subscribe (message \(id))", reasonCode: granted)))
        } else {
            completion.complete(.success(granted))
        }
    }

    // MARK: - Tests

    /// Closes the socket without a DISCONNECT, as a crash or a pulled cable would: the broker publishes the will.
    func dropConnectionForTesting() {
        let socket = mosquitto_socket(handle)
        if socket >= 0 { _ = shutdown(socket, Int32(SHUT_RDWR)) }
    }
}

/// A publication libmosquitto accepted. For QoS ≥ 1, `acknowledged()` waits for the broker's PUBACK/PUBCOMP.
public struct MQTTDelivery: Sendable {
    public let messageID: Int32
    public let qos: MQTTQoS
    let completion: Completion<Int32>?
    let timeout: Duration

    /// Returns the broker's reason code (MQTT 5; 0 under 3.1.1). Throws `.rejected` for a reason code ≥ 0x80,
    /// `.timedOut` past the client's timeout, and at once for QoS 0, which has no acknowledgement.
    @discardableResult
    public func acknowledged() async throws(MQTTError) -> Int32 {
        guard let completion else {
            throw MQTTError(
                operation: "wait for acknowledgement", kind: .invalidConfiguration,
                message: "QoS 0 messages are not acknowledged")
        }
        return try await completion.value(
            timeout: timeout, operation: "wait for acknowledgement of message \(messageID)")
    }
}
