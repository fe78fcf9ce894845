import Testing
@testable import LuaRoutes

/// Header lists as handlers see them: lower-case names, repeats joined in arrival order.
@Suite struct HeaderFieldsTests {
    @Test func namesFoldToLowerCaseAndRepeatsJoin() {
        let fields: [(name: String, value: String)] = [("Host", "x"), ("X-Many", "one"), ("accept", "a/b"), ("x-MANY", "two"), ("Accept", "c/d"), ("X-Many", "three")]
        let joined = HeaderFields.joined(fields)
        #expect(joined.map(\.name) == ["host", "x-many", "accept"])
        #expect(joined.map(\.value) == ["x", "one, two, three", "a/b, c/d"])
    }

    @Test func manyDistinctHeadersKeepOrderAndJoinRepeats() {
        // Past 32 names the lookup switches to an index; the answer must not change.
        var headers = (0..<50).map { (name: "X-H\($0)", value: "v\($0)") }
        headers += [(name: "x-h3", value: "again"), (name: "X-H45", value: "again"), (name: "X-H49", value: "again")]
        let joined = HeaderFields.joined(headers)
        #expect(joined.count == 50)
        #expect(joined.map(\.name) == (0..<50).map { "x-h\($0)" })
        #expect(joined[3].value == "v3, again" && joined[45].value == "v45, again" && joined[49].value == "v49, again")
        #expect(joined[10].value == "v10")
    }

    @Test func lowerCasingLeavesNonLettersAlone() {
        #expect(HeaderFields.lowercasedASCII("X-Custom_Header.9~") == "x-custom_header.9~")
        #expect(HeaderFields.lowercasedASCII("already-lower") == "already-lower")
    }
}
