import ArgumentParser
import Logging
import LuaRoutes
import NIOCore
import NIOPosix
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the project's routes over HTTP until SIGTERM or SIGINT."
    )

    @OptionGroup var root: RootOption

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port = 3000

    @Flag(help: "Development mode: error details in 500 bodies.")
    var dev = false

    @Option(help: "Event loops (each runs its own Lua state per route); default: the number of cores.")
    var threads: Int?

    @Option(help: "Seconds to let requests in flight finish after SIGTERM.")
    var grace: Int = 10

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard (threads ?? 1) >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard grace >= 0 else { throw ValidationError("--grace must not be negative") }
    }

    func run() async throws {
        let logger = Logger(label: "luaroutes")
        let project = try root.loadProject(logger: logger)
        if !project.envFiles.isEmpty {
            logger.info("loaded environment files", metadata: ["files": "\(project.envFiles.joined(separator: ", "))"])
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads ?? System.coreCount)
        let dispatcher = Dispatcher(project: project, group: group, dev: dev, logger: logger)
        let server = HTTPServer(
            dispatcher: dispatcher,
            configuration: .init(host: host, port: port, grace: .seconds(grace)),
            logger: logger)
        let services = ServiceGroup(
            configuration: .init(services: [.init(service: server)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await services.run()
        } catch {
            logger.error("server stopped: \(error)")
            await dispatcher.shutdown()
            try? await group.shutdownGracefully()
            throw ExitCode(1)
        }
        await dispatcher.shutdown()
        try await group.shutdownGracefully()
    }
}
