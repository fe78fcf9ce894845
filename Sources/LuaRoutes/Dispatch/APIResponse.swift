/// One finished response, as the ``Dispatcher`` returns it to every front end.
public struct APIResponse: Sendable {
    public var status: Int
    /// Header fields in the order the handler set them; a repeated name (Set-Cookie) repeats.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// A streamed answer (`res.write`): `body` is empty, the chunks come through this
    /// (docs/streaming.md). The front end attaches its writer when it receives the head.
    public var stream: ResponseBodyStream?

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    /// Every value of a header, by case-insensitive name, in order.
    public func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }
}
