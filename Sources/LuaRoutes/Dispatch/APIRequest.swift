/// One request as every front end hands it to the ``Dispatcher``: the HTTP server, `luaroutes
/// request` and `luaroutes test` all build this and nothing else. Plain values, no NIO types.
public struct APIRequest: Sendable {
    /// Upper-case method token as received ("GET", "POST", ...).
    public var method: String
    /// Path and query as received: "/api/users/42?x=1".
    public var target: String
    /// Header fields in arrival order; names as sent (lookups are case-insensitive). For a
    /// request from the server, made from the head's bytes on each read: the host itself never
    /// reads it whole (``header(_:)`` and `req.headers` read the bytes).
    public var headers: [(name: String, value: String)] {
        get { head?.headerList ?? listedHeaders }
        set {
            listedHeaders = newValue
            head = nil
        }
    }
    private var listedHeaders: [(name: String, value: String)]
    /// The head as the server's parser found it, fields as offsets into its bytes; nil for
    /// requests built from Strings (`luaroutes request`, `luaroutes test`).
    private(set) var head: RequestHead?
    /// The body bytes; empty when there is none.
    public var body: [UInt8]
    /// The client's address as text ("127.0.0.1"); "local" for in-process requests.
    public var remoteAddress: String

    public init(
        method: String,
        target: String,
        headers: [(name: String, value: String)] = [],
        body: [UInt8] = [],
        remoteAddress: String = "127.0.0.1"
    ) {
        self.method = method
        self.target = target
        self.listedHeaders = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }

    /// A request from the server: its headers stay in the head's bytes.
    init(head: RequestHead, body: [UInt8], remoteAddress: String) {
        self.method = head.method
        self.target = head.target
        self.listedHeaders = []
        self.head = head
        self.body = body
        self.remoteAddress = remoteAddress
    }

    /// How many header fields arrived (repeats counted).
    var headerCount: Int { head?.fields.count ?? listedHeaders.count }

    /// The first value of a header, by case-insensitive name; a String is made for the hit only.
    public func header(_ name: String) -> String? {
        if let head { return head.value(named: name) }
        return listedHeaders.first { $0.name.caseInsensitiveEquals(name) }?.value
    }
}

extension String {
    /// `predicate` holds for every UTF-8 byte; reads the bytes in place (the view's iterator
    /// costs several times more per byte).
    func allUTF8(_ predicate: (UInt8) -> Bool) -> Bool {
        utf8.withContiguousStorageIfAvailable { $0.allSatisfy(predicate) } ?? utf8.allSatisfy(predicate)
    }

    /// ASCII case-insensitive comparison, enough for HTTP field names.
    public func caseInsensitiveEquals(_ other: String) -> Bool {
        utf8.count == other.utf8.count && zip(utf8, other.utf8).allSatisfy { a, b in
            a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7a)
        }
    }
}
