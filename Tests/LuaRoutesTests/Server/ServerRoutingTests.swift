import Testing
@testable import LuaRoutes

/// docs/reference.md section 2's table over a real socket: the same rows as DispatcherRoutingTests,
/// answered by `serve`'s HTTP path.
@Suite struct ServerRoutingTests {
    static let rows = DispatcherRoutingTests.contractRows

    @Test func everyRowOfTheContractTable() async throws {
        let files = DispatcherRoutingTests.files(Array(Set(Self.rows.map(\.file))))
        let answers = try await withServer(files) { port in
            try Self.rows.map { row in try rawHTTP(port: port, "GET \(row.path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") }
        }
        for (row, answer) in zip(Self.rows, answers) {
            #expect(answer.hasPrefix("HTTP/1.1 200 OK"), "\(row.path)")
            let body = answer.components(separatedBy: "\r\n\r\n").last ?? ""
            let expected = "{\"file\":\"\(row.file)\",\"params\":\(row.params),\"query\":\(row.params)}"
            #expect(JSONPretty.format(Array(body.utf8)) == JSONPretty.format(Array(expected.utf8)), "\(row.path): \(body)")
        }
    }
}
