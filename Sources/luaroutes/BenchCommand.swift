import ArgumentParser
import Foundation
import Logging
import LuaRoutes
import NIOCore
import NIOPosix

/// In-process benchmark of the dispatch path (no socket): what one request costs in the host
/// and in Lua. Pair it with `valgrind --tool=callgrind` for instruction and malloc counts per
/// request (bench/README.md).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time N requests in-process through the same dispatch as serve (handlers that do not fetch).",
        shouldDisplay: true
    )

    @OptionGroup var root: RootOption

    @Argument(help: "The method.")
    var method: String

    @Argument(help: "The path, with its query.")
    var url: String

    @Option(name: .customShort("H"), help: ArgumentHelp("A header, \"Name: value\".", valueName: "header"))
    var headers: [String] = []

    @Option(name: .customShort("d"), help: ArgumentHelp("The body.", valueName: "body"))
    var data: String?

    @Option(name: .customShort("n"), help: "Requests to time (after as many for warm-up, capped at 10000).")
    var count = 100_000

    @Flag(name: .customLong("no-limits"), help: "Run without the CPU and wall limits and the memory cap, to measure what they cost.")
    var noLimits = false

    func validate() throws {
        _ = try HeaderArguments.parse(headers)
        guard count >= 1 else { throw ValidationError("-n must be at least 1") }
    }

    func run() async throws {
        var logger = Logger(label: "luaroutes")
        logger.logLevel = .error
        let loaded = try root.loadProject(logger: logger)
        let project = noLimits ? loaded.withoutLimits() : loaded
        var headerList = try HeaderArguments.parse(headers)
        if data != nil, !headerList.contains(where: { $0.name.lowercased() == "content-type" }) {
            headerList.append(("Content-Type", "application/json"))
        }
        let request = APIRequest(method: method.uppercased(), target: url, headers: headerList, body: Array((data ?? "").utf8))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let dispatcher = Dispatcher(project: project, group: group, logger: logger)
        // The timed loop needs answers given at once; a handler that waits (fetch) would pile up
        // unanswered requests. One probe tells, and is let finish before anything stops.
        let probe = loop.makePromise(of: Void.self)
        let answeredAtOnce = try await loop.submit { () -> Bool in
            var answered = false
            dispatcher.respond(to: request, on: loop) { _ in
                answered = true
                probe.succeed()
            }
            return answered
        }.get()
        if !answeredAtOnce {
            try? await probe.futureResult.get()
            await dispatcher.shutdown()
            try? await group.shutdownGracefully()
            printError("error: \(request.method) \(url) did not answer at once: its handler waits (fetch), and bench times only handlers that answer without waiting; measure it with a load generator against `luaroutes serve` instead")
            throw ExitCode(1)
        }
        let count = self.count
        let (elapsed, statuses) = try await loop.submit { () -> (Duration, [Int: Int]) in
            var statuses: [Int: Int] = [:]
            for _ in 0..<min(count, 10_000) { dispatcher.respond(to: request, on: loop) { _ in } }
            let clock = ContinuousClock()
            let start = clock.now
            for _ in 0..<count { dispatcher.respond(to: request, on: loop) { statuses[$0.status, default: 0] += 1 } }
            return (clock.now - start, statuses)
        }.get()
        await dispatcher.shutdown()
        try await group.shutdownGracefully()
        let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        let perRequest = nanoseconds / Double(count)
        print(String(format: "%d requests %@ %@%@: %.0f ns/request, %.0f requests/s; statuses %@",
                     count, request.method, url, noLimits ? " (no limits)" : "", perRequest, 1e9 / perRequest,
                     statuses.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")))
    }
}
