import Foundation
import Testing
import TestSupport
@testable import LuaRoutes

/// multipart/form-data uploads (docs/uploads.md) through a real socket: fields into req.body,
/// files into req.files, per-part limits (413) and malformed or truncated bodies (400).
@Suite struct UploadTests {
    static let route = """
        return {
          config = { bodyParser = { fileSizeLimit = "2kb", fieldSizeLimit = "16b", maxParts = 5 } },
          handler = function(req, res)
            local out = { fields = req.body, files = {} }
            for i, f in ipairs(req.files) do
              out.files[i] = { name = f.name, filename = f.filename, type = f.type, size = f.size, hex = (f.data:gsub(".", function(c) return string.format("%02x", c:byte()) end)) }
            end
            res.json(out)
          end,
        }
        """

    static func multipart(_ parts: [(headers: String, data: [UInt8])], boundary: String = "b0undary", close: Bool = true) -> [UInt8] {
        var body: [UInt8] = Array("preamble is ignored\r\n".utf8)
        for part in parts {
            body += Array("--\(boundary)\r\n\(part.headers)\r\n\r\n".utf8) + part.data + [13, 10]
        }
        if close { body += Array("--\(boundary)--\r\nepilogue".utf8) }
        return body
    }

    static func post(_ port: Int, _ body: [UInt8], type: String = "multipart/form-data; boundary=\"b0undary\"") throws -> String {
        try rawHTTP(port: port, Array("POST /api/up HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
    }

    @Test func fieldsAndTextBinaryAndEmptyFiles() async throws {
        try await withServer(["pages/api/up.lua": Self.route]) { port in
            let body = Self.multipart([
                ("Content-Disposition: form-data; name=\"title\"", Array("two\r\nlines".utf8)),
                ("Content-Disposition: form-data; name=\"tag\"", Array("a".utf8)),
                ("content-disposition: form-data; name=tag", Array("b".utf8)),
                ("Content-Disposition: form-data; name=\"doc\"; filename=\"a \\\"q\\\".txt\"\r\nContent-Type: text/plain", Array("hi".utf8)),
                ("Content-Disposition: form-data; name=\"bin\"; filename=\"b.bin\"", [0, 13, 10, 45, 45, 255]),
            ])
            let answer = try await onOwnThread { try Self.post(port, body) }
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            let json = answer.components(separatedBy: "\r\n\r\n").last ?? ""
            #expect(sortedJSON(Array(json.utf8)) == sortedJSON(Array("""
                {"fields":{"tag":["a","b"],"title":"two\\r\\nlines"},"files":[
                 {"filename":"a \\"q\\".txt","hex":"6869","name":"doc","size":2,"type":"text/plain"},
                 {"filename":"b.bin","hex":"000d0a2d2dff","name":"bin","size":6,"type":"application/octet-stream"}]}
                """.utf8)))
            let empty = Self.multipart([("Content-Disposition: form-data; name=\"e\"; filename=\"empty.txt\"\r\nContent-Type: text/plain", [])])
            let emptyAnswer = try await onOwnThread { try Self.post(port, empty) }
            #expect(emptyAnswer.contains(#""size":0"#) && emptyAnswer.contains(#""hex":"""#) && emptyAnswer.contains(#""filename":"empty.txt""#))
        }
    }

    @Test func partsOverTheirLimitsAnswer413() async throws {
        try await withServer(["pages/api/up.lua": Self.route]) { port in
            let bigFile = Self.multipart([("Content-Disposition: form-data; name=\"f\"; filename=\"x\"", [UInt8](repeating: 1, count: 2049))])
            let a = try await onOwnThread { try Self.post(port, bigFile) }
            #expect(a.hasPrefix("HTTP/1.1 413") && a.contains("Body part too large: file 'f' exceeded 2kb limit"))
            let bigField = Self.multipart([("Content-Disposition: form-data; name=\"t\"", [UInt8](repeating: 65, count: 17))])
            let b = try await onOwnThread { try Self.post(port, bigField) }
            #expect(b.hasPrefix("HTTP/1.1 413") && b.contains("field 't' exceeded 16b limit"))
            let many = Self.multipart((0..<6).map { ("Content-Disposition: form-data; name=\"p\($0)\"", [UInt8(65)]) })
            let c = try await onOwnThread { try Self.post(port, many) }
            #expect(c.hasPrefix("HTTP/1.1 413") && c.contains("more than 5 parts"))
            let exact = Self.multipart([("Content-Disposition: form-data; name=\"f\"; filename=\"x\"", [UInt8](repeating: 1, count: 2048))])
            #expect(try await onOwnThread { try Self.post(port, exact) }.hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test func malformedAndTruncatedBodiesAnswer400() async throws {
        try await withServer(["pages/api/up.lua": Self.route]) { port in
            let ok = [("Content-Disposition: form-data; name=\"a\"", Array("one".utf8))]
            let cases: [([UInt8], String, String)] = [
                (Self.multipart(ok, close: false), "multipart/form-data; boundary=b0undary", "truncated"),
                (Array(Self.multipart(ok).prefix(40)), "multipart/form-data; boundary=b0undary", "truncated"),
                (Self.multipart(ok), "multipart/form-data", "without a valid boundary"),
                (Self.multipart(ok), "multipart/form-data; boundary=other", "without its boundary"),
                (Self.multipart([("Content-Disposition: form-data; filename=\"x\"", [])]), "multipart/form-data; boundary=b0undary", "without a name"),
                (Self.multipart([("Content-Disposition: attachment; name=\"x\"", [])]), "multipart/form-data; boundary=b0undary", "not form-data"),
                (Self.multipart([("no colon here", [])]), "multipart/form-data; boundary=b0undary", "header without a colon"),
            ]
            for (body, type, reason) in cases {
                let answer = try await onOwnThread { try Self.post(port, body, type: type) }
                #expect(answer.hasPrefix("HTTP/1.1 400"), "\(reason): \(answer)")
                #expect(answer.contains(reason), "\(reason): \(answer)")
            }
            #expect(try await onOwnThread { try Self.post(port, Self.multipart(ok)) }.hasPrefix("HTTP/1.1 200"))   // still serving
        }
    }
}
