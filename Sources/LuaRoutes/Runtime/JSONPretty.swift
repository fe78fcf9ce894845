import CLuaGlue

/// Indents a JSON document with the project's own codec (so 64-bit integers and the
/// array/object kinds survive), for `luaroutes request` on a terminal. Keys come out sorted:
/// a decoded object has no order left to keep.
public enum JSONPretty {
    public static func format(_ bytes: [UInt8], indent: Int = 2) -> String? {
        guard let state = LuaState(memoryCap: 0) else { return nil }
        let L = state.L
        guard lr_call_protected(L, lr_json_open, 0, 1) == LUA_OK else { return nil }   // stack: json
        let status = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { lr_json_decode_protected(L, $0.baseAddress, $0.count) }
        }
        guard status == LUA_OK else { return nil }                                       // stack: json value
        guard lr_json_encode_protected(L, -1, Int32(indent), 1) == LUA_OK else { return nil }
        return state.string(at: -1)
    }
}
