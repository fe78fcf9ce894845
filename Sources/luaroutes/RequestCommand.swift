import ArgumentParser
import Foundation
import Logging
import LuaRoutes
import NIOPosix

struct RequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Run one request in-process (no socket) and print the answer.",
        discussion: """
            Exit status: 0 below 500, 1 for a 5xx (with --fail, for a 4xx too), 2 for a usage error.
            Logs and tracebacks go to stderr; stdout gets the body (indented when it is JSON and \
            stdout is a terminal).
            """
    )

    @OptionGroup var root: RootOption

    @Argument(help: ArgumentHelp("[METHOD] URL: a path (/api/user?x=1) or a full URL (its authority becomes the Host header); the method (any case) may come first, as -X does.", valueName: "method-and-url"))
    var words: [String] = []

    @Option(name: .customShort("X"), help: ArgumentHelp("The method; default GET, or POST with a body (as curl).", valueName: "method"))
    var methodOption: String?

    var url: String { words.last ?? "" }

    var method: String {
        if words.count == 2 { return words[0] }
        return methodOption ?? (data != nil || dataFile != nil ? "POST" : "GET")
    }

    @Option(name: .customShort("H"), help: ArgumentHelp("A header, \"Name: value\"; repeat for more.", valueName: "header"))
    var headers: [String] = []

    // .unconditional: a body may start with "-" ("-1", "--- yaml").
    @Option(name: .customShort("d"), parsing: .unconditional, help: ArgumentHelp("The body; @FILE reads a file. Without a Content-Type it is sent as JSON when it starts with { or [, else as a form.", valueName: "body"))
    var data: String?

    @Option(name: .customLong("data-file"), help: ArgumentHelp("Read the body from a file.", valueName: "file"))
    var dataFile: String?

    @Flag(name: .customShort("i"), help: "Print the status line and headers before the body.")
    var include = false

    @Flag(help: "Exit 1 for a 4xx too (the body is still printed).")
    var fail = false

    @Flag(help: "Development mode: error details in 500 bodies.")
    var dev = false

    func validate() throws {
        if data != nil, dataFile != nil { throw ValidationError("use either -d or --data-file, not both") }
        guard (1...2).contains(words.count) else { throw ValidationError("expected [METHOD] URL, e.g. `luaroutes request /api/user` or `luaroutes request -X POST /api/user -d '{}'`") }
        if words.count == 2, methodOption != nil { throw ValidationError("give the method once: either -X \(methodOption!) or \(words[0]) before the URL") }
        guard method.allSatisfy({ $0.isLetter }) else { throw ValidationError("'\(method)' is not an HTTP method") }
        guard url.hasPrefix("/") || url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ValidationError("the URL must be a path starting with / or an http(s) URL, got '\(url)'")
        }
        _ = try HeaderArguments.parse(headers)
    }

    func run() async throws {
        let logger = Logger(label: "luaroutes")
        let project = try root.loadProject(logger: logger)
        let request = try buildRequest()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let dispatcher = Dispatcher(project: project, group: group, dev: dev, logger: logger)
        let response = await dispatcher.respond(to: request)
        await dispatcher.shutdown()
        try? await group.shutdownGracefully()

        var out = ""
        if include {
            out += "HTTP/1.1 \(response.status) \(HTTPStatusText.reason(response.status))\n"
            for (name, value) in response.headers { out += "\(name): \(value)\n" }
            out += "\n"
        }
        FileHandle.standardOutput.write(Data(out.utf8))
        let isJSON = response.header("content-type")?.lowercased().contains("json") ?? false
        if isatty(STDOUT_FILENO) != 0, isJSON, let pretty = JSONPretty.format(response.body) {
            FileHandle.standardOutput.write(Data((pretty + "\n").utf8))
        } else {
            FileHandle.standardOutput.write(Data(response.body))
        }
        if response.status >= 500 || (fail && response.status >= 400) { throw ExitCode(1) }
    }

    private func buildRequest() throws -> APIRequest {
        var target = url
        var headerList: [(name: String, value: String)] = []
        if let schemeEnd = url.range(of: "://") {
            let rest = url[schemeEnd.upperBound...]
            let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
            headerList.append(("Host", String(rest[..<slash])))
            target = String(rest[slash...])
            if target.isEmpty || target.hasPrefix("?") { target = "/" + target }
        }
        headerList += try HeaderArguments.parse(headers)
        var body: [UInt8] = []
        if let dataFile {
            body = try readFile(dataFile)
        } else if let data {
            body = data.hasPrefix("@") ? try readFile(String(data.dropFirst())) : Array(data.utf8)
            if !headerList.contains(where: { $0.name.lowercased() == "content-type" }) {
                let first = body.first { ![0x20, 0x09, 0x0a, 0x0d].contains($0) }   // of the file, for -d @file
                let looksJSON = first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
                headerList.append(("Content-Type", looksJSON ? "application/json" : "application/x-www-form-urlencoded"))
            }
        }
        return APIRequest(method: method.uppercased(), target: target, headers: headerList, body: body, remoteAddress: "127.0.0.1")
    }

    private func readFile(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            printError("error: cannot read \(path)")
            throw ExitCode(2)
        }
        return Array(data)
    }
}
