import ArgumentParser
import Foundation
import LuaRoutes
import Logging

/// `-H "Name: value"` arguments, shared by `request` and `bench`: split at the first colon,
/// both sides trimmed; anything without a colon or with an empty name is a usage error.
enum HeaderArguments {
    static func parse(_ lines: [String]) throws -> [(name: String, value: String)] {
        try lines.map { line in
            guard let colon = line.firstIndex(of: ":"),
                  !line[..<colon].trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("-H takes \"Name: value\", got '\(line)'")
            }
            return (String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                    String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
    }
}
