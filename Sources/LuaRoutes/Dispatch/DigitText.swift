/// An unsigned number as ASCII digits, written straight into a new String: what
/// `String(n, radix:)` gives, without its generic formatting path. Used per answer for
/// X-Request-Id (hex) and Content-Length (decimal).
enum DigitText {
    static func decimal(_ number: Int) -> String {
        precondition(number >= 0, "DigitText formats counts and lengths only")
        return digits(UInt64(number), radix: 10)
    }

    static func hex(_ number: UInt64) -> String { digits(number, radix: 16) }

    private static func digits(_ number: UInt64, radix: UInt64) -> String {
        var count = 1
        var rest = number / radix
        while rest > 0 { count += 1; rest /= radix }
        return String(unsafeUninitializedCapacity: count) { out in
            let alphabet: StaticString = "0123456789abcdef"
            var value = number
            for i in stride(from: count - 1, through: 0, by: -1) {
                out[i] = alphabet.utf8Start[Int(value % radix)]
                value /= radix
            }
            return count
        }
    }
}
