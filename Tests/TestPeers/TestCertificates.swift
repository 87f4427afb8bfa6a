import Foundation

/// Certificates made with openssl for TLS tests: certificate authorities, and a server certificate for 127.0.0.1
/// signed by one of them. Files are `<name>.crt`/`<name>.key` and `server.crt`/`server.key` in `directory`.
public enum TestCertificates {
    public static let openssl = "/usr/bin/openssl"

    public static func makeAuthority(_ name: String, in directory: URL) throws {
        try run([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
            "-subj", "/CN=\(name)", "-keyout", path(directory, "\(name).key"), "-out", path(directory, "\(name).crt"),
        ])
    }

    public static func makeServer(signedBy ca: String, in directory: URL) throws {
        try run([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", path(directory, "server.key"), "-out", path(directory, "server.csr"),
        ])
        try "subjectAltName=IP:127.0.0.1\n".write(
            toFile: path(directory, "san.ext"), atomically: true, encoding: .utf8)
        try run([
            "x509", "-req", "-in", path(directory, "server.csr"), "-CA", path(directory, "\(ca).crt"), "-CAkey",
            path(directory, "\(ca).key"), "-CAcreateserial", "-days", "2", "-extfile", path(directory, "san.ext"),
            "-out", path(directory, "server.crt"),
        ])
        // mosquitto drops root for its own user, which must read them
        for file in ["server.key", "server.crt", "\(ca).crt"] { chmod(path(directory, file), 0o644) }
    }

    private static func path(_ directory: URL, _ name: String) -> String { directory.appendingPathComponent(name).path }

    private static func run(_ arguments: [String]) throws {
        guard FileManager.default.isExecutableFile(atPath: openssl) else {
            throw BrokerError("openssl is not installed at \(openssl) (Debian package 'openssl')")
        }
        let (status, output) = try runProgram(openssl, arguments)
        guard status == 0 else { throw BrokerError("openssl \(arguments[0]) failed: \(output)") }
    }
}
