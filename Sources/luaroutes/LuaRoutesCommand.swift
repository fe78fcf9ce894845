import ArgumentParser
import Foundation
import Logging

/// `luaroutes`: Next.js API routes in Lua. Subcommands are nested types, as in
/// swift-argument-parser's `Examples/math`.
struct LuaRoutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "luaroutes",
        abstract: "Serve and test API routes written in Lua (pages/api/**.lua -> /api/**).",
        version: VersionText.line,
        subcommands: [InitCommand.self, ServeCommand.self, RequestCommand.self, RoutesCommand.self, TestCommand.self, MigrateCommand.self, BenchCommand.self, TypesCommand.self]
    )
}
