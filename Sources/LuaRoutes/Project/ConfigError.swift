/// A problem in `luaroutes.config.lua` or a route's `config` table. `description` is the line
/// printed, and it names the key to fix.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
