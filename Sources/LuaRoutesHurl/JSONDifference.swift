import Foundation
import LuaRoutes

/// The first place two JSON values differ, as `$.items[2].id: actual integer <7>, expected integer <8>`.
enum JSONDifference {
    static func first(actual: JSONValue, expected: JSONValue, path: String = "$") -> String? {
        switch (actual, expected) {
        case let (.object(a), .object(e)):
            for (key, expectedValue) in e {
                let childPath = path + member(key)
                guard let actualValue = a.first(where: { $0.0 == key })?.1 else {
                    return "\(childPath): actual none, expected \(HurlValue(expectedValue).display)"
                }
                if let difference = first(actual: actualValue, expected: expectedValue, path: childPath) {
                    return difference
                }
            }
            if let (key, extra) = a.first(where: { pair in !e.contains { $0.0 == pair.0 } }) {
                return "\(path + member(key)): actual \(HurlValue(extra).display), expected none"
            }
            return nil
        case let (.array(a), .array(e)):
            for (i, (x, y)) in zip(a, e).enumerated() {
                if let difference = first(actual: x, expected: y, path: "\(path)[\(i)]") { return difference }
            }
            if a.count != e.count {
                return "\(path): actual \(a.count) items, expected \(e.count) items"
            }
            return nil
        default:
            if actual == expected { return nil }
            return "\(path): actual \(HurlValue(actual).display), expected \(HurlValue(expected).display)"
        }
    }

    private static func member(_ key: String) -> String {
        let plain = !key.isEmpty && key.first?.isNumber == false
            && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        return plain ? ".\(key)" : "['\(key.replacingOccurrences(of: "'", with: "\\'"))']"
    }
}
