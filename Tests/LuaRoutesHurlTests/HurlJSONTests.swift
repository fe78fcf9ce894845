import Testing
@testable import LuaRoutesHurl
import LuaRoutes

@Suite struct HurlJSONTests {
    @Test func keepsIntegersAndFloatsApart() throws {
        #expect(try JSONParser.parse("1") == .integer(1))
        if case .float(1.0) = try JSONParser.parse("1.0") {} else { Issue.record("1.0 is a float") }
        if case .float = try JSONParser.parse("1e2") {} else { Issue.record("1e2 is a float") }
        if case .integer(9_223_372_036_854_775_807) = try JSONParser.parse("9223372036854775807") {} else {
            Issue.record("Int64.max stays exact")
        }
        if case .float = try JSONParser.parse("9223372036854775808") {} else { Issue.record("overflow becomes a float") }
        if case .integer(-5) = try JSONParser.parse("-5") {} else { Issue.record("negative integer") }
    }

    @Test func semanticEquality() throws {
        let a = try JSONParser.parse(#"{"a": 1, "b": [true, null, "x"]}"#)
        let b = try JSONParser.parse(#"{ "b" : [true,null,"x"], "a" : 1.0 }"#)
        #expect(a == b)
        #expect(try JSONParser.parse(#"{"a": 1}"#) != JSONParser.parse(#"{"a": 1, "b": 2}"#))
        #expect(try JSONParser.parse("[1, 2]") != JSONParser.parse("[2, 1]"))
    }

    @Test func strings() throws {
        #expect(try JSONParser.parse(#""a\"b\\c\/\n\u00e9\ud83d\ude00""#) == .string("a\"b\\c/\n\u{e9}😀"))
        #expect(JSONValue.string("a\"\n\u{01}").jsonText == #""a\"\n\u0001""#)
    }

    @Test func syntaxErrors() {
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "tru", "\"\u{01}\"", "[1] x", "{'a': 1}"] {
            #expect(throws: JSONSyntaxError.self, "\(bad)") { try JSONParser.parse(bad) }
        }
    }

    @Test func firstDifferenceNamesThePath() throws {
        let actual = try JSONParser.parse(#"{"items": [{"id": 1}, {"id": 2}, {"id": 7}], "extra": true}"#)
        let expected = try JSONParser.parse(#"{"items": [{"id": 1}, {"id": 2}, {"id": 8}]}"#)
        #expect(JSONDifference.first(actual: actual, expected: expected) ==
                "$.items[2].id: actual integer <7>, expected integer <8>")
        let withExtra = try JSONParser.parse(#"{"items": [{"id": 1}, {"id": 2}, {"id": 7}]}"#)
        #expect(JSONDifference.first(actual: actual, expected: withExtra) == "$.extra: actual boolean <true>, expected none")
        #expect(JSONDifference.first(actual: .array([.integer(1)]), expected: .array([])) == "$: actual 1 items, expected 0 items")
        #expect(JSONDifference.first(actual: .object([]), expected: .object([("a b", .null)])) == "$['a b']: actual none, expected null")
        #expect(JSONDifference.first(actual: .integer(1), expected: .float(1)) == nil)
    }
}
