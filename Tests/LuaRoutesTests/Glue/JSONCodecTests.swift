import CLua
import CLuaGlue
import Testing

/// The json codec (docs/reference.md section 6, Sources/CLuaGlue/lr_json_*.c). Each test is a table of Lua
/// snippets; a snippet passes when it runs without error in a fresh state with `json` loaded.
@Suite struct JSONCodecTests {
    /// Helpers every snippet can use: eq(got, want) and err(f, ...) -> the error message.
    static let prelude = """
        local function eq(got, want)
          if got ~= want or math.type(got) ~= math.type(want) then
            error(string.format("got %q (%s), want %q (%s)", tostring(got), math.type(got) or type(got),
              tostring(want), math.type(want) or type(want)), 2)
          end
        end
        local function err(f, ...)
          local ok, msg = pcall(f, ...)
          if ok then error("expected an error", 2) end
          return (msg:gsub("^snippet:%d+: ", ""))  -- called from Lua code, errors carry its position
        end
        local function rt(v) return json.decode(json.encode(v)) end

        """

    /// Runs prelude + chunk; returns nil on success, else the error message.
    static func run(_ chunk: String) -> String? {
        guard let L = luaL_newstate() else { return "no state" }
        defer { lua_close(L) }
        luaL_openlibs(L)
        lua_pushcclosure(L, lr_json_open, 0)
        guard lua_pcallk(L, 0, 1, 0, 0, nil) == LUA_OK else { return "lr_json_open failed" }
        lua_setglobal(L, "json")
        let text = prelude + chunk
        if luaL_loadbufferx(L, text, text.utf8.count, "=snippet", "t") != LUA_OK
            || lua_pcallk(L, 0, 0, 0, 0, nil) != LUA_OK
        {
            return lua_tolstring(L, -1, nil).map { String(cString: $0) } ?? "non-string error"
        }
        return nil
    }

    static func check(_ snippets: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        for snippet in snippets {
            let failure = run(snippet)
            #expect(failure == nil, "\(snippet)\n  -> \(failure ?? "")", sourceLocation: sourceLocation)
        }
    }

    @Test func scalarsRoundTrip() {
        Self.check([
            #"eq(json.encode(3), "3") eq(json.decode("3"), 3)"#,
            #"eq(json.encode(-17), "-17") eq(json.decode("-17"), -17)"#,
            #"eq(json.encode(true), "true") eq(json.encode(false), "false")"#,
            #"eq(json.encode(nil), "null") eq(json.encode(json.null), "null")"#,
            #"eq(json.decode("null"), json.null) eq(json.decode("true"), true)"#,
            #"eq(json.encode("hi"), '"hi"') eq(json.decode('"hi"'), "hi")"#,
            #"local t = json.decode("[1,null,3]") eq(#t, 3) eq(t[2], json.null)"#,
            #"eq(json.encode(json.decode('{"a":null}')), '{"a":null}')"#,
            #"eq(json.encode({1, 2.5, "x", true}), '[1,2.5,"x",true]')"#,
            #"local t = json.decode("  [ 1 , 2 ]\n\t") eq(#t, 2) eq(t[2], 2)"#,
        ])
    }

    @Test func integersStayIntegers() {
        Self.check([
            #"eq(json.encode(9007199254740993), "9007199254740993")"#,
            #"eq(json.decode("9007199254740993"), 9007199254740993)"#,
            #"eq(json.encode(math.maxinteger), "9223372036854775807") eq(rt(math.maxinteger), math.maxinteger)"#,
            #"eq(json.encode(math.mininteger), "-9223372036854775808") eq(rt(math.mininteger), math.mininteger)"#,
            // 2^63 does not fit int64: a float
            #"eq(json.decode("9223372036854775808"), 2.0^63)"#,
            #"eq(json.decode("-9223372036854775809"), -2.0^63)"#,
            #"eq(json.encode(2^63), "9.223372036854776e+18") eq(rt(2^63), 2^63)"#,
            // "-0" is integer 0; "-0.0" is the float -0.0
            #"eq(json.decode("-0"), 0)"#,
            #"local z = json.decode("-0.0") eq(math.type(z), "float") eq(1/z, -math.huge)"#,
            #"eq(json.decode("1e2"), 100.0) eq(json.decode("1.0"), 1.0) eq(json.decode("1E+2"), 100.0)"#,
        ])
    }

    @Test func floatsShortestAndKeepTheirKind() {
        Self.check([
            #"eq(json.encode(0.1), "0.1") eq(rt(0.1), 0.1)"#,
            #"eq(json.encode(1.0), "1.0") eq(rt(1.0), 1.0)"#,
            #"eq(json.encode(-0.0), "-0.0") eq(1/rt(-0.0), -math.huge)"#,
            #"eq(json.encode(1e308), "1e+308") eq(rt(1e308), 1e308)"#,
            #"eq(json.encode(5e-324), "5e-324") eq(rt(5e-324), 5e-324)"#,
            #"eq(json.encode(1/3), "0.3333333333333333") eq(rt(1/3), 1/3)"#,
            #"eq(json.encode(123.456), "123.456") eq(json.encode(-2.5e-7), "-2.5e-7") eq(json.encode(1.5e-6), "0.0000015")"#,
            #"eq(json.encode(1e21), "1e+21") eq(json.encode(1e20), "100000000000000000000.0")"#,
            #"eq(json.encode(2^53 + 0.0), "9007199254740992.0")"#,
            #"for i = 1, 2000 do local d = (i * 7919 % 1000003) / 997 * 10.0^(i % 40 - 20) eq(rt(d), d) end"#,
        ])
    }

    @Test func nanAndInfinityRaise() {
        Self.check([
            #"eq(err(json.encode, 0/0), "json.encode: cannot encode NaN")"#,
            #"eq(err(json.encode, math.huge), "json.encode: cannot encode inf")"#,
            #"eq(err(json.encode, {x = -math.huge}), "json.encode: cannot encode -inf")"#,
            #"eq(err(json.decode, "1e400"), "json.decode: number out of range at line 1 column 1")"#,
        ])
    }

    @Test func stringsEscapesAndUnicode() {
        Self.check([
            #"eq(json.encode('a"b\\c/d'), [["a\"b\\c/d"]])"#,
            #"eq(json.encode("\n\r\t\b\f\1\31\127"), [["\n\r\t\b\f\u0001\u001f]] .. "\127" .. [["]])"#,
            #"eq(json.encode("é ü 数据 😀"), '"é ü 数据 😀"')"#,
            #"eq(json.decode([["\"\\\/\b\f\n\r\t"]]), '"\\/\b\f\n\r\t')"#,
            #"eq(json.decode([["\u00e9\u6570\u0000x"]]), "é数\0x")"#,
            #"eq(json.decode([["\ud83d\ude00"]]), "😀") eq(json.decode([["\uD834\uDD1E"]]), "𝄞")"#,
            // lone surrogates decode to U+FFFD
            #"eq(json.decode([["\ud800"]]), "\u{FFFD}") eq(json.decode([["\udc00x"]]), "\u{FFFD}x")"#,
            #"eq(json.decode([["\ud800\u0041"]]), "\u{FFFD}A")"#,
            // invalid UTF-8: each bad byte becomes U+FFFD on encode; decode refuses it
            #"eq(json.encode("a\xffb\xc3"), '"a\u{FFFD}b\u{FFFD}"')"#,
            #"eq(json.encode("\xed\xa0\x80"), '"\u{FFFD}\u{FFFD}\u{FFFD}"')"#,
            #"eq(err(json.decode, '"a\xffb"'), "json.decode: invalid UTF-8 in string at line 1 column 3")"#,
            #"eq(err(json.decode, '"\xc0\xaf"'), "json.decode: invalid UTF-8 in string at line 1 column 2")"#,
            #"local s = string.rep("x\"é\n", 5000) eq(rt(s), s)"#,
        ])
    }

    @Test func indentAndSortKeysComparedWhole() {
        Self.check([
            #"""
            local got = json.encode({b = {1, {}, json.array({})}, a = "x", c = {d = json.null}}, {indent = 2, sort_keys = true})
            eq(got, '{\n  "a": "x",\n  "b": [\n    1,\n    {},\n    []\n  ],\n  "c": {\n    "d": null\n  }\n}')
            """#,
            #"eq(json.encode({z = 1, a = {y = 2, b = 3}, m = 4}, {sort_keys = true}), '{"a":{"b":3,"y":2},"m":4,"z":1}')"#,
            #"eq(json.encode({10, 20}, {indent = 4}), '[\n    10,\n    20\n]')"#,
            #"eq(json.encode({}, {indent = 2}), "{}")"#,
            #"eq(json.encode({x = 1}, {indent = 0}), '{"x":1}')"#,
            #"eq(err(json.encode, 1, {indent = 99}), "bad option 'indent' to 'encode' (integer 0-16 expected, got 99)")"#,
        ])
    }

    @Test func decodeErrorsSayWhere() {
        Self.check([
            #"eq(err(json.decode, '{"a":1,}'), "json.decode: unexpected '}' at line 1 column 8")"#,
            #"eq(err(json.decode, '{"a": 1 }}'), "json.decode: trailing characters at line 1 column 10")"#,
            #"eq(err(json.decode, "[1]  x"), "json.decode: trailing characters at line 1 column 6")"#,
            #"eq(err(json.decode, "[1,\n2,\n"), "json.decode: unexpected end of input at line 3 column 1")"#,
            #"eq(err(json.decode, ""), "json.decode: unexpected end of input at line 1 column 1")"#,
            #"local ok, m = pcall(function() local _ = json.decode("[") end) eq(m, "snippet:13: json.decode: unexpected end of input at line 1 column 2")"#,
            #"eq(err(json.decode, '"abc'), "json.decode: unexpected end of input at line 1 column 5")"#,
            #"eq(err(json.decode, "[01]"), "json.decode: unexpected '1' at line 1 column 3")"#,
            #"eq(err(json.decode, "[1.]"), "json.decode: unexpected ']' at line 1 column 4")"#,
            #"eq(err(json.decode, "{1:2}"), "json.decode: unexpected '1' at line 1 column 2")"#,
            #"eq(err(json.decode, "[tru]"), "json.decode: unexpected ']' at line 1 column 5")"#,
            #"eq(err(json.decode, '"\\x"'), "json.decode: invalid escape '\\x' at line 1 column 2")"#,
            #"eq(err(json.decode, '"\\u12G4"'), "json.decode: invalid \\u escape at line 1 column 2")"#,
            #"eq(err(json.decode, '"a\tb"'), "json.decode: unexpected control character 0x09 at line 1 column 3")"#,
            #"eq(err(json.decode, "\xef\xbb\xbf{}"), "json.decode: unexpected byte 0xef at line 1 column 1")"#,
            #"eq(err(function() local _ = json.decode(nil) end), "bad argument #1 to 'decode' (string expected, got nil)")"#,
            #"eq(err(function() local _ = json.decode({}) end), "bad argument #1 to 'decode' (string expected, got table)")"#,
        ])
    }

    @Test func nestingLimitIs1000() {
        Self.check([
            #"local t = json.decode(string.rep("[", 1000) .. string.rep("]", 1000)) eq(type(t), "table")"#,
            #"eq(err(json.decode, string.rep("[", 1001) .. string.rep("]", 1001)), "json.decode: nesting deeper than 1000")"#,
            #"eq(err(json.decode, string.rep('{"a":', 100000)), "json.decode: nesting deeper than 1000")"#,
            #"local t = {} local c = t for i = 1, 999 do c[1] = {} c = c[1] end eq(#json.encode(t), 2000)"#,
            #"local t = {} local c = t for i = 1, 1000 do c[1] = {} c = c[1] end eq(err(json.encode, t), "json.encode: nesting deeper than 1000")"#,
        ])
    }

    @Test func unencodableValues() {
        Self.check([
            #"local t = {} t.self = t eq(err(json.encode, t), "json.encode: cycle detected")"#,
            #"local a, b = {}, {} a[1] = b b[1] = a eq(err(json.encode, a), "json.encode: cycle detected")"#,
            #"local s = {1} eq(json.encode({s, s, {s}}), "[[1],[1],[[1]]]")  -- shared, not a cycle"#,
            #"eq(err(json.encode, print), "json.encode: cannot encode a function")"#,
            #"eq(err(json.encode, {f = function() end}), "json.encode: cannot encode a function")"#,
            #"eq(err(json.encode, coroutine.create(print)), "json.encode: cannot encode a thread")"#,
            #"eq(err(json.encode, io.stdout), "json.encode: cannot encode a userdata")"#,
            #"eq(err(json.encode, {[true] = 1}), "json.encode: cannot encode a key of type boolean")"#,
            #"eq(err(json.encode, {[1.5] = 1}), "json.encode: cannot encode a key of type number (1.5)")"#,
            #"eq(err(json.encode, {[{}] = 1}), "json.encode: cannot encode a key of type table")"#,
            #"eq(err(json.encode, {[true] = 1}, {sort_keys = true}), "json.encode: cannot encode a key of type boolean")"#,
            #"eq(err(function() local _ = json.encode() end), "bad argument #1 to 'encode' (value expected)")"#,
        ])
    }

    @Test func tableShapes() {
        Self.check([
            // keys exactly 1..n: array; anything else: object with integer keys as strings
            #"eq(json.encode({1, 2, [5] = 5}, {sort_keys = true}), '{"1":1,"2":2,"5":5}')"#,
            #"eq(json.encode({1, x = 2}, {sort_keys = true}), '{"1":1,"x":2}')"#,
            #"eq(json.encode({[2] = "b"}), '{"2":"b"}') eq(json.encode({[0] = 1}), '{"0":1}')"#,
            #"eq(json.encode({[-1] = 1}), '{"-1":1}')"#,
            #"eq(err(json.encode, {[1] = 1, ["1"] = 2}), 'json.encode: duplicate key "1"')"#,
            #"local t = {} for i = 10, 1, -1 do t[i] = i end eq(json.encode(t), "[1,2,3,4,5,6,7,8,9,10]")"#,
            // empty tables, marks, decoded kinds
            #"eq(json.encode({}), "{}") eq(json.encode(json.array({})), "[]")"#,
            #"eq(json.encode(json.decode("[]")), "[]") eq(json.encode(json.decode("{}")), "{}")"#,
            #"eq(json.encode(json.decode('{"a":[],"b":{}}'), {sort_keys = true}), '{"a":[],"b":{}}')"#,
            #"eq(json.encode(json.decode('{"1":"x"}')), '{"1":"x"}')"#,
            #"local t = {} eq(json.array(t), t) eq(json.encode(t), "[]") t[1] = 1 eq(json.encode(t), "[1]")"#,
            #"local t = setmetatable({}, {__index = function() return 1 end}) eq(json.encode(json.array(t)), "[]")"#,
            #"eq(err(function() local _ = json.array(3) end), "bad argument #1 to 'array' (table expected, got number)")"#,
            #"eq(err(function() local _ = json.array() end), "bad argument #1 to 'array' (table expected, got no value)")"#,
            #"local t = json.decode('{"a":1,"a":2}') eq(t.a, 2)"#,
            // arrays are encoded while a traversal yields 1, 2, ...: every way it can stop short
            // rolls back to the general check (lr_json_encode.c), nested output included
            #"eq(json.encode({1, 2, x = {3, 4}}, {sort_keys = true}), '{"1":1,"2":2,"x":[3,4]}')"#,
            #"eq(json.encode({{1, {2}}, {3}, x = true}, {sort_keys = true}), '{"1":[1,[2]],"2":[3],"x":true}')"#,
            #"local t = {1, 2, 3} t[5] = 5 eq(json.encode(t, {sort_keys = true}), '{"1":1,"2":2,"3":3,"5":5}')"#,
            #"local t = {} t.x = 1 t[1] = "a" t[2] = "b" eq(json.encode(t, {sort_keys = true}), '{"1":"a","2":"b","x":1}')"#,
            #"local t = {} t.x = 1 t[1] = "a" t.x = nil eq(json.encode(t), '["a"]')"#,
            #"local t = {1, 2} t[1.5] = 3 eq(err(json.encode, t), 'json.encode: cannot encode a key of type number (1.5)')"#,
            #"local t = {1, 2} t[true] = 3 eq(err(json.encode, t), 'json.encode: cannot encode a key of type boolean')"#,
            #"eq(json.encode({{1, 2}, {3, x = 4}}, {indent = 1, sort_keys = true}), '[\n [\n  1,\n  2\n ],\n {\n  "1": 3,\n  "x": 4\n }\n]')"#,
            #"local t = {} for i = 1, 100 do t[i] = i end t[50] = nil eq(json.encode(t, {sort_keys = true}):sub(1, 12), '{"1":1,"10":')"#,
        ])
    }

    /// Members are stored in batches of 64 (lr_json_decode.c): sizes around and past a batch,
    /// order, repeated keys across batches and nesting inside a batch all decode the same.
    @Test func largeContainersAcrossBatches() {
        Self.check([
            #"""
            for _, n in ipairs({ 1, 63, 64, 65, 128, 129, 1000 }) do
              local items, members = {}, {}
              for i = 1, n do items[i] = tostring(i * 3) members[i] = string.format('"k%d":%d', i, i) end
              local a = json.decode("[" .. table.concat(items, ",") .. "]")
              eq(#a, n) eq(a[1], 3) eq(a[n], n * 3)
              eq(json.encode(a), "[" .. table.concat(items, ",") .. "]")
              local o = json.decode("{" .. table.concat(members, ",") .. "}")
              local count = 0 for _ in pairs(o) do count = count + 1 end
              eq(count, n) eq(o.k1, 1) eq(o["k" .. n], n)
            end
            """#,
            #"""
            local parts = {}
            for i = 1, 100 do parts[i] = string.format('"k%d":%d', i % 10, i) end
            local o = json.decode("{" .. table.concat(parts, ",") .. "}")
            eq(o.k0, 100) eq(o.k1, 91) eq(o.k9, 99)
            """#,
            #"""
            local parts = {}
            for i = 1, 70 do parts[i] = string.format('{"i":%d,"t":[%d,[]],"o":{}}', i, i) end
            local a = json.decode("[" .. table.concat(parts, ",") .. "]")
            eq(#a, 70) eq(a[70].i, 70) eq(a[65].t[1], 65)
            eq(json.encode(a[66].t), "[66,[]]") eq(json.encode(a[67].o), "{}")
            """#,
        ])
    }

    /// Object keys go through the state's key cache (lr_json_decode.c): keys that share a slot,
    /// keys of every length around the cached maximum (32 bytes), with escapes, non-ASCII, an
    /// empty key and NUL; each decode, again and again, must give the same keys as the first.
    @Test func keyCacheNeverChangesAKey() {
        Self.check([
            #"""
            local keys = { "", "a", "b", "sku", "name", "qty", "price", "tags", "inStock", "id",
                           string.rep("x", 31), string.rep("x", 32), string.rep("x", 33), string.rep("y", 32),
                           "caf\\u00e9", "café", "a\\\"b", "a\\\\b", "nul\\u0000x", "tab\\t" }
            for i = 1, 600 do keys[#keys + 1] = "k" .. i end     -- far more keys than slots
            local want = { [""] = true, ["a\"b"] = true, ["a\\b"] = true, ["nul\0x"] = true, ["tab\t"] = true, ["café"] = true }
            for round = 1, 3 do
              local members = {}
              for i, k in ipairs(keys) do members[i] = string.format('"%s":%d', k, i) end
              local o = json.decode("{" .. table.concat(members, ",") .. "}")
              local count = 0
              for k, v in pairs(o) do
                count = count + 1
                local sent = keys[v]
                local decoded = json.decode('"' .. sent .. '"')
                eq(k, decoded)
              end
              eq(count, #keys - 1)                             -- "café" twice: the later wins
              eq(o["café"], 16) eq(o[string.rep("x", 32)], 12) eq(o[string.rep("x", 33)], 13)
              eq(o.k600, #keys) eq(o[""], 1)
              for k in pairs(want) do assert(o[k], k) end
            end
            """#,
            #"""
            local a = json.decode('[{"sku":1,"qty":2},{"sku":3,"qty":4},{"qty":5,"sku":6}]')
            eq(a[1].sku, 1) eq(a[2].qty, 4) eq(a[3].sku, 6) eq(a[3].qty, 5)
            eq(json.encode(json.decode('{"sku":"sku"}')), '{"sku":"sku"}')
            """#,
        ])
    }

    /// The entry points the Swift runtime calls: never raise, return a Lua status.
    @Test func protectedEntryPoints() throws {
        let L = try #require(luaL_newstate())
        defer { lua_close(L) }
        luaL_openlibs(L)
        lua_pushcclosure(L, lr_json_open, 0)
        #expect(lua_pcallk(L, 0, 1, 0, 0, nil) == LUA_OK)
        lua_setglobal(L, "json")
        let base = lua_gettop(L)

        let good = #"{"a": [1, 2.5, "x"]}"#
        #expect(lr_json_decode_protected(L, good, good.utf8.count) == LUA_OK)
        #expect(lua_type(L, -1) == LUA_TTABLE)
        #expect(lr_json_encode_protected(L, -1, 0, 1) == LUA_OK)
        #expect(String(cString: lua_tolstring(L, -1, nil)) == #"{"a":[1,2.5,"x"]}"#)
        #expect(lr_json_encode_protected(L, -2, 2, 1) == LUA_OK)
        #expect(String(cString: lua_tolstring(L, -1, nil)) == "{\n  \"a\": [\n    1,\n    2.5,\n    \"x\"\n  ]\n}")
        lua_settop(L, base)

        let bad = "[1,\n 2}"
        #expect(lr_json_decode_protected(L, bad, bad.utf8.count) == LUA_ERRRUN)
        #expect(String(cString: lua_tolstring(L, -1, nil)) == "json.decode: unexpected '}' at line 2 column 3")
        lua_settop(L, base)

        // length, not NUL, ends the text
        let prefix = "[7]garbage"
        #expect(lr_json_decode_protected(L, prefix, 3) == LUA_OK)
        lua_settop(L, base)

        lua_pushnumber(L, .nan)
        #expect(lr_json_encode_protected(L, -1, 0, 0) == LUA_ERRRUN)
        #expect(String(cString: lua_tolstring(L, -1, nil)) == "json.encode: cannot encode NaN")
        lua_settop(L, base)
    }
}
