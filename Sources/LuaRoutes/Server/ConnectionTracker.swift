import Logging
import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// The server's open connections: requests in flight (shutdown lets them finish, then closes
/// idle keep-alive connections) and the connection budget (`server.maxConnections`).
///
/// When a new connection would pass the budget, the connection idle the longest (no request in
/// progress: kept alive between requests, or never sent a byte) is closed to make room, as
/// nginx reuses idle keep-alive connections when it runs out; when none is idle the newcomer is
/// refused with a 503. Either is counted (`luaroutes_connections_closed_total`) and logged, at
/// most once a second.
final class ConnectionTracker: Sendable {
    private struct State {
        var inFlight = 0
        var records: [ObjectIdentifier: ConnectionRecord] = [:]
        /// Counted since the last log line about the budget.
        var evicted = 0
        var refused = 0
        var lastBudgetLog = NIODeadline.uptimeNanoseconds(0)
    }

    private let state = NIOLockedValueBox(State())
    /// Set by graceful shutdown: every answer from now on says `Connection: close` and closes
    /// its connection, so a balancer's keep-alive connections end cleanly after an answer
    /// instead of being closed under a request (docs/deploy.md).
    private let drainingFlag = Atomic<Bool>(false)
    let maxConnections: Int
    let logger: Logger
    let metrics: ServerMetrics?

    init(maxConnections: Int = .max, logger: Logger = Logger(label: "luaroutes"), metrics: ServerMetrics? = nil) {
        self.maxConnections = maxConnections
        self.logger = logger
        self.metrics = metrics
    }

    func requestStarted() { state.withLockedValue { $0.inFlight += 1 } }
    func requestFinished() { state.withLockedValue { $0.inFlight -= 1 } }
    var inFlight: Int { state.withLockedValue { $0.inFlight } }
    var openConnections: Int { state.withLockedValue { $0.records.count } }
    var draining: Bool { drainingFlag.load(ordering: .relaxed) }
    func startDraining() { drainingFlag.store(true, ordering: .relaxed) }

    /// Admits a new connection within the budget: nil when it must be refused. Closes the
    /// longest-idle connection first when the budget is full.
    func opened(_ channel: any Channel) -> ConnectionRecord? {
        let record = ConnectionRecord(channel: channel)
        let (admitted, victim) = state.withLockedValue { state -> (Bool, ConnectionRecord?) in
            var victim: ConnectionRecord?
            if state.records.count >= maxConnections {
                victim = Self.longestIdle(in: state.records)
                guard let victim else {
                    state.refused += 1
                    return (false, nil)
                }
                state.records.removeValue(forKey: ObjectIdentifier(victim.channel))
                state.evicted += 1
            }
            state.records[ObjectIdentifier(channel)] = record
            return (true, victim)
        }
        if let victim {
            metrics?.connectionClosed(reason: .budgetIdle)
            victim.channel.close(promise: nil)
        }
        guard admitted else {
            metrics?.connectionClosed(reason: .budgetRefused)
            logBudgetIfDue()
            return nil
        }
        if victim != nil { logBudgetIfDue() }
        channel.closeFuture.whenComplete { _ in
            self.state.withLockedValue { state in
                if state.records[ObjectIdentifier(channel)] === record { state.records.removeValue(forKey: ObjectIdentifier(channel)) }
            }
        }
        return record
    }

    /// Out of descriptors (accept failed with EMFILE or ENFILE): closes the `count` longest-idle
    /// connections so the next accept can succeed. Returns how many were closed.
    @discardableResult
    func closeIdle(count: Int) -> Int {
        let victims = state.withLockedValue { state -> [ConnectionRecord] in
            var victims: [ConnectionRecord] = []
            while victims.count < count, let victim = Self.longestIdle(in: state.records) {
                state.records.removeValue(forKey: ObjectIdentifier(victim.channel))
                victims.append(victim)
            }
            state.evicted += victims.count
            return victims
        }
        for victim in victims {
            metrics?.connectionClosed(reason: .budgetIdle)
            victim.channel.close(promise: nil)
        }
        if !victims.isEmpty { logBudgetIfDue() }
        return victims.count
    }

    /// O(open connections), paid only when the budget is full.
    private static func longestIdle(in records: [ObjectIdentifier: ConnectionRecord]) -> ConnectionRecord? {
        var best: ConnectionRecord?
        var bestSince = Int64.max
        for record in records.values {
            let since = record.idleSince
            if since >= 0, since < bestSince {
                best = record
                bestSince = since
            }
        }
        return best
    }

    private func logBudgetIfDue() {
        let now = NIODeadline.now()
        let counts = state.withLockedValue { state -> (evicted: Int, refused: Int)? in
            guard state.evicted + state.refused > 0, now - state.lastBudgetLog >= .seconds(1) else { return nil }
            defer { (state.evicted, state.refused, state.lastBudgetLog) = (0, 0, now) }
            return (state.evicted, state.refused)
        }
        guard let counts else { return }
        logger.warning("connection budget full: closed idle connections to make room, or refused new ones (raise server.maxConnections or the descriptor limit)",
                       metadata: ["max_connections": "\(maxConnections)", "closed_idle": "\(counts.evicted)", "refused": "\(counts.refused)"])
    }

    func closeAll() {
        for record in state.withLockedValue({ Array($0.records.values) }) { record.channel.close(promise: nil) }
    }
}
