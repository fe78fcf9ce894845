import CLuaGlue

/// The `shared` dictionaries of a project (docs/data.md ("shared")). The dictionaries themselves
/// live in C (lr_shared_dict.c), one per (ROOT, name) for the whole process, so every route on
/// every event loop sees the same one and a reload finds its contents again.
enum SharedDictionaries {
    /// The dictionaries `declared` names, created on first use. Keyed by ROOT too, so two
    /// projects in one process (tests) never share one.
    static func handles(root: String, declared: [SharedDeclaration]) -> [(name: String, dict: OpaquePointer)] {
        declared.compactMap { declaration in
            lr_shared_declare(root, declaration.name, declaration.capacity).map { (declaration.name, $0) }
        }
    }

    /// Sets the global `shared` in `sandbox`; returns why it could not.
    static func install(in sandbox: Sandbox, project: Project) -> String? {
        let dicts: [OpaquePointer?] = handles(root: project.root, declared: project.config.shared).map { $0.dict }
        let status = dicts.withUnsafeBufferPointer { lr_shared_install(sandbox.L, $0.baseAddress, $0.count) }
        guard status == LUA_OK else {
            defer { lr_pop(sandbox.L, 1) }
            return "cannot install shared: \(sandbox.state.string(at: -1) ?? "?")"
        }
        return nil
    }

    /// Bytes in use and evictions so far, per declared dictionary (the metrics).
    static func usage(root: String, declared: [SharedDeclaration]) -> [(name: String, bytes: Int, evictions: UInt64)] {
        handles(root: root, declared: declared).map { name, dict in
            var used = 0, capacity = 0
            var evictions: UInt64 = 0
            lr_shared_stats(dict, &used, &evictions, &capacity)
            return (name, used, evictions)
        }
    }
}
