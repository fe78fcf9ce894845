/// `db = { url, pool, timeout, migrations, maxResult }`.
public struct DatabaseConfig: Sendable, Equatable {
    /// nil: env DATABASE_URL, else "sqlite:.luaroutes/data.db" (relative to ROOT).
    public var url: String? = nil
    public var pool = 10
    /// One query's limit (SQLite: the progress handler; PostgreSQL: statement_timeout); also
    /// how long a SQLite lock is waited for before 55P03.
    public var timeout: Duration = .seconds(5)
    /// Folder of NNN_name.sql files relative to ROOT; nil: migrations off.
    public var migrations: String? = "migrations"
    public var maxResult = 10 << 20

    public init() {}

    static func parse(_ value: LuaValue) throws(ConfigError) -> DatabaseConfig {
        guard case .table(let pairs) = value else { throw ConfigError("db: expected a table, got \(value.typeName)") }
        var config = DatabaseConfig()
        for (key, item) in pairs {
            switch key {
            case .string("url"):
                guard case .string(let url) = item, !url.isEmpty else {
                    throw ConfigError("db.url: expected a text like \"sqlite:.luaroutes/data.db\" or \"postgres://user@host/name\", got \(item.typeName)")
                }
                config.url = url
            case .string("pool"):
                guard case .integer(let n) = item, n >= 1, n <= 1000 else { throw ConfigError("db.pool: expected a number of connections from 1 to 1000") }
                config.pool = Int(n)
            case .string("timeout"): config.timeout = try DurationText.parse(item, key: "db.timeout")
            case .string("migrations"):
                switch item {
                case .boolean(false): config.migrations = nil
                case .string(let folder) where !folder.isEmpty && !folder.hasPrefix("/") && !folder.split(separator: "/").contains(".."):
                    config.migrations = folder
                default: throw ConfigError("db.migrations: expected a folder inside ROOT like \"migrations\", or false")
                }
            case .string("maxResult"): config.maxResult = try ByteSize.parse(item, key: "db.maxResult")
            default: throw ConfigError("db: unknown key \(key.display) (known: url, pool, timeout, migrations, maxResult)")
            }
        }
        return config
    }
}
