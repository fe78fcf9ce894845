import CLuaGlue

/// A Lua value copied out of a state: what the host reads from route `config` tables and from
/// `luaroutes.config.lua`. Functions, userdata and threads become `.opaque`, named by type.
public indirect enum LuaValue: Equatable, Sendable {
    case `nil`
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case table([(key: LuaValue, value: LuaValue)])
    case opaque(String)

    public static func == (a: LuaValue, b: LuaValue) -> Bool {
        switch (a, b) {
        case (.nil, .nil): return true
        case let (.boolean(x), .boolean(y)): return x == y
        case let (.integer(x), .integer(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.opaque(x), .opaque(y)): return x == y
        case let (.table(x), .table(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// The value of a string key, for tables.
    public subscript(key: String) -> LuaValue? {
        guard case .table(let pairs) = self else { return nil }
        return pairs.first { $0.key == .string(key) }?.value
    }

    /// Array items 1...n of a table, in order.
    public var arrayItems: [LuaValue]? {
        guard case .table(let pairs) = self else { return nil }
        var items: [LuaValue] = []
        var i: Int64 = 1
        while let next = pairs.first(where: { $0.key == .integer(i) }) {
            items.append(next.value)
            i += 1
        }
        return items.count == pairs.count ? items : nil
    }

    public var typeName: String {
        switch self {
        case .nil: return "nil"
        case .boolean: return "boolean"
        case .integer, .number: return "number"
        case .string: return "string"
        case .table: return "table"
        case .opaque(let name): return name
        }
    }

    /// Copies the value at `index` of `L`. Uses only calls that cannot raise (lua_next,
    /// lua_tolstring on strings only), so it is safe from Swift. Tables deeper than `depth`
    /// (or cyclic) read as `.opaque("table")`.
    static func read(_ L: OpaquePointer, at index: Int32, depth: Int = 16) -> LuaValue {
        let index = lua_absindex(L, index)
        switch lua_type(L, index) {
        case LUA_TNIL, LUA_TNONE: return .nil
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            var isInteger: Int32 = 0
            let integer = lua_tointegerx(L, index, &isInteger)
            if lua_isinteger(L, index) != 0, isInteger != 0 { return .integer(Int64(integer)) }
            return .number(lua_tonumberx(L, index, nil))
        case LUA_TSTRING:
            var length = 0
            let chars = lua_tolstring(L, index, &length)!
            return .string(chars.withMemoryRebound(to: UInt8.self, capacity: length) {
                String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
            })
        case LUA_TTABLE:
            guard depth > 0, lua_checkstack(L, 3) != 0 else { return .opaque("table") }
            var pairs: [(key: LuaValue, value: LuaValue)] = []
            lua_pushnil(L)                                  // stack: ... nil
            while lua_next(L, index) != 0 {                 // stack: ... key value
                pairs.append((read(L, at: -2, depth: depth - 1), read(L, at: -1, depth: depth - 1)))
                lr_pop(L, 1)                                // stack: ... key
            }
            return .table(pairs)
        case LUA_TFUNCTION: return .opaque("function")
        case LUA_TUSERDATA, LUA_TLIGHTUSERDATA: return .opaque("userdata")
        default: return .opaque("thread")
        }
    }
}
