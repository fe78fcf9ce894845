import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// On the listening socket, after NIO's `AcceptBackoffHandler`: an accept that fails is
/// logged (at most once a second, with how many failed), and when it failed for lack of
/// descriptors (EMFILE, ENFILE) the longest-idle connections are closed so the next accept
/// succeeds: the server never goes silent, and never spins on a backlog it cannot accept.
final class AcceptErrorHandler: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let tracker: ConnectionTracker
    private let logger: Logger
    private var failures = 0
    private var lastLog = NIODeadline.uptimeNanoseconds(0)
    /// Closed per failure: a few, so a burst of new clients finds room.
    static let idleClosedPerFailure = 16

    init(tracker: ConnectionTracker, logger: Logger) {
        self.tracker = tracker
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        var closedIdle = 0
        if let error = error as? IOError, error.errnoCode == EMFILE || error.errnoCode == ENFILE {
            closedIdle = tracker.closeIdle(count: Self.idleClosedPerFailure)
        }
        failures += 1
        let now = NIODeadline.now()
        if now - lastLog >= .seconds(1) {
            logger.error("accepting a connection failed: \(error)",
                         metadata: ["failures": "\(failures)", "closed_idle": "\(closedIdle)",
                                    "open_connections": "\(tracker.openConnections)", "descriptor_limit": "\(DescriptorLimit.current)"])
            failures = 0
            lastLog = now
        }
        context.fireErrorCaught(error)
    }
}
