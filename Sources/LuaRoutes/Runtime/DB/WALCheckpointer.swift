import CLuaGlue
import Dispatch
import NIOConcurrencyHelpers

/// Copies the write-ahead log back into the database file off the event loops. SQLite would do
/// it inside a commit once the WAL passes 1,000 pages, on whichever loop committed; the loops'
/// connections have that turned off (`wal_autocheckpoint=0`) and this runs a PASSIVE checkpoint
/// (it never waits for readers or writers) on a connection and a queue of its own, every 250 ms.
/// One per database file, kept alive by the loops' databases that use it.
final class WALCheckpointer: @unchecked Sendable {
    private let connection: SQLiteConnection
    private let queue = DispatchQueue(label: "luaroutes.wal-checkpoint")
    private let timer: any DispatchSourceTimer

    private init(connection: SQLiteConnection) {
        self.connection = connection
        timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .milliseconds(250), repeating: .milliseconds(250), leeway: .milliseconds(50))
        timer.setEventHandler { [connection] in _ = lr_sqlite_checkpoint(connection.raw) }
        timer.resume()
    }

    deinit {
        timer.cancel()
        queue.sync {}   // a checkpoint under way finishes before the connection closes
    }

    private final class Weak: @unchecked Sendable { weak var value: WALCheckpointer?; init(_ value: WALCheckpointer) { self.value = value } }
    private static let table = NIOLockedValueBox<[String: Weak]>([:])

    /// The checkpointer of the file at `path`, started on first use; nil when it cannot open
    /// the file (the loops then checkpoint as SQLite does by default).
    static func forFile(_ path: String, settings: DatabaseConfig) -> WALCheckpointer? {
        table.withLockedValue { table in
            if let running = table[path]?.value { return running }
            guard let connection = try? SQLiteConnection(path: path, timeout: settings.timeout, maxResult: settings.maxResult) else { return nil }
            let made = WALCheckpointer(connection: connection)
            table = table.filter { $0.value.value != nil }
            table[path] = Weak(made)
            return made
        }
    }
}
