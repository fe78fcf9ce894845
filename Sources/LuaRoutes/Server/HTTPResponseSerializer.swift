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
    /// Connection when it differs from the version's default. Sizes the answer first and
    /// copies it in one pass: each small ByteBuffer write costs an exclusivity check and a
    /// capacity check, which added up to more than the copying (callgrind).
    ///
    /// Header names must be tokens and values free of CR, LF and NUL, or one header could
    /// become two (response splitting). `res.setHeader` checks this already; the host's own
    /// headers and config values are checked here too, as they are copied, so no path can
    /// write a bad one: an answer that fails is replaced by a 500.
    mutating func serialize(_ response: APIResponse, version: HTTPVersion, keepAlive: Bool,
                            allocator: ByteBufferAllocator) -> ByteBuffer {
        if let bytes = serialize(checking: response, version: version, keepAlive: keepAlive, allocator: allocator) { return bytes }
        return serialize(checking: Self.unsafeHeaderAnswer, version: version, keepAlive: keepAlive, allocator: allocator)!
    }

    private mutating func serialize(checking response: APIResponse, version: HTTPVersion, keepAlive: Bool,
                                    allocator: ByteBufferAllocator) -> ByteBuffer? {
        let status = (100...999).contains(response.status) ? response.status : 500
        let reason = HTTPResponseStatus(statusCode: status).reasonPhrase
        let date = currentDateLine()
        let connection: StaticString = !keepAlive ? "Connection: close\r\n" : version.minor == 0 ? "Connection: keep-alive\r\n" : ""
        var size = "HTTP/1.1 200 \r\n".utf8.count + reason.utf8.count + date.count + connection.utf8CodeUnitCount + 2 + response.body.count
        for (name, value) in response.headers { size += name.utf8.count + value.utf8.count + 4 }

        var out = allocator.buffer(capacity: size)
        var safe = true
        out.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
            var writer = ByteWriter(base: raw.baseAddress!.assumingMemoryBound(to: UInt8.self))
            writer.put(version.minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
            writer.put(byte: UInt8(ascii: "0") + UInt8(status / 100))
            writer.put(byte: UInt8(ascii: "0") + UInt8(status / 10 % 10))
            writer.put(byte: UInt8(ascii: "0") + UInt8(status % 10))
            writer.put(byte: UInt8(ascii: " "))
            _ = writer.put(reason, allowing: ByteClass.any)   // a fixed phrase
            writer.put("\r\n")
            for (name, value) in response.headers {
                guard !name.isEmpty, writer.put(name, allowing: ByteClass.token) else { safe = false; break }
                writer.put(": ")
                guard writer.put(value, allowing: ByteClass.fieldValue) else { safe = false; break }
                writer.put("\r\n")
            }
            writer.put(date)
            writer.put(connection)
            writer.put("\r\n")
            writer.put(response.body)
            return safe ? writer.count : 0
        }
        return safe ? out : nil
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

    /// RFC 9110 `tchar`: letters, digits and !#$%&'*+-.^_`|~.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"),
             UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static let unsafeHeaderAnswer: APIResponse = {
        var answer = HostError.response(500, "Internal Server Error")
        answer.headers.append(("Content-Length", String(answer.body.count)))
        return answer
    }()
}

/// Copies bytes into memory already sized for them (see ``HTTPResponseSerializer/serialize``).
private struct ByteWriter {
    let base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0

    init(base: UnsafeMutablePointer<UInt8>) { self.base = base }

    mutating func put(byte: UInt8) {
        base[count] = byte
        count += 1
    }

    mutating func put(_ text: StaticString) {
        (base + count).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
        count += text.utf8CodeUnitCount
    }

    /// Copies `text` if each of its bytes has `allowed`'s bit in ``ByteClass``; false (and
    /// a partial copy, to be discarded) otherwise.
    mutating func put(_ text: String, allowing allowed: UInt8) -> Bool {
        if let fits = text.utf8.withContiguousStorageIfAvailable({ put($0, allowing: allowed) }) { return fits }
        var text = text
        return text.withUTF8 { put($0, allowing: allowed) }
    }

    private mutating func put(_ bytes: UnsafeBufferPointer<UInt8>, allowing allowed: UInt8) -> Bool {
        let out = base + count
        for i in 0..<bytes.count {
            let byte = bytes[i]
            guard ByteClass.of(byte) & allowed != 0 else { return false }
            out[i] = byte
        }
        count += bytes.count
        return true
    }

    mutating func put(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { put($0) }
    }

    private mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }
}

/// What each byte may be in an answer's head: bit 1 a token byte (header names), bit 2 a
/// field-value byte (anything but CR, LF and NUL). One table lookup per byte as it is copied.
enum ByteClass {
    static let token: UInt8 = 1
    static let fieldValue: UInt8 = 2
    static let any: UInt8 = 3

    @inline(__always)
    static func of(_ byte: UInt8) -> UInt8 {
        let value: UInt8 = byte == 13 || byte == 10 || byte == 0 ? 0 : fieldValue
        return value | (HTTPResponseSerializer.isTokenByte(byte) ? token : 0)
    }
}
