/// One request as every front end hands it to the ``Dispatcher``: the HTTP server, `luaroutes
/// request` and `luaroutes test` all build this and nothing else. Plain values, no NIO types.
///
/// A value with its fields in one shared box, copied on write: a request is copied into a
/// dozen closures and records on its way (the answer's completion, CORS, ETag, the route's
/// request), and each copy of six separate fields cost twelve reference counts (callgrind:
/// ~3k instructions per hello request); a copy of the box costs two.
public struct APIRequest: Sendable {
    /// Upper-case method token as received ("GET", "POST", ...).
    public var method: String {
        get { storage.method }
        set { unique().method = newValue }
    }
    /// Path and query as received: "/api/users/42?x=1".
    public var target: String {
        get { storage.target }
        set { unique().target = newValue }
    }
    /// Header fields in arrival order; names as sent (lookups are case-insensitive). For a
    /// request from the server, made from the head's bytes on each read: the host itself never
    /// reads it whole (``header(_:)`` and `req.headers` read the bytes).
    public var headers: [(name: String, value: String)] {
        get { storage.head?.headerList ?? storage.listedHeaders }
        set {
            let storage = unique()
            storage.listedHeaders = newValue
            storage.head = nil
        }
    }
    /// The head as the server's parser found it, fields as offsets into its bytes; nil for
    /// requests built from Strings (`luaroutes request`, `luaroutes test`).
    var head: RequestHead? { storage.head }
    /// The body bytes; empty when there is none.
    public var body: [UInt8] {
        get { storage.body }
        set { unique().body = newValue }
    }
    /// The client's address as text ("127.0.0.1"); "local" for in-process requests.
    public var remoteAddress: String {
        get { storage.remoteAddress }
        set { unique().remoteAddress = newValue }
    }

    private var storage: Storage

    public init(
        method: String,
        target: String,
        headers: [(name: String, value: String)] = [],
        body: [UInt8] = [],
        remoteAddress: String = "127.0.0.1"
    ) {
        storage = Storage(method: method, target: target, listedHeaders: headers, head: nil, body: body, remoteAddress: remoteAddress)
    }

    /// A request from the server: its headers stay in the head's bytes.
    init(head: RequestHead, body: [UInt8], remoteAddress: String) {
        storage = Storage(method: head.method, target: head.target, listedHeaders: [], head: head, body: body, remoteAddress: remoteAddress)
    }

    /// How many header fields arrived (repeats counted).
    var headerCount: Int { storage.head?.fields.count ?? storage.listedHeaders.count }

    /// The first value of a header, by case-insensitive name; a String is made for the hit only.
    public func header(_ name: String) -> String? {
        if let head = storage.head { return head.value(named: name) }
        return storage.listedHeaders.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    /// How `req.body` is made from the body, by the first Content-Type (docs/reference.md
    /// section 4); from the head's bytes for a request from the server.
    var bodyKind: BodyKind {
        if let head = storage.head { return head.withContentType { BodyKind(contentType: $0, bodyLength: storage.body.count) } }
        return BodyKind(contentType: header("content-type"), bodyLength: storage.body.count)
    }

    /// The box, copied first if another request value shares it.
    private mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    /// Mutated only through ``unique()``, so a box another value can see never changes:
    /// as safe to send as the plain fields it holds.
    private final class Storage: @unchecked Sendable {
        var method: String
        var target: String
        var listedHeaders: [(name: String, value: String)]
        var head: RequestHead?
        var body: [UInt8]
        var remoteAddress: String

        init(method: String, target: String, listedHeaders: [(name: String, value: String)], head: RequestHead?, body: [UInt8],
             remoteAddress: String) {
            self.method = method
            self.target = target
            self.listedHeaders = listedHeaders
            self.head = head
            self.body = body
            self.remoteAddress = remoteAddress
        }

        func copy() -> Storage {
            Storage(method: method, target: target, listedHeaders: listedHeaders, head: head, body: body, remoteAddress: remoteAddress)
        }
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
        guard utf8.count == other.utf8.count else { return false }
        func same(_ a: UInt8, _ b: UInt8) -> Bool { a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7a) }
        // In place when both are contiguous (native Strings are): zip over the views costs
        // several times more per byte.
        let inPlace = utf8.withContiguousStorageIfAvailable { mine in
            other.utf8.withContiguousStorageIfAvailable { theirs in
                for i in 0..<mine.count where !same(mine[i], theirs[i]) { return false }
                return true
            }
        }
        if let inPlace, let inPlace { return inPlace }
        return zip(utf8, other.utf8).allSatisfy(same)
    }
}
