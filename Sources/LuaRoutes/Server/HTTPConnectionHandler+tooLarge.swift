import NIOHTTP1

extension HTTPConnectionHandler {
    /// The 413 for a body over the route's limit, refused before it is read; with the route's
    /// CORS headers for an allowed origin, so a browser sees the 413 (docs/reference.md section 3).
    static func tooLarge(_ head: RequestHead, _ routed: RoutedTarget) -> APIResponse {
        let answer = HostError.response(413, "Body exceeded \(ByteSize.format(routed.bodyLimit)) limit")
        guard let cors = routed.cors, let origin = head.value(named: "Origin") else { return answer }
        let request = APIRequest(method: head.method, target: head.target, headers: [(name: "Origin", value: origin)])
        return cors.decorate(answer, for: request)
    }
}
