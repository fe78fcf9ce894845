import Foundation
@testable import LuaRoutesHurl
import LuaRoutes

/// A ``Responder`` made of a closure, so each test says exactly what the "app" answers.
struct FakeResponder: Responder {
    let handler: @Sendable (APIRequest) async -> APIResponse

    init(_ handler: @escaping @Sendable (APIRequest) async -> APIResponse) { self.handler = handler }

    func respond(to request: APIRequest) async -> APIResponse { await handler(request) }
}

/// Records the requests a responder saw (runner tests look at what was sent).
actor RequestLog {
    private(set) var requests: [APIRequest] = []
    func append(_ request: APIRequest) { requests.append(request) }
}

extension APIResponse {
    static func json(_ status: Int, _ text: String, headers: [(name: String, value: String)] = []) -> APIResponse {
        APIResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
    }
}

/// The small users API the fixture files in `Fixtures/` run against.
let fixtureAPI = FakeResponder { request in
    let path = String(request.target.prefix { $0 != "?" })
    let query = request.target.contains("?") ? String(request.target.drop { $0 != "?" }.dropFirst()) : ""
    let body = String(decoding: request.body, as: UTF8.self)
    switch (request.method, path) {
    case ("POST", "/api/users"):
        return .json(201, #"{"id": 1, "name": "Ada", "tags": []}"#)
    case ("GET", "/api/users/1"):
        return .json(200, #"{"id": 1, "name": "Ada", "tags": ["math", "poetry"], "score": 9.5}"#)
    case ("GET", "/api/users"):
        return .json(200, #"{"items": [{"id": 1, "name": "Ada"}, {"id": 2, "name": "Grace"}], "query": "\#(query)"}"#)
    case ("POST", "/api/login"):
        guard body == "user=ada&password=s%C3%A9same%201",
              request.header("Content-Type") == "application/x-www-form-urlencoded"
        else { return .json(400, #"{"error": "bad form: \#(body)"}"#) }
        return APIResponse(status: 303, headers: [("Location", "/api/me"), ("Set-Cookie", "session=abc; Path=/; HttpOnly")])
    case ("POST", "/api/logout"):
        return APIResponse(status: 204, headers: [("Set-Cookie", "session=; Max-Age=0")])
    case ("GET", "/api/me"):
        guard request.header("Cookie")?.contains("session=abc") == true else { return .json(401, #"{"error": "Unauthorized"}"#) }
        return .json(200, #"{"user": "ada", "admin": false}"#)
    case ("POST", "/api/echo"):
        return APIResponse(status: 200, headers: [("Content-Type", request.header("Content-Type") ?? "none")],
                           body: request.body)
    case ("GET", "/api/boom"):
        return .json(500, #"{"error": "Internal Server Error", "message": "pages/api/boom.lua:3: attempt to index a nil value (local 'user')", "traceback": "stack traceback:\n\t[C]: in ?\n\tpages/api/boom.lua:3: in function <pages/api/boom.lua:1>"}"#)
    case ("GET", "/api/headers"):
        let members = request.headers.map { "\(JSONValue.quote($0.name.lowercased())): \(JSONValue.quote($0.value))" }
        return .json(200, "{" + members.joined(separator: ", ") + "}", headers: [("X-Multi", "a"), ("X-Multi", "b")])
    default:
        return .json(404, #"{"error": "Not Found"}"#)
    }
}
