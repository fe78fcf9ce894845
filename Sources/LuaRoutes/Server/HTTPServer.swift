import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The `serve` host: our HTTP/1.1 request decoder (HTTP/RequestDecoder.swift) and one ``HTTPConnectionHandler`` per connection,
/// with Lua running on the event loop that owns the connection. A ServiceLifecycle service:
/// SIGTERM/SIGINT stop accepting, let requests in flight finish (up to `grace`), then return.
public final class HTTPServer: Service, Sendable {
    public struct Configuration: Sendable {
        public var bindAddress: String   // `serve --host`
        public var port: Int
        public var grace: Duration
        /// Names the server in its "listening on" line ("luaroutes", "metrics").
        public var name: String
        /// Timeouts and limits per connection (`server = { ... }` in the config file).
        public var settings: ServerSettings
        public init(bindAddress: String = "127.0.0.1", port: Int = 3000, grace: Duration = .seconds(10), name: String = "luaroutes",
                    settings: ServerSettings = ServerSettings()) {
            self.bindAddress = bindAddress
            self.port = port
            self.grace = grace
            self.name = name
            self.settings = settings
        }

        /// `settings.maxConnections`, or the budget the descriptor limit allows.
        public var maxConnections: Int { settings.maxConnections ?? DescriptorLimit.defaultMaxConnections() }
    }

    let responder: any LoopResponder
    let group: any EventLoopGroup
    let configuration: Configuration
    let logger: Logger
    private let tracker: ConnectionTracker
    private let boundPort = NIOLockedValueBoxPort()

    public convenience init(dispatcher: Dispatcher, configuration: Configuration, logger: Logger) {
        self.init(responder: dispatcher, group: dispatcher.group, configuration: configuration, logger: logger, metrics: dispatcher.metrics)
    }

    public init(responder: any LoopResponder, group: any EventLoopGroup, configuration: Configuration, logger: Logger,
                metrics: ServerMetrics? = nil) {
        self.responder = responder
        self.group = group
        self.configuration = configuration
        self.logger = logger
        self.tracker = ConnectionTracker(maxConnections: configuration.maxConnections, logger: logger, metrics: metrics)
    }

    /// The port actually bound (useful with port 0), once `run` has bound it.
    public var localPort: Int? { boundPort.value }

    /// Requests received and not answered yet.
    public var requestsInFlight: Int { tracker.inFlight }

    public func run() async throws {
        let channel: any Channel
        do {
            channel = try await bind()
        } catch {
            throw PortInUseError.from(error, host: configuration.bindAddress, port: configuration.port,
                                      option: configuration.name == "metrics" ? "--metrics-port" : "--port")
        }
        boundPort.value = channel.localAddress?.port
        var metadata = responder.startupMetadata
        metadata["max_connections"] = "\(tracker.maxConnections)"
        logger.info("\(configuration.name) listening on http://\(configuration.bindAddress):\(channel.localAddress?.port ?? configuration.port)",
                    metadata: metadata)
        try await withGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onGracefulShutdown: { [tracker] in
            tracker.startDraining()
            ListenerQuiesce.close(channel)
        }
        await drain()
    }

    func bind() async throws -> any Channel {
        let responder = self.responder
        let tracker = self.tracker
        let settings = configuration.settings
        let logger = self.logger
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // Accept up to 64 connections per wake-up (NIO's default is 4): a burst of 1,000
            // new connections waited up to 2 s for accept (p99 1.15 s -> 44-91 ms, bench/scaling.py).
            .serverChannelOption(.maxMessagesPerRead, value: 64)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Out of descriptors, accept fails while the connection waits in the backlog:
                    // without a pause the event loop would retry at once, forever (NIO installs
                    // this handler only for its async bind).
                    try channel.pipeline.syncOperations.addHandler(AcceptBackoffHandler(backoffProvider: { _ in .milliseconds(100) }))
                    try channel.pipeline.syncOperations.addHandler(AcceptErrorHandler(tracker: tracker, logger: logger))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            // A client that sends its requests and shuts its side (`printf ... | nc`) still gets every answer.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                let record = tracker.opened(channel)
                return channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    guard let record else { return try sync.addHandler(RefusedConnectionHandler()) }
                    try sync.addHandler(HTTPConnectionHandler(responder: responder, tracker: tracker, record: record, settings: settings))
                }
            }
            .bind(host: configuration.bindAddress, port: configuration.port)
            .get()
    }

    /// After the listener closed: wait for requests in flight, then close idle connections.
    /// An idle keep-alive connection is kept a little longer (``idleHold``, within the grace):
    /// a balancer may be sending a request on it right now, and closing it under that request
    /// would lose it (nginx never resends a POST it has sent). Meanwhile each request on it is
    /// answered and the connection closed after the answer (``ConnectionTracker/draining``),
    /// so under traffic the balancer's connections end cleanly within milliseconds.
    private func drain() async {
        let start = ContinuousClock.now
        let deadline = start + configuration.grace
        let idleDeadline = min(deadline, start + Self.idleHold)
        while ContinuousClock.now < deadline,
              tracker.inFlight > 0 || responder.pendingAfterWork > 0
                || (tracker.openConnections > 0 && ContinuousClock.now < idleDeadline) {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if tracker.inFlight > 0 {
            logger.warning("shutting down with \(tracker.inFlight) requests still running after the grace period")
        }
        if responder.pendingAfterWork > 0 {
            logger.warning("shutting down with \(responder.pendingAfterWork) res.after runs still pending after the grace period")
        }
        tracker.closeAll()
    }

    /// How long idle connections may stay open after SIGTERM (docs/deploy.md).
    static let idleHold: Duration = .seconds(1)
}

/// A port number written once from `run` and read from any thread.
final class NIOLockedValueBoxPort: Sendable {
    private let box = NIOLockedValueBox<Int?>(nil)
    var value: Int? {
        get { box.withLockedValue { $0 } }
        set { box.withLockedValue { $0 = newValue } }
    }
}
