import Testing
@testable import LuaRoutes

/// The prelude lives in real `.lua` files (Runtime/Prelude/, Runtime/Fetch/fetch.lua), each its
/// own chunk: a traceback through it names the file and the line as they are in the repository.
@Suite struct PreludeTests {
    /// The 1-based line of the first line of `file` that contains `text`.
    static func line(of text: String, in file: [UInt8]) -> Int? {
        let lines = String(decoding: file, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        return lines.firstIndex { $0.contains(text) }.map { $0 + 1 }
    }

    @Test func aTracebackThroughResNamesTheRealFileAndLine() async throws {
        let line = try #require(Self.line(of: "local body = json.encode(value, opts or json_defaults)", in: PackageResources.res_lua))
        let files = ["pages/api/x.lua": "return function(req, res)\n  res.json({ f = print })\nend"]
        try await withProject(files, dev: true) { app in
            let response = await app.request("GET", "/api/x")
            #expect(response.status == 500)
            #expect(response.text.contains("prelude/res.lua:\(line): in function"), "\(response.text)")
            #expect(response.text.contains("\\tpages/api/x.lua:2: in "), "\(response.text)")
        }
    }

    @Test func everyFileIsLoadedInOrderAndTheLastReturnsTheEntryPoints() {
        #expect(Prelude.files.first?.chunkName == "@prelude/sandbox.lua", "the sandbox is built before anything else")
        #expect(Prelude.files.last?.chunkName == "@prelude/route.lua")
        #expect(Set(Prelude.files.map(\.chunkName)).count == Prelude.files.count)
    }
}
