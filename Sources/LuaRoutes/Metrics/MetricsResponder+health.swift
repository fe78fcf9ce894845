import NIOCore

/// `/healthz` and `/readyz` on the ops port (docs/deploy.md). Bodies are JSON, as every answer
/// the host gives itself; a balancer or an orchestrator only reads the status.
extension MetricsResponder {
    /// The process answers: its event loops run.
    static let healthy = status(200, "ok")

    /// 200 while ready; 503 with the reason ("draining" after SIGTERM, "starting", or the
    /// database's error) otherwise.
    func answerReadiness(_ readiness: Readiness, on loop: any EventLoop, answer: @escaping (APIResponse) -> Void) {
        let answerOnLoop = NIOLoopBound(answer, eventLoop: loop)
        readiness.notReadyReason(on: loop).whenComplete { result in
            switch result {
            case .success(nil): answerOnLoop.value(Self.status(200, "ready"))
            case .success(let reason?): answerOnLoop.value(Self.status(503, "not ready", reason: reason))
            case .failure(let error): answerOnLoop.value(Self.status(503, "not ready", reason: "\(error)"))
            }
        }
    }

    static func status(_ code: Int, _ status: String, reason: String? = nil) -> APIResponse {
        var body = "{\"status\":" + JSONText.quoted(status)
        if let reason { body += ",\"reason\":" + JSONText.quoted(reason) }
        body += "}"
        return APIResponse(status: code, headers: [("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-store")],
                           body: Array(body.utf8))
    }
}
