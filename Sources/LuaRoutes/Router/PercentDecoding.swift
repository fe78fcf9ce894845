/// Percent-decoding for the two places a URL reaches Lua: path segments (strict) and the query
/// string (lenient, as Node's `querystring` is, so `req.query` reads as it would in Next.js).

/// Decodes one path segment, strictly: every `%` must start a `%XX` with two hex digits, and the
/// decoded bytes must be valid UTF-8; otherwise nil, and the request answers 400 (as Next.js
/// answers a malformed URI). `+` stays `+`: it means a space only in a query string.
/// Decoding happens after the path is split on `/`, so `%2F` stays inside its segment.
/// `%00` decodes to a NUL character: Lua strings hold any byte.
public func percentDecoded(_ segment: some StringProtocol) -> String? {
    let utf8 = segment.utf8
    guard utf8.contains(UInt8(ascii: "%")) else { return String(segment) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(utf8.count)
    var i = utf8.startIndex
    while i != utf8.endIndex {
        let byte = utf8[i]
        guard byte == UInt8(ascii: "%") else {
            bytes.append(byte)
            i = utf8.index(after: i)
            continue
        }
        let hi = utf8.index(after: i)
        guard hi != utf8.endIndex, let h = hexValue(utf8[hi]) else { return nil }
        let lo = utf8.index(after: hi)
        guard lo != utf8.endIndex, let l = hexValue(utf8[lo]) else { return nil }
        bytes.append(h << 4 | l)
        i = utf8.index(after: lo)
    }
    return String(validating: bytes, as: UTF8.self)
}

/// Parses a query string (the text after `?`, without it) as Node's `querystring.parse` does,
/// for `req.query`:
/// - pairs are split on `&` only; a pair splits at its first `=`; `a` without `=` gives "";
/// - `+` is a space, in names and values, before percent-decoding (`%2B` is a `+`);
/// - lenient: a `%` that does not start `%XX` is kept as it is, and bytes that are not UTF-8
///   become U+FFFD, so a sloppy client never turns a good request into a 400;
/// - pairs whose name is empty (`=x`, `&&`) are dropped, since Lua cannot use them well;
/// - names keep the order they were first seen; a repeated name collects its values in order.
/// No limit on the number of pairs here: the HTTP layer bounds the request line.
public func parseQuery(_ query: String) -> [(name: String, values: [String])] {
    var result: [(name: String, values: [String])] = []
    var position: [String: Int] = [:]
    for pair in query.utf8.split(separator: UInt8(ascii: "&")) {
        let equals = pair.firstIndex(of: UInt8(ascii: "="))
        let name = lenientlyDecoded(pair[..<(equals ?? pair.endIndex)])
        guard !name.isEmpty else { continue }
        let value = equals.map { lenientlyDecoded(pair[pair.index(after: $0)...]) } ?? ""
        if let index = position[name] {
            result[index].values.append(value)
        } else {
            position[name] = result.count
            result.append((name: name, values: [value]))
        }
    }
    return result
}

/// `+` to space, then each valid `%XX` to its byte; anything else is kept as sent.
func lenientlyDecoded(_ utf8: some Collection<UInt8>) -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(utf8.count)
    var i = utf8.startIndex
    while i != utf8.endIndex {
        let byte = utf8[i]
        if byte == UInt8(ascii: "%") {
            let hi = utf8.index(after: i)
            if hi != utf8.endIndex, let h = hexValue(utf8[hi]) {
                let lo = utf8.index(after: hi)
                if lo != utf8.endIndex, let l = hexValue(utf8[lo]) {
                    bytes.append(h << 4 | l)
                    i = utf8.index(after: lo)
                    continue
                }
            }
        }
        bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
        i = utf8.index(after: i)
    }
    return String(decoding: bytes, as: UTF8.self)
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}
