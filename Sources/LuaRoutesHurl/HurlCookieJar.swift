import Foundation
import LuaRoutes

/// The cookies one `.hurl` file has been given (docs/hurl-subset.md section 3 "Cookie jar"): `Set-Cookie`
/// name/value pairs, sent back on later requests. `Max-Age=0` (or negative) or a past `Expires`
/// deletes; Domain and Path are not checked, since every request goes to the same host.
struct HurlCookieJar: Sendable, Equatable {
    /// In the order first set, so the `Cookie` header is stable.
    private(set) var cookies: [(name: String, value: String)] = []

    static func == (lhs: HurlCookieJar, rhs: HurlCookieJar) -> Bool {
        lhs.cookies.map(\.name) == rhs.cookies.map(\.name) && lhs.cookies.map(\.value) == rhs.cookies.map(\.value)
    }

    mutating func receive(_ response: APIResponse, now: Date = Date()) {
        for header in response.headerValues("Set-Cookie") {
            guard let cookie = HurlCookieJar.parseSetCookie(header) else { continue }
            cookies.removeAll { $0.name == cookie.name }
            if !cookie.expired(now: now) { cookies.append((cookie.name, cookie.value)) }
        }
    }

    /// The `Cookie` header for a request: the jar, with this request's `[Cookies]` on top.
    func cookieHeader(adding extra: [(name: String, value: String)]) -> String? {
        var all = cookies.filter { c in !extra.contains { $0.name == c.name } }
        all.append(contentsOf: extra)
        guard !all.isEmpty else { return nil }
        return all.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")
    }

    struct SetCookie: Equatable {
        var name: String
        var value: String
        var maxAge: Int?
        var expires: Date?

        func expired(now: Date) -> Bool {
            if let maxAge { return maxAge <= 0 }
            if let expires { return expires <= now }
            return false
        }
    }

    static func parseSetCookie(_ header: String) -> SetCookie? {
        let parts = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first = parts.first, let eq = first.firstIndex(of: "=") else { return nil }
        let name = first[..<eq].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return nil }
        var cookie = SetCookie(name: name, value: String(first[first.index(after: eq)...]))
        for attribute in parts.dropFirst() {
            let pair = attribute.split(separator: "=", maxSplits: 1).map(String.init)
            let key = pair[0].lowercased()
            let value = pair.count > 1 ? pair[1] : ""
            if key == "max-age" { cookie.maxAge = Int(value) ?? cookie.maxAge }
            if key == "expires" { cookie.expires = parseHTTPDate(value) }
        }
        return cookie
    }

    /// IMF-fixdate (`Wed, 21 Oct 2015 07:28:00 GMT`) and the older `-` separated form.
    static func parseHTTPDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE, dd-MMM-yyyy HH:mm:ss zzz"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
