#if canImport(Glibc)
import Glibc
#endif

/// A URL `fetch` may hand to AsyncHTTPClient, checked byte by byte first: anything the
/// client or NIO below it might trap on (a port above 65535 crashed the whole process) or read
/// differently from us is refused with a reason. docs/fetch-urls.md lists the rules:
///
/// - at most ``maxLength`` bytes, printable ASCII only (no spaces, control bytes or raw UTF-8:
///   percent-encode them; international host names are not supported);
/// - scheme `http` or `https` (any case), then `//`;
/// - no user name or password (`http://a:b@host/`): send an `Authorization` header;
/// - a host: a name of letters, digits, `-`, `_` and dots (labels of 1-63, 253 in all), a
///   dotted-quad IPv4 address, or an IPv6 address in brackets without a zone (`%25eth0`);
/// - an optional port, 1-65535 (`host:` alone means the scheme's default);
/// - a path and query of RFC 3986 characters with valid `%XX` escapes; a fragment is dropped.
struct FetchURL: Equatable, Sendable {
    static let maxLength = 8192

    let scheme: String          // "http" or "https"
    let host: String            // lower-case; an IPv6 address without its brackets
    let isIPv6: Bool
    let port: Int?              // nil: the scheme's default
    let target: String          // path and query, at least "/"

    var effectivePort: Int { port ?? (scheme == "https" ? 443 : 80) }

    /// The URL as handed to the client: rebuilt from the checked parts, so it says exactly what
    /// was checked (no fragment, no empty port).
    var text: String {
        let hostText = isIPv6 ? "[\(host)]" : host
        return "\(scheme)://\(hostText)\(port.map { ":\($0)" } ?? "")\(target)"
    }

    /// Why a URL was refused: the scheme (the message every scheme problem has always had), or
    /// a reason.
    enum Refusal: Error, Equatable {
        case scheme
        case invalid(String)
    }

    static func parse(_ url: String) -> Result<FetchURL, Refusal> {
        let bytes = Array(url.utf8)
        guard bytes.count <= maxLength else { return .failure(.invalid("longer than \(maxLength) bytes")) }
        for (i, byte) in bytes.enumerated() {
            if byte <= 0x20 || byte == 0x7F {
                return .failure(.invalid("a space or control character at byte \(i + 1); percent-encode it"))
            }
            if byte >= 0x80 {
                return .failure(.invalid("a non-ASCII character at byte \(i + 1); percent-encode it (international host names are not supported)"))
            }
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return .failure(.scheme) }
        let scheme = String(decoding: bytes[..<colon], as: UTF8.self).lowercased()
        guard scheme == "http" || scheme == "https" else { return .failure(.scheme) }
        guard bytes[(colon + 1)...].starts(with: [UInt8(ascii: "/"), UInt8(ascii: "/")]) else {
            return .failure(.invalid("expected // after \(scheme):"))
        }
        let authorityStart = colon + 3
        let authorityEnd = bytes[authorityStart...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? bytes.count
        let authority = bytes[authorityStart..<authorityEnd]
        if authority.contains(UInt8(ascii: "@")) {
            return .failure(.invalid("a user name or password in the URL is not supported; send an Authorization header"))
        }
        let hostPart: (host: String, isIPv6: Bool, rest: ArraySlice<UInt8>)
        switch parseHost(authority) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let parsed): hostPart = parsed
        }
        var port: Int?
        if let first = hostPart.rest.first {
            guard first == UInt8(ascii: ":") else { return .failure(.invalid("unexpected text after the host")) }
            let digits = hostPart.rest.dropFirst()
            if !digits.isEmpty {
                guard digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), digits.count <= 5,
                      let value = Int(String(decoding: digits, as: UTF8.self)), (1...65535).contains(value) else {
                    return .failure(.invalid("the port must be a number from 1 to 65535, got \"\(String(decoding: digits.prefix(20), as: UTF8.self))\""))
                }
                port = value
            }
        }
        var rest = bytes[authorityEnd...]
        if let hash = rest.firstIndex(of: UInt8(ascii: "#")) { rest = rest[..<hash] }
        if let problem = checkTarget(rest) { return .failure(.invalid(problem)) }
        var target = String(decoding: rest, as: UTF8.self)
        if !target.hasPrefix("/") { target = "/" + target }
        return .success(FetchURL(scheme: scheme, host: hostPart.host, isIPv6: hostPart.isIPv6, port: port, target: target))
    }

    /// The host at the start of `authority`, and what follows it (":port" or nothing).
    private static func parseHost(_ authority: ArraySlice<UInt8>) -> Result<(host: String, isIPv6: Bool, rest: ArraySlice<UInt8>), Refusal> {
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else { return .failure(.invalid("a [ without ] in the host")) }
            let inside = authority[(authority.startIndex + 1)..<close]
            if inside.contains(UInt8(ascii: "%")) { return .failure(.invalid("IPv6 zone identifiers are not supported")) }
            let text = String(decoding: inside, as: UTF8.self)
            var address = in6_addr()
            guard !inside.isEmpty, inet_pton(AF_INET6, text, &address) == 1 else {
                return .failure(.invalid("\"[\(text.prefix(60))]\" is not an IPv6 address"))
            }
            return .success((text.lowercased(), true, authority[(close + 1)...]))
        }
        let end = authority.firstIndex(of: UInt8(ascii: ":")) ?? authority.endIndex
        let name = authority[..<end]
        guard !name.isEmpty else { return .failure(.invalid("no host")) }
        for byte in name {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                continue
            case UInt8(ascii: "%"):
                return .failure(.invalid("percent-encoding in the host is not supported"))
            default:
                return .failure(.invalid("the character '\(Character(Unicode.Scalar(byte)))' is not allowed in a host"))
            }
        }
        let text = String(decoding: name, as: UTF8.self).lowercased()
        var labels = text.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count > 1, labels.last == "" { labels.removeLast() }   // "example.com." is fully qualified
        guard text.utf8.count <= 254, labels.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 63 }) else {
            return .failure(.invalid("\"\(text.prefix(60))\" is not a valid host name"))
        }
        if labels.allSatisfy({ $0.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }) {
            var address = in_addr()
            guard inet_pton(AF_INET, text, &address) == 1 else { return .failure(.invalid("\"\(text.prefix(60))\" is not an IPv4 address")) }
        }
        return .success((text, false, authority[end...]))
    }

    /// Path and query: RFC 3986 characters, `%` only before two hex digits.
    private static func checkTarget(_ target: ArraySlice<UInt8>) -> String? {
        var i = target.startIndex
        while i < target.endIndex {
            let byte = target[i]
            if byte == UInt8(ascii: "%") {
                guard i + 2 < target.endIndex, target[i + 1].isHexDigit, target[i + 2].isHexDigit else {
                    return "an invalid %-escape in the path or query"
                }
                i += 3
                continue
            }
            guard byte.isURLTargetCharacter else {
                return "the character '\(Character(Unicode.Scalar(byte)))' must be percent-encoded in the path or query"
            }
            i += 1
        }
        return nil
    }
}

private extension UInt8 {
    var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }

    /// RFC 3986 pchar, "/" and "?": unreserved, sub-delims, ":" and "@".
    var isURLTargetCharacter: Bool {
        switch self {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
             UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="),
             UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "/"), UInt8(ascii: "?"):
            return true
        default:
            return false
        }
    }
}
