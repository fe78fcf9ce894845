import Testing
@testable import LuaRoutesHurl
import LuaRoutes

/// Predicate semantics (docs/hurl-subset.md section 3 table, Hurl's predicate.rs).
@Suite struct HurlPredicateTests {
    func check(_ op: HurlPredicate.Operator, _ actual: HurlValue?, _ expected: HurlValue? = nil,
               not negated: Bool = false) -> HurlPredicate.Outcome {
        HurlPredicate(negated: negated, op: op, value: nil, location: SourceLocation(line: 1, column: 1))
            .evaluate(actual: actual, expected: expected)
    }

    @Test func numbersCompareByValueAcrossIntegerAndFloat() {
        #expect(check(.equal, .integer(1), .float(1.0)).passed)
        #expect(check(.equal, .float(1.0), .integer(1)).passed)
        #expect(!check(.equal, .integer(1), .float(1.5)).passed)
        #expect(check(.greater, .float(9.5), .integer(9)).passed)
        #expect(check(.lessOrEqual, .integer(3), .integer(3)).passed)
        // Exact to 64 bits: these two differ only beyond a Double's precision.
        #expect(!check(.equal, .integer(9_007_199_254_740_993), .integer(9_007_199_254_740_992)).passed)
    }

    @Test func differentTypesAreJustUnequal() {
        let outcome = check(.equal, .string("1"), .integer(1))
        #expect(outcome == .init(passed: false, actual: "string <1>", expected: "integer <1>"))
        #expect(check(.notEqual, .string("1"), .integer(1)).passed)
        #expect(check(.equal, .null, .null).passed)
        #expect(check(.equal, .list([.integer(1), .float(2)]), .list([.float(1), .integer(2)])).passed)
    }

    @Test(arguments: [HurlPredicate.Operator.equal, .notEqual, .greater, .greaterOrEqual, .less, .lessOrEqual,
                      .contains, .includes, .startsWith, .endsWith, .matches, .exists, .isString, .isInteger,
                      .isFloat, .isBoolean, .isCollection, .isEmpty])
    func everyPredicateFailsOnNone(_ op: HurlPredicate.Operator) {
        let expected: HurlValue? = op == .matches ? .regex("x") : (op.takesValue ? .string("x") : nil)
        let outcome = check(op, nil, expected)
        #expect(!outcome.passed)
        #expect(outcome.actual == "none")
        #expect(check(op, nil, expected, not: true).passed, "not \(op) passes on none")
    }

    @Test func notNeverTurnsATypeErrorIntoAPass() {
        let mismatches: [(HurlPredicate.Operator, HurlValue, HurlValue?)] = [
            (.greater, .string("a"), .integer(1)),
            (.less, .bool(true), .bool(false)),
            (.startsWith, .integer(1), .string("1")),
            (.endsWith, .list([]), .string("x")),
            (.matches, .integer(5), .regex("5")),
            (.includes, .string("abc"), .string("a")),
            (.contains, .integer(12), .integer(1)),
            (.isEmpty, .integer(0), nil),
        ]
        for (op, actual, expected) in mismatches {
            let plain = check(op, actual, expected)
            let negated = check(op, actual, expected, not: true)
            #expect(!plain.passed && plain.typeMismatch, "\(op)")
            #expect(!negated.passed && negated.typeMismatch, "not \(op)")
        }
    }

    @Test func stringPredicates() {
        #expect(check(.contains, .string("application/json"), .string("json")).passed)
        #expect(check(.startsWith, .string("application/json"), .string("application/")).passed)
        #expect(check(.endsWith, .string("Ada"), .string("da")).passed)
        #expect(check(.matches, .string("Ada"), .regex("^A[a-z]+$")).passed)
        #expect(check(.matches, .string("bob"), .string("o")).passed)
        #expect(check(.greater, .string("b"), .string("a")).passed)
        #expect(check(.less, .string("Z"), .string("a")).passed)  // by code point
        #expect(check(.matches, .string("x"), .regex("(")) ==
                .init(passed: false, actual: "string <x>", expected: "valid regex <(>", typeMismatch: true))
    }

    @Test func collectionPredicates() {
        let tags: HurlValue = .list([.string("math"), .integer(3)])
        #expect(check(.includes, tags, .string("math")).passed)
        #expect(check(.includes, tags, .float(3.0)).passed)
        #expect(check(.contains, tags, .string("math")).passed)  // luaroutes extension
        #expect(!check(.includes, tags, .string("art")).passed)
        #expect(check(.isEmpty, .list([])).passed)
        #expect(check(.isEmpty, .object([])).passed)
        #expect(check(.isEmpty, .string("")).passed)
        #expect(check(.isEmpty, tags) == .init(passed: false, actual: "count equals to 2", expected: "count equals to 0"))
        #expect(check(.isCollection, .object([("a", .null)])).passed)
    }

    @Test func existsAndTypePredicates() {
        #expect(check(.exists, .null).passed)
        #expect(check(.exists, .list([])).passed)
        #expect(check(.isInteger, .integer(1)).passed)
        #expect(!check(.isInteger, .float(1)).passed)
        #expect(check(.isFloat, .float(1)).passed)
        #expect(check(.isBoolean, .bool(false)).passed)
        #expect(!check(.isString, .integer(1)).passed)
        #expect(!check(.isString, .integer(1)).typeMismatch)
    }

    @Test func messagesReadLikeHurls() {
        #expect(check(.matches, .string("bob"), .regex("^A[a-z]+$")) ==
                .init(passed: false, actual: "string <bob>", expected: "matches regex <^A[a-z]+$>"))
        #expect(check(.greaterOrEqual, .integer(1), .integer(2)).expected == "greater than or equals to integer <2>")
        #expect(check(.exists, .integer(1), not: true) ==
                .init(passed: false, actual: "integer <1>", expected: "not something"))
        #expect(check(.equal, .null, .bool(true)).actual == "null")
        #expect(check(.equal, .list([.integer(1), .string("a")]), .null).actual == #"list <[1,"a"]>"#)
    }
}
