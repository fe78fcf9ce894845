/// What is known about a request once it is answered: one access-log line, one metrics sample.
public struct RequestRecord: Sendable {
    public let method: String
    public let path: String
    /// The route file that answered; nil when the host answered alone (404, 308, 400).
    public let route: String?
    public let status: Int
    /// Body bytes sent.
    public let bytes: Int
    public let duration: Duration
    public let requestID: String
    /// The client's address ("-" when the input never made a request).
    public var client = "-"
    public var userAgent: String?
}

extension Dispatcher {
    func observe(_ record: RequestRecord) {
        accessLog?.record(record)
        metrics?.requestFinished(record)
    }
}

extension Dispatcher {
    public func recordHostAnswer(method: String, target: String?, status: Int, bytes: Int, client: String) -> String? {
        let requestID = RouteRequest.idText(nextRequestNumber())
        guard accessLog != nil || metrics != nil else { return requestID }
        observe(RequestRecord(method: method, path: target.map { Self.split(target: $0).path } ?? "-", route: nil, status: status,
                              bytes: bytes, duration: .zero, requestID: requestID, client: client))
        return requestID
    }
}
