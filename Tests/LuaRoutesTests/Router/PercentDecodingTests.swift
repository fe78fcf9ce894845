import Testing
@testable import LuaRoutes

@Suite struct PercentDecodingTests {
    /// Path segments: strict, nil means 400.
    @Test(arguments: [
        ("abc", "abc"),
        ("%2F", "/"),               // a slash inside one segment
        ("%2e%2e", ".."),           // just text
        ("caf%C3%A9", "café"),      // UTF-8
        ("caf%c3%a9", "café"),      // lower-case hex
        ("a+b", "a+b"),             // + is a space only in a query string
        ("%25zz", "%zz"),
        ("%00", "\u{0}"),           // Lua strings hold any byte
        ("", ""),
    ] as [(String, String)])
    func segmentDecodes(_ raw: String, _ decoded: String) {
        #expect(percentDecoded(raw) == decoded)
    }

    @Test(arguments: [
        "%zz",      // not hex
        "%4",       // one digit
        "a%",       // nothing after %
        "%C3",      // a truncated UTF-8 sequence
        "%FF",      // never UTF-8
        "%C0%AF",   // overlong "/"
        "%ED%A0%80", // a UTF-16 surrogate
    ])
    func segmentRejects(_ raw: String) {
        #expect(percentDecoded(raw) == nil)
    }

    /// Query strings: Node's querystring.parse, as req.query shows them.
    @Test(arguments: [
        ("a=1&b=2", [("a", ["1"]), ("b", ["2"])]),
        ("b=1&a=2&b=3", [("b", ["1", "3"]), ("a", ["2"])]),  // first-seen order, values collected
        ("a", [("a", [""])]),                                  // no = gives ""
        ("a=", [("a", [""])]),
        ("a=b=c", [("a", ["b=c"])]),                           // split at the first =
        ("=x&&a=1&", [("a", ["1"])]),                          // empty names dropped
        ("a+b=c+d", [("a b", ["c d"])]),                       // + is a space, in names too
        ("a=%2B", [("a", ["+"])]),                             // an encoded + stays a +
        ("q=caf%C3%A9", [("q", ["café"])]),
        ("%zz=%4&b=%", [("%zz", ["%4"]), ("b", ["%"])]),       // lenient: invalid kept as sent
        ("a=%FF", [("a", ["\u{FFFD}"])]),                      // non-UTF-8 bytes become U+FFFD
        ("a=%2526", [("a", ["%26"])]),                         // decoded once only
        ("a=1;b=2", [("a", ["1;b=2"])]),                       // only & separates
        ("%20=x", [(" ", ["x"])]),                             // a space is a name
        ("", []),
    ] as [(String, [(String, [String])])])
    func query(_ raw: String, _ expected: [(String, [String])]) {
        let parsed = parseQuery(raw)
        #expect(parsed.map(\.name) == expected.map(\.0))
        #expect(parsed.map(\.values) == expected.map(\.1))
    }
}
