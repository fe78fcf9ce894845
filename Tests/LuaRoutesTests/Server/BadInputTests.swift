import Testing
@testable import LuaRoutes

/// Hostile or sloppy requests through a real loopback socket (ServerTests covers malformed
/// HTTP itself): none of them is a 500, and the server keeps serving afterwards.
@Suite struct BadInputTests {
    static let files = [
        "pages/api/inspect.lua": """
            return function(req, res)
              res.json({ cookies = req.cookies, headers = req.headers, query = req.query, bodyType = type(req.body), body = req.body })
            end
            """,
        "pages/api/items/[id].lua": "return function(req, res) res.json({ id = req.query.id }) end",
    ]

    static func get(_ target: String, headers: String = "", body: String? = nil) -> String {
        let length = body.map { "Content-Length: \($0.utf8.count)\r\n" } ?? ""
        return "\(body == nil ? "GET" : "POST") \(target) HTTP/1.1\r\nHost: x\r\n\(headers)\(length)Connection: close\r\n\r\n\(body ?? "")"
    }

    /// Status line and body of one answer; a JSON body with its keys sorted.
    static func split(_ answer: String) -> (status: String, body: String) {
        let status = answer.range(of: "\r\n").map { String(answer[..<$0.lowerBound]) } ?? answer
        let body = answer.range(of: "\r\n\r\n").map { String(answer[$0.upperBound...]) } ?? ""
        return (status, sortedJSON(Array(body.utf8)) ?? body)
    }

    @Test func malformedCookiesAreSkippedNotFatal() async throws {
        let cookie = #"Cookie: ;;; =novalue; noequals; a=1; a=2; b=%zz%41; c="unterminated; d=="; e= spaced value ; f=%00x"# + "\r\n"
        let answer = try await withServer(Self.files) { port in try rawHTTP(port: port, Self.get("/api/inspect", headers: cookie)) }
        let (status, body) = Self.split(answer)
        #expect(status == "HTTP/1.1 200 OK")
        #expect(body.contains(#""cookies":{"a":"1","b":"%zzA","c":"\"unterminated","d":"=\"","e":"spaced value","f":"\u0000x"}"#), "\(body)")
    }

    /// A malformed Content-Type counts as absent (docs/reference.md section 4): the body is the raw
    /// text, never a 400 or 500. Malformed parameters count too, as in Next.js.
    @Test(arguments: [
        "application/json/extra", "json", "text/", ";;;", "application/js on", "=",
        "application/json; charset", "application/json;", "application/json; =utf-8", "application/json; a=b c",
        "application/json; charset=\"unclosed", "multipart/form-data; boundary=",
    ])
    func malformedContentTypesCountAsAbsent(type: String) async throws {
        let answer = try await withServer(Self.files) { port in
            try rawHTTP(port: port, Self.get("/api/inspect", headers: "Content-Type: \(type)\r\n", body: "{not json"))
        }
        let (status, body) = Self.split(answer)
        #expect(status == "HTTP/1.1 200 OK", "\(type)")
        #expect(body.contains(#""body":"{not json","bodyType":"string""#), "\(type): \(body)")
    }

    @Test func wellFormedParametersKeepTheType() async throws {
        let answers = try await withServer(Self.files) { port in
            try [#"application/json ; charset="utf-8" ; x=y"#, "APPLICATION/JSON;charset=utf-8"].map {
                try rawHTTP(port: port, Self.get("/api/inspect", headers: "Content-Type: \($0)\r\n", body: "{not json"))
            }
        }
        for answer in answers {
            #expect(answer.hasPrefix("HTTP/1.1 400"))
            #expect(answer.hasSuffix(#"{"error":"Invalid JSON"}"#))
        }
    }

    @Test(arguments: ["/api/items/%zz", "/api/items/%4", "/api/items/%", "/api/items/%C3%28", "/api/%ZZ/x"])
    func invalidPercentEncodingInThePathIs400(target: String) async throws {
        let answer = try await withServer(Self.files) { port in try rawHTTP(port: port, Self.get(target)) }
        #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(target): \(answer)")
        #expect(answer.hasSuffix(#"{"error":"Bad Request"}"#))
    }

    @Test func validPercentEncodingInThePathIsDecoded() async throws {
        let answer = try await withServer(Self.files) { port in try rawHTTP(port: port, Self.get("/api/items/a%2Fb%20%C3%A9")) }
        #expect(Self.split(answer).body == #"{"id":"a/b é"}"#)
    }

    @Test func invalidPercentEncodingInTheQueryIsKeptAsSent() async throws {
        let answer = try await withServer(Self.files) { port in
            try rawHTTP(port: port, Self.get("/api/inspect?a=%zz&b=%4&c=%&d=%C3%28&e=x+y%21"))
        }
        let (status, body) = Self.split(answer)
        #expect(status == "HTTP/1.1 200 OK")
        #expect(body.contains(#""query":{"a":"%zz","b":"%4","c":"%","d":"\#u{FFFD}(","e":"x y!"}"#), "\(body)")
    }

    @Test func duplicateHeadersAreJoinedWithCommaSpace() async throws {
        let headers = "X-Many: one\r\nx-many: two\r\nX-MANY: three\r\nAccept: a/b\r\nAccept: c/d\r\n"
        let answer = try await withServer(Self.files) { port in try rawHTTP(port: port, Self.get("/api/inspect", headers: headers)) }
        let body = Self.split(answer).body
        #expect(body.contains(#""x-many":"one, two, three""#), "\(body)")
        #expect(body.contains(#""accept":"a/b, c/d""#))
    }

    @Test func announcedGigabyteToALargerLimitRouteIsStillRefusedUpFront() async throws {
        // The route takes up to 2mb: an announced 1 GB is refused from its Content-Length, on that route's limit.
        var files = Self.files
        files["pages/api/upload.lua"] = "return { config = { bodyParser = { sizeLimit = '2mb' } }, handler = function(req, res) res.send(#(req.rawBody or '')) end }"
        let answers = try await withServer(files) { port in
            [try rawHTTP(port: port, "POST /api/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\n"),
             try rawHTTP(port: port, Self.get("/api/upload", body: String(repeating: "x", count: 1_500_000)))]
        }
        #expect(answers[0].hasPrefix("HTTP/1.1 413"))
        #expect(answers[0].hasSuffix(#"{"error":"Body exceeded 2mb limit"}"#))
        #expect(Self.split(answers[1]).body == "1500000", "under the route's own limit")
    }

    @Test func chunkedGigabyteIsCutOffAfterTheLimit() async throws {
        // One chunk announcing 1 GB, of which 2 MB is sent: the answer comes without the rest.
        var request = Array("POST /api/inspect HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n40000000\r\n".utf8)
        request += [UInt8](repeating: UInt8(ascii: "x"), count: 2 << 20)
        let answers = try await withServer(Self.files) { [request] port in
            [try rawHTTP(port: port, request), try rawHTTP(port: port, Self.get("/api/items/1"))]
        }
        #expect(answers[0].hasPrefix("HTTP/1.1 413"), "\(answers[0].prefix(80))")
        #expect(answers[0].hasSuffix(#"{"error":"Body exceeded 1mb limit"}"#))
        #expect(Self.split(answers[1]).body == #"{"id":"1"}"#, "the server keeps serving")
    }

    @Test func conflictingLengthsAreRefused() async throws {
        let answer = try await withServer(Self.files) { port in
            try rawHTTP(port: port, "POST /api/inspect HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde")
        }
        #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer)")
    }
}
