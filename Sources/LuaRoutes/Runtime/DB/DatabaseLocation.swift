import Foundation

/// Which database a project uses (docs/data.md ("Configuration")): `LUAROUTES_DB_URL` (what
/// `luaroutes test` sets for its temporary database), else `db.url`, else `DATABASE_URL`, else
/// the SQLite file `ROOT/.luaroutes/data.db`.
public enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(url: String)

    public static let defaultURL = "sqlite:.luaroutes/data.db"
    /// The environment variable that wins over the config file (tests, `--db`).
    public static let overrideVariable = "LUAROUTES_DB_URL"

    static func resolve(root: String, config: DatabaseConfig, environment: [String: String]) throws(ConfigError) -> DatabaseLocation {
        let url = environment[overrideVariable] ?? config.url ?? environment["DATABASE_URL"] ?? defaultURL
        if url.hasPrefix("sqlite:") {
            var path = String(url.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }   // sqlite:///abs/path
            guard !path.isEmpty else { throw ConfigError("db.url: \"\(url)\" names no file (use \"sqlite:.luaroutes/data.db\")") }
            return .sqlite(path: path.hasPrefix("/") ? path : root + "/" + path)
        }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            return .postgres(url: url)
        }
        throw ConfigError("db.url: \"\(DatabaseLocation.redacted(url))\" is not a database URL (use \"sqlite:PATH\" or \"postgres://user@host:5432/name\")")
    }

    /// The URL without its password, for logs and messages.
    static func redacted(_ url: String) -> String {
        guard let at = url.firstIndex(of: "@"), let scheme = url.range(of: "://"), scheme.upperBound < at,
              let colon = url[scheme.upperBound..<at].firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }

    /// How the start-up log names it.
    var display: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let url): return DatabaseLocation.redacted(url)
        }
    }

    var engine: String {
        switch self {
        case .sqlite: return "sqlite"
        case .postgres: return "postgres"
        }
    }
}
