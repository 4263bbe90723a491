import Foundation
import Testing

@testable import LinkAudit

@Suite struct MigrationsTests {
  let store = TestStore()

  @Test func freshDatabaseGetsTheLatestSchema() throws {
    let db = try store.open()
    #expect(try db.userVersion == Migrations.latestVersion)
    let tables = try db.rows("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").compactMap {
      $0[0].text
    }
    for t in [
      "batch", "complaint_state", "host", "link_event", "platform", "platform_domain", "policy_version", "rejected_row",
    ] {
      #expect(tables.contains(t), "missing table \(t)")
    }
  }

  @Test func olderDatabaseIsMigratedInPlaceKeepingItsRows() throws {
    do {
      let old = try Database(path: store.path, migrate: false)
      try Migrations.migrate(old, to: 1)
      #expect(try old.userVersion == 1)
      try old.execute(
        "INSERT INTO batch (kind, file_name, sha256, imported_at, tool_version) VALUES ('links', 'a.csv', 'abc', 'now', 'old')"
      )
      #expect(throws: SQLiteError.self) { try old.execute("SELECT * FROM complaint") }
      old.close()
    }
    let db = try store.open()
    #expect(try db.userVersion == Migrations.latestVersion)
    #expect(try db.scalar("SELECT file_name FROM batch") == .text("a.csv"))
    #expect(try db.scalar("SELECT count(*) FROM complaint") == .integer(0))
  }

  @Test func theStaleMarkWatchesEveryComplaintStateColumnButTheCurrentFlag() throws {
    let db = try store.open()
    let columns = try db.rows("SELECT name FROM pragma_table_info('complaint_state')").compactMap { $0[0].text }
    let watched = Migrations.complaintStateColumns.split(separator: ",").map {
      $0.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    #expect(watched == columns.filter { $0 != "is_current" })
  }

  @Test func newerDatabaseIsRefused() throws {
    do {
      let db = try store.open()
      try db.execute("PRAGMA user_version = \(Migrations.latestVersion + 5)")
      db.close()
    }
    let error = try #require(throws: SchemaError.self) { try store.open() }
    #expect(error.localizedDescription.contains("newer than this linkaudit"))
    #expect(error.localizedDescription.contains("\(Migrations.latestVersion + 5)"))
  }
}
