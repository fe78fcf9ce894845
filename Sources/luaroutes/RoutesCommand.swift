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
        let errors = reports.compactMap(\.error)
        for error in errors { printError("error: \(error)") }
        if !errors.isEmpty { throw ExitCode(1) }
    }
}

enum RouteTableFormatter {
    /// One line per route, columns aligned: "/api/users/[id]  pages/api/users/[id].lua  GET, POST".
    static func format(_ reports: [RouteReport]) -> String {
        let rows = reports.map { report -> [String] in
            let methods = report.error != nil ? "(error)" : (report.methods.isEmpty ? "ANY" : report.methods.joined(separator: ", "))
            return [report.route.pattern, report.route.file, methods]
        }
        guard !rows.isEmpty else { return "no routes: add Lua files under pages/api\n" }
        let widths = (0..<2).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row[0].padding(toLength: widths[0] + 2, withPad: " ", startingAt: 0)
                + row[1].padding(toLength: widths[1] + 2, withPad: " ", startingAt: 0) + row[2]
        }.joined(separator: "\n") + "\n"
    }
}
