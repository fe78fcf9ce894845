/// The editor definitions in this folder, compiled into the binary so `luaroutes init` and
/// `luaroutes types` write exactly what the repository holds (Package.swift lists the files).
public enum LuaDefinitions {
    /// File name inside a project's `types/` folder, and its bytes.
    public static let files: [(name: String, bytes: [UInt8])] = [
        ("luaroutes.lua", PackageResources.luaroutes_lua),
        ("data.lua", PackageResources.data_lua),
        ("sandbox.lua", PackageResources.sandbox_lua),
    ]
}
