import Foundation
import LuaRoutes

/// One line of a request's `[MultipartFormData]` section (Hurl's syntax): `name: value`, or
/// `name: file,path;` with an optional content type after the `;` (docs/hurl-subset.md).
enum HurlMultipartItem: Sendable {
    case field(HurlKeyValue)
    /// `path` is relative to the .hurl file and stays inside its folder, as for `file,` bodies.
    case file(name: HurlTemplate, path: String, contentType: String?, location: SourceLocation)
}

extension HurlParser {
    mutating func parseMultipartItems() throws(HurlParseError) -> [HurlMultipartItem] {
        var items: [HurlMultipartItem] = []
        while let i = nextSignificantLine(), !endsKeyValues(i) {
            var cursor = HurlLineCursor(code[i], line: i + 1)
            cursor.skipSpaces()
            let start = cursor.location
            let name = try readKey(&cursor, what: "a multipart field (name: value, or name: file,path;)")
            cursor.skipSpaces()
            guard cursor.hasPrefix("file,") else {
                let valueLocation = cursor.location
                let value = try cursor.readUnquotedTemplate()
                index += 1
                items.append(.field(HurlKeyValue(name: name, value: value, location: start, valueLocation: valueLocation)))
                continue
            }
            cursor.position += 5
            cursor.skipSpaces()
            let pathStart = cursor.location
            var path = ""
            while let c = cursor.current, c != ";" { path.append(c); cursor.position += 1 }
            guard cursor.current == ";" else { throw .syntax("missing ; after the file name", at: cursor.location) }
            cursor.position += 1
            path = path.trimmingCharacters(in: .whitespaces)
            guard !path.isEmpty, !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                throw .syntax("multipart files must name a file inside the .hurl file's folder (no .., no absolute path)",
                              at: pathStart, length: max(1, path.count))
            }
            cursor.skipSpaces()
            let type = cursor.rest()
            index += 1
            items.append(.file(name: name, path: path, contentType: type.isEmpty ? nil : type, location: pathStart))
        }
        return items
    }
}

extension HurlRunner {
    /// The `multipart/form-data` body of a `[MultipartFormData]` section and its Content-Type.
    /// A file's type, when not given, is guessed from its extension as Hurl does for common ones.
    func multipartBody(_ items: [HurlMultipartItem]) throws(HurlRunFailure) -> (body: [UInt8], contentType: String) {
        let boundary = "luaroutes-" + UUID().uuidString
        var body: [UInt8] = []
        for item in items {
            body += Array("--\(boundary)\r\n".utf8)
            switch item {
            case .field(let pair):
                let name = try pair.name.render(variables)
                body += Array("Content-Disposition: form-data; name=\"\(Self.quoted(name))\"\r\n\r\n".utf8)
                body += Array(try pair.value.render(variables).utf8)
            case .file(let nameTemplate, let path, let contentType, let location):
                let name = try nameTemplate.render(variables)
                let data = try readBodyFile(path, at: location)
                let filename = path.split(separator: "/").last.map(String.init) ?? path
                let type = contentType ?? Self.guessedType(filename)
                body += Array("Content-Disposition: form-data; name=\"\(Self.quoted(name))\"; filename=\"\(Self.quoted(filename))\"\r\n".utf8)
                body += Array("Content-Type: \(type)\r\n\r\n".utf8)
                body += data
            }
            body += [13, 10]
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return (body, "multipart/form-data; boundary=\(boundary)")
    }

    private static func quoted(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    private static func guessedType(_ filename: String) -> String {
        let types = ["txt": "text/plain", "json": "application/json", "html": "text/html", "csv": "text/csv",
                     "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "pdf": "application/pdf"]
        let ext = filename.split(separator: ".").last.map { $0.lowercased() } ?? ""
        return filename.contains(".") ? types[ext] ?? "application/octet-stream" : "application/octet-stream"
    }
}
