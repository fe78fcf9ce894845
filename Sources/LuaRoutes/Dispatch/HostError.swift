/// The answers the host gives itself (docs/reference.md section 5): always JSON `{"error":"..."}`.
/// In dev mode a 500 also carries the message and traceback; in production nothing that
/// could leak a path, source or message.
enum HostError {
    static func response(_ status: Int, _ error: String, headers: [(name: String, value: String)] = [],
                         message: String? = nil, traceback: String? = nil) -> APIResponse {
        var body = "{\"error\":" + JSONText.quoted(error)
        if let message { body += ",\"message\":" + JSONText.quoted(message) }
        if let traceback { body += ",\"traceback\":" + JSONText.quoted(traceback) }
        body += "}"
        return APIResponse(status: status,
                           headers: [("Content-Type", "application/json; charset=utf-8")] + headers,
                           body: Array(body.utf8))
    }

    static func internalError(dev: Bool, message: String, traceback: String? = nil) -> APIResponse {
        dev ? response(500, "Internal Server Error", message: message, traceback: traceback)
            : response(500, "Internal Server Error")
    }
}
