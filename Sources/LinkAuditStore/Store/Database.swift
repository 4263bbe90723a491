import CLinkAuditSQLite
import Foundation
import LinkAuditCore

/// Process-wide settings, applied once before the first connection opens.
private let sqliteConfigured: Void = {
  _ = linkaudit_disable_memstatus()
}()

/// One SQLite connection. Owns its handle; every result code goes through `check`.
public final class Database {
  public enum Mode: Sendable {
    case readWrite
    /// Writes, but leaves the journal mode as the file has it until the
    /// caller has something to commit (`useWAL()`): an import refused on its
    /// first bad row leaves the file's bytes as they were.
    case readWriteKeepingJournal
    /// Opened with SQLITE_OPEN_READONLY and `PRAGMA query_only`, so no statement can write.
    case readOnly
  }

  /// How long a command waits for another's lock before it gives up (seconds).
  package static let busyTimeout: TimeInterval = 60

  package let handle: OpaquePointer
  public let path: String
  public let mode: Mode

  /// Opens a connection and nothing more: no schema is created or migrated
  /// (that is `Database.store(at:)`'s work). Read-only needs an existing file
  /// and never writes to it; read-write creates the file when absent.
  public init(path: String, mode: Mode = .readWrite) throws {
    var db: OpaquePointer?
    let flags =
      mode == .readOnly
      ? SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
      : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
    _ = sqliteConfigured
    let rc = sqlite3_open_v2(path, &db, flags, nil)
    guard rc == SQLITE_OK, let db else {
      let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open \(path)"
      if let db { sqlite3_close_v2(db) }
      throw SQLiteError(code: rc, message: "\(message): \(path)")
    }
    self.handle = db
    self.path = path
    self.mode = mode
    sqlite3_extended_result_codes(db, 1)
    // Concurrent imports and reports wait for each other instead of failing.
    sqlite3_busy_timeout(db, Int32(Self.busyTimeout * 1000))
    // A report reads the quarter's complaints once per figure: with room for
    // them in the cache they are read from the file once.
    try execute("PRAGMA cache_size = -32768")
    if mode == .readOnly {
      try execute("PRAGMA query_only = ON")
    } else {
      // 16 KiB pages (set only while the file is empty): an import appends
      // millions of rows, and larger pages cut its write traffic by about a
      // third under WAL (measured in docs/benchmarks.md).
      try execute("PRAGMA page_size = 16384")
      if mode == .readWrite { try useWAL() }
      try execute("PRAGMA synchronous = NORMAL")
      try execute("PRAGMA foreign_keys = ON")
    }
  }

  /// WAL is kept in the file, so only its first opening sets it. SQLite does
  /// not call the busy handler for a change of journal mode: a connection that
  /// races another's first opening waits its turn here, as long as a busy lock.
  public func useWAL() throws {
    let deadline = Date().addingTimeInterval(Self.busyTimeout)
    while true {
      do {
        if try scalar("PRAGMA journal_mode").text?.lowercased() == "wal" { return }
        try execute("PRAGMA journal_mode = WAL")
        return
      } catch let error as SQLiteError where error.code & 0xFF == SQLITE_BUSY && Date() < deadline {
        usleep(10_000)
      }
    }
  }

  private var isClosed = false

  deinit {
    close()
  }

  /// Closes the connection (the last one out checkpoints the WAL into the file).
  public func close() {
    guard !isClosed else { return }
    isClosed = true
    sqlite3_close_v2(handle)
  }

  /// The one funnel from a SQLite result code to a Swift error.
  @discardableResult
  package func check(_ rc: Int32, sql: String? = nil) throws -> Int32 {
    switch rc {
    case SQLITE_OK, SQLITE_ROW, SQLITE_DONE: return rc
    default: throw SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
  }

  /// Runs one or more statements that return no rows.
  public func execute(_ sql: String) throws {
    var errmsg: UnsafeMutablePointer<CChar>?
    let rc = sqlite3_exec(handle, sql, nil, nil, &errmsg)
    if rc != SQLITE_OK {
      let message = errmsg.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
      sqlite3_free(errmsg)
      throw SQLiteError(code: rc, message: message, sql: sql)
    }
  }

  public func prepare(_ sql: String) throws -> Statement {
    try Statement(database: self, sql: sql)
  }

  /// Runs `sql` with `bindings` and returns every row, for small answers.
  public func rows(_ sql: String, _ bindings: [SQLValue] = []) throws -> [[SQLValue]] {
    let statement = try prepare(sql)
    try statement.bind(bindings)
    var result: [[SQLValue]] = []
    while try statement.step() { result.append(statement.row()) }
    return result
  }

  /// Runs `sql` with its named parameters taken from `values` and returns every row.
  public func rows(_ sql: String, named values: [String: SQLValue]) throws -> [[SQLValue]] {
    let statement = try prepare(sql)
    try statement.bind(named: values)
    var result: [[SQLValue]] = []
    while try statement.step() { result.append(statement.row()) }
    return result
  }

  /// The first column of the first row, or `.null` when there is none.
  public func scalar(_ sql: String, _ bindings: [SQLValue] = []) throws -> SQLValue {
    let statement = try prepare(sql)
    try statement.bind(bindings)
    return try statement.step() ? statement.value(at: 0) : .null
  }

  public enum TransactionKind: String, Sendable {
    case deferred = "DEFERRED"
    /// Takes the write lock at once, so a writer never fails half-way on a lock upgrade.
    case immediate = "IMMEDIATE"
  }

  /// True while a transaction is open on this connection.
  public var inTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

  /// Commits when `body` returns, rolls back when it throws and rethrows the
  /// original error. Inside another transaction it is a savepoint of it
  /// (`kind` is then the outer one's), so a step that keeps its own
  /// transaction (a migration, a re-derivation) can run inside an import's
  /// and be undone with it.
  public func transaction<T>(_ kind: TransactionKind = .immediate, _ body: () throws -> T) throws -> T {
    if inTransaction {
      try execute("SAVEPOINT linkaudit_nested")
      let result: T
      do {
        result = try body()
      } catch {
        try? execute("ROLLBACK TO linkaudit_nested; RELEASE linkaudit_nested")
        throw error
      }
      try execute("RELEASE linkaudit_nested")
      return result
    }
    try execute("BEGIN \(kind.rawValue)")
    let result: T
    do {
      result = try body()
    } catch {
      try? execute("ROLLBACK")
      throw error
    }
    do {
      try execute("COMMIT")
    } catch {
      try? execute("ROLLBACK")
      throw error
    }
    return result
  }

  public var userVersion: Int {
    get throws { Int(try scalar("PRAGMA user_version").integer ?? 0) }
  }

  /// Rows changed by the last INSERT, UPDATE or DELETE.
  public var changes: Int { Int(sqlite3_changes(handle)) }

  public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

  /// From now on, SQLite refuses at prepare time anything but reading: no
  /// writes, ATTACH, VACUUM, transactions, extension loading, or pragmas
  /// other than the informational ones. The ad-hoc query connection's guard,
  /// on top of SQLITE_OPEN_READONLY and `PRAGMA query_only`.
  public func allowReadingOnly() {
    sqlite3_set_authorizer(
      handle,
      { _, action, first, second, _, _ in
        switch action {
        case SQLITE_SELECT, SQLITE_READ, SQLITE_RECURSIVE:
          return SQLITE_OK
        case SQLITE_FUNCTION:
          let name = second.map { String(cString: $0).lowercased() } ?? ""
          return ["load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"].contains(name)
            ? SQLITE_DENY : SQLITE_OK
        case SQLITE_PRAGMA:
          // Reading a table's shape is fine; setting anything (a second argument) is not.
          let name = first.map { String(cString: $0).lowercased() } ?? ""
          let informational = [
            "table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list",
            "user_version", "schema_version", "page_count", "page_size", "compile_options", "function_list",
            "pragma_list", "table_list",
          ]
          return informational.contains(name) && (second == nil || name.hasSuffix("_info") || name.hasSuffix("_list"))
            ? SQLITE_OK : SQLITE_DENY
        default:
          return SQLITE_DENY
        }
      }, nil)
  }

  /// The largest text or blob a statement on this connection may make, in
  /// bytes (SQLITE_LIMIT_LENGTH): past it the statement fails with "string or
  /// blob too big" instead of asking memory for it (`zeroblob(500000000)`).
  public func limitValueLength(to bytes: Int32) { sqlite3_limit(handle, SQLITE_LIMIT_LENGTH, bytes) }

  /// Stops the running statement from another thread (used for query time limits).
  public func interrupt() { sqlite3_interrupt(handle) }

  /// What another thread may do to this connection: interrupt it, the one
  /// call SQLite allows from any thread while the connection is open
  /// (https://sqlite.org/c3ref/interrupt.html).
  public func interruption() -> Interruption { Interruption(address: UInt(bitPattern: handle)) }
}

/// A handle to interrupt a connection from another thread, until `release()`
/// (called before the connection closes): the lock makes `release()` wait for
/// an interrupt in flight, and no interrupt runs after it.
public final class Interruption: Sendable {
  private let address: LockBox<UInt>

  package init(address: UInt) { self.address = LockBox(address) }

  public func interrupt() {
    address.withLock { a in if let db = OpaquePointer(bitPattern: a) { sqlite3_interrupt(db) } }
  }

  public func release() { address.withLock { $0 = 0 } }
}
