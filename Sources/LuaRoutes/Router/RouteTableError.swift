/// A start-up error of the route table: a bad file name, two files that conflict, or a ROOT
/// that cannot be read. A small struct with a code and the exact text printed (as Hummingbird's RouterValidationError does), so
/// new codes can be added without breaking callers that switch on nothing.
///
/// `description` is what `luaroutes routes` and `serve` print, three or four lines:
/// ```
/// error: two dynamic names at one level of /api/users ('id' and 'slug')
///   --> pages/api/users/[id].lua
///   --> pages/api/users/[slug].lua
///   use one name for both files
/// ```
public struct RouteTableError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which rule was broken; compare with the static members (`.dynamicNameConflict`, ...).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidSegmentName, dynamicNameConflict, catchAllBesideOptional, duplicateRoute
            case optionalBesideIndex, catchAllNotLast, repeatedParamName, rootNotFound, unreadableFolder
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// `[]`, `[..x]`, `[a`, `[[id]]`: brackets that are not `[a]`, `[...a]` or `[[...a]]`.
        public static let invalidSegmentName = Code(.invalidSegmentName)
        /// `[id].lua` beside `[slug].lua` (or a folder `[id]/`), likewise for catch-alls.
        public static let dynamicNameConflict = Code(.dynamicNameConflict)
        /// `[...a]` beside `[[...b]]` at one level.
        public static let catchAllBesideOptional = Code(.catchAllBesideOptional)
        /// Two files serve one pattern: `users.lua` and `users/index.lua`.
        public static let duplicateRoute = Code(.duplicateRoute)
        /// `opt/[[...slug]].lua` beside `opt.lua` or `opt/index.lua`: both serve `/api/opt` (Next.js refuses it too).
        public static let optionalBesideIndex = Code(.optionalBesideIndex)
        /// `[...a]/b.lua`: a catch-all takes every remaining segment, so nothing can follow it.
        public static let catchAllNotLast = Code(.catchAllNotLast)
        /// `[id]/[id].lua`: one name cannot hold two values.
        public static let repeatedParamName = Code(.repeatedParamName)
        /// ROOT does not exist or is not a folder.
        public static let rootNotFound = Code(.rootNotFound)
        /// A folder under `pages/api` could not be listed.
        public static let unreadableFolder = Code(.unreadableFolder)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// The files the error names, relative to ROOT, in the order printed.
    public let files: [String]
    /// The exact text printed: `error: ...`, one `  --> file` line per file, then the fix.
    public let description: String

    init(_ code: Code, _ title: String, files: [String], fix: String) {
        self.code = code
        self.files = files
        self.description = (["error: \(title)"] + files.map { "  --> \($0)" } + ["  \(fix)"])
            .joined(separator: "\n")
    }
}
