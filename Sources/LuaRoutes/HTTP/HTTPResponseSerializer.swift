#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1

/// Writes an ``APIResponse`` as the bytes of an HTTP/1.x response, status line to body, into
/// one buffer: one write and one syscall per answer, no intermediate header objects.
struct HTTPResponseSerializer {
    private var dateSecond = 0
    private var dateLine: [UInt8] = []

    /// `response` already carries Content-Length (the responders add it). Adds Date, and
    /// Connection when it differs from the version's default.
    mutating func serialize(_ response: APIResponse, version: HTTPVersion, keepAlive: Bool,
                            allocator: ByteBufferAllocator) -> ByteBuffer {
        let response = Self.hasSafeHeaders(response) ? response : Self.unsafeHeaderAnswer
        var out = allocator.buffer(capacity: 128 + response.headers.count * 48 + response.body.count)
        out.writeStaticString(version.minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
        out.writeString(String(response.status))
        out.writeInteger(UInt8(ascii: " "))
        out.writeString(HTTPResponseStatus(statusCode: response.status).reasonPhrase)
        out.writeStaticString("\r\n")
        for (name, value) in response.headers {
            out.writeString(name)
            out.writeStaticString(": ")
            out.writeString(value)
            out.writeStaticString("\r\n")
        }
        out.writeBytes(currentDateLine())
        if !keepAlive {
            out.writeStaticString("Connection: close\r\n")
        } else if version.minor == 0 {
            out.writeStaticString("Connection: keep-alive\r\n")
        }
        out.writeStaticString("\r\n")
        out.writeBytes(response.body)
        return out
    }

    /// "Date: <IMF-fixdate>\r\n" (RFC 9110 section 6.6.1), formatted once a second.
    private mutating func currentDateLine() -> [UInt8] {
        var now = time(nil)
        if Int(now) != dateSecond || dateLine.isEmpty {
            dateSecond = Int(now)
            var parts = tm()
            gmtime_r(&now, &parts)
            var text = [CChar](repeating: 0, count: 64)
            let count = strftime(&text, text.count, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &parts)
            dateLine = text[..<count].map { UInt8(bitPattern: $0) }
        }
        return dateLine
    }

    /// Header names must be tokens and values free of CR, LF and NUL, or one header could
    /// become two (response splitting). `res.setHeader` checks this already; the host's own
    /// headers and config values are checked here too, so no path can write a bad one.
    static func hasSafeHeaders(_ response: APIResponse) -> Bool {
        response.headers.allSatisfy { name, value in
            !name.isEmpty && name.utf8.allSatisfy(isTokenByte) && !value.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 }
        }
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    private static let unsafeHeaderAnswer: APIResponse = {
        var answer = HostError.response(500, "Internal Server Error")
        answer.headers.append(("Content-Length", String(answer.body.count)))
        return answer
    }()
}
