import NIOCore
import Testing
@testable import LuaRoutes

/// A head from the server's parser, as the rest of the host reads it: fields from the head's
/// bytes, Strings made only for what is asked.
@Suite struct RequestHeadTests {
    static func head(_ text: String) throws -> (RequestHead, [RequestPart]) {
        let decoder = RequestDecoder(maxHeaderSize: 8192)
        var buffer = ByteBuffer(string: text)
        var parts: [RequestPart] = []
        while try decoder.decode(buffer: &buffer, emit: { parts.append($0) }) == .continue {}
        guard case .head(let head) = parts.first else { throw RequestParseError.malformed("no head") }
        return (head, parts)
    }

    @Test func apiRequestReadsFieldsFromTheHeadBytes() throws {
        let (head, _) = try Self.head("POST /api/x?y=1 HTTP/1.1\r\nHost: a\r\nContent-Type:  text/plain \r\nX-Many: 1\r\nx-many: 2\r\nContent-Length: 0\r\n\r\n")
        let request = APIRequest(head: head, body: [], remoteAddress: "127.0.0.1")
        #expect(request.method == "POST")
        #expect(request.target == "/api/x?y=1")
        #expect(request.header("content-type") == "text/plain")
        #expect(request.header("X-MANY") == "1")
        #expect(request.header("Accept") == nil)
        #expect(request.headerCount == 5)
        #expect(request.headers.map(\.name) == ["Host", "Content-Type", "X-Many", "x-many", "Content-Length"])
        #expect(request.headers.map(\.value) == ["a", "text/plain", "1", "2", "0"])
    }

    @Test func settingHeadersReplacesTheHeadsFields() throws {
        let (head, _) = try Self.head("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        var request = APIRequest(head: head, body: [], remoteAddress: "127.0.0.1")
        request.headers = [("Origin", "http://o")]
        #expect(request.header("host") == nil)
        #expect(request.header("origin") == "http://o")
        #expect(request.headerCount == 1)
    }

    @Test func whatTheConnectionNeedsIsRecordedWhileParsing() throws {
        let (head, parts) = try Self.head(
            "PUT /u HTTP/1.1\r\nHost: a:80\r\nExpect: 100-Continue\r\nConnection: foo, Close\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\nhi\r\n0\r\n\r\n")
        #expect(head.facts.chunked && head.facts.transferCodings == 1 && head.facts.onlyChunked)
        #expect(head.facts.expectContinue)
        #expect(!head.keepAlive)
        #expect(head.facts.hosts == 1 && head.facts.hostValid)
        let rules = RequestHeadRules(head)
        #expect(rules.sendContinue && rules.refusal == nil)
        let body = parts.compactMap { if case .body(let chunk) = $0 { String(buffer: chunk) } else { nil } }
        #expect(body == ["hi"])
        guard case .end = parts.last else { Issue.record("no end: \(parts)"); return }
    }

    @Test func aHeadArrivingAByteAtATimeIsParsedWhole() throws {
        let text = Array("GET /x HTTP/1.1\r\nHost: a\r\nX-Long: \(String(repeating: "v", count: 300))\r\n\r\n".utf8)
        let decoder = RequestDecoder(maxHeaderSize: 8192)
        var buffer = ByteBuffer()
        var heads: [RequestHead] = []
        for byte in text {
            buffer.writeInteger(byte)
            while try decoder.decode(buffer: &buffer, emit: { if case .head(let head) = $0 { heads.append(head) } }) == .continue {}
        }
        #expect(heads.count == 1)
        #expect(heads.first?.value(named: "x-long")?.count == 300)
    }
}
