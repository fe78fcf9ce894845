import Foundation
import LuaRoutes

/// `[not] operator [value]` of an assert line, and its evaluation with the semantics of Hurl's
/// `predicate.rs` (docs/hurl-subset.md section 3 table): every predicate fails on *none*, and `not` never
/// turns a type error into a pass.
struct HurlPredicate: Sendable {
    enum Operator: String, Sendable {
        case equal = "==", notEqual = "!=", greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<="
        case contains, includes, startsWith, endsWith, matches, exists
        case isString, isInteger, isFloat, isBoolean, isCollection, isEmpty

        var takesValue: Bool {
            switch self {
            case .exists, .isString, .isInteger, .isFloat, .isBoolean, .isCollection, .isEmpty: return false
            default: return true
            }
        }
    }

    var negated: Bool
    var op: Operator
    var value: HurlPredicateValue?
    var location: SourceLocation

    /// What one evaluation found, in the words of the `actual:` / `expected:` lines.
    struct Outcome: Equatable {
        var passed: Bool
        var actual: String
        var expected: String
        var typeMismatch: Bool = false
    }

    /// `expected` is the resolved value (nil for predicates without one).
    func evaluate(actual: HurlValue?, expected: HurlValue?) -> Outcome {
        let raw = HurlPredicate.evaluate(op, actual: actual, expected: expected)
        if raw.typeMismatch { return Outcome(passed: false, actual: raw.actual, expected: raw.expected, typeMismatch: true) }
        if negated {
            return Outcome(passed: !raw.passed, actual: raw.actual, expected: "not " + raw.expected)
        }
        return raw
    }

    static func evaluate(_ op: Operator, actual: HurlValue?, expected: HurlValue?) -> Outcome {
        let expectedText = describeExpected(op, expected)
        guard let actual else { return Outcome(passed: false, actual: "none", expected: expectedText) }
        var actualText = actual.display
        func result(_ passed: Bool) -> Outcome { Outcome(passed: passed, actual: actualText, expected: expectedText) }
        let mismatch = Outcome(passed: false, actual: actualText, expected: expectedText, typeMismatch: true)

        switch op {
        case .equal, .notEqual:
            guard let expected else { return mismatch }
            return result((actual == expected) == (op == .equal))
        case .greater, .greaterOrEqual, .less, .lessOrEqual:
            guard let expected, let order = compare(actual, expected) else { return mismatch }
            switch op {
            case .greater: return result(order > 0)
            case .greaterOrEqual: return result(order >= 0)
            case .less: return result(order < 0)
            default: return result(order <= 0)
            }
        case .contains:
            switch (actual, expected) {
            case let (.string(a), .string(e)?): return result(e.isEmpty || a.contains(e))
            // luaroutes extension: membership in a collection (portable files use `includes`).
            case let (.list(items), e?): return result(items.contains(e))
            default: return mismatch
            }
        case .includes:
            guard case let .list(items) = actual, let expected else { return mismatch }
            return result(items.contains(expected))
        case .startsWith, .endsWith:
            guard case let .string(a) = actual, case let .string(e)? = expected else { return mismatch }
            return result(op == .startsWith ? a.hasPrefix(e) : a.hasSuffix(e))
        case .matches:
            guard case let .string(a) = actual else { return mismatch }
            let pattern: String
            switch expected {
            case let .regex(p)?, let .string(p)?: pattern = p
            default: return mismatch
            }
            guard let regex = try? NSRegularExpression(pattern: pattern) else {
                return Outcome(passed: false, actual: actualText, expected: "valid regex <\(pattern)>", typeMismatch: true)
            }
            let range = NSRange(a.startIndex..., in: a)
            return result(regex.firstMatch(in: a, range: range) != nil)
        case .exists:
            return result(true)
        case .isString:
            if case .string = actual { return result(true) }
            return result(false)
        case .isInteger:
            if case .integer = actual { return result(true) }
            return result(false)
        case .isFloat:
            if case .float = actual { return result(true) }
            return result(false)
        case .isBoolean:
            if case .bool = actual { return result(true) }
            return result(false)
        case .isCollection:
            switch actual {
            case .list, .object: return result(true)
            default: return result(false)
            }
        case .isEmpty:
            let count: Int
            switch actual {
            case .list(let items): count = items.count
            case .object(let members): count = members.count
            case .string(let s): count = s.count
            case .bytes(let b): count = b.count
            default: return mismatch
            }
            actualText = "count equals to \(count)"
            return result(count == 0)
        }
    }

    /// -1, 0, 1 for two numbers or two strings (by code point); nil for anything else.
    static func compare(_ a: HurlValue, _ b: HurlValue) -> Int? {
        if let x = a.number, let y = b.number { return x == y ? 0 : (x < y ? -1 : 1) }
        if case let .string(x) = a, case let .string(y) = b {
            let xs = x.unicodeScalars.map(\.value), ys = y.unicodeScalars.map(\.value)
            return xs == ys ? 0 : (xs.lexicographicallyPrecedes(ys) ? -1 : 1)
        }
        return nil
    }

    static func describeExpected(_ op: Operator, _ value: HurlValue?) -> String {
        let v = value?.display ?? "none"
        switch op {
        case .equal: return v
        case .notEqual: return "not \(v)"
        case .greater: return "greater than \(v)"
        case .greaterOrEqual: return "greater than or equals to \(v)"
        case .less: return "less than \(v)"
        case .lessOrEqual: return "less than or equals to \(v)"
        case .contains: return "contains \(v)"
        case .includes: return "includes \(v)"
        case .startsWith: return "starts with \(v)"
        case .endsWith: return "ends with \(v)"
        case .matches:
            if case let .regex(p)? = value { return "matches regex <\(p)>" }
            if case let .string(p)? = value { return "matches regex <\(p)>" }
            return "matches \(v)"
        case .exists: return "something"
        case .isString: return "string"
        case .isInteger: return "integer"
        case .isFloat: return "float"
        case .isBoolean: return "boolean"
        case .isCollection: return "collection"
        case .isEmpty: return "count equals to 0"
        }
    }
}
