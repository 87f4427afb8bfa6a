#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` as curl reads them (lower-case names win): the proxy to use for one
/// host, if any. Loopback addresses never go through a proxy.
public struct ProxySettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// `user:password` from the proxy URL, if any.
    public var credentials: (user: String, password: String)?

    public static func == (a: ProxySettings, b: ProxySettings) -> Bool {
        a.host == b.host && a.port == b.port && a.credentials?.user == b.credentials?.user
            && a.credentials?.password == b.credentials?.password
    }

    /// The proxy for `url` (scheme://host[:port]/...), or nil for a direct connection.
    public static func forURL(_ url: String, environment: [String: String]) -> ProxySettings? {
        guard let (scheme, host) = schemeAndHost(url) else { return nil }
        if ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host) || host.hasPrefix("127.") { return nil }
        let noProxy = environment["no_proxy"] ?? environment["NO_PROXY"] ?? ""
        for entry in noProxy.split(separator: ",").map({ $0.trimmedWhitespace.lowercased() }) {
            if entry == "*" { return nil }
            let suffix = entry.hasPrefix(".") ? String(entry.dropFirst()) : entry
            if !suffix.isEmpty, host == suffix || host.hasSuffix("." + suffix) { return nil }
        }
        let names = scheme == "https" ? ["https_proxy", "HTTPS_PROXY"] : ["http_proxy", "HTTP_PROXY"]
        guard let value = names.compactMap({ environment[$0] }).first(where: { !$0.isEmpty }) else { return nil }
        return parse(value)
    }

    static func parse(_ value: String) -> ProxySettings? {
        var rest = Substring(value)
        if let range = rest.firstRange(of: "://") { rest = rest[range.upperBound...] }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        var credentials: (String, String)?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at].split(separator: ":", maxSplits: 1)
            credentials = (String(userInfo.first ?? ""), userInfo.count > 1 ? String(userInfo[1]) : "")
            rest = rest[rest.index(after: at)...]
        }
        var host = String(rest)
        var port = 80
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("]") {
            host = String(rest[..<colon])
            guard let p = Int(rest[rest.index(after: colon)...]) else { return nil }
            port = p
        }
        guard !host.isEmpty else { return nil }
        return ProxySettings(host: host, port: port, credentials: credentials)
    }

    static func schemeAndHost(_ url: String) -> (String, String)? {
        guard let range = url.firstRange(of: "://") else { return nil }
        let scheme = url[..<range.lowerBound].lowercased()
        var rest = url[range.upperBound...]
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            return (scheme, String(rest[rest.index(after: rest.startIndex)..<close]))
        }
        if let colon = rest.lastIndex(of: ":") { rest = rest[..<colon] }
        return (scheme, rest.lowercased())
    }
}
