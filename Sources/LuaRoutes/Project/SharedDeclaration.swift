/// `shared = { cache = "10mb" }`: one dictionary per name, with its capacity in bytes.
public struct SharedDeclaration: Sendable, Equatable {
    public let name: String
    public let capacity: Int

    static func parse(_ value: LuaValue) throws(ConfigError) -> [SharedDeclaration] {
        guard case .table(let pairs) = value else {
            throw ConfigError("shared: expected a table of name = size, like { cache = \"10mb\" }, got \(value.typeName)")
        }
        var declared: [SharedDeclaration] = []
        for (key, size) in pairs {
            guard case .string(let name) = key, SharedDeclaration.isName(name) else {
                throw ConfigError("shared: each key must be a name like cache or rate_limits, got \(key.display)")
            }
            let capacity = try ByteSize.parse(size, key: "shared.\(name)")
            guard capacity >= 8 << 10 else {
                throw ConfigError("shared.\(name): \(ByteSize.format(capacity)) is too small (at least \"8kb\")")
            }
            declared.append(SharedDeclaration(name: name, capacity: capacity))
        }
        return declared.sorted { $0.name < $1.name }
    }

    /// A Lua identifier, so `shared.NAME` can be written.
    static func isName(_ text: String) -> Bool {
        guard let first = text.utf8.first, !(first >= 48 && first <= 57) else { return false }
        return text.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
    }
}
