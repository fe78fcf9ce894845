import NIOCore
import NIOHTTP1

/// One request head as the parser found it: its bytes (a slice of the buffer the socket read,
/// sharing its storage) with each field kept as offsets into them, so no header becomes a
/// `String` unless someone asks for it. Beside the fields, what the connection needs to know,
/// recorded while parsing (docs/http.md, "The request parser"). A class: it travels through
/// the pipeline, the handler's state and the request, and a reference is cheaper to pass on
/// than a copy of its fields (measured: ~3k instructions per request as a struct).
public final class RequestHead: Sendable {
    /// A field's name and value as offsets into `bytes`; the value without surrounding whitespace.
    struct Field: Sendable {
        var nameStart: Int32
        var nameEnd: Int32
        var valueStart: Int32
        var valueEnd: Int32
    }

    /// The request line and the field lines, as received.
    let bytes: ByteBuffer
    /// The method token; the common ones are static literals (no allocation).
    let method: String
    /// The request target, as received.
    let target: String
    let version: HTTPVersion
    let fields: [Field]
    /// What the fields said, for ``RequestHeadRules`` and the decoder.
    let facts: Facts

    struct Facts: Sendable {
        /// Content-Length, when sent (one valid number: the parser refuses anything else).
        var contentLength: Int?
        /// The body is chunked: Transfer-Encoding's last coding is `chunked`.
        var chunked = false
        /// Transfer codings listed in all Transfer-Encoding fields.
        var transferCodings = 0
        /// Every listed coding is `chunked`.
        var onlyChunked = true
        /// The connection stays open after the answer (the version and Connection's tokens).
        var keepAlive = true
        /// `Expect: 100-continue` (the last Expect field).
        var expectContinue = false
        /// An Upgrade field was sent.
        var upgrade = false
        /// Host fields, and whether each is a valid `uri-host [":" port]`.
        var hosts = 0
        var hostValid = true
        /// The first Content-Type field, for the body's kind (``APIRequest/bodyKind``).
        var contentType: Field?
    }

    init(bytes: ByteBuffer, method: String, target: String, version: HTTPVersion, fields: [Field], facts: Facts) {
        self.bytes = bytes
        self.method = method
        self.target = target
        self.version = version
        self.fields = fields
        self.facts = facts
    }

    /// The connection stays open after the answer (RFC 9112 section 9.3).
    var keepAlive: Bool { facts.keepAlive }

    /// Runs `body` over a field's name and value bytes.
    @inline(__always)
    func withField<Result>(_ field: Field, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Result) -> Result {
        bytes.withUnsafeReadableBytes { all in
            body(UnsafeRawBufferPointer(rebasing: all[Int(field.nameStart)..<Int(field.nameEnd)]),
                 UnsafeRawBufferPointer(rebasing: all[Int(field.valueStart)..<Int(field.valueEnd)]))
        }
    }

    /// Runs `body` over the first Content-Type value's bytes, or nil when none was sent.
    func withContentType<Result>(_ body: (UnsafeRawBufferPointer?) -> Result) -> Result {
        guard let field = facts.contentType else { return body(nil) }
        return withField(field) { _, value in body(value) }
    }

    /// The first value of a field, by case-insensitive name; a String only for the hit.
    func value(named name: String) -> String? {
        var name = name
        return name.withUTF8 { wanted in
            bytes.withUnsafeReadableBytes { all in
                for field in fields where Int(field.nameEnd - field.nameStart) == wanted.count {
                    let start = Int(field.nameStart)
                    var same = true
                    for i in 0..<wanted.count where HTTPBytes.lowercased(all[start + i]) != HTTPBytes.lowercased(wanted[i]) {
                        same = false
                        break
                    }
                    if same {
                        return String(decoding: UnsafeRawBufferPointer(rebasing: all[Int(field.valueStart)..<Int(field.valueEnd)]),
                                      as: UTF8.self)
                    }
                }
                return nil
            }
        }
    }

    /// Every field as Strings, names as sent, in arrival order.
    var headerList: [(name: String, value: String)] {
        bytes.withUnsafeReadableBytes { all in
            fields.map { field in
                (String(decoding: UnsafeRawBufferPointer(rebasing: all[Int(field.nameStart)..<Int(field.nameEnd)]), as: UTF8.self),
                 String(decoding: UnsafeRawBufferPointer(rebasing: all[Int(field.valueStart)..<Int(field.valueEnd)]), as: UTF8.self))
            }
        }
    }
}
