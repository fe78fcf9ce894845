/// Where ``CORSPolicy`` meets a route (docs/reference.md section 3): with CORS on, the host answers
/// preflights for every kind of route and adds CORS headers to whatever the route answers.
extension RouteWorker {
    /// The host's 204 when CORS is on for this route and `request` is a preflight.
    func corsPreflightAnswer(to request: APIRequest) -> APIResponse? {
        guard let cors = config.cors, CORSPolicy.isPreflight(request) else { return nil }
        return cors.preflightAnswer(to: request, routeMethods: kind == .methods ? methods : [])
    }

    /// `completion`, adding the CORS headers of allowed origins first; unchanged with CORS off.
    func corsDecorating(_ completion: @escaping (APIResponse) -> Void, for request: APIRequest) -> (APIResponse) -> Void {
        guard let cors = config.cors else { return completion }
        return { response in completion(cors.decorate(response, for: request)) }
    }
}
