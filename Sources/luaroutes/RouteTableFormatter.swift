import Foundation
import ArgumentParser
import Logging
import LuaRoutes
import NIOPosix

enum RouteTableFormatter {
    /// One line per route, columns aligned: "/api/users/[id]  pages/api/users/[id].lua  GET, POST",
    /// then its middleware chain, outermost first, when it has one ("middleware: a > b").
    static func format(_ reports: [RouteReport]) -> String {
        let rows = reports.map { report -> [String] in
            let methods = report.error != nil ? "(error)" : (report.methods.isEmpty ? "ANY" : report.methods.joined(separator: ", "))
            let chain = report.middleware.isEmpty ? "" : "middleware: " + report.middleware.joined(separator: " > ")
            return [report.route.pattern, report.route.file, methods, chain]
        }
        guard !rows.isEmpty else { return "no routes: add Lua files under pages/api\n" }
        let widths = (0..<3).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            let line = row[0].padding(toLength: widths[0] + 2, withPad: " ", startingAt: 0)
                + row[1].padding(toLength: widths[1] + 2, withPad: " ", startingAt: 0)
            return row[3].isEmpty ? line + row[2] : line + row[2].padding(toLength: widths[2] + 2, withPad: " ", startingAt: 0) + row[3]
        }.joined(separator: "\n") + "\n"
    }
}
