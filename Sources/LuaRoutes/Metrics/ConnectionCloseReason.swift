/// Why the host closed a connection itself (`luaroutes_connections_closed_total{reason}`).
enum ConnectionCloseReason: String, Sendable {
    /// `server.headerTimeout` passed before the request head was complete (answered 408).
    case headerTimeout = "header_timeout"
    /// `server.idleTimeout` of silence while a request body was being read (answered 408).
    case bodyTimeout = "body_timeout"
    /// `server.idleTimeout` passed with no request in progress.
    case idleTimeout = "idle_timeout"
    /// `server.sendTimeout` passed while the client took none of the answer.
    case sendTimeout = "send_timeout"
    /// Closed, idle, to make room for a new connection (budget full, or out of descriptors).
    case budgetIdle = "budget_idle"
    /// A new connection refused (503) because the budget was full and none was idle.
    case budgetRefused = "budget_refused"
}
