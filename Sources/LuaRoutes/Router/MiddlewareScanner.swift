import Foundation

/// Finds the middleware of a project (docs/reference.md section 9): every
/// `pages/api/**/_middleware.lua`, and every file that looks meant as middleware but will
/// never run (a `middleware.lua` at ROOT, `_midleware.lua`, `middleware.lua` in pages/api
/// which is a route), so start-up can say so instead of ignoring it.
enum MiddlewareScanner {
    static let fileName = "_middleware.lua"

    struct Found: Sendable {
        /// Paths relative to ROOT, sorted: "pages/api/_middleware.lua", "pages/api/admin/_middleware.lua".
        var files: [String] = []
        /// One sentence per file that looks like middleware but is not used.
        var warnings: [String] = []
    }

    static func scan(root: String) -> Found {
        var found = Found()
        // Outside pages/api: ROOT, ROOT/pages and ROOT/lib are where a lost middleware file lands.
        for folder in ["", "pages", "lib"] {
            let relative = folder.isEmpty ? "" : folder + "/"
            for name in names(in: folder.isEmpty ? root : root + "/" + folder) where looksLikeMiddleware(name) {
                found.warnings.append("\(relative)\(name) is not used: middleware goes in pages/api or a folder below it, named \(fileName)")
            }
        }
        walk(root + "/pages/api", relative: "pages/api", into: &found)
        found.files.sort()
        return found
    }

    /// The middleware files that apply to `file` (a route file), outermost folder first.
    static func chain(forRoute file: String, among middleware: Set<String>) -> [String] {
        var chain: [String] = []
        var folder = ""
        for part in file.split(separator: "/").dropLast() {
            folder += folder.isEmpty ? String(part) : "/" + part
            guard folder.hasPrefix("pages/api") else { continue }
            let candidate = folder + "/" + fileName
            if middleware.contains(candidate) { chain.append(candidate) }
        }
        return chain
    }

    private static func walk(_ absolute: String, relative: String, into found: inout Found) {
        for name in names(in: absolute) {
            let path = absolute + "/" + name
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { continue }
            if isFolder.boolValue {
                // Private folders (`_lib/`) hold no routes, so middleware there would apply to nothing.
                if !RouteScanner.isPrivate(name[...]) { walk(path, relative: relative + "/" + name, into: &found) }
            } else if name == fileName {
                found.files.append(relative + "/" + name)
            } else if looksLikeMiddleware(name) {
                let why = RouteScanner.isPrivate(name[...])
                    ? "is ignored (a name starting with _ is private)"
                    : "is served as a route, not run as middleware"
                found.warnings.append("\(relative)/\(name) \(why): name it \(fileName) to run it before the routes of its folder")
            }
        }
    }

    /// `middleware.lua`, `_midleware.lua`, `_Middleware.lua`, `_middlewares.lua`...: the stem,
    /// without leading `_` or `.` and case, is at most two edits from "middleware".
    static func looksLikeMiddleware(_ name: String) -> Bool {
        guard name != fileName, name.lowercased().hasSuffix(".lua") else { return false }
        let stem = name.dropLast(4).drop { $0 == "_" || $0 == "." }.lowercased()
        return editDistance(Array(stem.utf8), Array("middleware".utf8)) <= 2
    }

    private static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if abs(a.count - b.count) > 2 { return 3 }
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    private static func names(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }
}
