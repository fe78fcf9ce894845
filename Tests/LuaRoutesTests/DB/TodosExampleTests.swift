import Foundation
import Testing
import TestSupport
@testable import LuaRoutes

/// examples/todos on `db`: with four event loops every todo gets its own id and every
/// connection sees the same list, and a restart of the host keeps them all.
@Suite struct TodosExampleTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../examples/todos").standardizedFileURL.path

    @Test func todosSurviveFourLoopsAndARestart() async throws {
        let root = NSTemporaryDirectory() + "luaroutes-todos-" + UUID().uuidString
        try FileManager.default.copyItem(atPath: Self.example, toPath: root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        func start() throws {
            try Project.load(root: root, processEnvironment: [:], logger: .init(label: "t")).prepareDatabase(logger: .init(label: "t"))
        }
        try start()
        let firstRun = try await withServer([:], threads: 4, root: root) { port, _ in
            let clients = try (0..<8).map { _ in try KeepAliveClient(port: port) }
            var ids: [String] = []
            for round in 0..<5 {
                for (i, client) in clients.enumerated() { try client.send("POST", "/api/todos", body: #"{"title":"todo \#(round)-\#(i)"}"#) }
                for client in clients { ids.append(client.read().map { "\($0.status) \(Self.id(in: $0.body))" } ?? "no answer") }
            }
            let lists = try clients.map { try $0.request("GET", "/api/todos")?.body.components(separatedBy: #""id":"#).count ?? 0 }
            return (ids, lists)
        }
        #expect(Set(firstRun.0) == Set((1...40).map { "201 \($0)" }), "\(firstRun.0)")
        #expect(firstRun.1 == Array(repeating: 41, count: 8))   // 40 todos seen by every connection
        try start()
        let afterRestart = try await withServer([:], threads: 4, root: root) { port, _ in
            try (0..<4).map { _ in try KeepAliveClient(port: port).request("GET", "/api/todos")?.body.components(separatedBy: #""id":"#).count ?? 0 }
        }
        #expect(afterRestart == Array(repeating: 41, count: 4))
    }

    static func id(in body: String) -> String {
        guard let range = body.range(of: #""id":"#) else { return "?" }
        return String(body[range.upperBound...].prefix { $0.isNumber })
    }
}
