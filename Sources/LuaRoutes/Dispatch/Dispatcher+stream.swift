/// The HTTP rules for a streamed answer's head (docs/streaming.md): the handler's own
/// Transfer-Encoding goes (the front end frames the body); a Content-Length it set stays and
/// the chunks go out unframed; HEAD, 204 and 304 send the head only.
extension Dispatcher {
    func finishedStream(_ response: APIResponse, stream: ResponseBodyStream, for request: APIRequest) -> APIResponse {
        var response = response
        response.headers.removeAll { $0.name.caseInsensitiveEquals("transfer-encoding") }
        if let length = response.header("content-length").flatMap({ Int($0) }), length >= 0 {
            stream.declaredLength = length
        } else {
            response.headers.removeAll { $0.name.caseInsensitiveEquals("content-length") }
        }
        if response.status == 204 || response.status == 304 || (100..<200).contains(response.status) {
            response.headers.removeAll { $0.name.caseInsensitiveEquals("content-type") || $0.name.caseInsensitiveEquals("content-length") }
            stream.declaredLength = 0
            stream.discardsBody = true
        }
        if request.method == "HEAD" { stream.discardsBody = true }
        return response
    }
}

/// Collects a streamed body whole, for front ends that answer at once (`luaroutes request`,
/// `luaroutes test`, ``Dispatcher/respond(to:)``).
final class CollectedBody: ResponseStreamWriter {
    private var response: APIResponse
    private let done: (APIResponse) -> Void

    init(_ head: APIResponse, done: @escaping (APIResponse) -> Void) {
        response = head
        response.stream = nil
        self.done = done
    }

    func writeChunk(_ chunk: [UInt8], taken: @escaping (Bool) -> Void) {
        response.body += chunk
        taken(false)
    }

    func endStream(complete: Bool) {
        if !response.headers.contains(where: { $0.name.caseInsensitiveEquals("content-length") }) {
            response.headers.append(("Content-Length", DigitText.decimal(response.body.count)))
        }
        done(response)
    }
}
