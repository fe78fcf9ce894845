import Foundation
import Testing

/// types/ against the sandbox itself: every global a route can reach is declared (or is a
/// library LuaLS brings and the sandbox keeps whole), every host table's fields match, and
/// nothing types/ declares is missing from the sandbox, so removed functions never complete.
@Suite struct EditorTypesTests {
    static let types = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("types")

    /// Stock Lua 5.4's globals: the candidates besides what the host adds and types/ declares.
    static let stock = ["assert", "collectgarbage", "dofile", "error", "getmetatable", "ipairs", "load", "loadfile", "next",
                        "pairs", "pcall", "print", "rawequal", "rawget", "rawlen", "rawset", "require", "select",
                        "setmetatable", "tonumber", "tostring", "type", "warn", "xpcall", "_G", "_VERSION", "coroutine",
                        "debug", "io", "math", "os", "package", "string", "table", "utf8"]
    static let host = ["json", "env", "log", "fetch", "crypto", "db", "shared"]
    /// Kept whole by the sandbox and left to LuaLS's own definitions.
    static let lualsLibraries: Set = ["string", "table", "math", "utf8", "coroutine"]

    /// Globals and `global.field` functions declared in types/*.lua, and the `Response` methods.
    static func declared() throws -> (globals: Set<String>, fields: [String: Set<String>], response: Set<String>) {
        var globals = Set<String>(), fields: [String: Set<String>] = [:], response = Set<String>()
        for name in try FileManager.default.contentsOfDirectory(atPath: types.path) where name.hasSuffix(".lua") {
            let text = try String(contentsOf: types.appendingPathComponent(name), encoding: .utf8)
            for line in text.split(separator: "\n") {
                if let m = line.wholeMatch(of: /function (\w+)\(.*/) { globals.insert(String(m.1)) }
                if let m = line.wholeMatch(of: /(\w+) = \{\}/) { globals.insert(String(m.1)) }
                if let m = line.wholeMatch(of: /function (\w+)[.:](\w+)\(.*/) {
                    if m.1 == "Response" { response.insert(String(m.2)) } else { fields[String(m.1), default: []].insert(String(m.2)) }
                }
                if let m = line.wholeMatch(of: /---@field (\w+) .*/), text.contains("---@class luaroutes.JSON\n---@field \(m.1)") {
                    fields["json", default: []].insert(String(m.1))
                }
            }
        }
        return (globals, fields, response)
    }

    @Test func typesMatchTheSandbox() throws {
        let (globals, fields, response) = try Self.declared()
        let candidates = Array(Set(Self.stock + Self.host + globals)).sorted()
        func luaList(_ names: some Sequence<String>) -> String { "{ " + names.map { "\"\($0)\"" }.joined(separator: ", ") + " }" }
        let declaredTables = (fields.filter { globals.contains($0.key) }.map { "[\"\($0.key)\"] = \(luaList($0.value.sorted()))" }
                              + ["res = \(luaList(response.sorted()))"]).joined(separator: ", ")
        let route = """
            local NAMES = \(luaList(candidates))
            local DECLARED = { \(declaredTables) }
            -- Keys pairs can list (read-only userdata have __pairs); none for proxies that hide them.
            local function keys(t)
              local out = {}
              pcall(function() for k in pairs(t) do out[#out + 1] = tostring(k) end end)
              return json.array(out)
            end
            -- The type of each declared field, read through the value as a route would.
            local function declared(value, names)
              local out = {}
              for _, field in ipairs(names) do out[field] = type(value[field]) end
              return out
            end
            return function(req, res)
              local out = { globals = {}, listed = {}, declared = {} }
              local values = { res = res }
              for _, name in ipairs(NAMES) do
                local value = load("return " .. name)()
                out.globals[name] = type(value)
                values[name] = value
                local kind = type(value)
                if (kind == "table" or kind == "userdata") and name ~= "env" and name ~= "shared" then out.listed[name] = keys(value) end
              end
              for name, fields in pairs(DECLARED) do
                if values[name] ~= nil then out.declared[name] = declared(values[name], fields) end
              end
              res.json(out)
            end
            """
        let root = try CLI.project(["pages/api/globals.lua": route])
        let result = try CLI.run(["request", "--root", root, "/api/globals"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        let runtime = try #require(object["globals"] as? [String: String])
        let listed = try #require(object["listed"] as? [String: [String]])
        let declaredTypes = try #require(object["declared"] as? [String: [String: String]])

        for name in candidates {
            let present = runtime[name] != "nil"
            if Self.lualsLibraries.contains(name) {
                #expect(present, "\(name) is left to LuaLS, so the sandbox must keep it")
                continue
            }
            #expect(present == globals.contains(name), "\(name): in the sandbox \(present), declared in types/ \(globals.contains(name))")
        }
        for (table, declaredFields) in fields where globals.contains(table) {
            let types = try #require(declaredTypes[table], "\(table) is not in the sandbox")
            let missing = declaredFields.filter { types[$0] == nil || types[$0] == "nil" }
            #expect(missing.isEmpty, "types/ declares \(table).\(missing.sorted()) that the sandbox lacks")
            let extra = Set(listed[table] ?? []).subtracting(declaredFields)
            #expect(extra.isEmpty, "the sandbox has \(table).\(extra.sorted()) that types/ does not declare")
        }
        let resTypes = try #require(declaredTypes["res"])
        #expect(response.allSatisfy { resTypes[$0] == "function" }, "res lacks some of \(response.sorted()): \(resTypes)")
        for removed in ["io", "debug", "package", "dofile", "loadfile", "warn", "_G", "_VERSION"] {
            #expect(!globals.contains(removed), "\(removed)")
        }
        #expect(fields["os"] == ["time", "clock", "date", "difftime"])
        #expect(listed["os"].map(Set.init) == ["time", "clock", "date", "difftime"], "the sandbox's os: \(listed["os"] ?? [])")
    }

    @Test func projectsTurnOffLuaLSLibrariesTheSandboxRemoves() throws {
        let folder = try CLI.project([:])
        #expect(try CLI.run(["init"], in: folder).status == 0)
        let luarc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/.luarc.json"))) as? [String: Any])
        let builtin = try #require(luarc["runtime.builtin"] as? [String: String])
        for library in ["basic", "os", "io", "debug", "package"] { #expect(builtin[library] == "disable", "\(library)") }
    }
}
