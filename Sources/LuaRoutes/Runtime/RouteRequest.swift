/// A request after routing: what a ``RouteWorker`` needs to build `req`. A class: it is
/// passed on and captured several times per request, and a reference is one count to keep
/// where a copy of its fields was a dozen.
final class RouteRequest {
    let api: APIRequest
    let path: String
    let query: [(name: String, values: [String])]
    let params: [(name: String, value: RouteParam)]
    /// Numbers requests across the process; shown in hex as the request id.
    let requestNumber: UInt64
    /// The client's own X-Request-Id when it is safe to keep (``RequestID``).
    let clientRequestID: String?

    /// Formatted only when something logs it.
    var requestID: String { clientRequestID ?? Self.idText(requestNumber) }

    init(api: APIRequest, path: String, query: [(name: String, values: [String])], params: [(name: String, value: RouteParam)],
         requestNumber: UInt64, clientRequestID: String? = nil) {
        self.api = api
        self.path = path
        self.query = query
        self.params = params
        self.requestNumber = requestNumber
        self.clientRequestID = clientRequestID
    }

    static func idText(_ number: UInt64) -> String { DigitText.hex(number) }
}
