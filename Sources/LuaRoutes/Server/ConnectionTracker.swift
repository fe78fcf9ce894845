import NIOConcurrencyHelpers
import NIOCore

/// Counts requests in flight and remembers open connections, so shutdown can stop accepting,
/// let every started request finish, and then close idle keep-alive connections.
final class ConnectionTracker: Sendable {
    private let state = NIOLockedValueBox<(inFlight: Int, channels: [ObjectIdentifier: any Channel])>((0, [:]))

    func requestStarted() { state.withLockedValue { $0.inFlight += 1 } }
    func requestFinished() { state.withLockedValue { $0.inFlight -= 1 } }
    var inFlight: Int { state.withLockedValue { $0.inFlight } }

    func opened(_ channel: any Channel) {
        state.withLockedValue { $0.channels[ObjectIdentifier(channel)] = channel }
        channel.closeFuture.whenComplete { _ in
            self.state.withLockedValue { _ = $0.channels.removeValue(forKey: ObjectIdentifier(channel)) }
        }
    }

    func closeAll() {
        for channel in state.withLockedValue({ Array($0.channels.values) }) { channel.close(promise: nil) }
    }
}
