import Foundation
import LinkAuditStore
import Testing

@Suite struct DatabaseTests {
  let store = TestStore()

  @Test func bindsAndReadsEveryType() throws {
    let db = try store.open()
    try db.execute("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n)")
    try db.prepare("INSERT INTO t VALUES (?, ?, ?, ?, ?)").run([
      .integer(42), .real(2.5), .text("例子 ok"), .blob([0, 1, 255]), .null,
    ])
    let row = try #require(try db.rows("SELECT * FROM t").first)
    #expect(row == [.integer(42), .real(2.5), .text("例子 ok"), .blob([0, 1, 255]), .null])
    #expect(try db.scalar("SELECT s FROM t WHERE i = :i", []) == .null)
    let named = try db.prepare("SELECT s FROM t WHERE i = :i")
    try named.bind(.integer(42), named: ":i")
    #expect(try named.step())
    #expect(named.text(at: 0) == "例子 ok")
  }

  @Test func emptyTextIsBoundAsEmptyNotNull() throws {
    let db = try store.open()
    #expect(try db.scalar("SELECT typeof(?)", [.text("")]) == .text("text"))
  }

  @Test func arenaValuesBindInPlaceWithNullAndEmptyKept() throws {
    let db = try store.open()
    try db.execute("CREATE TABLE t (a, b, c, d)")
    var arena = TextArena()
    arena.append("skipped")
    arena.append("例子")
    arena.append(nil)
    arena.append("")
    #expect(arena.count == 4)
    #expect(arena.value(1) == "例子" && arena.value(2) == nil && arena.value(3) == "")
    let insert = try db.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)")
    try insert.withBinding(arena, first: 1, to: [1, 2, 3]) {
      try insert.bind(Int64(7), at: 4)
      try insert.step()
    }
    #expect(
      try db.rows("SELECT a, typeof(b), c, typeof(c), d FROM t") == [
        [.text("例子"), .text("null"), .text(""), .text("text"), .integer(7)]
      ])
  }

  @Test func newDatabaseUses16KiBPages() throws {
    let db = try store.open()
    #expect(try db.scalar("PRAGMA page_size") == .integer(16384))
    #expect(try db.scalar("PRAGMA journal_mode") == .text("wal"))
  }

  @Test func badSQLCarriesCodeMessageAndStatement() throws {
    let db = try store.open()
    let error = try #require(throws: SQLiteError.self) { try db.prepare("SELEC 1") }
    #expect(error.code == 1)
    #expect(error.message.contains("syntax error"))
    #expect(error.sql == "SELEC 1")
    #expect(error.localizedDescription.contains("SELEC 1"))
  }

  @Test func secondStatementIsRefused() throws {
    let db = try store.open()
    let error = try #require(throws: SQLiteError.self) { try db.prepare("SELECT 1; SELECT 2") }
    #expect(error.message.contains("one statement"))
    _ = try db.prepare("SELECT 1;  ")
  }

  @Test func constraintViolationRollsBackTheWholeTransaction() throws {
    let db = try store.open()
    try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
    try db.execute("INSERT INTO t VALUES (1, 'kept')")
    let error = try #require(throws: SQLiteError.self) {
      try db.transaction {
        try db.execute("INSERT INTO t VALUES (2, 'gone')")
        try db.execute("INSERT INTO t VALUES (1, 'duplicate key')")
      }
    }
    #expect(error.code & 0xFF == 19)  // SQLITE_CONSTRAINT, the original error rethrown
    #expect(try db.rows("SELECT id, v FROM t") == [[.integer(1), .text("kept")]])
  }

  @Test func transactionCommitsAndReturnsItsValue() throws {
    let db = try store.open()
    try db.execute("CREATE TABLE t (v)")
    let n = try db.transaction { () -> Int in
      try db.execute("INSERT INTO t VALUES (1), (2)")
      return db.changes
    }
    #expect(n == 2)
    #expect(try db.scalar("SELECT count(*) FROM t") == .integer(2))
  }

  @Test func readOnlyConnectionRefusesWrites() throws {
    try store.open().close()
    let ro = try store.open(.readOnly)
    let error = try #require(throws: SQLiteError.self) {
      try ro.execute("CREATE TABLE x (v)")
    }
    #expect(error.code & 0xFF == 8)  // SQLITE_READONLY
    #expect(try ro.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'x'") == .integer(0))
  }

  @Test func readWriteUsesWALAndWaitsForLocks() throws {
    let db = try store.open()
    #expect(try db.scalar("PRAGMA journal_mode") == .text("wal"))
    #expect(try db.scalar("PRAGMA busy_timeout") == .integer(60_000))
  }

  @Test func missingDirectoryIsAClearError() throws {
    let error = try #require(throws: SQLiteError.self) {
      try Database(path: store.dir.file("no/such/dir/x.db"))
    }
    #expect(error.localizedDescription.contains("no/such/dir/x.db"))
  }
}
