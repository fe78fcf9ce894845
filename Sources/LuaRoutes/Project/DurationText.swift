import Foundation

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
