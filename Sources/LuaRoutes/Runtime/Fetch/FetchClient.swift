import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// `fetch` on AsyncHTTPClient, sharing the server's event loops: each response is delivered on
/// the loop of the request that asked, so the handler resumes where its Lua state lives.
/// Redirects are followed here (up to 10) so each hop is checked against `fetch.allow`.
final class FetchClient: Sendable {
    static let maxRedirects = 10
    private let group: any EventLoopGroup
    private let client = NIOLockedValueBox<HTTPClient?>(nil)
    /// `luaroutes test`'s canned answers; nil everywhere else.
    private let mocks: FetchMocks?

    init(group: any EventLoopGroup, mocks: FetchMocks? = nil) {
        self.group = group
        self.mocks = mocks
    }

    /// Created on first use: projects that never fetch pay nothing.
    private var http: HTTPClient {
        client.withLockedValue { client in
            if let client { return client }
            var pool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 1024)
            pool.retryConnectionEstablishment = false   // a refused connection answers at once, not at the timeout
            var configuration = HTTPClient.Configuration(
                redirectConfiguration: .disallow,
                timeout: .init(connect: .seconds(10)),
                connectionPool: pool)
            configuration.httpVersion = .http1Only
            let created = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: configuration)
            client = created
            return created
        }
    }

    func shutdown() async {
        guard let client = client.withLockedValue({ $0 }) else { return }
        try? await client.shutdown()
    }

    /// Why `url` may not be fetched under `settings`, or nil when it may.
    static func refusal(url: String, settings: FetchSettings) -> String? {
        if case .refused(let reason) = check(url: url, settings: settings) { return reason }
        return nil
    }

    /// `url` parsed and checked (FetchURL's rules, then `fetch.allow`), or why it may not be
    /// fetched. Every hop of a redirect goes through here before the client sees it.
    static func check(url: String, settings: FetchSettings) -> URLCheck {
        switch FetchURL.parse(url) {
        case .failure(.scheme):
            return .refused("fetch: only http and https URLs are allowed (got \"\(shown(url))\")")
        case .failure(.invalid(let reason)):
            return .refused("fetch: invalid URL \"\(shown(url))\": \(reason)")
        case .success(let parsed):
            guard settings.allows(host: parsed.host, port: parsed.effectivePort) else { return .refused("fetch: \(parsed.host) is not in fetch.allow") }
            return .allowed(parsed)
        }
    }

    enum URLCheck {
        case allowed(FetchURL)
        case refused(String)
    }

    /// The start of a URL for a message: 100 characters at most, control bytes escaped.
    static func shown(_ url: String) -> String {
        var text = ""
        for scalar in url.unicodeScalars.prefix(100) {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                text += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        return url.unicodeScalars.count > 100 ? text + "..." : text
    }

    /// Starts `spec`; `completion` runs on `loop`, always later (never inside this call: the
    /// caller is in the middle of a Lua resume).
    func start(_ spec: FetchSpec, on loop: any EventLoop, completion: @escaping (FetchOutcome) -> Void) {
        let bound = NIOLoopBound(completion, eventLoop: loop)
        let deadline = NIODeadline.now() + .nanoseconds(Self.nanoseconds(spec.timeout))
        loop.execute {
            self.execute(spec, url: spec.url, redirectsLeft: Self.maxRedirects, deadline: deadline, loop: loop) { outcome in
                loop.execute { bound.value(outcome) }
            }
        }
    }

    private func execute(_ spec: FetchSpec, url: String, redirectsLeft: Int, deadline: NIODeadline, loop: any EventLoop,
                         completion: @escaping @Sendable (FetchOutcome) -> Void) {
        let target: FetchURL
        switch Self.check(url: url, settings: spec.settings) {
        case .refused(let reason): return completion(.failure(reason))
        case .allowed(let checked): target = checked
        }
        if let mocks {
            if let answer = mocks.answer(method: spec.method, url: url) ?? mocks.answer(method: spec.method, url: target.text) {
                return completion(.response(status: answer.status, headers: answer.headers, body: answer.body))
            }
            if !mocks.allowNetwork {
                mocks.recordUnmocked(method: spec.method, url: url)
                return completion(.failure(FetchMocks.refusal(method: spec.method, url: url)))
            }
        }
        guard let parsed = URL(string: target.text) else { return completion(.failure("fetch: invalid URL \"\(Self.shown(url))\"")) }
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(url: target.text, method: HTTPMethod(rawValue: spec.method),
                                             headers: HTTPHeaders(spec.headers), body: spec.body.map { .bytes($0) })
        } catch {
            return completion(.failure("fetch: invalid request (\(error))"))
        }
        let timeout = spec.timeout
        let accumulator = ResponseAccumulator(request: request, maxBodySize: spec.settings.maxBody)
        http.execute(request: request, delegate: accumulator, eventLoop: .delegate(on: loop), deadline: deadline)
            .futureResult.whenComplete { result in
                switch result {
                case .success(let response):
                    let status = Int(response.status.code)
                    if [301, 302, 303, 307, 308].contains(status), let location = response.headers.first(name: "location") {
                        guard redirectsLeft > 0 else {
                            return completion(.failure("fetch: too many redirects (more than \(Self.maxRedirects))"))
                        }
                        guard let next = URL(string: location, relativeTo: parsed)?.absoluteString else {
                            return completion(.failure("fetch: invalid redirect location \"\(location.prefix(100))\""))
                        }
                        var followed = spec
                        if status == 303 || ((status == 301 || status == 302) && spec.method == "POST") {
                            followed.method = "GET"   // as browsers' fetch does
                            followed.body = nil
                            followed.headers.removeAll { $0.name.lowercased() == "content-type" }
                        }
                        return self.execute(followed, url: next, redirectsLeft: redirectsLeft - 1, deadline: deadline,
                                            loop: loop, completion: completion)
                    }
                    var body = response.body ?? ByteBuffer()
                    let bytes = body.readBytes(length: body.readableBytes) ?? []
                    completion(.response(status: status, headers: HeaderFields.joined(response.headers.map { (name: $0.name, value: $0.value) }), body: bytes))
                case .failure(let error):
                    completion(.failure(Self.describe(error, timeout: timeout, maxBody: spec.settings.maxBody)))
                }
            }
    }

    static func describe(_ error: any Error, timeout: Duration, maxBody: Int) -> String {
        if error is ResponseAccumulator.ResponseTooBigError { return "response over \(ByteSize.format(maxBody))" }
        if let client = error as? HTTPClientError,
           [.deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout].contains(client) {
            return "timed out after \(DurationText.format(timeout))"
        }
        let text = String(describing: error)
        if text.localizedCaseInsensitiveContains("refused") { return "connection refused" }
        if text.localizedCaseInsensitiveContains("timeout") || text.localizedCaseInsensitiveContains("timed out") {
            return "timed out after \(DurationText.format(timeout))"
        }
        return "fetch failed: \(text)"
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
