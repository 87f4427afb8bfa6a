import Foundation

/// A real mosquitto broker for one test: a generated config in a temporary directory, a free loopback port, and
/// the process stopped in `stop()` (called from tearDown).
public final class MosquittoBroker {
    public static let executable = "/usr/sbin/mosquitto"

    public let directory: URL
    public let port: Int
    private let configuration: String
    private var pid: pid_t?

    /// `listener` gets the port and returns the config lines after `listener PORT 127.0.0.1`.
    public init(directory: URL, listener: (Int) -> String = { _ in "allow_anonymous true" }) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            throw BrokerError(
                "mosquitto is not installed at \(Self.executable): run Board/install-deps.sh (Debian package 'mosquitto')"
            )
        }
        self.directory = directory
        port = try Self.freePort()
        configuration = """
            per_listener_settings false
            persistence false
            log_dest stderr
            log_type error
            log_type warning
            listener \(port) 127.0.0.1
            \(listener(port))

            """
        try configuration.write(
            to: directory.appendingPathComponent("mosquitto.conf"), atomically: true, encoding: .utf8)
    }

    public func start() throws {
        let log = directory.appendingPathComponent("mosquitto.log").path
        // posix_spawn and waitpid rather than Foundation's Process, whose waitUntilExit can hang on Linux.
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        let arguments = [Self.executable, "-c", directory.appendingPathComponent("mosquitto.conf").path]
        var argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // A Swift concurrency thread blocks signals, and a spawned child inherits that mask: unblock them all.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, Self.executable, &actions, &attributes, &argv, environ)
        guard rc == 0 else { throw BrokerError("cannot start mosquitto: \(String(cString: strerror(rc)))") }
        self.pid = pid
        let deadline = Date().addingTimeInterval(10)
        while !Self.accepts(port: port) {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                self.pid = nil
                throw BrokerError(
                    "mosquitto exited at start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
            guard Date() < deadline else { throw BrokerError("mosquitto did not accept on port \(port) within 10 s") }
            usleep(20_000)
        }
    }

    /// Stops the broker (SIGTERM, then SIGKILL after 5 s) and reaps it.
    public func stop() {
        guard let pid else { return }
        self.pid = nil
        kill(pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<500 {
            if waitpid(pid, &status, WNOHANG) == pid { return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
    }

    public func restart() throws {
        stop()
        try start()
    }

    // MARK: - Helpers

    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw BrokerError("no free loopback port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

public struct BrokerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Runs a program to its end (at most `timeout`), returning its exit status and standard output.
@discardableResult
public func runProgram(_ path: String, _ arguments: [String], timeout: TimeInterval = 10) throws -> (
    status: Int32, output: String
) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(10_000) }
    if process.isRunning {
        process.terminate()
        process.waitUntilExit()
        throw BrokerError("\(path) \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
    }
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return (process.terminationStatus, output)
}

/// Makes a temporary directory; `register` receives its removal (a test case's `addTeardownBlock`).
public func makeTemporaryDirectory(removal register: (@escaping () -> Void) -> Void) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mqtt-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    register { try? FileManager.default.removeItem(at: url) }
    return url
}

/// A program of this package's build (`edge-agent`), found beside the test bundle that `anchor` belongs to, in the
/// build products directory.
public func builtProgram(_ name: String, besideBundleOf anchor: AnyClass) throws -> String {
    let bundle = Bundle(for: anchor).bundleURL
    let candidates = [bundle, bundle.deletingLastPathComponent()].map { $0.appendingPathComponent(name).path }
    guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw BrokerError("\(name) is not built at \(candidates)")
    }
    return path
}
