import Foundation

/// `cors = { origin, methods, headers, exposedHeaders, credentials, maxAge }` (docs/reference.md
/// sections 3 and 7), read once when a route loads. Off (nil in ``RouteConfig``) by default,
/// as in Next.js. The host answers preflights itself and adds the CORS headers to the
/// responses of allowed origins; a disallowed origin gets none, and the browser blocks it.
public struct CORSPolicy: Sendable, Equatable {
    public enum Origins: Sendable, Equatable {
        case any                 // origin = "*"
        case list([String])      // serialized origins, lower-case: "https://a.com", "http://127.0.0.1:8080"
    }

    public var origins: Origins = .any
    /// Access-Control-Allow-Methods; nil: the route's methods, or every common one.
    public var methods: [String]? = nil
    /// Access-Control-Allow-Headers; nil: the headers the preflight asked for.
    public var headers: [String]? = nil
    /// Access-Control-Expose-Headers on actual responses; nil: none.
    public var exposedHeaders: [String]? = nil
    public var credentials = false
    /// Access-Control-Max-Age in seconds; nil: not sent (browsers then cache for 5s).
    public var maxAge: Int? = nil

    public init() {}

    static let keys = "origin, methods, headers, exposedHeaders, credentials, maxAge"
    static let defaultMethods = ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE"]

    /// True when the allowed origin is echoed rather than `*`: responses then vary by Origin.
    var echoesOrigin: Bool { credentials || origins != .any }

    func allows(origin: String) -> Bool {
        switch origins {
        case .any: return true
        case .list(let allowed): return allowed.contains(origin.lowercased())
        }
    }
}

// MARK: - Answering

extension CORSPolicy {
    /// `OPTIONS` with `Origin` and `Access-Control-Request-Method`: a browser asking first.
    static func isPreflight(_ request: APIRequest) -> Bool {
        request.method == "OPTIONS" && request.header("Origin") != nil && request.header("Access-Control-Request-Method") != nil
    }

    /// The host's 204 answer to a preflight. `routeMethods` are the route's method functions
    /// (empty for a route that takes every method).
    func preflightAnswer(to request: APIRequest, routeMethods: [String]) -> APIResponse {
        var response = APIResponse(status: 204)
        guard let origin = request.header("Origin"), allows(origin: origin) else {
            if echoesOrigin { response.headers.append(("Vary", "Origin")) }
            return response
        }
        response.headers += originHeaders(for: origin)
        let methods = self.methods ?? (routeMethods.isEmpty ? Self.defaultMethods : Self.withHead(routeMethods))
        response.headers.append(("Access-Control-Allow-Methods", methods.joined(separator: ",")))
        if let headers = self.headers {
            response.headers.append(("Access-Control-Allow-Headers", headers.joined(separator: ",")))
        } else if let requested = request.header("Access-Control-Request-Headers"), !requested.isEmpty {
            response.headers.append(("Access-Control-Allow-Headers", requested))
            Self.addVary("Access-Control-Request-Headers", to: &response)
        }
        if let maxAge = self.maxAge { response.headers.append(("Access-Control-Max-Age", String(maxAge))) }
        return response
    }

    /// Adds the CORS headers to an actual response (the handler's, or an error the host made)
    /// when the request came from an allowed origin. The policy's values replace any the
    /// handler set, so a browser never sees two `Access-Control-Allow-Origin` headers.
    func decorate(_ response: APIResponse, for request: APIRequest) -> APIResponse {
        var response = response
        guard let origin = request.header("Origin"), allows(origin: origin) else {
            if echoesOrigin { Self.addVary("Origin", to: &response) }
            return response
        }
        let names = ["access-control-allow-origin", "access-control-allow-credentials", "access-control-expose-headers"]
        response.headers.removeAll { names.contains($0.name.lowercased()) }
        for header in originHeaders(for: origin) {
            if header.name == "Vary" { Self.addVary(header.value, to: &response) } else { response.headers.append(header) }
        }
        if let exposedHeaders = self.exposedHeaders, !exposedHeaders.isEmpty {
            response.headers.append(("Access-Control-Expose-Headers", exposedHeaders.joined(separator: ",")))
        }
        return response
    }

    /// Allow-Origin (`*`, or the origin echoed with `Vary: Origin`) and Allow-Credentials.
    private func originHeaders(for origin: String) -> [(name: String, value: String)] {
        guard echoesOrigin else { return [("Access-Control-Allow-Origin", "*")] }
        var headers: [(name: String, value: String)] = [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
        if credentials { headers.append(("Access-Control-Allow-Credentials", "true")) }
        return headers
    }

    /// A method table's methods as a browser may send them: HEAD rides on GET.
    private static func withHead(_ methods: [String]) -> [String] {
        var methods = methods
        if methods.contains("GET"), !methods.contains("HEAD") { methods.append("HEAD") }
        return methods.sorted()
    }

    /// Adds `name` to the response's Vary field (one field, names comma-separated).
    static func addVary(_ name: String, to response: inout APIResponse) {
        guard let index = response.headers.firstIndex(where: { $0.name.caseInsensitiveEquals("Vary") }) else {
            response.headers.append(("Vary", name))
            return
        }
        let present = response.headers[index].value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if present.contains("*") || present.contains(name.lowercased()) { return }
        response.headers[index].value += ", " + name
    }
}

// MARK: - Parsing

extension CORSPolicy {
    /// `false` (off: nil) or a table; `key` names where it came from ("cors", "config.cors").
    static func parse(_ value: LuaValue, key: String) throws(ConfigError) -> CORSPolicy? {
        switch value {
        case .boolean(false): return nil
        case .table(let pairs):
            var policy = CORSPolicy()
            for (field, item) in pairs {
                switch field {
                case .string("origin"): policy.origins = try parseOrigins(item, key: key + ".origin")
                case .string("methods"):
                    policy.methods = try names(item, key: key + ".methods", like: "\"GET\"").map { $0.uppercased() }
                case .string("headers"): policy.headers = try names(item, key: key + ".headers", like: "\"Content-Type\"")
                case .string("exposedHeaders"):
                    policy.exposedHeaders = try names(item, key: key + ".exposedHeaders", like: "\"X-Total-Count\"")
                case .string("credentials"):
                    guard case .boolean(let flag) = item else { throw ConfigError("\(key).credentials: expected true or false, got \(item.typeName)") }
                    policy.credentials = flag
                case .string("maxAge"): policy.maxAge = try parseMaxAge(item, key: key + ".maxAge")
                default: throw ConfigError("\(key): unknown key \(field.display) (known: \(keys))")
                }
            }
            return policy
        default:
            throw ConfigError("\(key): expected false or a table like { origin = \"https://example.com\" }, got \(value.display)")
        }
    }

    /// "*", one origin, or an array of origins. An origin is what a browser sends in `Origin`:
    /// scheme://host[:port], without a path or a trailing slash.
    private static func parseOrigins(_ value: LuaValue, key: String) throws(ConfigError) -> Origins {
        if value == .string("*") { return .any }
        let items: [LuaValue]
        if case .string = value { items = [value] } else {
            guard let array = value.arrayItems, !array.isEmpty else {
                throw ConfigError("\(key): expected \"*\", an origin like \"https://example.com\", or an array of origins, got \(value.typeName)")
            }
            items = array
        }
        return .list(try items.map { (item: LuaValue) throws(ConfigError) -> String in
            guard case .string(let text) = item else { throw ConfigError("\(key): each origin must be a text like \"https://example.com\", got \(item.typeName)") }
            guard isOrigin(text) else {
                throw ConfigError("\(key): \"\(text)\" is not an origin (write scheme://host[:port] without a path, like \"https://example.com\" or \"http://127.0.0.1:8080\")")
            }
            return text.lowercased()
        })
    }

    static func isOrigin(_ text: String) -> Bool {
        guard let schemeEnd = text.range(of: "://") else { return false }
        let scheme = text[..<schemeEnd.lowerBound]
        let authority = text[schemeEnd.upperBound...]
        guard let first = scheme.first, first.isLetter, scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) else { return false }
        return !authority.isEmpty && !authority.contains { "/?#@ *".contains($0) } && authority.allSatisfy(\.isASCII)
    }

    /// An array of header names or method tokens.
    private static func names(_ value: LuaValue, key: String, like example: String) throws(ConfigError) -> [String] {
        guard let items = value.arrayItems else { throw ConfigError("\(key): expected an array like { \(example) }, got \(value.typeName)") }
        return try items.map { (item: LuaValue) throws(ConfigError) -> String in
            guard case .string(let text) = item, !text.isEmpty, text.allSatisfy(isTokenCharacter) else {
                throw ConfigError("\(key): each item must be a name like \(example), got \(item.display)")
            }
            return text
        }
    }

    /// RFC 9110 token characters (header names, methods).
    private static func isTokenCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || "!#$%&'*+-.^_`|~".contains(c))
    }

    /// Seconds: a whole number (0 included), or a duration text like "10m".
    private static func parseMaxAge(_ value: LuaValue, key: String) throws(ConfigError) -> Int {
        if case .integer(let n) = value, n >= 0 { return Int(min(n, Int64(Int32.max))) }
        if case .integer = value { throw ConfigError("\(key): must not be negative, got \(value.display)") }
        let duration = try DurationText.parse(value, key: key)
        return Int(duration.components.seconds)
    }
}
