import NIOCore

/// Looks at the first line of a request as raw bytes (only on the rare paths above).
enum RequestLine {
    /// Methods llhttp parses; any other token is refused by it before the head is complete.
    static let knownMethods: Set<String> = [
        "DELETE", "GET", "HEAD", "POST", "PUT", "CONNECT", "OPTIONS", "TRACE", "COPY", "LOCK", "MKCOL", "MOVE",
        "PROPFIND", "PROPPATCH", "SEARCH", "UNLOCK", "BIND", "REBIND", "UNBIND", "ACL", "REPORT", "MKACTIVITY",
        "CHECKOUT", "MERGE", "M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "PATCH", "PURGE", "MKCALENDAR",
        "LINK", "UNLINK", "SOURCE", "PRI", "DESCRIBE", "ANNOUNCE", "SETUP", "PLAY", "PAUSE", "TEARDOWN",
        "GET_PARAMETER", "SET_PARAMETER", "REDIRECT", "RECORD", "FLUSH", "QUERY",
    ]

    /// The first line, split at spaces, without its line end; nil until a whole line arrived.
    /// Empty lines before a request are skipped, as llhttp does.
    private static func firstLineWords(_ bytes: ByteBufferView) -> [ArraySlice<UInt8>]? {
        guard let start = bytes.firstIndex(where: { $0 != 13 && $0 != 10 }),
              let end = bytes[start...].firstIndex(of: 10) else { return nil }
        var line = Array(bytes[start..<end])
        if line.last == 13 { line.removeLast() }
        return line.split(separator: 32, omittingEmptySubsequences: false)
    }

    /// `METHOD /target` and a line end, with a method llhttp knows (so the line really is
    /// where a request starts, not a fragment of one split across reads).
    static func isVersionless(_ bytes: ByteBufferView) -> Bool {
        guard let words = firstLineWords(bytes), words.count == 2, words[1].first == UInt8(ascii: "/") else { return false }
        return knownMethods.contains(String(decoding: words[0], as: UTF8.self))
    }

    /// In `TOKEN target HTTP/1.x`, a token that is not a method llhttp knows: a method of the
    /// application's (RFC 9110 section 9.1 lets it be any token), rather than malformed input.
    /// Where it starts among `bytes` (after empty lines) and its bytes; nil for anything else.
    static func unknownMethod(_ bytes: ByteBufferView) -> (offset: Int, name: [UInt8])? {
        guard let start = bytes.firstIndex(where: { $0 != 13 && $0 != 10 }),
              let words = firstLineWords(bytes), words.count == 3, !words[0].isEmpty, !words[1].isEmpty,
              words[2].starts(with: "HTTP/1.".utf8), words[2].count == 8,
              words[0].allSatisfy({ HTTPResponseSerializer.isTokenByte($0) }),
              !knownMethods.contains(String(decoding: words[0], as: UTF8.self)) else { return nil }
        return (start - bytes.startIndex, Array(words[0]))
    }
}
