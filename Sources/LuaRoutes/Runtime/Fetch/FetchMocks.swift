import Foundation
import Logging
import NIOConcurrencyHelpers

/// Canned answers for outbound URLs while `luaroutes test` runs (docs/testing.md, "Fetch mocks"):
/// ROOT/tests/mocks/*.lua each return a table keyed `"METHOD URL"` (or `"URL"` for any method).
/// A fetch with no mock fails at once with a message naming it, and the test file fails,
/// unless the network is allowed (`--allow-network`).
public final class FetchMocks: Sendable {
    struct Answer: Sendable {
        let status: Int
        let headers: [(name: String, value: String)]
        let body: [UInt8]
    }

    public static let folder = "tests/mocks"
    private let answers: [String: Answer]
    public let allowNetwork: Bool
    private let unmocked = NIOLockedValueBox<[String]>([])

    init(answers: [String: Answer], allowNetwork: Bool) {
        self.answers = answers
        self.allowNetwork = allowNetwork
    }

    /// The mocks under `project`'s ROOT/tests/mocks (none is fine: every fetch is then unmocked).
    /// Each file runs in a sandbox with the project's `env`, so keys can be built from it.
    public static func load(project: Project, allowNetwork: Bool, logger: Logger) throws(Project.LoadError) -> FetchMocks {
        let folder = project.root + "/" + Self.folder
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".lua") }.sorted()
        var answers: [String: Answer] = [:]
        for name in names {
            let shown = Self.folder + "/" + name
            guard let source = try? String(contentsOfFile: folder + "/" + name, encoding: .utf8) else {
                throw Project.LoadError(description: "error: \(shown): cannot be read as UTF-8 text")
            }
            let value: LuaValue
            do {
                let sandbox = try Sandbox(limits: SandboxLimits(), environment: project.environment, modules: [:],
                                          callbacks: SandboxCallbacks(logger: logger))
                switch sandbox.runChunk(source, chunkName: "@" + shown) {
                case .success(let result): value = result
                case .failure(let failure): throw Project.LoadError(description: "error: \(failure.message)")
                }
            } catch let error as Project.LoadError {
                throw error
            } catch {
                throw Project.LoadError(description: "error: \(shown): \(error)")
            }
            guard case .table(let pairs) = value else {
                throw Project.LoadError(description: "error: \(shown): must return a table of \"METHOD URL\" = { status, headers, body | json }, got \(value.typeName)")
            }
            for (key, item) in pairs {
                guard case .string(let text) = key else {
                    throw Project.LoadError(description: "error: \(shown): keys are texts like \"GET https://api.example.com/x\", got \(key.display)")
                }
                do throws(ConfigError) {
                    answers[normalizedKey(text)] = try answer(item)
                } catch {
                    throw Project.LoadError(description: "error: \(shown): [\"\(text)\"] \(error.description)")
                }
            }
        }
        return FetchMocks(answers: answers, allowNetwork: allowNetwork)
    }

    /// "get  URL" -> "GET URL"; a bare URL stays as it is (any method).
    static func normalizedKey(_ key: String) -> String {
        let parts = key.split(separator: " ", omittingEmptySubsequences: true)
        if parts.count == 2 { return parts[0].uppercased() + " " + parts[1] }
        return key.trimmingCharacters(in: .whitespaces)
    }

    static func answer(_ item: LuaValue) throws(ConfigError) -> Answer {
        guard case .table = item else { throw ConfigError("expected a table { status = 200, json = {...} }, got \(item.typeName)") }
        var status = 200
        if let value = item["status"] {
            guard case .integer(let code) = value, (100...599).contains(code) else { throw ConfigError("status: expected 100-599") }
            status = Int(code)
        }
        var headers: [(name: String, value: String)] = []
        if let value = item["headers"] {
            guard case .table(let pairs) = value else { throw ConfigError("headers: expected a table of name = value") }
            for (name, text) in pairs {
                guard case .string(let name) = name else { throw ConfigError("headers: names are texts") }
                switch text {
                case .string(let v): headers.append((name.lowercased(), v))
                case .integer(let v): headers.append((name.lowercased(), String(v)))
                default: throw ConfigError("headers.\(name): expected a text")
                }
            }
        }
        var body: [UInt8] = []
        switch (item["body"], item["json"]) {
        case (.some, .some): throw ConfigError("give body or json, not both")
        case (.some(.string(let text)), nil): body = Array(text.utf8)
        case (.some(let other), nil): throw ConfigError("body: expected a text, got \(other.typeName)")
        case (nil, .some(let value)):
            body = Array(try JSONOfLuaValue.encode(value).utf8)
            if !headers.contains(where: { $0.name == "content-type" }) { headers.append(("content-type", "application/json")) }
        case (nil, nil): break
        }
        return Answer(status: status, headers: headers, body: body)
    }

    /// The canned answer for this request, if one is declared.
    func answer(method: String, url: String) -> Answer? {
        answers[method.uppercased() + " " + url] ?? answers[url]
    }

    func recordUnmocked(method: String, url: String) {
        unmocked.withLockedValue { $0.append(method.uppercased() + " " + url) }
    }

    /// The requests that found no mock since the last call, oldest first; clears the list.
    public func takeUnmocked() -> [String] {
        unmocked.withLockedValue { list in
            defer { list.removeAll() }
            return list
        }
    }

    /// The message a handler's fetch gets for an unmocked request.
    static func refusal(method: String, url: String) -> String {
        "fetch: no mock for \(method.uppercased()) \(FetchClient.shown(url)) (add it to \(folder)/*.lua, or run with --allow-network)"
    }
}
