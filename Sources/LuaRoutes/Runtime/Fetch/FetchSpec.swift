import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// One outbound request as a handler asked for it, with the route's fetch settings.
struct FetchSpec: Sendable {
    var url: String
    var method: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]?
    var timeout: Duration
    var settings: FetchSettings
}
