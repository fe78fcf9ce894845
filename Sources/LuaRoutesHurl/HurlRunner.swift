import Foundation
import LuaRoutes

/// Runs one parsed file's entries in order against a ``Responder`` (docs/hurl-subset.md section 2 rule 3):
/// one session per file (variables and cookie jar start empty), and the first failing entry
/// ends the file.
struct HurlRunner {
    let file: HurlFile
    /// The folder of the `.hurl` file; `file,` bodies are read relative to it.
    let directory: URL
    let responder: any Responder
    var variables: HurlVariables
    var cookies = HurlCookieJar()
    /// `--verbose`: every exchange is written here, the file shown as `shownPath`.
    var transcript: HurlTranscript?
    var shownPath = ""

    init(file: HurlFile, directory: URL, responder: any Responder, commandLineVariables: [String: HurlValue]) {
        self.file = file
        self.directory = directory
        self.responder = responder
        self.variables = HurlVariables(commandLine: commandLineVariables)
    }

    enum Outcome: Sendable, Equatable {
        case passed(entries: Int, skipped: Int)
        /// `entry` counts from 1; `entryLine` is its request line, shown above each frame.
        case failed(entry: Int, of: Int, entryLine: Int, diagnostics: [HurlDiagnostic])
    }

    enum EntryResult: Equatable {
        case passed, skipped
        case failed([HurlDiagnostic])
    }

    mutating func run() async -> Outcome {
        var skipped = 0
        for (offset, entry) in file.entries.enumerated() {
            switch await runEntry(entry) {
            case .passed: continue
            case .skipped: skipped += 1
            case .failed(let diagnostics):
                return .failed(entry: offset + 1, of: file.entries.count, entryLine: entry.request.location.line,
                               diagnostics: diagnostics)
            }
        }
        return .passed(entries: file.entries.count, skipped: skipped)
    }

    mutating func runEntry(_ entry: HurlEntry) async -> EntryResult {
        let request: APIRequest
        do throws(HurlRunFailure) {
            // [Options] variables apply to this entry and are kept for the later ones.
            for option in entry.request.options.variables {
                variables.optionVariables[option.name] = try resolve(option.value)
            }
            if let skip = entry.request.options.skip {
                let value = try resolve(skip)
                guard case .bool(let shouldSkip) = value else {
                    throw HurlRunFailure.located("Invalid option", at: entry.request.location, length: entry.request.method.count,
                                                 "skip must be true or false, got \(value.display)")
                }
                if shouldSkip { return .skipped }
            }
            request = try buildRequest(entry.request)
        } catch {
            return .failed([error.diagnostic])
        }

        let clock = ContinuousClock()
        let start = clock.now
        let response = await responder.respond(to: request)
        let elapsed = clock.now - start
        let durationMS = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        transcript?.exchange(file: shownPath, line: entry.request.location.line, request: request, response: response,
                             milliseconds: durationMS)

        cookies.receive(response)
        guard let spec = entry.response else { return .passed }
        var context = ResponseContext(response: response, durationMS: durationMS)
        let diagnostics = check(spec, &context)
        if diagnostics.isEmpty { return .passed }
        if let handlerError = HurlRunner.handlerError(response, at: entry.request.location) {
            // The handler error frame shows the body's message and traceback already.
            let trimmed = diagnostics.map { $0.heading == "Status" ? HurlDiagnostic(heading: $0.heading, location: $0.location, caret: $0.caret) : $0 }
            return .failed([handlerError] + trimmed)
        }
        return .failed(diagnostics)
    }

    /// The typed value of a literal, `"{{x}}"` rendered as a string, `{{x}}` as the variable's value.
    func resolve(_ value: HurlPredicateValue) throws(HurlRunFailure) -> HurlValue {
        switch value {
        case .string(let template): return .string(try template.render(variables))
        case .integer(let i): return .integer(i)
        case .float(let f): return .float(f)
        case .bool(let b): return .bool(b)
        case .null: return .null
        case .regex(let r): return .regex(r)
        case .variable(let ref): return try variables.value(of: ref)
        }
    }

    // MARK: - Building the request

    func buildRequest(_ spec: HurlRequest) throws(HurlRunFailure) -> APIRequest {
        let url = try spec.url.render(variables)
        guard let (host, path) = HurlRunner.splitURL(url) else {
            throw .located("Invalid URL", at: spec.urlLocation, length: max(1, url.count),
                           "expected http://host/path, https://host/path or /path, got <\(url)>")
        }
        var target = path
        if !spec.query.isEmpty {
            let pairs = try spec.query.map { item throws(HurlRunFailure) in
                HurlRunner.percentEncode(try item.name.render(variables)) + "="
                    + HurlRunner.percentEncode(try item.value.render(variables))
            }
            target += (target.contains("?") ? "&" : "?") + pairs.joined(separator: "&")
        }
        var headers: [(name: String, value: String)] = []
        for header in spec.headers {
            headers.append((try header.name.render(variables), try header.value.render(variables)))
        }
        if !headers.contains(where: { $0.name.caseInsensitiveEquals("Host") }) {
            headers.insert(("Host", host), at: 0)
        }
        let extraCookies = try spec.cookies.map { item throws(HurlRunFailure) in
            (name: try item.name.render(variables), value: try item.value.render(variables))
        }
        if let cookieHeader = cookies.cookieHeader(adding: extraCookies) {
            headers.append(("Cookie", cookieHeader))
        }
        func setContentType(_ value: String) {
            if !headers.contains(where: { $0.name.caseInsensitiveEquals("Content-Type") }) {
                headers.append(("Content-Type", value))
            }
        }
        var body: [UInt8] = []
        if let spec = spec.body {
            switch spec.kind {
            case .json(let template):
                body = Array(try template.renderJSON(variables).utf8)
                setContentType("application/json")
            case .text(let template):
                body = Array(try template.render(variables).utf8)
            case .file(let path):
                body = try readBodyFile(path, at: spec.location)
            }
        } else if !spec.form.isEmpty {
            let pairs = try spec.form.map { item throws(HurlRunFailure) in
                HurlRunner.percentEncode(try item.name.render(variables)) + "="
                    + HurlRunner.percentEncode(try item.value.render(variables))
            }
            body = Array(pairs.joined(separator: "&").utf8)
            setContentType("application/x-www-form-urlencoded")
        } else if !spec.multipart.isEmpty {
            let multipart = try multipartBody(spec.multipart)
            body = multipart.body
            setContentType(multipart.contentType)
        }
        return APIRequest(method: spec.method, target: target, headers: headers, body: body, remoteAddress: "local")
    }

    func readBodyFile(_ path: String, at location: SourceLocation) throws(HurlRunFailure) -> [UInt8] {
        let url = directory.appendingPathComponent(path)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw .located("File error", at: location, length: 5 + path.count, "cannot read file <\(path)>")
        }
        return Array(data)
    }

    /// `http(s)://authority/path?q` → (Host, target); a bare `/path` goes to `localhost`.
    static func splitURL(_ url: String) -> (host: String, target: String)? {
        if url.hasPrefix("/") { return ("localhost", url) }
        for scheme in ["http://", "https://"] where url.lowercased().hasPrefix(scheme) {
            let rest = url.dropFirst(scheme.count)
            let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
            let host = String(rest[..<end])
            var target = String(rest[end...])
            if let hash = target.firstIndex(of: "#") { target = String(target[..<hash]) }
            if !target.hasPrefix("/") { target = "/" + target }
            return host.isEmpty ? nil : (host, target)
        }
        return nil
    }

    /// RFC 3986 unreserved characters stay; everything else becomes %XX of its UTF-8 bytes.
    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// A dev-mode 500 (docs/reference.md section 5) carries the Lua error; show it above the failed asserts.
    static func handlerError(_ response: APIResponse, at location: SourceLocation) -> HurlDiagnostic? {
        guard response.status >= 500, case .object(let members)? = try? JSONParser.parse(response.body) else {
            return nil
        }
        func field(_ name: String) -> JSONValue? { members.first { $0.0 == name }?.1 }
        var details = ["status:    \(response.status)"]
        if case .string(let message)? = field("message") { details.append("message:   \(message)") }
        var traceback: [String] = []
        switch field("traceback") {
        case .string(let text)?: traceback = text.split(separator: "\n").map(String.init)
        case .array(let items)?: traceback = items.compactMap { if case .string(let s) = $0 { s } else { nil } }
        default: break
        }
        let first = traceback.map { $0.trimmingCharacters(in: .whitespaces) }
            .first { !$0.isEmpty && $0 != "stack traceback:" && !$0.hasPrefix("[C]") }
        if let first { details.append("traceback: \(first)") }
        guard details.count > 1 else { return nil }
        return HurlDiagnostic(heading: "Handler error", location: location, details: details)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
