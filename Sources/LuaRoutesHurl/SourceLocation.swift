/// Where a node of a `.hurl` file was written, so a failure can point at its line
/// (docs/hurl-subset.md section 5). Lines and columns count from 1; columns count characters.
struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    var line: Int
    var column: Int
    var description: String { "\(line):\(column)" }
}
