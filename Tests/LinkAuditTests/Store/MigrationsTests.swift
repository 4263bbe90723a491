import Crypto
import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import Synchronization
import Testing

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
      let old = try Database(path: store.path)
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
    let trigger = try #require(
      try db.scalar("SELECT sql FROM sqlite_schema WHERE name = 'complaint_state_updated'").text)
    let list = try #require(trigger.range(of: "UPDATE OF ")?.upperBound)
    let end = try #require(trigger.range(of: " ON complaint_state")?.lowerBound)
    let watched = trigger[list..<end].split(separator: ",").map {
      $0.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    #expect(watched == columns.filter { $0 != "is_current" })
  }

  /// Migration 8 keeps the events warned under a decision: a database of
  /// version 7, whose `decision_open` held opens only, has them derived on its
  /// first read-write open.
  @Test func migrations8And9DeriveTheEventsUnderADecisionAndTheirCounts() throws {
    do {
      let old = try Database(path: store.path)
      try Migrations.migrate(old, to: 7)
      try old.execute(
        """
        INSERT INTO batch (batch_id, kind, file_name, sha256, imported_at, tool_version)
          VALUES (1, 'links', 'l.csv', 'aa', '2021-12-01T00:00:00.000Z', '0.1.0'),
                 (2, 'complaints', 'c.csv', 'bb', '2021-12-01T00:00:00.000Z', '0.1.0');
        INSERT INTO host VALUES (1, 'a.example.org', 'a.example.org', 'example.org', 'other');
        INSERT INTO link_event (event_id, batch_id, occurred_at, scene, user_pseudonym, url_normalised, host_id,
          action, reason, principle, detected_by)
        VALUES
          ('e1', 1, '2021-10-05T02:00:00.000Z', 'moments', 'HEX', 'https://a.example.org/1', 1, 'open', NULL, NULL,
           'automated'),
          ('e2', 1, '2021-10-06T02:00:00.000Z', 'moments', 'HEX', 'https://a.example.org/2', 1, 'warn_proceed',
           'fraud', 1, 'automated'),
          ('e3', 1, '2021-10-07T02:00:00.000Z', 'moments', 'HEX', 'https://a.example.org/3', 1, 'block', 'fraud', 1,
           'automated');
        INSERT INTO complaint_state (complaint_id, batch_id, line, received_at, reporter_pseudonym, url,
          url_normalised, host, host_ascii, domain, platform_id, category, principle, channel, status, resolved_at,
          outcome, action_taken, fingerprint, is_current)
        VALUES ('d1', 2, 2, '2021-10-01T02:00:00.000Z', 'HEX', 'https://bad.example.org/x', 'https://bad.example.org/x',
          'bad.example.org', 'bad.example.org', 'example.org', 'other', 'fraud', 1, 'in_chat', 'resolved',
          '2021-10-02T02:00:00.000Z', 'upheld', 'block_domain', 'f', 1);
        INSERT INTO decision_open VALUES (1, '2021-10-05T02:00:00.000Z', 1, 1);
        """.replacingOccurrences(of: "HEX", with: "0123456789abcdef0123456789abcdef"))
      old.close()
    }
    let db = try store.open()
    #expect(try db.userVersion == Migrations.latestVersion)
    // e1 opened and e2 warned under d1 (example.org from 10-02 11:00); e3 was blocked, as d1 asks.
    #expect(
      try db.rows("SELECT event_rowid, action FROM decision_open ORDER BY event_rowid").map { $0.map(\.text) } == [
        ["1", "open"], ["2", "warn_proceed"],
      ])
    // Migration 9's counts, in the month of October (Asia/Shanghai: it starts 09-30 16:00 UTC).
    #expect(
      try db.rows("SELECT month_start, action, reason, events FROM covered_month ORDER BY action").map {
        $0.map(\.text)
      } == [
        ["2021-09-30T16:00:00.000Z", "open", nil, "1"], ["2021-09-30T16:00:00.000Z", "warn_proceed", "fraud", "1"],
      ])
    #expect(
      try db.rows("SELECT complaint_id, opened, warned FROM decision_month").map { $0.map(\.text) } == [
        ["d1", "1", "1"]
      ])
    // The events with a category: e2 and e3, not e1.
    #expect(
      try db.rows("SELECT action, reason, principle, events FROM reason_month ORDER BY action").map {
        $0.map(\.text)
      } == [["block", "fraud", "1", "1"], ["warn_proceed", "fraud", "1", "1"]])
    #expect(try Rollups.differences(db) == [])
  }

  /// Migration 10 counts a version 9 database's host counts by platform:
  /// two hosts of one platform fold into one row, another platform keeps its own.
  @Test func migration10CountsTheHostCountsByPlatform() throws {
    do {
      let old = try Database(path: store.path)
      try Migrations.migrate(old, to: 9)
      try old.execute(
        """
        INSERT INTO batch (batch_id, kind, file_name, sha256, imported_at, tool_version)
          VALUES (1, 'links', 'l.csv', 'aa', '2021-12-01T00:00:00.000Z', '0.1.0');
        INSERT INTO host VALUES (1, 'item.taobao.com', 'item.taobao.com', 'taobao.com', 'taobao'),
          (2, 'm.tb.cn', 'm.tb.cn', 'tb.cn', 'taobao'), (3, 'a.example.org', 'a.example.org', 'example.org', 'other');
        INSERT INTO host_month (batch_id, month_start, host_id, scene, action, principle, events) VALUES
          (1, '2021-09-30T16:00:00.000Z', 1, 'moments', 'open', NULL, 4),
          (1, '2021-09-30T16:00:00.000Z', 2, 'moments', 'open', NULL, 3),
          (1, '2021-09-30T16:00:00.000Z', 2, 'moments', 'block', 1, 2),
          (1, '2021-09-30T16:00:00.000Z', 3, 'moments', 'open', NULL, 5);
        """)
      old.close()
    }
    let db = try store.open()
    #expect(try db.userVersion == Migrations.latestVersion)
    #expect(
      try db.rows("SELECT platform_id, action, principle, events FROM platform_month ORDER BY 1, 2").map {
        $0.map(\.text)
      } == [["other", "open", nil, "5"], ["taobao", "block", "1", "2"], ["taobao", "open", nil, "7"]])
  }

  /// Migration 6 edits the table's text in place: the rule holds as before, on
  /// rows already stored and on new ones, and inserting builds no temporary index.
  @Test func theActionCheckIsRewrittenInPlaceAndStillHolds() throws {
    do {
      let old = try Database(path: store.path)
      try Migrations.migrate(old, to: 5)
      try old.execute(
        """
        INSERT INTO batch (batch_id, kind, file_name, sha256, imported_at, tool_version)
          VALUES (1, 'links', 'old.csv', 'aa', '2021-12-01T00:00:00.000Z', '0.0.9');
        INSERT INTO host VALUES (1, 'item.taobao.com', 'item.taobao.com', 'taobao.com', 'taobao');
        INSERT INTO link_event (event_id, batch_id, occurred_at, scene, user_pseudonym, url_normalised, host_id,
          action, detected_by)
        VALUES ('e1', 1, '2021-10-01T02:00:00.000Z', 'moments', '0123456789abcdef0123456789abcdef', 'https://item.taobao.com/a', 1, 'open', 'automated');
        """)
      #expect(try Self.insertPlan(old).contains("OpenEphemeral"))
      old.close()
    }
    let db = try store.open()
    #expect(try db.userVersion == Migrations.latestVersion)
    let sql = try db.scalar("SELECT sql FROM sqlite_schema WHERE name = 'link_event'").text ?? ""
    #expect(
      sql.contains("CHECK (action = 'open' OR action = 'warn_proceed' OR action = 'warn_back' OR action = 'block')"))
    #expect(!sql.contains("IN ("))
    #expect(try !Self.insertPlan(db).contains("OpenEphemeral"))
    #expect(try db.scalar("PRAGMA integrity_check") == .text("ok"))
    #expect(try db.scalar("SELECT count(*) FROM link_event") == .integer(1))
    let insert = """
      INSERT INTO link_event (event_id, batch_id, occurred_at, scene, user_pseudonym, url_normalised, host_id,
        action, detected_by)
      VALUES (?1, 1, '2021-10-01T02:00:00.000Z', 'moments', 'u', 'https://item.taobao.com/a', 1, ?2, 'automated')
      """
    for action in LinkAction.allCases {
      try db.prepare(insert).run([.text("ok-\(action.rawValue)"), .text(action.rawValue)])
    }
    let error = try #require(throws: SQLiteError.self) {
      try db.prepare(insert).run([.text("bad"), .text("opened")])
    }
    #expect(error.localizedDescription.contains("CHECK constraint failed"))
    // A connection opened afterwards reads the new text.
    let reader = try store.open(.readOnly)
    #expect(try !Self.insertPlan(reader).contains("OpenEphemeral"))
  }

  static func insertPlan(_ db: Database) throws -> [String] {
    try db.rows(
      """
      EXPLAIN INSERT INTO link_event (event_id, batch_id, occurred_at, scene, user_pseudonym, url_normalised,
        host_id, action, detected_by) VALUES ('x', 1, 't', 's', 'u', 'n', 1, 'open', 'automated')
      """
    ).compactMap { $0[1].text }
  }

  /// Several processes opening a new (or old) database at once: one migrates,
  /// the others find the work done when they get the lock, and none fails.
  @Test func connectionsOpeningANewDatabaseAtOnceAllSucceed() throws {
    for round in 0..<5 {
      let path = store.dir.file("race-\(round).sqlite")
      let errors = Mutex<[String]>([])
      DispatchQueue.concurrentPerform(iterations: 4) { _ in
        do {
          let db = try Database.store(at: path)
          db.close()
        } catch {
          errors.withLock { $0.append("\(error)") }
        }
      }
      #expect(errors.withLock { $0 } == [])
      #expect(try Database.store(at: path).userVersion == Migrations.latestVersion)
    }
  }

  /// A released migration is never edited: databases out there ran its text.
  /// A change to the schema is a new file; this list only ever grows.
  @Test func releasedMigrationsAreNeverEdited() {
    let released = [
      "07d52164caa4b311defb13494da9c08e2ab1eb9aac1360ab69949bf342aeeb67",
      "aea3f8e7235e7943ae03fd2c29853ab8b5d02f496216fbfebfbf1fe80c52506a",
      "adb6fd461e3a70a9663dbf92492530603fa307e39183feea969722af1f55aa77",
      "f80607a24ef7e3bafd4b8cc193030e510250c59b096fc06768ce5be8a0ee0db6",
      "8c7630102c29a002329823c515e952faf41cf572fe1e8d46c724ef3e1f77090b",
      "5547cdc5cbbd7a80058d74b95b9c539f1fcd574e28e50ba8cf89361e9ab85519",
      "7c68147128ad74636be5df41d8a025c2660f073db73f6c9f84f712a40a162c89",
      "c7dfde5e7833cce72358b07499c6bc9b0fa072903073bb0b90483f32ca4a641e",
      "e0fe8fdb09822be5f4d8394af9c674e3d1764eb8ae9ca1ba4fd7e86a99855820",
      "9aa57971ace7de66728f3bd77ef579e56adcf7d9161fc8a6043430cc58340046",
      "21498e997fbab5499e4699969c8807a66f408b5fc140dc5926f66746114b7779",
    ]
    let hashes = Migrations.all.map { hex(SHA256.hash(data: Data($0.sql.utf8))) }
    #expect(Array(hashes.prefix(released.count)) == released)
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
