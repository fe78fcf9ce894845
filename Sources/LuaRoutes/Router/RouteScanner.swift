import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the route files of a project: walks `ROOT/pages/api`, keeps files that end in
/// `.` + one of `pageExtensions`, and turns each path into a ``Route``.
///
/// - A name (file or folder) starting with `_` or `.` is not a route and is not entered
///   (`_middleware.lua` is reserved; `.git`, editor swap files and `_lib/` stay private).
/// - `index.<ext>` serves its folder; a folder named `index` is an ordinary literal.
/// - A missing `pages/api` gives an empty table; a missing ROOT is an error.
/// - Symlinks: a symlinked file is followed wherever it points (its route keeps the link's
///   path). A symlinked folder is followed only when its real path is inside ROOT's, so a
///   link cannot pull in routes from elsewhere on the machine; a folder that is its own
///   ancestor (a loop) is not entered twice. Broken links, sockets and the like are skipped.
/// - Output is sorted, so the table and its errors do not depend on directory order.
enum RouteScanner {
    /// Paths relative to ROOT of every route file under `ROOT/pages/api`, sorted.
    static func routeFiles(root: String, pageExtensions: [String]) throws(RouteTableError) -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder), isFolder.boolValue,
              let rootReal = realPath(root) else {
            throw RouteTableError(
                .rootNotFound, "project folder \(root) does not exist or is not a folder",
                files: [root], fix: "pass the folder that holds pages/api with --root")
        }
        let api = root + "/pages/api"
        guard let apiReal = realPath(api), isInside(apiReal, rootReal), isDirectory(apiReal) else { return [] }
        var walker = Walker(rootReal: rootReal, pageExtensions: pageExtensions)
        try walker.walk(absolute: api, relative: "pages/api", real: apiReal)
        return walker.files.sorted()
    }

    /// The route a file serves, or nil when it is not a route: outside `pages/api/`, a `_` or
    /// `.` name on the way, or no matching extension. Throws for a bad bracket name.
    static func route(forFile file: String, pageExtensions: [String]) throws(RouteTableError) -> Route? {
        guard file.hasPrefix("pages/api/") else { return nil }
        var names = file.utf8.dropFirst("pages/api/".utf8.count)
            .split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map { Substring($0) }
        guard !names.contains(where: { $0.isEmpty || isPrivate($0) }),
              let last = names.popLast(), let name = routeName(of: last, pageExtensions: pageExtensions)
        else { return nil }
        if name != "index" { names.append(name) }
        var segments: [RouteSegment] = []
        for name in names { segments.append(try RouteSegment.parse(name, file: file)) }
        return Route(file: file, segments: segments)
    }

    /// The file name without its page extension, or nil when no extension matches.
    /// The longest matching extension wins: with ["lua", "api.lua"], `x.api.lua` is `x`.
    static func routeName(of fileName: Substring, pageExtensions: [String]) -> Substring? {
        let matching = pageExtensions.filter { !$0.isEmpty && fileName.hasSuffix("." + $0) }
        guard let ext = matching.max(by: { $0.count < $1.count }) else { return nil }
        let name = fileName.dropLast(ext.count + 1)
        return name.isEmpty ? nil : name
    }

    /// `_x` and `.x` are not routes. Checked on the first byte, so a combining mark after
    /// the `_` cannot make a private name look public.
    static func isPrivate(_ name: Substring) -> Bool {
        name.utf8.first == UInt8(ascii: "_") || name.utf8.first == UInt8(ascii: ".")
    }

    private struct Walker {
        let rootReal: String
        let pageExtensions: [String]
        var files: [String] = []
        /// Real paths of the folders being walked, to stop symlink loops.
        var stack: Set<String> = []

        mutating func walk(absolute: String, relative: String, real: String) throws(RouteTableError) {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: absolute).sorted()
            } catch {
                throw RouteTableError(
                    .unreadableFolder, "cannot read folder \(relative)", files: [relative],
                    fix: "check that it exists and that its permissions let this user list it")
            }
            stack.insert(real)
            defer { stack.remove(real) }
            for name in names where !isPrivate(name[...]) {
                let path = absolute + "/" + name
                guard let target = realPath(path) else { continue }  // broken link
                if isDirectory(target) {
                    // A plain folder's real path is inside ROOT too; only links can leave it.
                    guard isInside(target, rootReal), !stack.contains(target) else { continue }
                    try walk(absolute: path, relative: relative + "/" + name, real: target)
                } else if isRegularFile(target), routeName(of: name[...], pageExtensions: pageExtensions) != nil {
                    files.append(relative + "/" + name)
                }
            }
        }
    }
}

/// The path with every symlink resolved, or nil when it does not resolve.
private func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}

private func isInside(_ path: String, _ folder: String) -> Bool {
    path == folder || path.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/")
}

private func isDirectory(_ path: String) -> Bool {
    var isFolder: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
}

private func isRegularFile(_ path: String) -> Bool {
    (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular
}
