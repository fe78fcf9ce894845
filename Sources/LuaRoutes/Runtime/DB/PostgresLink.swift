import CLuaGlue
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO

/// One pooled PostgreSQL connection of one event loop (docs/data.md ("PostgreSQL")): opened on
/// that loop when first used, statements sent in order (PostgresNIO queues them), answers
/// delivered on the loop to the request that asked. A lost connection is reopened by the next
/// statement; failed attempts back off (100 ms doubling to 5 s), and while backing off a
/// statement fails at once with 08001 instead of waiting.
final class PostgresLink: @unchecked Sendable {   // confined to its event loop
    let raw: UnsafeMutablePointer<lr_pg_conn>
    private let loop: any EventLoop
    private let address: PostgresAddress
    private let settings: DatabaseConfig
    private let logger: Logger
    private static let nextID = ManagedAtomicCounter()

    private enum State {
        case closed
        case connecting([(PostgresConnection) -> Void], [(String) -> Void])
        case ready(PostgresConnection)
    }
    private var state: State = .closed
    private var failures = 0
    private var retryAt: NIODeadline = .uptimeNanoseconds(0)
    private var lastFailure = ""
    /// Enum type OIDs of the database, read when the connection opens (their values are labels).
    private var enums: Set<UInt32> = []

    /// Statements sent and not answered yet.
    private(set) var inFlight = 0
    /// The request's transaction this connection is pinned to, if any.
    var pinned = false { didSet { transactionLost = false } }
    /// The connection closed while pinned: the server rolled the transaction back, so its later
    /// statements must fail rather than run on a new connection outside any transaction.
    private var transactionLost = false
    /// Counts connection attempts: a result that is not the latest attempt's is closed, unused.
    private var attempt = 0
    /// Who gets the answer of the next statement sent: set when the connection is handed out.
    var client: ((PostgresResult) -> Void)?

    init(loop: any EventLoop, address: PostgresAddress, settings: DatabaseConfig, logger: Logger) {
        self.loop = loop
        self.address = address
        self.settings = settings
        self.logger = logger
        raw = .allocate(capacity: 1)
        raw.initialize(to: lr_pg_conn())
        raw.pointee.engine = lr_pg_engine_address()
        raw.pointee.host = Unmanaged.passUnretained(self).toOpaque()
        raw.pointee.max_result = settings.maxResult
        raw.pointee.submit = PostgresLink.submitCallback
    }

    deinit {
        if case .ready(let connection) = state { connection.close().whenComplete { _ in } }
        raw.deallocate()
    }

    /// Whether statements can be sent now (connected, or connecting).
    var isBroken: Bool {
        if case .closed = state { return NIODeadline.now() < retryAt }
        return false
    }

    /// Closes the connection (a transaction in doubt): the server rolls it back. Statements
    /// waiting for a connection being opened fail.
    func close() {
        switch state {
        case .ready(let connection):
            connection.close().whenComplete { _ in }
        case .connecting(_, let failing):
            attempt += 1   // the attempt's connection, when it comes, is closed unused
            state = .closed
            for fail in failing { fail("db: the connection was closed before it opened") }
        case .closed:
            break
        }
        if pinned { transactionLost = true }
        state = .closed
    }

    // MARK: connecting

    private func withConnection(_ body: @escaping (PostgresConnection) -> Void, failed: @escaping (String) -> Void) {
        switch state {
        case .ready(let connection) where !connection.isClosed:
            body(connection)
        case .connecting(var waiting, var failing):
            waiting.append(body)
            failing.append(failed)
            state = .connecting(waiting, failing)
        case .ready, .closed:
            if NIODeadline.now() < retryAt {
                return failed(lastFailure)
            }
            state = .connecting([body], [failed])
            connect()
        }
    }

    private func connect() {
        attempt += 1
        let mine = attempt
        let id = PostgresLink.nextID.next()
        let configuration = address.configuration(timeout: settings.timeout)
        PostgresConnection.connect(on: loop, configuration: configuration, id: id, logger: logger)
            .flatMap { connection in
                connection.query("SELECT oid::int8 FROM pg_type WHERE typtype = 'e'", logger: self.logger).map { result in
                    (connection, Set(result.rows.compactMap { (try? $0.decode(Int64.self)).map { UInt32(truncatingIfNeeded: $0) } }))
                }.flatMapError { error in
                    connection.close().flatMapThrowing { () -> (PostgresConnection, Set<UInt32>) in throw error }
                }
            }
            .hop(to: loop)
            .whenComplete { [self] result in
                guard mine == attempt, case .connecting(let waiting, let failing) = state else {
                    if case .success(let (connection, _)) = result { connection.close().whenComplete { _ in } }
                    return
                }
                switch result {
                case .success(let (connection, enums)):
                    failures = 0
                    self.enums = enums
                    state = .ready(connection)
                    connection.closeFuture.hop(to: loop).whenComplete { [weak self] _ in
                        guard let self, case .ready(let current) = self.state, current === connection else { return }
                        self.state = .closed
                        if self.pinned { self.transactionLost = true }
                    }
                    for body in waiting { body(connection) }
                case .failure(let error):
                    failures += 1
                    let delay = min(5000, 100 << min(failures - 1, 6))
                    retryAt = .now() + .milliseconds(Int64(delay))
                    lastFailure = "db: cannot connect to PostgreSQL at \(address.display) (\(PostgresLink.reason(error))); retrying within \(delay)ms"
                    logger.warning("\(lastFailure)")
                    state = .closed
                    for fail in failing { fail(lastFailure) }
                }
            }
    }

    static func reason(_ error: any Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] { return message }
            if let underlying = psql.underlying { return "\(underlying)" }
            return "\(psql.code)"
        }
        return "\(error)"
    }

    // MARK: statements

    /// Sends one statement; `answer` runs on the loop with its result.
    func send(_ query: PostgresQuery, keepRows: Int64, answer deliver: @escaping (PostgresResult) -> Void) {
        inFlight += 1
        let answer = NIOLoopBound(deliver, eventLoop: loop)
        let timeout = settings.timeout
        let maxResult = settings.maxResult
        if pinned, case .ready(let connection) = state, connection.isClosed { transactionLost = true }   // before closeFuture told us
        if transactionLost {
            inFlight -= 1
            let result = PostgresResult(maxResult: maxResult, keepRows: 0, enums: [])
            result.error = ("db: the connection was lost during the transaction; the server rolled it back", "08006")
            loop.execute { answer.value(result) }   // later: the caller is in the middle of a Lua resume
            return
        }
        withConnection({ [self] connection in
            let result = PostgresResult(maxResult: maxResult, keepRows: keepRows, enums: enums)
            connection.query(query, logger: logger) { row in result.add(row) }
                .hop(to: loop)
                .whenComplete { [self] outcome in
                    inFlight -= 1
                    switch outcome {
                    case .success(let metadata):
                        result.changes = Int64(metadata.rows ?? 0)
                        // COMMIT of a transaction in which a statement failed only rolls back.
                        if metadata.command == "ROLLBACK", query.sql == "COMMIT" {
                            result.error = ("db: the transaction was rolled back: a statement in it failed", "25P02")
                        }
                    case .failure(let error):
                        result.error = PostgresResult.describe(error, timeout: timeout)
                    }
                    // Always later: a query on a closed channel fails at once, inside the submit
                    // that a Lua resume is in the middle of.
                    loop.execute { answer.value(result) }
                }
        }, failed: { [self] message in
            inFlight -= 1
            let result = PostgresResult(maxResult: maxResult, keepRows: 0, enums: [])
            result.error = (message, "08001")
            loop.execute { answer.value(result) }   // later: the caller is in the middle of a Lua resume
        })
    }

    /// A statement nobody waits for (ROLLBACK when a request is abandoned).
    func sendAndForget(_ sql: String) {
        send(PostgresQuery(unsafeSQL: sql), keepRows: 0) { _ in }
    }

    private static func bindings(_ params: UnsafePointer<UInt8>?, length: Int, count: Int) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: count)
        guard let params else { return bindings }
        let bytes = UnsafeBufferPointer(start: params, count: length)
        var at = 0
        func u32(_ i: Int) -> UInt32 { UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3]) }
        for _ in 0..<count {
            let oid = u32(at), format = bytes[at + 5], size = Int32(bitPattern: u32(at + 6))
            at += Int(LR_PG_PARAM_HEADER)
            if size < 0 {
                bindings.appendNull()
                continue
            }
            var buffer = ByteBuffer()
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[at..<at + Int(size)]))
            at += Int(size)
            bindings.append(RawBind(psqlType: PostgresDataType(oid), psqlFormat: format == 1 ? .binary : .text, bytes: buffer))
        }
        return bindings
    }

    static let submitCallback: @convention(c) (UnsafeMutableRawPointer?, Int32, Int32, UnsafePointer<CChar>?, Int,
                                               UnsafePointer<UInt8>?, Int, Int32, UnsafeMutablePointer<CChar>?, Int,
                                               UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Int32 = {
        host, kind, wait, sql, length, params, paramsLength, count, _, _, _ in
        let link = Unmanaged<PostgresLink>.fromOpaque(host!).takeUnretainedValue()
        let text = sql.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: length), as: UTF8.self) } ?? ""
        let query = PostgresQuery(unsafeSQL: text, binds: bindings(params, length: paramsLength, count: Int(count)))
        guard wait != 0, let client = link.client else {
            link.send(query, keepRows: 0) { result in
                if let error = result.error { link.logger.debug("db: \(text): \(error.message)") }
            }
            return 0
        }
        link.client = nil   // one statement's: a request's closure (its Lua state) must not outlive it here
        link.send(query, keepRows: Int(kind) == LR_DB_FIRST ? 1 : Int64.max, answer: client)
        return 0
    }
}

/// One argument already in PostgreSQL's wire form (lr_db_pg.c packed it).
private struct RawBind: PostgresDynamicTypeEncodable {
    let psqlType: PostgresDataType
    let psqlFormat: PostgresFormat
    let bytes: ByteBuffer

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        var copy = bytes
        byteBuffer.writeBuffer(&copy)
    }
}

/// Connection ids for PostgresNIO's logs.
final class ManagedAtomicCounter: Sendable {
    private let value = NIOLockedValueBox(0)
    func next() -> Int { value.withLockedValue { $0 += 1; return $0 } }
}
