import Foundation
import LuaRoutes

/// `luaroutes test --report-junit FILE`: one `<testcase>` per `.hurl` file (as Hurl's own
/// report does), a failing file carrying its report frames in `<failure>`.
enum HurlJUnit {
    static func render(_ results: [HurlReport.FileResult]) -> String {
        let failures = results.filter { !$0.passed }.count
        let total = results.reduce(Duration.zero) { $0 + $1.duration }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites tests=\"\(results.count)\" failures=\"\(failures)\" errors=\"0\" time=\"\(seconds(total))\">\n"
        out += "  <testsuite name=\"luaroutes test\" tests=\"\(results.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"0\" time=\"\(seconds(total))\">\n"
        for result in results {
            out += "    <testcase classname=\"luaroutes\" name=\"\(escaped(result.path))\" time=\"\(seconds(result.duration))\""
            if result.passed {
                out += "/>\n"
                continue
            }
            let report = HurlReport.render([result])
            // The frames alone: the file line and the count are in the attributes already.
            let frames = report.split(separator: "\n", omittingEmptySubsequences: false).dropLast(3).joined(separator: "\n")
            out += ">\n      <failure message=\"\(escaped(HurlReport.fileLine(result)))\">\(escaped(frames))</failure>\n    </testcase>\n"
        }
        out += "  </testsuite>\n</testsuites>\n"
        return out
    }

    static func seconds(_ duration: Duration) -> String {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return String(format: "%.3f", Double(ms) / 1000)
    }

    /// Text for XML content and attribute values; control bytes XML 1.0 forbids become U+FFFD.
    static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n", "\t": out.unicodeScalars.append(scalar)
            case "\r": out += "&#13;"
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
