/// Input the connection refuses beyond what llhttp reports.
enum RequestStreamError: Error {
    /// `GET /path` and a line end, without `HTTP/1.x`: 400.
    case missingVersion
    /// A well-formed request line whose method llhttp does not know: 501 (RFC 9110 section 15.6.2).
    case unknownMethod
}
