import LuaRoutes

/// The variables one file sees, looked up by precedence (docs/hurl-subset.md section 3 "Templates"):
/// captures, then `[Options] variable`, then command-line / environment values.
struct HurlVariables: Sendable {
    var captures: [String: HurlValue] = [:]
    var optionVariables: [String: HurlValue] = [:]
    var commandLine: [String: HurlValue] = [:]

    init(commandLine: [String: HurlValue] = [:]) { self.commandLine = commandLine }

    subscript(name: String) -> HurlValue? {
        captures[name] ?? optionVariables[name] ?? commandLine[name]
    }

    func value(of ref: HurlVariableReference) throws(HurlRunFailure) -> HurlValue {
        guard let value = self[ref.name] else { throw .undefinedVariable(ref) }
        return value
    }

    /// The variables given to `luaroutes test`: `HURL_VARIABLE_name` environment entries, then
    /// `--variable name=value` on top; values typed (true/false/null/numbers). `host` defaults
    /// to `http://localhost`.
    static func commandLine(variables: [String: String], environment: [String: String]) -> [String: HurlValue] {
        var out: [String: HurlValue] = ["host": .string("http://localhost")]
        let prefix = "HURL_VARIABLE_"
        for (key, value) in environment where key.hasPrefix(prefix) && key.count > prefix.count {
            out[String(key.dropFirst(prefix.count))] = HurlValue(commandLine: value)
        }
        for (key, value) in variables { out[key] = HurlValue(commandLine: value) }
        return out
    }
}
