// The package's Cloud trait (on by default) brings AsyncHTTPClient and SwiftNIO, about half of the release binary.
#if Cloud
    import AsyncHTTPClient
    import Logging
    import NIOCore
    import NIOHTTP1
    import Synchronization

    #if canImport(FoundationEssentials)
        import FoundationEssentials
    #else
        import Foundation
    #endif

    /// One completion: the model's text and what it cost.
    public struct CloudCompletion: Sendable, Equatable {
        public var content: String
        public var promptTokens: Int
        public var completionTokens: Int
        /// How the answer's shape was asked for.
        public var format: CloudClient.ResponseFormat
        public var totalTokens: Int { promptTokens + completionTokens }
    }

    /// An OpenAI-compatible Chat Completions client (`POST {base_url}/v1/chat/completions`), the dialect of OpenAI,
    /// hosted providers, llama.cpp's server, vLLM and Ollama. HTTPS with certificate verification (NIOSSL's defaults),
    /// `HTTPS_PROXY`/`NO_PROXY` honoured, no redirects (the API key must not follow one to another host).
    ///
    /// The answer's shape is asked for with `response_format: json_schema`; an endpoint that refuses that (a 4xx that
    /// names the response format) is asked again with `json_object`, then with the schema only in the prompt, and the
    /// client remembers what worked.
    public final class CloudClient: Sendable {
        public enum ResponseFormat: String, Sendable, Equatable, Comparable {
            case jsonSchema = "json_schema"
            case jsonObject = "json_object"
            case prompted

            public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
            var rank: Int {
                switch self {
                case .jsonSchema: 0
                case .jsonObject: 1
                case .prompted: 2
                }
            }
        }

        public let endpoint: CloudEndpoint
        private let http: HTTPClient
        private let authorization: String?
        private let format: Mutex<ResponseFormat>
        private let logger: Logger
        /// The largest answer body read; a chat completion for a few actions is a few kB.
        static let maxResponseBytes = 1 << 20

        public init(
            endpoint: CloudEndpoint, environment: [String: String] = ProcessInfo.processInfo.environment,
            logger: Logger = Logger(label: "edge-agent.cloud")
        ) throws(CloudConfigurationError) {
            self.endpoint = endpoint
            self.authorization = try endpoint.apiKey.read(environment: environment).map { "Bearer " + $0 }
            self.format = Mutex(.jsonSchema)
            self.logger = logger
            var configuration = HTTPClient.Configuration(
                redirectConfiguration: .disallow,
                timeout: .init(connect: .nanoseconds(endpoint.connectTimeout.nanoseconds), read: nil),
                proxy: ProxySettings.forURL(endpoint.baseURL, environment: environment).map { proxy in
                    .server(
                        host: proxy.host, port: proxy.port,
                        authorization: proxy.credentials.map { .basic(username: $0.user, password: $0.password) })
                })
            configuration.httpVersion = .automatic
            self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        }

        /// Must be called once before the client goes away.
        public func shutdown() async {
            try? await http.shutdown()
        }

        /// The response format currently used (after any fallback).
        public var responseFormat: ResponseFormat { format.withLock { $0 } }

        /// Asks the model; `idempotencyKey` goes in the `Idempotency-Key` header, so a retried escalation is
        /// recognisable as the same request by a server that honours it.
        public func complete(
            system: String, user: String, schema: JSONValue, idempotencyKey: String
        ) async throws(CloudError)
            -> CloudCompletion
        {
            while true {
                let current = responseFormat
                do {
                    return try await send(
                        system: system, user: user, schema: schema, format: current, key: idempotencyKey)
                } catch .http(let status, _, let message)
                    where (400..<500).contains(status) && status != 429 && Self.namesResponseFormat(message)
                    && current != .prompted
                {
                    let next: ResponseFormat = current == .jsonSchema ? .jsonObject : .prompted
                    format.withLock { if $0 < next { $0 = next } }
                    logger.info(
                        "cloud endpoint refused the response format; falling back",
                        metadata: ["cloud.format": "\(current.rawValue)", "cloud.fallback": "\(next.rawValue)"])
                }
            }
        }

        static func namesResponseFormat(_ message: String) -> Bool {
            let lower = message.lowercased()
            return lower.contains("response_format") || lower.contains("json_schema")
                || lower.contains("response format")
                || lower.contains("json_object")
        }

        /// The request body for one format (also used to measure the payload for the policy's cap).
        public func body(system: String, user: String, schema: JSONValue, format: ResponseFormat) -> JSONValue {
            var systemText = system
            if format != .jsonSchema {
                systemText += "\nThe answer must be JSON matching this schema: " + schema.text
            }
            var members: [(String, JSONValue)] = [
                ("model", .string(endpoint.model)),
                (
                    "messages",
                    .array([
                        .object([("role", .string("system")), ("content", .string(systemText))]),
                        .object([("role", .string("user")), ("content", .string(user))]),
                    ])
                ),
                ("max_tokens", .number(Double(endpoint.maxTokens))),
                ("temperature", .number(endpoint.temperature)),
            ]
            switch format {
            case .jsonSchema:
                members.append(
                    (
                        "response_format",
                        .object([
                            ("type", .string("json_schema")),
                            ("json_schema", .object([("name", .string("edge_agent_actions")), ("schema", schema)])),
                        ])
                    ))
            case .jsonObject:
                members.append(("response_format", .object([("type", .string("json_object"))])))
            case .prompted:
                break
            }
            return .object(members)
        }

        private func send(
            system: String, user: String, schema: JSONValue, format: ResponseFormat, key: String
        )
            async throws(CloudError) -> CloudCompletion
        {
            var request = HTTPClientRequest(url: endpoint.baseURL + "/v1/chat/completions")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "Accept", value: "application/json")
            request.headers.add(name: "Idempotency-Key", value: key)
            if let authorization { request.headers.add(name: "Authorization", value: authorization) }
            request.body = .bytes(
                ByteBuffer(bytes: body(system: system, user: user, schema: schema, format: format).bytes))
            let (status, headers, bytes) = try await exchange(request, timeout: endpoint.timeout)
            guard (200..<300).contains(status) else {
                throw .http(
                    status: status, retryAfter: headers.first(name: "Retry-After").flatMap(Self.retryAfter),
                    message: Self.errorMessage(bytes))
            }
            return try Self.completion(bytes, format: format)
        }

        /// A light request that shows whether the link works: any HTTP answer counts (even 401 or 404).
        public func probe(timeout: Duration = .seconds(3)) async -> Connectivity.Outcome {
            var request = HTTPClientRequest(url: endpoint.baseURL + "/v1/models")
            request.method = .GET
            if let authorization { request.headers.add(name: "Authorization", value: authorization) }
            do throws(CloudError) {
                let (status, _, _) = try await exchange(request, timeout: timeout)
                return status == 429 || status >= 500 ? .overloaded : .answered
            } catch {
                return error.outcome
            }
        }

        private func exchange(
            _ request: HTTPClientRequest, timeout: Duration
        ) async throws(CloudError)
            -> (Int, HTTPHeaders, [UInt8])
        {
            let deadline = NIODeadline.now() + .nanoseconds(timeout.nanoseconds)
            do {
                let response = try await http.execute(request, deadline: deadline)
                let body = try await response.body.collect(upTo: Self.maxResponseBytes)
                return (Int(response.status.code), response.headers, Array(buffer: body))
            } catch let error as HTTPClientError {
                switch error {
                case .deadlineExceeded, .readTimeout, .writeTimeout: throw .timeout(after: timeout)
                case .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout, .httpProxyHandshakeTimeout:
                    throw .unreachable("connect timed out")
                case .remoteConnectionClosed: throw .unreachable("the server closed the connection")
                default: throw .unreachable("\(error)")
                }
            } catch is CancellationError {
                throw .timeout(after: timeout)
            } catch {
                throw .unreachable(Self.describeConnectionError(error))
            }
        }

        static func describeConnectionError(_ error: any Error) -> String {
            let text = String(describing: error)
            if text.contains("connection refused") || text.contains("Connection refused")
                || text.contains("ECONNREFUSED")
            {
                return "connection refused"
            }
            return text.count > 200 ? String(text.prefix(200)) + "…" : text
        }

        /// `Retry-After` in seconds (the HTTP-date form is rare for APIs and read as "soon").
        static func retryAfter(_ value: String) -> Duration? {
            if let seconds = Double(value.trimmedWhitespace), seconds >= 0, seconds.isFinite {
                return .milliseconds(Int(seconds * 1000))
            }
            return value.isEmpty ? nil : .seconds(1)
        }

        /// OpenAI's error body `{"error":{"message":…}}`, else the body's start.
        static func errorMessage(_ bytes: [UInt8]) -> String {
            struct Body: Decodable {
                struct Inner: Decodable { var message: String? }
                var error: Inner?
            }
            if let body = try? JSONDecoder().decode(Body.self, from: Data(bytes)), let message = body.error?.message {
                return String(message.prefix(300))
            }
            return String(String(decoding: bytes.prefix(300), as: UTF8.self))
        }

        static func completion(_ bytes: [UInt8], format: ResponseFormat) throws(CloudError) -> CloudCompletion {
            struct Body: Decodable {
                struct Choice: Decodable {
                    struct Message: Decodable { var content: String? }
                    var message: Message
                }
                struct Usage: Decodable {
                    var prompt_tokens: Int?
                    var completion_tokens: Int?
                }
                var choices: [Choice]
                var usage: Usage?
            }
            let body: Body
            do {
                body = try JSONDecoder().decode(Body.self, from: Data(bytes))
            } catch {
                throw .malformedAnswer("the response is not a chat completion (\(bytes.count) bytes)")
            }
            guard let content = body.choices.first?.message.content else {
                throw .malformedAnswer("the chat completion has no message content")
            }
            return CloudCompletion(
                content: content, promptTokens: body.usage?.prompt_tokens ?? 0,
                completionTokens: body.usage?.completion_tokens ?? 0, format: format)
        }
    }

    extension Duration {
        var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
    }
#endif
