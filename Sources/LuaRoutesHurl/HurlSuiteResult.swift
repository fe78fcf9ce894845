import Foundation
import LuaRoutes

public struct HurlSuiteResult: Sendable {
    /// The report for stdout, ending with a newline.
    public var output: String
    /// Files whose every entry passed.
    public var passed: Int
    /// Files that failed, did not parse, or could not be read.
    public var failed: Int
    /// The same results as a JUnit XML report (`--report-junit FILE`).
    public var junit: String = ""

    /// Exit status 0 only when this is true: something ran and nothing failed.
    public var allPassed: Bool { failed == 0 && passed > 0 }
}
