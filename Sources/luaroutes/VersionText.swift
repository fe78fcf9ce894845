import CLuaGlue

/// `luaroutes --version`: this program's version, then the Lua and SQLite it runs with.
enum VersionText {
    /// Raised with each release (and in docs/reference.md).
    static let version = "0.1.0"

    static var line: String {
        "luaroutes \(version) (\(String(cString: lr_lua_release())), SQLite \(String(cString: lr_sqlite_version())))"
    }
}
