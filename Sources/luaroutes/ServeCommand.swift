import ArgumentParser
import Foundation
import Dispatch
import Logging
import LuaRoutes
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the project's routes over HTTP until SIGTERM or SIGINT; SIGHUP reloads the project."
    )

    enum LogFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var root: RootOption

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port = 3000

    @Flag(help: "Development mode: reload when files under the root change, and error details in 500 bodies.")
    var dev = false

    @Option(help: "Event loops (each runs its own Lua state per route); default: the number of cores.")
    var threads: Int?

    @Option(help: "Seconds to let requests in flight finish after SIGTERM; one second later the process exits (status 1) even if a handler still runs.")
    var grace: Int = 10

    @Option(help: "Log lines as text, or as one JSON object per line (json); both on stderr.")
    var logFormat: LogFormat = .text

    @Option(help: "The ops port (off by default): Prometheus metrics at /metrics, /healthz (200 while the process answers) and /readyz (200 when routes, migrations and the database are ready; 503 from SIGTERM on) at http://HOST:PORT.")
    var metricsPort: Int?

    @Flag(inversion: .prefixedNo, help: "One log line per request (on by default, as nginx's access_log; benchmarks turn it off as the peers do).")
    var accessLog = true

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard (0...65535).contains(metricsPort ?? 0) else { throw ValidationError("--metrics-port must be between 0 and 65535") }
        guard (threads ?? 1) >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard grace >= 0 else { throw ValidationError("--grace must not be negative") }
    }

    func run() async throws {
        let logger = logFormat == .json ? Logger(label: "luaroutes", factory: { JSONLogHandler(label: $0) }) : Logger(label: "luaroutes")
        // Each connection is a descriptor: take all the process may have before sizing the budget.
        DescriptorLimit.raiseToHardLimit()
        let project = try root.loadProject(logger: logger)
        var isFolder: ObjCBool = false
        if !FileManager.default.fileExists(atPath: project.root + "/pages/api", isDirectory: &isFolder) || !isFolder.boolValue {
            logger.warning("\(project.root) has no pages/api folder, so every request answers 404: pass the project with --root DIR, or start one with `luaroutes init`")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads ?? System.coreCount)
        let registry = metricsPort.map { _ in PrometheusCollectorRegistry() }
        let metrics = registry.map { ServerMetrics(factory: PrometheusMetricsFactory(registry: $0)) }
        let accessLog = accessLog ? AccessLog(format: logFormat == .json ? .json : .text) : nil
        let accessLogFlusher = accessLog?.flushPeriodically(on: group.next())
        let dispatcher = Dispatcher(project: project, group: group, dev: dev, logger: logger,
                                    metrics: metrics, accessLog: accessLog)
        let reloader = HotReloader(dispatcher: dispatcher)
        let hangup = Self.onHangup { reloader.reloadSoon() }
        var watcher: FileWatcher?
        if dev {
            watcher = try await FileWatcher.start(root: project.root, on: group.next(), logger: logger) { reloader.reloadSoon() }
        }

        let server = HTTPServer(dispatcher: dispatcher,
                                configuration: .init(bindAddress: host, port: port, grace: .seconds(grace), settings: project.config.server),
                                logger: logger)
        // /readyz: ready once the port listens (routes and migrations are done before), while the database answers.
        let readiness = Readiness(listening: { server.localPort != nil }, database: project.databaseProbe())
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let registry, let metrics, let metricsPort {
            let responder = MetricsResponder(registry: registry, metrics: metrics, dispatcher: dispatcher, readiness: readiness)
            services.append(.init(service: HTTPServer(responder: responder, group: group,
                                                      configuration: .init(bindAddress: host, port: metricsPort, grace: .zero, name: "metrics"),
                                                      logger: logger)))
        }
        // After the metrics (ops) server, so graceful shutdown reaches it last: /readyz keeps
        // answering 503 while the main port drains.
        services.append(.init(service: server))
        // After the servers, so it starts counting at the signal: the process ends within --grace (plus
        // a second for closing down) even when a handler holds an event loop.
        let grace = self.grace
        services.append(.init(service: ShutdownDeadline(after: .seconds(grace) + .seconds(1)) {
            let running = ShutdownDeadline.routesRunningLua()
            let still = running.isEmpty ? "" : "; Lua still running in \(running.joined(separator: ", "))"
            logger.error("stopping now: --grace (\(grace)s) passed with \(server.requestsInFlight) requests unanswered\(still); exit status 1")
            accessLog?.flush()
            _exit(1)
        }))
        // Last, so the signal reaches it first: /readyz says 503 before anything starts closing.
        services.append(.init(service: readiness))
        let serviceGroup = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        var failure: (any Error)?
        do {
            try await serviceGroup.run()
        } catch {
            failure = error
        }
        hangup.cancel()
        accessLogFlusher?.cancel()
        accessLog?.flush()
        await watcher?.stop()
        await dispatcher.shutdown()
        try? await group.shutdownGracefully()
        if let inUse = failure as? PortInUseError {
            printError("error: \(inUse)")
            throw ExitCode(1)
        }
        if let failure {
            logger.error("server stopped: \(failure)")
            throw ExitCode(1)
        }
        logger.info("stopped")
    }

    /// SIGHUP reloads in any mode (the usual daemon convention).
    static func onHangup(_ action: @escaping @Sendable () -> Void) -> any DispatchSourceSignal {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler(handler: action)
        source.resume()
        return source
    }
}
