import Testing
@testable import LuaRoutes

/// The URL rules `fetch` checks before AsyncHTTPClient sees a URL (docs/fetch-urls.md).
@Suite struct FetchURLTests {
    @Test(arguments: [
        ("http://127.0.0.1:8080/a?b=c#frag", "http://127.0.0.1:8080/a?b=c", 8080),
        ("HTTPS://Example.COM", "https://example.com/", 443),
        ("http://example.com.:/x", "http://example.com./x", 80),
        ("http://[::1]:65535/", "http://[::1]:65535/", 65535),
        ("http://[::FFFF:127.0.0.1]/", "http://[::ffff:127.0.0.1]/", 80),
        ("http://h_1.example?q=%20", "http://h_1.example/?q=%20", 80),
        ("http://127.0.0.1:00080/p/;a=b/@:!$&'()*+,~", "http://127.0.0.1:80/p/;a=b/@:!$&'()*+,~", 80),
    ])
    func acceptedURLsAreRebuiltAsChecked(url: String, text: String, port: Int) throws {
        let parsed = try FetchURL.parse(url).get()
        #expect(parsed.text == text)
        #expect(parsed.effectivePort == port)
    }

    @Test(arguments: [
        ("http://127.0.0.1:99999/", "the port must be a number from 1 to 65535, got \"99999\""),
        ("http://127.0.0.1:0/", "the port must be a number from 1 to 65535"),
        ("http://127.0.0.1:-1/", "the port must be a number from 1 to 65535, got \"-1\""),
        ("http://127.0.0.1:1:2/", "the port must be a number from 1 to 65535"),
        ("http://[::1", "a [ without ] in the host"),
        ("http://[::1]x/", "unexpected text after the host"),
        ("http://[fe80::1%25eth0]/", "IPv6 zone identifiers are not supported"),
        ("http://[v1.x]/", "is not an IPv6 address"),
        ("http://a:b@c/", "a user name or password in the URL is not supported"),
        ("http://@c/", "a user name or password in the URL is not supported"),
        ("http://", "no host"),
        ("http://:80/", "no host"),
        ("http:/x", "expected // after http:"),
        ("http://%31.0.0.1/", "percent-encoding in the host is not supported"),
        ("http://a!b/", "the character '!' is not allowed in a host"),
        ("http://a..b/", "is not a valid host name"),
        ("http://1.2.3.4.5/", "is not an IPv4 address"),
        ("http://256.0.0.1/", "is not an IPv4 address"),
        ("http://a b/", "a space or control character at byte 9"),
        ("http://x/\u{0}", "a space or control character at byte 10"),
        ("http://\u{4F8B}.jp/", "a non-ASCII character at byte 8"),
        ("http://x/%zz", "an invalid %-escape in the path or query"),
        ("http://x/a%2", "an invalid %-escape in the path or query"),
        ("http://x/<y>", "the character '<' must be percent-encoded in the path or query"),
    ])
    func refusedURLsSayWhy(url: String, reason: String) {
        guard case .failure(.invalid(let text)) = FetchURL.parse(url) else {
            Issue.record("\(url) was not refused: \(FetchURL.parse(url))")
            return
        }
        #expect(text.contains(reason), "\(url): \(text)")
    }

    @Test func otherSchemesAndOverlongURLsAreRefused() {
        for url in ["file:///etc/passwd", "gopher://x/", "127.0.0.1:80", "", "//x/"] {
            #expect(FetchURL.parse(url) == .failure(.scheme), "\(url)")
        }
        let long = "http://x/" + String(repeating: "a", count: FetchURL.maxLength)
        #expect(FetchURL.parse(long) == .failure(.invalid("longer than \(FetchURL.maxLength) bytes")))
    }

    @Test func messagesShowTheURLEscaped() {
        #expect(FetchClient.refusal(url: "http://127.0.0.1:99999/\r\n", settings: FetchSettings())
                == #"fetch: invalid URL "http://127.0.0.1:99999/\x0d\x0a": a space or control character at byte 24; percent-encode it"#)
    }
}
