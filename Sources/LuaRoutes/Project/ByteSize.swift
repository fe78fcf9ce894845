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

/// Durations as the config writes them: "10s", "500ms", "2m", or a number of seconds.
enum DurationText {
    static func parse(_ value: LuaValue, key: String) throws(ConfigError) -> Duration {
        switch value {
        case .integer(let n) where n > 0 && n <= maxSeconds: return .seconds(n)
        case .number(let n) where n > 0 && n <= Double(maxSeconds): return .milliseconds(Int64(n * 1000))
        case .integer, .number:
            throw ConfigError("\(key): \(value.numberText) is not a duration (use a number of seconds above 0, or a text like \"10s\")")
        case .string(let text):
            let lower = text.lowercased().trimmingCharacters(in: .whitespaces)
            // "ms" before "s" and "m": the first suffix that matches decides.
            for (suffix, ms) in [("ms", 1.0), ("s", 1000.0), ("m", 60_000.0), ("h", 3_600_000.0)] where lower.hasSuffix(suffix) {
                let number = lower.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
                if let n = Double(number), n > 0, n * ms <= Double(maxSeconds) * 1000 { return .milliseconds(Int64(n * ms)) }
                break
            }
            throw ConfigError("\(key): \"\(text)\" is not a duration (use a text like \"10s\" or \"500ms\")")
        default:
            throw ConfigError("\(key): expected a duration like \"10s\", got \(value.typeName)")
        }
    }

    /// About 31 years: longer is a typo, and converting it would trap.
    static let maxSeconds: Int64 = 1 << 30

    /// "10s" or "250ms", for messages.
    static func format(_ duration: Duration) -> String {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return ms % 1000 == 0 ? "\(ms / 1000)s" : "\(ms)ms"
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
