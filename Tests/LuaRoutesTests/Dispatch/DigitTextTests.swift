import Testing
@testable import LuaRoutes

/// DigitText writes what `String(n, radix:)` writes: X-Request-Id and Content-Length must stay
/// byte for byte what they were.
@Suite struct DigitTextTests {
    static let samples: [UInt64] = [0, 1, 9, 10, 15, 16, 99, 100, 255, 256, 4095, 4096, 65_535, 1_000_000,
                                    UInt64(UInt32.max), UInt64(Int64.max), UInt64.max]
        + (0..<64).map { UInt64(1) << UInt64($0) } + (1..<64).map { (UInt64(1) << UInt64($0)) - 1 }

    @Test func hexMatchesStringRadix16() {
        for n in Self.samples { #expect(DigitText.hex(n) == String(n, radix: 16), "\(n)") }
    }

    @Test func decimalMatchesString() {
        for n in Self.samples where n <= UInt64(Int.max) { #expect(DigitText.decimal(Int(n)) == String(n), "\(n)") }
    }

    @Test func requestIdAndContentLengthOverTheRealPath() async throws {
        let response = try await withProject(["pages/api/r.lua": "return function(req, res) res.send(string.rep('x', 1234)) end"]) { app in
            await app.request("GET", "/api/r")
        }
        #expect(response.header("content-length") == "1234")
        let id = try #require(response.header("x-request-id"))
        #expect(!id.isEmpty && id.allSatisfy { $0.isHexDigit && !$0.isUppercase })
    }
}
