import CLuaGlue
import Foundation
import Logging
import NIOCore

/// What `db` in one route worker's states calls back into (lr_db.h's lr_db_host): which
/// connection a statement uses, the transaction pinned to a request, and lock waits, which
/// resume the request later on the worker's loop. Called from C while the request's code
/// runs: nothing here touches the Lua state.
final class DatabaseBinding {
    let host: UnsafeMutablePointer<lr_db_host>
    private let engineName: UnsafeMutablePointer<CChar>
    private unowned let worker: RouteWorker
    private let database: LoopDatabase?
    private let postgres: LoopPostgres?
    /// Why there is no database (an invalid URL); nil when there is one.
    private let unavailable: String?
    /// Transactions in progress, by request: their connection and how deep they are nested.
    private var pins: [ObjectIdentifier: (connection: Connection, levels: Int)] = [:]
    /// While a request is resumed with a PostgreSQL answer: that answer (lr_db_host.answer).
    private var answer: UnsafeRawPointer?

    /// A connection of either engine.
    enum Connection {
        case sqlite(SQLiteConnection)
        case postgres(PostgresLink)
        var raw: OpaquePointer {
            switch self {
            case .sqlite(let connection): return connection.raw
            case .postgres(let link): return OpaquePointer(link.raw)
            }
        }
    }

    init(worker: RouteWorker, location: DatabaseLocation?, settings: DatabaseConfig) {
        self.worker = worker
        switch location {
        case .sqlite(let path):
            database = LoopDatabase.on(worker.loop, path: path, settings: settings)
            postgres = nil
            unavailable = nil
        case .postgres(let url):
            database = nil
            do {
                let address = try PostgresAddress(url: url)
                postgres = LoopPostgres.on(worker.loop, address: address, settings: settings, logger: worker.logger)
                unavailable = nil
            } catch {
                postgres = nil
                unavailable = "db: \(error.description)"
            }
        case nil:
            database = nil
            postgres = nil
            unavailable = "db: no database is configured (see db.url in luaroutes.config.lua)"
        }
        engineName = strdup(location?.engine ?? "sqlite")
        host = .allocate(capacity: 1)
        host.initialize(to: lr_db_host())
        host.pointee.host = Unmanaged.passUnretained(self).toOpaque()
        host.pointee.engine = UnsafePointer(engineName)
        host.pointee.timeout_ns = FetchClient.nanoseconds(settings.timeout)
        host.pointee.connection = DatabaseBinding.connectionCallback
        host.pointee.pin = DatabaseBinding.pinCallback
        host.pointee.unpin = DatabaseBinding.unpinCallback
        host.pointee.wait = DatabaseBinding.waitCallback
        host.pointee.answer = DatabaseBinding.answerCallback
    }

    deinit {
        host.deallocate()
        free(engineName)
    }

    /// Sets the global `db` in `sandbox`; returns why it could not.
    func install(in sandbox: Sandbox) -> String? {
        guard lr_db_install(sandbox.L, host) == LUA_OK else {
            defer { lr_pop(sandbox.L, 1) }
            return "cannot install db: \(sandbox.state.string(at: -1) ?? "?")"
        }
        return nil
    }

    /// The request is answered (or abandoned at a limit): a transaction it left open is rolled
    /// back and its connection goes back to the loop, never to another request mid-transaction.
    func requestEnded(_ request: InFlightRequest) {
        guard let pin = pins.removeValue(forKey: ObjectIdentifier(request)) else { return }
        worker.logger.warning("\(worker.route.file): the request ended inside db.transaction; rolled back",
                              metadata: ["request": .string(request.request.requestID)])
        switch pin.connection {
        case .sqlite(let connection):
            database?.giveBack(connection)
        case .postgres(let link):
            // Statements still running: close it (the server rolls back); else roll back in order.
            let clean = link.inFlight == 0
            if clean { link.sendAndForget("ROLLBACK") }
            postgres?.unpin(link, clean: clean)
        }
    }

    private static func binding(_ host: UnsafeMutableRawPointer?) -> DatabaseBinding {
        Unmanaged<DatabaseBinding>.fromOpaque(host!).takeUnretainedValue()
    }

    private static func write(_ text: String, to buffer: UnsafeMutablePointer<CChar>?, capacity: Int) {
        guard let buffer, capacity > 0 else { return }
        let bytes = Array(text.utf8.prefix(capacity - 1))
        for (i, byte) in bytes.enumerated() { buffer[i] = CChar(bitPattern: byte) }
        buffer[bytes.count] = 0
    }

    private static let notInRequest = "db: only available while handling a request (not at module scope)"

    /// SQLSTATEs handed to C: static strings, never freed.
    nonisolated(unsafe) private static let cannotConnect = UnsafePointer(strdup("08001")!)
    nonisolated(unsafe) private static let noRequest = UnsafePointer(strdup("XX000")!)

    private struct Refusal: Error {
        let message: String
        let cannotConnect: Bool
        var sqlstate: UnsafePointer<CChar> { cannotConnect ? DatabaseBinding.cannotConnect : DatabaseBinding.noRequest }
    }

    private func connection() throws(Refusal) -> Connection {
        guard let current = worker.callbacks.current else { throw Refusal(message: Self.notInRequest, cannotConnect: false) }
        if !pins.isEmpty, let pin = pins[ObjectIdentifier(current)] {   // most requests hold none
            if case .postgres(let link) = pin.connection { link.client = client(for: current) }
            return pin.connection
        }
        if let postgres {
            let link = postgres.autocommitLink()
            link.client = client(for: current)
            return .postgres(link)
        }
        return .sqlite(try open { database throws(SQLiteConnection.OpenError) in try database.autocommitConnection() })
    }

    /// Where a PostgreSQL answer for `request` goes: the request resumes with it on this loop.
    private func client(for request: InFlightRequest) -> (PostgresResult) -> Void {
        { [weak self] result in
            guard let self, !request.finished else { return }   // answered already (timed out): drop
            result.withAnswer { pointer in
                self.answer = pointer
                defer { self.answer = nil }
                self.worker.run(request, arguments: 0, answer: nil)
            }
        }
    }

    private func open(_ body: (LoopDatabase) throws(SQLiteConnection.OpenError) -> SQLiteConnection) throws(Refusal) -> SQLiteConnection {
        guard let database else { throw Refusal(message: unavailable ?? "db: unavailable", cannotConnect: true) }
        do {
            return try body(database)
        } catch {
            throw Refusal(message: "db: cannot open \(database.path): \(error.description)", cannotConnect: true)
        }
    }

    /// db.transaction: the request's pinned connection (one level deeper), or a new pin.
    private func pin() throws(Refusal) -> (Connection, depth: Int) {
        guard let current = worker.callbacks.current else { throw Refusal(message: Self.notInRequest, cannotConnect: false) }
        let key = ObjectIdentifier(current)
        if let pin = pins[key] {
            pins[key] = (pin.connection, pin.levels + 1)
            if case .postgres(let link) = pin.connection { link.client = client(for: current) }
            return (pin.connection, pin.levels)
        }
        let made: Connection
        if let postgres {
            let link = postgres.pinLink()
            link.client = client(for: current)
            made = .postgres(link)
        } else {
            made = .sqlite(try open { database throws(SQLiteConnection.OpenError) in try database.takeTransactionConnection() })
        }
        pins[key] = (made, 1)
        return (made, 0)
    }

    private func unpin(depth: Int) {
        guard let current = worker.callbacks.current, let pin = pins[ObjectIdentifier(current)] else { return }
        if depth > 0 {
            pins[ObjectIdentifier(current)] = (pin.connection, depth)
            return
        }
        pins[ObjectIdentifier(current)] = nil
        switch pin.connection {
        case .sqlite(let connection): database?.giveBack(connection)
        case .postgres(let link): postgres?.unpin(link, clean: true)   // COMMIT or ROLLBACK is queued on it first
        }
    }

    /// A lock wait: the request's coroutine yields; resume it on this loop after `ms`.
    private func wait(milliseconds: Int32) -> Bool {
        guard let current = worker.callbacks.current else { return false }
        worker.loop.scheduleTask(in: .milliseconds(Int64(milliseconds))) { [weak worker] in
            guard let worker, !current.finished else { return }
            worker.run(current, arguments: 0, answer: nil)
        }
        return true
    }

    private static func answer(_ refusal: Refusal, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int,
                               _ sqlstate: UnsafeMutablePointer<UnsafePointer<CChar>?>?) {
        write(refusal.message, to: buffer, capacity: capacity)
        sqlstate?.pointee = refusal.sqlstate
    }

    static let connectionCallback: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<CChar>?, Int,
                                                   UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> OpaquePointer? = {
        host, buffer, capacity, sqlstate in
        do throws(Refusal) {
            return try binding(host).connection().raw
        } catch {
            answer(error, buffer, capacity, sqlstate)
            return nil
        }
    }

    static let pinCallback: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<CChar>?, Int,
                                            UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> OpaquePointer? = {
        host, depth, buffer, capacity, sqlstate in
        do throws(Refusal) {
            let (connection, level) = try binding(host).pin()
            depth?.pointee = Int32(level)
            return connection.raw
        } catch {
            answer(error, buffer, capacity, sqlstate)
            return nil
        }
    }

    static let unpinCallback: @convention(c) (UnsafeMutableRawPointer?, Int32) -> Void = { host, depth in
        binding(host).unpin(depth: Int(depth))
    }

    static let answerCallback: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeRawPointer? = { host in
        binding(host).answer
    }

    static let waitCallback: @convention(c) (UnsafeMutableRawPointer?, Int32) -> Int32 = { host, ms in
        binding(host).wait(milliseconds: ms) ? 0 : 1
    }
}
