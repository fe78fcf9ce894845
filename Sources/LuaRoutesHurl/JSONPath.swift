import Foundation
import LuaRoutes

/// The JSONPath subset (docs/hurl-subset.md section 3): `$` then `.name`, `['name']`/`["name"]`, `[n]` (negative
/// counts from the end), `[*]`, `.*`. Without a wildcard a path yields one value or *none*; with
/// one it yields a collection, possibly empty. `..`, filters, slices and unions are refused.
struct JSONPath: Sendable, Equatable {
    enum Segment: Sendable, Equatable {
        case name(String)
        case index(Int)
        case wildcard
    }

    enum ParseError: Error, Equatable {
        case syntax(String)
        case unsupported(String)
    }

    var segments: [Segment]

    var hasWildcard: Bool { segments.contains(.wildcard) }

    static func parse(_ text: String) throws(ParseError) -> JSONPath {
        let chars = Array(text)
        guard chars.first == "$" else { throw .syntax("a JSONPath starts with $") }
        var segments: [Segment] = []
        var i = 1
        while i < chars.count {
            switch chars[i] {
            case ".":
                i += 1
                guard i < chars.count else { throw .syntax("JSONPath ends after .") }
                if chars[i] == "." { throw .unsupported("JSONPath ..") }
                if chars[i] == "*" { segments.append(.wildcard); i += 1; continue }
                let start = i
                while i < chars.count, chars[i] != ".", chars[i] != "[" { i += 1 }
                let name = String(chars[start..<i])
                guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                    throw .syntax("invalid name <\(name)> in JSONPath")
                }
                segments.append(.name(name))
            case "[":
                guard let close = closingBracket(chars, from: i) else { throw .syntax("missing ] in JSONPath") }
                let inside = String(chars[(i + 1)..<close]).trimmingSpaces()
                segments.append(try bracketSegment(inside))
                i = close + 1
            default:
                throw .syntax("unexpected \(chars[i]) in JSONPath")
            }
        }
        return JSONPath(segments: segments)
    }

    /// The `]` that closes the bracket at `from`, skipping quoted names.
    private static func closingBracket(_ chars: [Character], from: Int) -> Int? {
        var quote: Character?
        var i = from + 1
        while i < chars.count {
            let c = chars[i]
            if let q = quote {
                if c == "\\" { i += 1 } else if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == "]" {
                return i
            }
            i += 1
        }
        return nil
    }

    private static func bracketSegment(_ inside: String) throws(ParseError) -> Segment {
        if inside == "*" { return .wildcard }
        if inside.hasPrefix("?") { throw .unsupported("JSONPath filter") }
        if let q = inside.first, q == "'" || q == "\"" {
            guard inside.count >= 2, inside.last == q else { throw .syntax("unclosed name in JSONPath") }
            let body = inside.dropFirst().dropLast()
            if body.contains(q) && !body.contains("\\") { throw .unsupported("JSONPath union") }
            return .name(body.replacingOccurrences(of: "\\\(q)", with: String(q)))
        }
        if inside.contains(":") { throw .unsupported("JSONPath slice") }
        if inside.contains(",") { throw .unsupported("JSONPath union") }
        guard let n = Int(inside) else { throw .syntax("invalid index <\(inside)> in JSONPath") }
        return .index(n)
    }

    /// *none* (`nil`) when a wildcard-free path finds nothing.
    func evaluate(_ root: JSONValue) -> HurlValue? {
        var current: [JSONValue] = [root]
        for segment in segments {
            current = current.flatMap { JSONPath.step($0, segment) }
        }
        if hasWildcard { return .list(current.map(HurlValue.init)) }
        return current.first.map(HurlValue.init)
    }

    private static func step(_ value: JSONValue, _ segment: Segment) -> [JSONValue] {
        switch (segment, value) {
        case let (.name(name), .object(members)):
            return members.first { $0.0 == name }.map { [$0.1] } ?? []
        case let (.index(n), .array(items)):
            let i = n < 0 ? items.count + n : n
            return items.indices.contains(i) ? [items[i]] : []
        case let (.wildcard, .array(items)):
            return items
        case let (.wildcard, .object(members)):
            return members.map(\.1)
        default:
            return []
        }
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
