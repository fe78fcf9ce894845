import CLuaGlue
import NIOCore
import PostgresNIO

/// The rows of one statement as bytes, gathered on the event loop as PostgresNIO delivers them
/// and read by C (lr_db_pg.c, lr_pg_answer) which decodes each cell by its type OID. Column
/// names are taken once, from the first row; no Swift value is made per cell.
final class PostgresResult: @unchecked Sendable {   // used on one event loop only
    var error: (message: String, sqlstate: String)?
    var changes: Int64 = 0
    private(set) var oids: [UInt32] = []
    private(set) var names: [UInt8] = []
    private(set) var data: [UInt8] = []
    private(set) var cells: [Int64] = []
    private(set) var rows: Int64 = 0
    private let maxResult: Int
    private let keepRows: Int64
    private let enums: Set<UInt32>
    private(set) var overflow = false

    /// keepRows: how many rows are kept (db.first keeps one; the rest are still read off the wire).
    init(maxResult: Int, keepRows: Int64, enums: Set<UInt32>) {
        self.maxResult = maxResult
        self.keepRows = keepRows
        self.enums = enums
    }

    static let enumMark: UInt32 = 0x8000_0000   // lr_db_pg.c reads a marked OID as an enum's label

    func add(_ row: PostgresRow) {
        if rows == 0 && oids.isEmpty {
            for cell in row {
                let oid = cell.dataType.rawValue
                oids.append(enums.contains(oid) ? oid | Self.enumMark : oid)
                names.append(contentsOf: cell.columnName.utf8)
                names.append(0)
            }
        }
        guard rows < keepRows, !overflow else { return }
        for cell in row {
            if let bytes = cell.bytes {
                cells.append(Int64(data.count))
                cells.append(Int64(bytes.readableBytes))
                data.append(contentsOf: bytes.readableBytesView)
            } else {
                cells.append(0)
                cells.append(-1)
            }
        }
        rows += 1
        if data.count + cells.count * 8 > maxResult {
            overflow = true
            error = ("db: the result is larger than db.maxResult; select fewer rows or columns (LIMIT)", "54000")
        }
    }

    /// Calls body with the C view of this result, valid during the call.
    func withAnswer<T>(_ body: (UnsafeRawPointer) -> T) -> T {
        var answer = lr_pg_answer()
        answer.engine = lr_pg_engine_address()
        do {
            if let error {
                return error.sqlstate.withCString { state in
                    Array(error.message.utf8).withUnsafeBufferPointer { text in
                        text.withMemoryRebound(to: CChar.self) { text in
                            answer.error = text.baseAddress
                            answer.error_len = text.count
                            answer.sqlstate = state
                            return withUnsafePointer(to: &answer) { body(UnsafeRawPointer($0)) }
                        }
                    }
                }
            }
            answer.changes = changes
            answer.ncols = Int32(oids.count)
            answer.nrows = rows
            return oids.withUnsafeBufferPointer { oids in
                names.withUnsafeBufferPointer { names in
                    data.withUnsafeBufferPointer { data in
                        cells.withUnsafeBufferPointer { cells in
                            names.withMemoryRebound(to: CChar.self) { names in
                                answer.oids = oids.baseAddress
                                answer.names = names.baseAddress
                                answer.data = data.baseAddress
                                answer.cells = cells.baseAddress
                                return withUnsafePointer(to: &answer) { body(UnsafeRawPointer($0)) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Why a statement failed, in docs/data.md's words: "db: ..." and the SQLSTATE.
    static func describe(_ error: any Error, timeout: Duration) -> (message: String, sqlstate: String) {
        guard let psql = error as? PSQLError else {
            return ("db: \(error)", "XX000")
        }
        switch psql.code {
        case .server:
            let state = psql.serverInfo?[.sqlState] ?? "XX000"
            let message = psql.serverInfo?[.message] ?? "error"
            switch state {
            case "57014" where message.contains("statement timeout"):
                return ("db: canceling statement: query exceeded db.timeout (\(DurationText.format(timeout)))", state)
            case "42601" where message.contains("multiple commands"):
                return ("db: one statement per call (run the next one in a call of its own, inside db.transaction if they belong together)", state)
            case "57P01", "57P02", "57P03":
                return ("db: connection to PostgreSQL lost (\(message))", "08006")
            default:
                return ("db: \(message)", state)
            }
        case .serverClosedConnection, .uncleanShutdown, .connectionError, .clientClosedConnection:
            return ("db: connection to PostgreSQL lost (\(psql.code))", "08006")
        default:
            return ("db: \(psql.code)", "XX000")
        }
    }
}
