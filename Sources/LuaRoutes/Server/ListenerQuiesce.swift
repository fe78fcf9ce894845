import NIOCore

/// Closing a listening socket resets the connections still waiting in its accept queue, and a
/// balancer that already sent a request on one sees a reset after sending: nginx never resends
/// a POST then, so its client gets a 502 (docs/deploy.md, "Shutdown"). So at SIGTERM the
/// listener first stops completing handshakes (a socket filter that drops every packet: a new
/// SYN goes unanswered, the client retries it and finds the port closed, which nginx takes as
/// "never reached this host" and retries elsewhere), the event loop accepts what is already
/// queued, and only then the listener closes.
enum ListenerQuiesce {
    /// Long enough for the event loop to accept the queue (it accepts up to 64 a wake-up).
    static let acceptWindow: TimeAmount = .milliseconds(100)

    /// Stops new handshakes on `listener`, then closes it after ``acceptWindow``. Where the
    /// filter cannot be attached, closes at once (the previous behaviour).
    static func close(_ listener: any Channel) {
        guard let provider = listener as? any SocketOptionProvider else { return listener.close(promise: nil) }
        provider.unsafeSetSocketOption(level: .socket, name: attachFilter, value: DropAll.program).whenComplete { result in
            if case .success = result {
                listener.eventLoop.scheduleTask(in: acceptWindow) { listener.close(promise: nil) }
            } else {
                listener.close(promise: nil)
            }
        }
    }

    /// SO_ATTACH_FILTER (Linux asm-generic/socket.h).
    private static let attachFilter = NIOBSDSocket.Option(rawValue: 26)

    /// A classic BPF program of one instruction, `ret #0`: keep no byte of any packet.
    private enum DropAll {
        /// struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }: code BPF_RET|BPF_K (0x06), k 0.
        nonisolated(unsafe) static let instruction: UnsafeMutablePointer<UInt64> = {   // written once, then only read
            let pointer = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
            pointer.initialize(to: UInt64(0x06).littleEndian)
            return pointer
        }()
        static var program: SocketFilterProgram { SocketFilterProgram(length: 1, filter: UnsafeRawPointer(instruction)) }
    }
}

/// struct sock_fprog { unsigned short len; struct sock_filter *filter; }: the same layout
/// (the pointer aligned to 8). The instruction it points to lives for the whole process.
struct SocketFilterProgram: @unchecked Sendable {
    var length: UInt16
    var filter: UnsafeRawPointer
}
