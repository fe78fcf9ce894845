/// Input the connection refuses beyond what llhttp reports.
enum RequestStreamError: Error {
    /// `GET /path` and a line end, without `HTTP/1.x`: 400.
    case missingVersion
}
