import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The PostgreSQL connections of one event loop (docs/data.md ("PostgreSQL")): `db.pool`
/// connections per process spread over the loops, at least one per loop. Statements outside a
/// transaction go to the least busy connection not pinned to a transaction (PostgresNIO queues
/// them); `db.transaction` pins a connection to one request until it ends, and when every
/// connection is pinned it gets one of its own, closed afterwards. Used on its loop only;
/// found through a process-wide table by URL and loop, held by the route workers of that loop.
final class LoopPostgres: @unchecked Sendable {
    let address: PostgresAddress
    let settings: DatabaseConfig
    private let loop: any EventLoop
    private let logger: Logger
    private var links: [PostgresLink] = []
    /// Connections made beyond the pool's size while every pooled one was in a transaction.
    private var extras: [PostgresLink] = []
    private let size: Int

    private init(loop: any EventLoop, address: PostgresAddress, settings: DatabaseConfig, size: Int, logger: Logger) {
        self.loop = loop
        self.address = address
        self.settings = settings
        self.size = size
        self.logger = logger
    }

    private final class Weak: @unchecked Sendable { weak var value: LoopPostgres?; init(_ value: LoopPostgres) { self.value = value } }
    private static let table = NIOLockedValueBox<[String: Weak]>([:])
    /// How many event loops each loop's group has (Generation+build.swift notes them), to
    /// spread db.pool over them.
    private static let groupSizes = NIOLockedValueBox<[ObjectIdentifier: Int]>([:])

    static func noteLoops(_ loops: [any EventLoop]) {
        groupSizes.withLockedValue { sizes in
            for loop in loops { sizes[ObjectIdentifier(loop)] = loops.count }
        }
    }

    /// The pool for `address` on `loop`, made on first use.
    static func on(_ loop: any EventLoop, address: PostgresAddress, settings: DatabaseConfig, logger: Logger) -> LoopPostgres {
        let key = "\(ObjectIdentifier(loop).hashValue)\0\(address.host)\0\(address.port)\0\(address.user)\0\(address.database ?? "")"
        let loops = groupSizes.withLockedValue { $0[ObjectIdentifier(loop)] } ?? 1
        return table.withLockedValue { table in
            if let found = table[key]?.value, found.settings == settings, found.address == address { return found }
            table = table.filter { $0.value.value != nil }
            let made = LoopPostgres(loop: loop, address: address, settings: settings,
                                    size: max(1, (settings.pool + loops - 1) / max(1, loops)), logger: logger)
            table[key] = Weak(made)
            return made
        }
    }

    private func makeLink() -> PostgresLink {
        PostgresLink(loop: loop, address: address, settings: settings, logger: logger)
    }

    /// The connection for a statement outside any transaction: the least busy unpinned one
    /// (connections are opened as the load needs them, up to the pool's size).
    func autocommitLink() -> PostgresLink {
        var best: PostgresLink?
        for link in links where !link.pinned {
            if best == nil || link.inFlight < best!.inFlight { best = link }
        }
        if let best, best.inFlight == 0 || links.count >= size { return best }
        if links.count < size {
            let made = makeLink()
            links.append(made)
            return made
        }
        // Every connection is in a transaction: an extra one (C holds only its raw pointer, so
        // `extras` keeps it alive while it is used).
        return extras.first { !$0.pinned } ?? extraLink()
    }

    /// A connection beyond the pool's size; those left idle and unpinned are closed first.
    private func extraLink() -> PostgresLink {
        extras.removeAll { $0.inFlight == 0 && !$0.pinned }   // PostgresLink.deinit closes them
        let made = makeLink()
        extras.append(made)
        return made
    }

    /// A connection of its own for one request's transaction.
    func pinLink() -> PostgresLink {
        var best: PostgresLink?
        for link in links where !link.pinned && !link.isBroken {
            if best == nil || link.inFlight < best!.inFlight { best = link }
        }
        let chosen: PostgresLink
        if let best, best.inFlight == 0 || links.count >= size {
            chosen = best
        } else if links.count < size {
            chosen = makeLink()
            links.append(chosen)
        } else {
            chosen = extraLink()   // closed once the transaction ended and it is idle
        }
        chosen.pinned = true
        return chosen
    }

    /// The transaction ended. `clean`: it committed or rolled back in order; otherwise (a request
    /// abandoned with statements still running) the connection is closed, so the server rolls
    /// it back and no other request ever sees it mid-transaction.
    func unpin(_ link: PostgresLink, clean: Bool) {
        link.pinned = false
        link.client = nil
        if !clean { link.close() }
        // A connection made beyond the pool stays in `extras` until an extra one is next needed
        // and it is idle: then it is closed (PostgresLink.deinit).
    }
}
