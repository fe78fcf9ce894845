import LuaRoutes
/// The text `luaroutes test` prints (docs/hurl-subset.md section 5): one frame per failure, in Hurl's shape,
/// then one line per file and the closing `N passed, N failed` (files, as Hurl counts them).
enum HurlReport {
    /// What happened to one file, with what the report needs to show it.
    struct FileResult: Sendable {
        enum Outcome: Sendable, Equatable {
            case run(HurlRunner.Outcome)
            /// Parse error or construct outside the subset: the file did not run.
            case notRun(HurlDiagnostic)
            /// Could not be read at all (missing, not UTF-8).
            case unreadable(String)
        }
        /// Relative to ROOT, as shown: `tests/users.hurl`.
        var path: String
        var sourceLines: [String]
        var outcome: Outcome
        /// Fetches that found no mock ("GET https://..."): each fails the file.
        var unmocked: [String] = []
        var duration: Duration = .zero

        var passed: Bool {
            if case .run(.passed) = outcome { return unmocked.isEmpty }
            return false
        }
    }

    static func render(_ results: [FileResult]) -> String {
        if results.isEmpty { return "no .hurl files found under tests/\n" }
        var out = ""
        for result in results {
            switch result.outcome {
            case .run(.passed): break
            case let .run(.failed(_, _, entryLine, diagnostics)):
                for diagnostic in diagnostics {
                    out += frame(diagnostic, path: result.path, lines: result.sourceLines, entryLine: entryLine) + "\n"
                }
            case .notRun(let diagnostic):
                out += frame(diagnostic, path: result.path, lines: result.sourceLines, entryLine: nil) + "\n"
            case .unreadable(let message):
                out += "error: \(message)\n\n"
            }
            for request in result.unmocked {
                out += "error: fetch without a mock\n  --> \(result.path)\n   |\n   | \(request)\n"
                out += "   |   add it to \(FetchMocks.folder)/*.lua, or run with --allow-network\n   |\n\n"
            }
        }
        for result in results { out += fileLine(result) + "\n" }
        let passed = results.filter(\.passed).count
        out += "\(passed) passed, \(results.count - passed) failed\n"
        return out
    }

    static func fileLine(_ result: FileResult) -> String {
        switch result.outcome {
        case .run(.passed) where !result.unmocked.isEmpty:
            return "\(result.path): FAILED (fetch without a mock: \(result.unmocked[0]))"
        case let .run(.passed(entries, skipped)):
            let noun = entries == 1 ? "entry" : "entries"
            return "\(result.path): OK (\(entries) \(noun)\(skipped > 0 ? ", \(skipped) skipped" : ""))"
        case let .run(.failed(entry, count, _, _)):
            return "\(result.path): FAILED at entry \(entry) of \(count)"
        case .notRun, .unreadable:
            return "\(result.path): FAILED (not run)"
        }
    }

    /// One frame, ending with the empty gutter line (`   |`) and a newline:
    /// ```
    /// error: Assert failure
    ///   --> tests/users.hurl:15:1
    ///    |
    ///    | GET {{host}}/api/users/{{id}}
    ///    | ...
    /// 15 | jsonpath "$.name" matches /^A[a-z]+$/
    ///    |   actual:   string <bob>
    ///    |   expected: matches regex <^A[a-z]+$>
    ///    |
    /// ```
    /// The entry's request line is shown first when the failure is on a later line.
    static func frame(_ diagnostic: HurlDiagnostic, path: String, lines: [String], entryLine: Int?) -> String {
        let line = diagnostic.location.line
        let width = max(2, String(line).count)
        let pad = String(repeating: " ", count: width)
        func source(_ n: Int) -> String { n >= 1 && n <= lines.count ? lines[n - 1] : "" }
        func gutter(_ text: String) -> String { text.isEmpty ? "\(pad) |\n" : "\(pad) | \(text)\n" }

        var out = "error: \(diagnostic.heading)\n"
        out += "\(pad)--> \(path):\(diagnostic.location)\n"
        out += gutter("")
        if let entryLine, entryLine < line {
            out += gutter(source(entryLine))
            if line > entryLine + 1 { out += gutter("...") }
        }
        let number = String(line)
        out += String(repeating: " ", count: width - number.count) + number + " | " + source(line) + "\n"
        if let caret = diagnostic.caret {
            let indent = String(repeating: " ", count: max(0, diagnostic.location.column - 1))
            out += gutter(indent + String(repeating: "^", count: caret.length) + " " + caret.message)
        }
        for detail in diagnostic.details {
            // A multi-line value (a text body) keeps the gutter on every line.
            for piece in detail.split(separator: "\n", omittingEmptySubsequences: false) {
                out += gutter("  " + piece)
            }
        }
        out += gutter("")
        return out
    }
}
