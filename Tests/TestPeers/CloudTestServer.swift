import Foundation
import XCTest

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The project's OpenAI-compatible test server (Tests/CloudTestServer/openai_test_server.py) for one test: a free
/// loopback port, fault injection and the record of every request body it saw. `stop()` is a pulled cable:
/// connections are refused until `start()` again on the same port.
public final class CloudTestServer {
    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("CloudTestServer/openai_test_server.py").path

    public let directory: URL
    public private(set) var port = 0
    private var pid: pid_t?

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cloud-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts the server (on the previous port after a `stop()`) and waits until it listens.
    public func start() throws {
        let portFile = directory.appendingPathComponent("port").path
        try? FileManager.default.removeItem(atPath: portFile)
        var arguments = ["/usr/bin/env", "python3", Self.script, "--port-file", portFile]
        if port != 0 { arguments += ["--port", "\(port)"] }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let log = directory.appendingPathComponent("server.log").path
        posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        var argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var child: pid_t = 0
        let rc = posix_spawn(&child, arguments[0], &actions, &attributes, &argv, environ)
        guard rc == 0 else { throw ServerError("cannot start python3: \(String(cString: strerror(rc)))") }
        pid = child
        let deadline = Date().addingTimeInterval(10)
        while true {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let bound = Int(text) {
                port = bound
                return
            }
            var status: Int32 = 0
            if waitpid(child, &status, WNOHANG) == child {
                pid = nil
                throw ServerError(
                    "the test server exited: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
            guard Date() < deadline else { throw ServerError("the test server did not start within 10 s") }
            usleep(10_000)
        }
    }

    /// Stops the server (connections are refused from now on).
    public func stop() {
        guard let pid else { return }
        self.pid = nil
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    /// Sets answers (text → content object), faults (consumed one per request), sticky faults, forbidden strings.
    public func control(_ settings: [String: Any]) throws {
        _ = try call("POST", "/_control", body: try JSONSerialization.data(withJSONObject: settings))
    }

    /// Every chat request the server saw: `body`, `idempotency_key`, `authorization`.
    public func requests() throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: try call("GET", "/_requests")) as? [[String: Any]] ?? []
    }

    public func violations() throws -> [String] {
        try JSONSerialization.jsonObject(with: try call("GET", "/_violations")) as? [String] ?? []
    }

    /// The user messages of every chat request, in order.
    public func userTexts() throws -> [String] {
        try requests().compactMap { request in
            let messages = (request["body"] as? [String: Any])?["messages"] as? [[String: Any]] ?? []
            return messages.last?["content"] as? String
        }
    }

    private func call(_ method: String, _ path: String, body: Data? = nil) throws -> Data {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        request.httpBody = body
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<Data, Error> = .failure(ServerError("no answer"))
        URLSession.shared.dataTask(with: request) { data, _, error in
            result = error.map { .failure($0) } ?? .success(data ?? Data())
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + 10) == .success else { throw ServerError("control call timed out") }
        return try result.get()
    }

    public struct ServerError: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }
}
