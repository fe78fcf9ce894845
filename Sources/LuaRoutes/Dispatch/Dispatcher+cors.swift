/// CORS on the host's own answers (docs/reference.md section 3): a 404, 308 or 400 made before
/// any route runs carries the project's CORS headers to an allowed origin, so a browser's
/// `fetch` sees the real status instead of an opaque CORS failure.
extension Dispatcher {
    func withProjectCORS(_ response: APIResponse, for request: APIRequest, _ generation: Generation) -> APIResponse {
        guard let cors = generation.project.config.routeDefaults.cors else { return response }
        return cors.decorate(response, for: request)
    }
}
