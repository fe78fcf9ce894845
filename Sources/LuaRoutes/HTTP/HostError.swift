/// The answers the host gives itself (CONTRACT.md section 5): always JSON `{"error":"..."}`.
/// In dev mode a 500 also carries the message and traceback; in production nothing that
/// could leak a path, source or message.
enum HostError {
    static func response(_ status: Int, _ error: String, headers: [(name: String, value: String)] = [],
                         message: String? = nil, traceback: String? = nil) -> APIResponse {
        var body = "{\"error\":" + jsonQuoted(error)
        if let message { body += ",\"message\":" + jsonQuoted(message) }
        if let traceback { body += ",\"traceback\":" + jsonQuoted(traceback) }
        body += "}"
        return APIResponse(status: status,
                           headers: [("Content-Type", "application/json; charset=utf-8")] + headers,
                           body: Array(body.utf8))
    }

    static func internalError(dev: Bool, message: String, traceback: String? = nil) -> APIResponse {
        dev ? response(500, "Internal Server Error", message: message, traceback: traceback)
            : response(500, "Internal Server Error")
    }

    /// A JSON string literal for `text` (control characters escaped; UTF-8 kept).
    static func jsonQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u00" + String(scalar.value >> 4, radix: 16) + String(scalar.value & 15, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
