import AsyncHTTPClient
import Foundation
import LuaRoutes
import NIOCore
import NIOHTTP1

/// `luaroutes test --variable host=http://HOST:PORT`: the same files sent over HTTP to a running
/// server (`luaroutes serve`, or anything else) instead of in-process. Redirects are not
/// followed, as Hurl does by default. A server that cannot be reached answers 502 with a body
/// saying so, which the report shows under the status mismatch.
public final class LiveServer: Responder {
    let base: String
    private let client: HTTPClient

    /// nil unless `base` is an http:// or https:// URL.
    public init?(base: String) {
        let lower = base.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return nil }
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10)))
        configuration.httpVersion = .http1Only
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func respond(to request: APIRequest) async -> APIResponse {
        var outbound = HTTPClientRequest(url: base + request.target)
        outbound.method = HTTPMethod(rawValue: request.method)
        // The runner's Host is the template's authority, which is this server.
        outbound.headers = HTTPHeaders(request.headers.filter { !$0.name.caseInsensitiveEquals("host") })
        if !request.body.isEmpty { outbound.body = .bytes(ByteBuffer(bytes: request.body)) }
        do {
            let response = try await client.execute(outbound, timeout: .seconds(60))
            var body = try await response.body.collect(upTo: 64 << 20)
            return APIResponse(status: Int(response.status.code),
                               headers: response.headers.map { (name: $0.name, value: $0.value) },
                               body: body.readBytes(length: body.readableBytes) ?? [])
        } catch {
            return APIResponse(status: 502, headers: [("content-type", "text/plain")],
                               body: Array("luaroutes test: no answer from \(base): \(error)".utf8))
        }
    }

    public func shutdown() async {
        try? await client.shutdown()
    }
}
