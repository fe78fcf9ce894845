import Foundation
import TestSupport
import Logging
import NIOPosix
import Synchronization
import Testing
@testable import LuaRoutes

/// inotify: changes anywhere under ROOT, new folders included, reach `onChange` (debounced).
@Suite struct FileWatcherTests {
    final class Calls: Sendable {
        let count = Atomic<Int>(0)
    }

    /// Polls `condition` until it holds or `seconds` pass; the caller asserts on the final state.
    func eventually(seconds: Int = 10, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
    }

    @Test func changesInNewFoldersAndRenamesAreSeen() async throws {
        let root = try makeProjectFolder(["pages/api/a.lua": "return 1"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let calls = Calls()
        let watcher = try await FileWatcher.start(root: root, on: group.next(), logger: Logger(label: "test")) {
            calls.count.add(1, ordering: .relaxed)
        }

        try FileManager.default.createDirectory(atPath: root + "/pages/api/deep/er", withIntermediateDirectories: true)
        try await eventually { calls.count.load(ordering: .relaxed) >= 1 }
        let afterFolder = calls.count.load(ordering: .relaxed)
        #expect(afterFolder >= 1)

        // A file in the folder created after the watch started, saved by rename.
        try "return 2".write(toFile: root + "/pages/api/deep/er/b.lua", atomically: true, encoding: .utf8)
        try await eventually { calls.count.load(ordering: .relaxed) > afterFolder }
        let afterFile = calls.count.load(ordering: .relaxed)
        #expect(afterFile > afterFolder)

        // Editor droppings alone do not trigger a reload.
        try "x".write(toFile: root + "/pages/api/.a.lua.swp", atomically: false, encoding: .utf8)
        try ".env change".write(toFile: root + "/.env", atomically: false, encoding: .utf8)
        try await eventually { calls.count.load(ordering: .relaxed) > afterFile }
        #expect(calls.count.load(ordering: .relaxed) == afterFile + 1, "one debounced call for the .env write")

        await watcher.stop()
        try await group.shutdownGracefully()
    }
}
