import Foundation
import LuaRoutesTypes

/// The project `luaroutes init` writes: Sources/luaroutes/Template (embedded by Package.swift)
/// plus the editor definitions from types/. Paths are relative to the new project's folder.
enum Scaffold {
    struct File {
        let path: String
        let bytes: [UInt8]
    }

    static var files: [File] {
        [
            File(path: "pages/api/hello.lua", bytes: PackageResources.hello_lua),
            File(path: "pages/api/notes/index.lua", bytes: PackageResources.index_lua),
            File(path: "pages/api/notes/[id].lua", bytes: PackageResources._id__lua),
            File(path: "lib/notes.lua", bytes: PackageResources.notes_lua),
            File(path: "migrations/001_create_notes.sql", bytes: PackageResources._01_create_notes_sql),
            File(path: "tests/hello.hurl", bytes: PackageResources.hello_hurl),
            File(path: "tests/notes.hurl", bytes: PackageResources.notes_hurl),
            File(path: "luaroutes.config.lua", bytes: PackageResources.luaroutes_config_lua),
            // SwiftPM skips dotfiles, so the template spells them dot-NAME.
            File(path: ".env.example", bytes: PackageResources.dot_env_example),
            File(path: ".gitignore", bytes: PackageResources.dot_gitignore),
            File(path: ".luarc.json", bytes: PackageResources.dot_luarc_json),
        ] + typeFiles
    }

    /// types/*.lua, which the project's .luarc.json names as its LuaLS library.
    static var typeFiles: [File] {
        LuaDefinitions.files.map { File(path: "types/" + $0.name, bytes: $0.bytes) }
    }

    /// The files of `files` that already exist under `folder`.
    static func existing(_ files: [File], in folder: String) -> [String] {
        files.map(\.path).filter { FileManager.default.fileExists(atPath: folder + "/" + $0) }
    }

    /// Writes every file, making folders on the way; an existing file is replaced.
    static func write(_ files: [File], into folder: String) throws {
        for file in files {
            let url = URL(fileURLWithPath: folder + "/" + file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.bytes).write(to: url)
        }
    }
}
