import Foundation
import NIOCore
import PostgresNIO

/// A `postgres://user:pass@host:port/name?sslmode=disable` URL (docs/data.md ("PostgreSQL")),
/// as PostgresNIO's connection configuration. Only plain TCP is supported: `sslmode` may be
/// absent, `disable`, `allow` or `prefer` (which all connect without TLS here).
struct PostgresAddress: Sendable, Equatable {
    let host: String
    let port: Int
    let user: String
    let password: String?
    let database: String?

    struct Invalid: Error, CustomStringConvertible { let description: String }

    init(url: String) throws(Invalid) {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
              scheme == "postgres" || scheme == "postgresql" else {
            throw Invalid(description: "db.url: \"\(DatabaseLocation.redacted(url))\" is not a postgres:// URL")
        }
        host = components.host.map { $0.isEmpty ? "127.0.0.1" : $0 } ?? "127.0.0.1"
        port = components.port ?? 5432
        user = components.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        password = components.password.flatMap { $0.removingPercentEncoding }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? nil : path.removingPercentEncoding
        for item in components.queryItems ?? [] {
            switch (item.name, item.value ?? "") {
            case ("sslmode", "disable"), ("sslmode", "allow"), ("sslmode", "prefer"): continue
            case ("sslmode", let mode):
                throw Invalid(description: "db.url: sslmode=\(mode) is not supported (TLS to PostgreSQL is not built in; use sslmode=disable on a private network)")
            default:
                throw Invalid(description: "db.url: unknown parameter \"\(item.name)\" (supported: sslmode)")
            }
        }
    }

    /// `host:port/name` for messages (never the password).
    var display: String { "\(host):\(port)/\(database ?? user)" }

    /// The configuration for one connection; statement_timeout is db.timeout.
    func configuration(timeout: Duration, applicationName: String = "luaroutes") -> PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(host: host, port: port, username: user, password: password,
                                                             database: database, tls: .disable)
        configuration.options.connectTimeout = .seconds(5)
        let milliseconds = max(0, timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        configuration.options.additionalStartupParameters = [
            ("statement_timeout", "\(milliseconds)"),
            ("application_name", applicationName),
        ]
        return configuration
    }
}
