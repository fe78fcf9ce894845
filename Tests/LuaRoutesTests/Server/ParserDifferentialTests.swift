import Foundation
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing
import TestSupport
@testable import LuaRoutes

/// Differential test of our request parser (HTTP/RequestDecoder.swift) against NIO's
/// `HTTPRequestDecoder` (llhttp), which served before it: the same bytes, split at the same
/// random points, go to both; they must accept and refuse the same inputs and parse the same
/// requests (method, target, version, fields in order, body bytes, keep-alive, how many).
/// Inputs come from a grammar of valid requests plus mutations aimed at request smuggling.
/// Where we differ on purpose, `ParserOutcome.expectedOurs(fromNIO:)` says so (docs/http.md,
/// "The request parser"). `LUAROUTES_PARSER_FUZZ_SEED` replays one seed.
@Suite struct ParserDifferentialTests {
    static let cases = 20_000

    /// The seeds every run uses: fixed, so CI is deterministic (a random seed could fail a
    /// change that did not touch the parser). `LUAROUTES_PARSER_FUZZ_SEED` runs another one;
    /// `LUAROUTES_PARSER_FUZZ_SEED=random` a fresh one, printed on failure (docs/http.md).
    static let seeds: [UInt64] = [0x6C75_6172_6F75_7465, 5_541_123_913_823_567_796, 262_402_617_112_127, 198_432_325_925_987]

    @Test func ourParserAgreesWithLLHTTP() async throws {
        let seeds = ProcessEnvironmentSeed.value.map { [$0] } ?? Self.seeds
        for seed in seeds {
            // On a thread of its own: seconds of CPU would otherwise hold one of the cooperative
            // pool's few threads (two on this machine) and starve the suites running beside it.
            let disagreement = try await onOwnThread { try Self.firstDisagreement(seed: seed) }
            #expect(disagreement == nil, "\(disagreement ?? "")")
        }
    }

    /// Runs the cases of `seed`; the first where the parsers disagree, described.
    static func firstDisagreement(seed: UInt64) throws -> String? {
        var random = SplitMix64(seed: seed)
        for index in 0..<Self.cases {
            let input = RequestGrammar.input(using: &random)
            let splits = RequestGrammar.splits(of: input.count, using: &random)
            let (ours, unknown) = try ParserOutcome.ours(input, splits: splits)
            let forNIO = ParserOutcome.withGET(in: input, for: unknown)
            let nio = try ParserOutcome.nio(forNIO, splits: splits)
            let expected = nio.expectedOurs(methods: ours.requests.map(\.method))
            guard ours.matches(expected) else {
                return """
                    case \(index) of seed \(seed) (LUAROUTES_PARSER_FUZZ_SEED=\(seed) replays it)
                    input: \(String(reflecting: String(decoding: input, as: UTF8.self)))
                    splits: \(splits)
                    NIO:  \(nio)
                    ours: \(ours)
                    """
            }
        }
        return nil
    }

    /// Known smuggling and framing shapes: what ours must do, and NIO agrees.
    @Test(arguments: [
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0, "CL and TE"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n", 0, "TE and CL"),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 0, "duplicate CL"),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 0, "differing CL"),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\n\r\nabc", 0, "CL list"),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc", 0, "CL with sign"),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x3\r\n\r\nabc", 0, "CL in hex"),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n", 0, "CL overflow"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 0, "TE not ending in chunked"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nabc", 0, "TE without chunked"),
        ("GET / HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n", 0, "obs-fold"),
        ("GET / HTTP/1.1\r\nHost: x\r\n Transfer-Encoding: chunked\r\n\r\n", 0, "leading whitespace"),
        ("GET / HTTP/1.1\r\nHost: x\r\nContent-Length : 0\r\n\r\n", 0, "space before colon"),
        ("GET / HTTP/1.1\r\nHost: x\nX: y\r\n\r\n", 0, "bare LF in the head"),
        ("GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n", 0, "bare CR in the head"),
        ("GET / HTTP/1.1\r\nHost: x\r\nX: a\u{0}b\r\n\r\n", 0, "NUL in a value"),
        ("GET / HTTP/1.1\r\nHost: x\r\nX\u{0}: a\r\n\r\n", 0, "NUL in a name"),
        ("GET /a\u{1}b HTTP/1.1\r\nHost: x\r\n\r\n", 0, "control in the target"),
        ("GET / HTTP/1.1\r\nHost: x\r\nX: a\u{7}b\r\n\r\n", 0, "control in a value"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n", 0, "chunk size overflow"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n\r\n", 0, "chunk size not hex"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n", 0, "chunk without CRLF"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n", 0, "chunk size with bare LF"),
        ("GET / HTTP/1.2\r\nHost: x\r\n\r\n", 0, "HTTP/1.2"),
        ("GET / HTTP/11\r\nHost: x\r\n\r\n", 0, "invalid version"),
        ("GET /x\r\n", 0, "HTTP/0.9"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;a=b;c=\"d\"\r\nabc\r\n0\r\nT: 1\r\n\r\n", 1, "extensions, trailer"),
        ("\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\nPOST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi", 2, "pipelined"),
        ("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", 1, "nothing after close"),
        ("GET / HTTP/1.0\r\nConnection: keep-alive\t\r\n\r\nGET / HTTP/1.0\r\n\r\n", 1, "a tab after keep-alive: not kept alive"),
        ("GET / HTTP/1.0\r\nConnection:\tkeep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n", 2, "a tab before keep-alive: kept alive"),
        ("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\t\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", 1, "a tab after close: closed"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\t\r\n\r\n0\r\n\r\n", 0, "a tab after chunked: not chunked"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 1, "chunked last, after a coding with a tab"),
    ] as [(String, Int, String)])
    func knownShapes(input: String, requests: Int, why: String) throws {
        let bytes = Array(input.utf8)
        let (ours, _) = try ParserOutcome.ours(bytes, splits: [])
        let nio = try ParserOutcome.nio(bytes, splits: [])
        #expect(ours.requests.count == requests, "\(why): \(ours)")
        #expect(ours.failed == (requests == 0), "\(why): \(ours)")
        #expect(ours.matches(nio.expectedOurs(methods: [])), "\(why): NIO \(nio), ours \(ours)")
    }

    @Test func anyTokenIsAMethod() throws {
        let input = Array("FROBNICATE /x HTTP/1.1\r\nHost: x\r\n\r\nPOST /y HTTP/1.1\r\nHost: x\r\n\r\nX.1 / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        let (ours, unknown) = try ParserOutcome.ours(input, splits: [7])
        #expect(ours.requests.map(\.method) == ["FROBNICATE", "POST", "X.1"])
        #expect(!ours.failed)
        #expect(String(decoding: ParserOutcome.withGET(in: input, for: unknown), as: UTF8.self)
                == "GET /x HTTP/1.1\r\nHost: x\r\n\r\nPOST /y HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
    }
}

/// What one parser made of one input.
struct ParserOutcome: CustomStringConvertible {
    struct Request: Equatable {
        var method: String
        var target: String
        var version: String
        var fields: [[String]]
        var body: [UInt8]
        var keepAlive: Bool
        /// Its trailers hold a Connection, Transfer-Encoding or Content-Length field (NIO only; not compared).
        var framingInTrailers = false

        static func == (a: Request, b: Request) -> Bool {
            a.method == b.method && a.target == b.target && a.version == b.version && a.fields == b.fields && a.body == b.body
                && a.keepAlive == b.keepAlive
        }
        /// CONNECT or an Upgrade field: the stream is not HTTP/1.1 after its head.
        var endsStream: Bool { method == "CONNECT" || fields.contains { $0[0].lowercased() == "upgrade" } }
    }

    var requests: [Request] = []
    var failed = false

    var description: String {
        let list = requests.map { "\($0.method) \($0.target) HTTP/\($0.version) \($0.fields) body=\($0.body.count) keepAlive=\($0.keepAlive)" }
        return "\(list)\(failed ? " then error" : "")"
    }

    static let maxHeaderSize = 80 * 1024

    /// Feeds the pieces, then the end of input; a thrown error ends the outcome.
    private static func run<Part>(_ channel: EmbeddedChannel, _ bytes: [UInt8], splits: [Int], as: Part.Type,
                                  collect: (Part, inout ParserOutcome, inout Request?) -> Void) throws -> ParserOutcome {
        var outcome = ParserOutcome()
        var current: Request?
        func drain() throws {
            while let part = try channel.readInbound(as: Part.self) { collect(part, &outcome, &current) }
        }
        var start = 0
        for end in (splits + [bytes.count]).map({ min($0, bytes.count) }) where end >= start {
            do {
                try channel.writeInbound(ByteBuffer(bytes: bytes[start..<end]))
            } catch {
                try drain()
                outcome.failed = true
                _ = try? channel.finish()
                return outcome
            }
            try drain()
            start = end
        }
        do {
            _ = try channel.finish(acceptAlreadyClosed: true)
        } catch {
            outcome.failed = true
        }
        try drain()
        return outcome
    }

    /// Methods llhttp parses; it refuses any other token (NIO's `HTTPMethod` list).
    static let llhttpMethods: Set<String> = [
        "DELETE", "GET", "HEAD", "POST", "PUT", "CONNECT", "OPTIONS", "TRACE", "COPY", "LOCK", "MKCOL", "MOVE",
        "PROPFIND", "PROPPATCH", "SEARCH", "UNLOCK", "BIND", "REBIND", "UNBIND", "ACL", "REPORT", "MKACTIVITY",
        "CHECKOUT", "MERGE", "M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "PATCH", "PURGE", "MKCALENDAR",
        "LINK", "UNLINK", "SOURCE", "PRI", "DESCRIBE", "ANNOUNCE", "SETUP", "PLAY", "PAUSE", "TEARDOWN",
        "GET_PARAMETER", "SET_PARAMETER", "REDIRECT", "RECORD", "FLUSH", "QUERY",
    ]

    /// Our decoder, driven as ByteToMessageHandler drives it (the pieces appended to one
    /// buffer, decoded until it needs more, then the end of input), so each head's place in the
    /// input is known: also returns where the methods llhttp does not know are.
    static func ours(_ bytes: [UInt8], splits: [Int]) throws -> (ParserOutcome, unknownMethods: [Range<Int>]) {
        let decoder = RequestDecoder(maxHeaderSize: maxHeaderSize)
        var outcome = ParserOutcome()
        var unknown: [Range<Int>] = []
        var current: Request?
        var buffer = ByteBuffer()
        var emittedHead: RequestHead?
        func collect(_ part: RequestPart) {
            switch part {
            case .head(let head):
                emittedHead = head
                current = Request(method: head.method, target: head.target, version: "\(head.version.major).\(head.version.minor)",
                                  fields: head.headerList.map { [$0.name, $0.value] }, body: [], keepAlive: head.keepAlive)
            case .body(let chunk): current?.body += Array(chunk.readableBytesView)
            case .end:
                if let request = current { outcome.requests.append(request) }
                current = nil
            }
        }
        func noteHead() {
            guard let head = emittedHead else { return }
            emittedHead = nil
            // The head is the last thing a step reads: it ends where the reader index is now.
            let start = buffer.readerIndex - head.bytes.readableBytes
            if !llhttpMethods.contains(head.method) { unknown.append(start..<(start + head.method.utf8.count)) }
        }
        do {
            var start = 0
            for end in (splits + [bytes.count]).map({ min($0, bytes.count) }) where end >= start {
                buffer.writeBytes(bytes[start..<end])
                start = end
                while try decoder.decode(buffer: &buffer, emit: collect) == .continue { noteHead() }
                noteHead()
            }
            _ = try decoder.decodeLast(buffer: &buffer, seenEOF: true, emit: collect)
            noteHead()
        } catch {
            noteHead()
            outcome.failed = true
        }
        return (outcome, unknown)
    }

    /// The input with GET in place of each method at `ranges` (for llhttp, which knows a fixed list).
    static func withGET(in bytes: [UInt8], for ranges: [Range<Int>]) -> [UInt8] {
        var bytes = bytes
        for range in ranges.reversed() { bytes.replaceSubrange(range, with: Array("GET".utf8)) }
        return bytes
    }

    static func nio(_ bytes: [UInt8], splits: [Int]) throws -> ParserOutcome {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = maxHeaderSize
        limits.maxHeaderListSize = maxHeaderSize
        let decoder = HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes, informationalResponseStrategy: .drop, limitConfiguration: limits)
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(decoder))
        return try run(channel, bytes, splits: splits, as: HTTPServerRequestPart.self) { part, outcome, current in
            switch part {
            case .head(let head):
                current = Request(method: head.method.rawValue, target: head.uri, version: "\(head.version.major).\(head.version.minor)",
                                  fields: head.headers.map { [$0.name, trimmed($0.value)] }, body: [], keepAlive: head.isKeepAlive)
            case .body(let chunk): current?.body += Array(chunk.readableBytesView)
            case .end(let trailers):
                current?.framingInTrailers = ["connection", "transfer-encoding", "content-length"].contains { trailers?.contains(name: $0) ?? false }
                if let request = current { outcome.requests.append(request) }
                current = nil
            }
        }
    }

    /// A field value without trailing whitespace: llhttp keeps a trailing tab, RFC 9110 section
    /// 5.5 leaves it out (OWS), and so do we.
    private static func trimmed(_ value: String) -> String {
        var bytes = Array(value.utf8)
        while let last = bytes.last, last == 32 || last == 9 { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// What our parser must make of the input, given NIO's outcome on the same bytes (with GET in
    /// place of methods llhttp does not know). The deliberate differences:
    /// - a method token llhttp does not know is the request's own method (docs/http.md, "methods"):
    ///   llhttp reads the input with GET in its place, and the method is compared with ours;
    /// - only HTTP/1.0 and HTTP/1.1 are accepted (in case llhttp takes others);
    /// - `Connection: close` ends the connection in HTTP/1.0 too, beside `keep-alive` (RFC 9112
    ///   section 9.3; NIO's `isKeepAlive` reads only `keep-alive` there);
    /// - Connection, Transfer-Encoding and Content-Length in the trailers are refused (llhttp
    ///   acts on Connection there, and refuses the others only in some shapes);
    /// - an empty Transfer-Encoding is refused (llhttp ignores it; RequestHeadRules answered it 501);
    /// - nothing is parsed after a request that ends the connection (Connection: close, HTTP/1.0
    ///   without keep-alive) or the HTTP/1.1 stream (CONNECT, Upgrade): the connection answers it
    ///   and closes, so what follows is never answered; llhttp goes on or fails.
    func expectedOurs(methods: [String]) -> ParserOutcome {
        var expected = ParserOutcome()
        for (index, var request) in requests.enumerated() {
            if index < methods.count, request.method == "GET", !Self.llhttpMethods.contains(methods[index]) { request.method = methods[index] }
            let emptyCoding = request.fields.contains { $0[0].lowercased() == "transfer-encoding" && $0[1].isEmpty }
            guard request.version == "1.0" || request.version == "1.1", !emptyCoding, !request.framingInTrailers else {
                expected.failed = true
                return expected
            }
            let closeToken = request.fields.contains { field in
                field[0].lowercased() == "connection"
                    && field[1].split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "close" }
            }
            if closeToken { request.keepAlive = false }
            expected.requests.append(request)
            if !request.keepAlive || request.endsStream { return expected }
        }
        expected.failed = failed
        return expected
    }

    /// Equal to `expected`; a request ending the stream is compared by its head only, and what
    /// follows the last request of `expected` that ends the connection is not compared.
    func matches(_ expected: ParserOutcome) -> Bool {
        guard let last = expected.requests.last, !last.keepAlive || last.endsStream else {
            return requests == expected.requests && failed == expected.failed
        }
        guard requests.count >= expected.requests.count else { return false }
        for (index, wanted) in expected.requests.enumerated() {
            var got = requests[index]
            if wanted.endsStream { got.body = wanted.body }
            if got != wanted { return false }
        }
        return requests.count == expected.requests.count
    }
}

/// Replays a failing case: `LUAROUTES_PARSER_FUZZ_SEED`.
enum ProcessEnvironmentSeed {
    static var value: UInt64? {
        guard let text = getenv("LUAROUTES_PARSER_FUZZ_SEED").map({ String(cString: $0) }) else { return nil }
        return text == "random" ? UInt64.random(in: 1...UInt64.max) : UInt64(text)
    }
}
