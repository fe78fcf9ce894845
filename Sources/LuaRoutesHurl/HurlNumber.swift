import Foundation
import LuaRoutes

/// A number from a response or a literal; integers stay exact, and compare with floats by value.
enum HurlNumber: Sendable, Equatable, CustomStringConvertible {
    case integer(Int64)
    case float(Double)

    var asDouble: Double {
        switch self {
        case .integer(let i): return Double(i)
        case .float(let f): return f
        }
    }

    static func == (lhs: HurlNumber, rhs: HurlNumber) -> Bool {
        if case let .integer(a) = lhs, case let .integer(b) = rhs { return a == b }
        return lhs.asDouble == rhs.asDouble
    }

    static func < (lhs: HurlNumber, rhs: HurlNumber) -> Bool {
        if case let .integer(a) = lhs, case let .integer(b) = rhs { return a < b }
        return lhs.asDouble < rhs.asDouble
    }

    var description: String {
        switch self {
        case .integer(let i): return String(i)
        case .float(let f):
            // Hurl prints floats with a fraction part ("1.0"), and Swift already does.
            return f.description
        }
    }
}
