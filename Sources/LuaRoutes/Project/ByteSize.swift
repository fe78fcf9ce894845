import Foundation

/// Sizes as Next.js writes them ("1mb", "500kb", "1.5mb", or a number of bytes), with the
/// `bytes` package's units: b, kb, mb, gb, tb, 1kb = 1024 bytes, case-insensitive.
enum ByteSize {
    static func parse(_ value: LuaValue, key: String) throws(ConfigError) -> Int {
        switch value {
        case .integer(let n) where n >= 0: return Int(n)
        case .number(let n) where n >= 0 && n < maxBytes: return Int(n)
        case .integer, .number:
            throw ConfigError("\(key): \(value.numberText) is not a size (use a number of bytes from 0 to 2^62, or a text like \"1mb\")")
        case .string(let text):
            if let bytes = parse(text) { return bytes }
            throw ConfigError("\(key): \"\(text)\" is not a size (use a number of bytes or a text like \"1mb\", \"500kb\")")
        default:
            throw ConfigError("\(key): expected a size like \"1mb\", got \(value.typeName)")
        }
    }

    static func parse(_ text: String) -> Int? {
        let lower = text.lowercased().trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("tb", 0x1p40), ("gb", 0x1p30), ("mb", 0x1p20), ("kb", 0x1p10), ("b", 1)]
        for (suffix, scale) in units where lower.hasSuffix(suffix) {
            let number = lower.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            guard let value = Double(number), value >= 0, value * scale < maxBytes else { return nil }
            return Int(value * scale)
        }
        guard let value = Int(lower), value >= 0 else { return nil }
        return value
    }

    /// 4 EiB: anything above is a typo, and converting it to Int would trap.
    static let maxBytes = 0x1p62

    /// "1mb" for 1048576: how limits are written back in messages (Next.js's wording).
    static func format(_ bytes: Int) -> String {
        for (suffix, scale) in [("gb", 1 << 30), ("mb", 1 << 20), ("kb", 1 << 10)] where bytes >= scale && bytes % scale == 0 {
            return "\(bytes / scale)\(suffix)"
        }
        return "\(bytes)b"
    }
}

extension LuaValue {
    /// A number as the config file wrote it, for messages.
    var numberText: String {
        switch self {
        case .integer(let n): return "\(n)"
        case .number(let n): return n.isFinite && n == n.rounded() && abs(n) < 1e15 ? "\(Int64(n))" : "\(n)"
        default: return typeName
        }
    }
}
