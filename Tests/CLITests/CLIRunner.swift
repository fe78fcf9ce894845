import Foundation
import TestSupport

/// Runs the built `luaroutes` binary and captures everything it printed, so tests compare
/// stdout, stderr and the exit status whole (swift-argument-parser's AssertExecuteCommand).
struct CLIResult {
    let stdout: String
    let stderr: String
    let status: Int32
}

enum CLI {
    static var binary: URL {
        // The test bundle sits in the same build folder as the executable.
        let buildFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [buildFolder, buildFolder.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("luaroutes")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return buildFolder.appendingPathComponent("luaroutes")
    }

    static func run(_ arguments: [String], in folder: String? = nil) throws -> CLIResult {
        let process = ChildProcess()
        process.executableURL = binary
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIResult(stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self),
                         status: process.terminationStatus)
    }

    /// A temporary project folder with `files`.
    static func project(_ files: [String: String]) throws -> String {
        try makeProjectFolder(files, prefix: "luaroutes-cli-")
    }
}
