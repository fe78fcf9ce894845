import Foundation
import ArgumentParser
import Logging
import LuaRoutes
import NIOPosix

struct RoutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes",
        abstract: "Print the route table: pattern, file, methods. Exit 1 on any start-up error."
    )

    @OptionGroup var root: RootOption

    func run() async throws {
        var logger = Logger(label: "luaroutes")
        logger.logLevel = .critical   // errors are printed below, once, in the table's terms
        let project = try root.loadProject(logger: logger, database: false)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let reports = Dispatcher(project: project, group: group, logger: logger).routeReports
        try? await group.shutdownGracefully()
        print(RouteTableFormatter.format(reports), terminator: "")
        for warning in project.middlewareWarnings { printError("warning: \(warning)") }
        let errors = reports.compactMap(\.error)
        for error in errors { printError("error: \(error)") }
        if !errors.isEmpty { throw ExitCode(1) }
    }
}
