/// A request after routing: what a ``RouteWorker`` needs to build `req`.
struct RouteRequest {
    let api: APIRequest
    let path: String
    let query: [(name: String, values: [String])]
    let params: [(name: String, value: RouteParam)]
    /// Numbers requests across the process; shown in hex as the request id.
    let requestNumber: UInt64
    /// The client's own X-Request-Id when it is safe to keep (``RequestID``).
    var clientRequestID: String? = nil

    /// Formatted only when something logs it.
    var requestID: String { clientRequestID ?? Self.idText(requestNumber) }

    static func idText(_ number: UInt64) -> String { DigitText.hex(number) }
}
