/// A request after routing: what a ``RouteWorker`` needs to build `req`.
struct RouteRequest {
    let api: APIRequest
    let path: String
    let query: [(name: String, values: [String])]
    let params: [(name: String, value: RouteParam)]
    let requestID: String
}
