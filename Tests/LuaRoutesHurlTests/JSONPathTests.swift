import Testing
@testable import LuaRoutesHurl
import LuaRoutes

@Suite struct JSONPathTests {
    let doc = try! JSONParser.parse(#"""
        {"id": 1, "user name": "Ada", "items": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}], "empty": [], "nil": null}
        """#)

    func query(_ path: String) throws -> HurlValue? { try JSONPath.parse(path).evaluate(doc) }

    @Test func singleValues() throws {
        #expect(try query("$") != nil)
        #expect(try query("$.id") == .integer(1))
        #expect(try query("$['user name']") == .string("Ada"))
        #expect(try query(#"$["user name"]"#) == .string("Ada"))
        #expect(try query("$.items[1].name") == .string("b"))
        #expect(try query("$.items[-1].id") == .integer(2))
        #expect(try query("$.nil") == .null)
    }

    @Test func missingIsNone() throws {
        #expect(try query("$.password") == nil)
        #expect(try query("$.items[5]") == nil)
        #expect(try query("$.items[-3]") == nil)
        #expect(try query("$.id.x") == nil)
    }

    @Test func wildcardsGiveACollection() throws {
        #expect(try query("$.items[*].name") == .list([.string("a"), .string("b")]))
        #expect(try query("$.items.*.id") == .list([.integer(1), .integer(2)]))
        #expect(try query("$.empty[*]") == .list([]))
        #expect(try query("$.missing[*]") == .list([]))
        #expect(try query("$.*") == .list([.integer(1), .string("Ada"), try query("$.items")!, .list([]), .null]))
    }

    @Test func refusedForms() {
        #expect(throws: JSONPath.ParseError.unsupported("JSONPath ..")) { try JSONPath.parse("$..id") }
        #expect(throws: JSONPath.ParseError.unsupported("JSONPath filter")) { try JSONPath.parse("$.a[?(@.id == 1)]") }
        #expect(throws: JSONPath.ParseError.unsupported("JSONPath slice")) { try JSONPath.parse("$.a[0:2]") }
        #expect(throws: JSONPath.ParseError.unsupported("JSONPath union")) { try JSONPath.parse("$.a[0,1]") }
        #expect(throws: JSONPath.ParseError.syntax("a JSONPath starts with $")) { try JSONPath.parse("items") }
        #expect(throws: JSONPath.ParseError.syntax("missing ] in JSONPath")) { try JSONPath.parse("$.a[0") }
        #expect(throws: JSONPath.ParseError.syntax("invalid index <x> in JSONPath")) { try JSONPath.parse("$.a[x]") }
    }
}
