import CLuaGlue

extension Project {
    /// Empties every `shared` dictionary the project declares. The dictionaries outlive a
    /// project load (one per ROOT and name for the process), so `luaroutes test` calls this to
    /// start each file with empty ones, as it starts each with fresh Lua states.
    public func flushSharedDictionaries() {
        for (_, dict) in SharedDictionaries.handles(root: root, declared: config.shared) {
            lr_shared_flush_all(dict)
        }
    }
}
