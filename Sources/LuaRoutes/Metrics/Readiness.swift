import NIOCore
import ServiceLifecycle
import Synchronization

/// What `/readyz` on the ops port answers (docs/deploy.md): ready while the main HTTP port
/// listens, the routes are loaded and the migrations ran (both before the port opens) and the
/// database answers; not ready from the moment SIGTERM arrives, so a balancer stops sending
/// new requests while the port drains for `--grace`.
///
/// A ServiceLifecycle service that only waits: put it last in the group, so graceful
/// shutdown reaches it before any server starts closing.
public final class Readiness: Service, Sendable {
    /// Why the host is not ready, or nil when it is; asked on each `/readyz`.
    public typealias Check = @Sendable (_ loop: any EventLoop) -> EventLoopFuture<String?>

    private let drainingFlag = Atomic<Bool>(false)
    private let listening: @Sendable () -> Bool
    private let database: Check

    /// `listening`: the main port is bound. `database`: the database probe (``Project/databaseProbe()``).
    public init(listening: @escaping @Sendable () -> Bool, database: @escaping Check) {
        self.listening = listening
        self.database = database
    }

    public var draining: Bool { drainingFlag.load(ordering: .relaxed) }

    /// SIGTERM (or SIGINT) arrived: `/readyz` answers 503 from now on.
    public func markDraining() { drainingFlag.store(true, ordering: .relaxed) }

    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return   // cancelled: the group is ending without a graceful shutdown
        }
        markDraining()
    }

    /// nil when ready, else the reason, on `loop`.
    func notReadyReason(on loop: any EventLoop) -> EventLoopFuture<String?> {
        if draining { return loop.makeSucceededFuture("draining") }
        if !listening() { return loop.makeSucceededFuture("starting") }
        return database(loop).map { reason in
            // SIGTERM may have come while the database answered.
            self.draining ? "draining" : reason
        }
    }
}
