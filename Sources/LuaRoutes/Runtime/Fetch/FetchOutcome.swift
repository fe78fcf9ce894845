import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// What came back: a response (header names lower-case, repeats joined by ", "), or the
/// readable reason it did not ("connection refused", "timed out after 10s", "response over 10mb").
enum FetchOutcome: Sendable {
    case response(status: Int, headers: [(name: String, value: String)], body: [UInt8])
    case failure(String)
}
