import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditImport
import LinkAuditRollup
import LinkAuditStore
import Testing

/// The rollups the event figures are read from must always say what the
/// events say: after any import, in any order, in any report time zone, and
/// after someone edits the events by hand.
@Suite struct RollupsTests {
  static let shanghai = TimeZone(identifier: "Asia/Shanghai")!
  static let utc = TimeZone(identifier: "UTC")!

  /// Every figure of a quarter as `id[dimension] = value`.
  static func figures(_ db: Database, _ quarter: String, _ zone: TimeZone = shanghai) throws -> [String: String] {
    let f = try QuarterFigures(database: db, quarter: Quarter(quarter)!, timeZone: zone)
    return Dictionary(uniqueKeysWithValues: f.figures.map { ("\($0.metricID)[\($0.dimension)]", $0.value.csv) })
  }

  static func figures(_ store: TestStore, _ quarter: String, _ zone: TimeZone = shanghai) throws -> [String: String] {
    let db = try store.open(.readOnly)
    defer { db.close() }
    return try figures(db, quarter, zone)
  }

  @Test func rollupsMatchTheEventsAfterEveryImport() throws {
    let store = try MetricCatalogueTests.loaded()
    let db = try store.open(.readOnly)
    #expect(try Rollups.differences(db) == [])
    // The fixture's 13 events, each counted once, by month and by host.
    #expect(try db.scalar("SELECT sum(events) FROM event_month") == .integer(13))
    #expect(try db.scalar("SELECT sum(events) FROM host_month") == .integer(13))
    // By day in Shanghai: 13 events on 13 days; e8 (12-31 23:59:59) on the day that starts 12-30 16:00 UTC.
    #expect(try db.scalar("SELECT count(DISTINCT day_start) FROM event_day") == .integer(13))
    #expect(try db.scalar("SELECT sum(events) FROM event_day") == .integer(13))
    #expect(
      try db.scalar("SELECT events FROM event_day WHERE day_start = '2021-12-30T16:00:00.000Z'") == .integer(1))
    // taobao's e2 in group_chat, by scene in host_month.
    #expect(
      try db.scalar(
        "SELECT sum(events) FROM host_month JOIN host USING (host_id) WHERE platform_id = 'taobao' AND scene = 'group_chat'"
      ) == .integer(1))
    // u1-u5 in 2021-Q4 except u5 (e9 is 2022-Q1, e10 2021-Q3): 4 + 1 + 1.
    #expect(try db.scalar("SELECT count(*) FROM user_quarter") == .integer(6))
    // e7 under principle 1 twice over (c1, c10) is one row; e13 under c2; e6
    // (warned, not blocked) under c2 too. The blocked e5 under c2 is what it asks for.
    #expect(try db.scalar("SELECT count(*) FROM decision_open") == .integer(3))
    #expect(try db.scalar("SELECT action FROM decision_open WHERE action <> 'open'") == .text("warn_back"))
  }

  @Test func theOrderOfImportsChangesNoFigure() throws {
    let inOrder = try MetricCatalogueTests.loaded()
    // Complaints before the events they decide on, policies after the events they govern.
    let reversed = TestStore()
    try reversed.load([
      (.complaints, try reversed.dir.write("complaints-a.csv", MetricCatalogueTests.complaintsA)),
      (.complaints, try reversed.dir.write("complaints-b.csv", MetricCatalogueTests.complaintsB)),
      (.links, try reversed.dir.write("links.csv", MetricCatalogueTests.links)),
      (.policies, fixture("policy-phase1.md")), (.policies, fixture("policy-baseline.md")),
    ])
    for quarter in ["2021-Q3", "2021-Q4", "2022-Q1"] {
      #expect(try Self.figures(inOrder, quarter) == Self.figures(reversed, quarter), "\(quarter)")
    }
    let db = try reversed.open(.readOnly)
    #expect(try Rollups.differences(db) == [])
    #expect(try db.scalar("SELECT count(*) FROM event_month WHERE policy_version IS NULL") == .integer(0))
  }

  @Test func aDuplicateEventCountsOnceAndItsUserStillCountsThroughAnotherEvent() throws {
    let store = TestStore()
    let header = "event_id,occurred_at,scene,user_id,url,action\n"
    try store.load([
      (
        .links, try store.dir.write("a.csv", header + "e1,2021-10-01 10:00:00,moments,u1,https://a.example.com/,open\n")
      ),
      // e1 again, now naming u2: the first import's e1 (u1) stands. u2's first event
      // in this file is that duplicate; its second (e2) must still count u2.
      (
        .links,
        try store.dir.write(
          "b.csv",
          header + "e1,2021-10-01 10:00:00,moments,u2,https://a.example.com/,open\n"
            + "e1,2021-10-01 10:00:00,moments,u3,https://a.example.com/,open\n"
            + "e2,2021-10-02 10:00:00,moments,u2,https://a.example.com/,open\n")
      ),
    ])
    let f = try Self.figures(store, "2021-Q4")
    #expect(f["overview.events[]"] == "2")
    // u1 (e1) and u2 (e2); u3 named only a duplicate.
    #expect(f["overview.users[]"] == "2")
    #expect(try Rollups.differences(try store.open(.readOnly)) == [])
  }

  @Test func aReportInAnotherTimeZoneGivesWhatRollupsKeptInThatZoneGive() throws {
    let keptInShanghai = try MetricCatalogueTests.loaded()
    let keptInUTC = TestStore()
    do {
      let db = try keptInUTC.open()
      try db.execute("UPDATE setting SET value = 'UTC' WHERE name = 'rollup_time_zone'")
      db.close()
    }
    try keptInUTC.load([
      (.policies, fixture("policy-baseline.md")), (.policies, fixture("policy-phase1.md")),
      (.links, try keptInUTC.dir.write("links.csv", MetricCatalogueTests.links)),
      (.complaints, try keptInUTC.dir.write("complaints-a.csv", MetricCatalogueTests.complaintsA)),
      (.complaints, try keptInUTC.dir.write("complaints-b.csv", MetricCatalogueTests.complaintsB)),
    ])
    for quarter in ["2021-Q4", "2022-Q1"] {
      for zone in [Self.shanghai, Self.utc] {
        let a = try Self.figures(keptInShanghai, quarter, zone)
        let b = try Self.figures(keptInUTC, quarter, zone)
        #expect(a == b, "\(quarter) in \(zone.identifier)")
      }
    }
    // The zones cut differently: in UTC, e1 (2021-10-01 00:00 in Shanghai) is
    // 2021-09-30T16:00Z, Q3, and e9 (2022-01-01 00:00 in Shanghai) is 2021-12-31T16:00Z, Q4.
    let inUTC = try Self.figures(keptInShanghai, "2021-Q4", Self.utc)
    #expect(inUTC["overview.events[]"] == "11")
    #expect(inUTC["p4.open_rate[scene=one_to_one_chat]"] == "1")
    #expect(try Self.figures(keptInShanghai, "2021-Q3", Self.utc)["overview.events[]"] == "2")
    #expect(try Self.figures(keptInShanghai, "2021-Q4")["overview.events[]"] == "11")
  }

  @Test func anEventEditedByHandMakesTheRollupsStaleUntilTheNextReadWriteOpen() throws {
    let store = try MetricCatalogueTests.loaded()
    #expect(try Self.figures(store, "2021-Q4")["p1.restrictions[]"] == "2")
    do {
      let db = try store.open()
      try db.execute("UPDATE link_event SET action = 'open', reason = NULL, principle = NULL WHERE event_id = 'e4'")
      db.close()
    }
    // A read-only reader (verify) derives its own rollups from the events.
    let reader = try store.open(.readOnly)
    #expect(try Rollups.isStale(reader))
    #expect(try Self.figures(reader, "2021-Q4")["p1.restrictions[]"] == "1")
    reader.close()
    // A read-write open re-derives the stored ones.
    try store.open().close()
    let db = try store.open(.readOnly)
    #expect(try !Rollups.isStale(db))
    #expect(try Rollups.differences(db) == [])
    #expect(try Self.figures(db, "2021-Q4")["p1.restrictions[]"] == "1")
  }

  /// Issue 13: a stored value linkaudit never writes is corruption, raised
  /// with where it was found; the rebuild used to skip the row without a word.
  @Test func aStoredTimeThatDoesNotParseIsCorruptionNotASkippedRow() throws {
    let store = try MetricCatalogueTests.loaded()
    do {
      let db = try Database(path: store.path)
      try db.execute("UPDATE link_event SET occurred_at = 'yesterday' WHERE event_id = 'e4'")
      db.close()
    }
    let error = try #require(throws: CorruptValueError.self) { try store.open() }
    #expect(error == CorruptValueError(place: "link_event.occurred_at", value: "yesterday"))
    #expect(error.localizedDescription.contains("run linkaudit doctor"))
  }

  @Test func doctorNamesARollupThatNoLongerMatchesTheEvents() throws {
    let store = try MetricCatalogueTests.loaded()
    do {
      let db = try store.open()
      try db.execute("UPDATE event_month SET events = events + 1 WHERE rowid = (SELECT min(rowid) FROM event_month)")
      try db.execute(
        """
        DELETE FROM user_quarter
        WHERE (quarter_start, user_pseudonym) = (SELECT quarter_start, user_pseudonym FROM user_quarter LIMIT 1)
        """)
      db.close()
    }
    do {
      // Marking a state current is the importer's own update: it does not make the rollups stale.
      let db = try store.open()
      try db.execute("UPDATE complaint_state SET is_current = 1 - is_current WHERE complaint_id = 'c4'")
      db.close()
    }
    let db = try store.open(.readOnly)
    #expect(try !Rollups.isStale(db))
    let finding = try #require(try Doctor.examine(db).first { $0.check == "rollups" })
    #expect(finding.severity == .problem)
    #expect(finding.detail.contains("event_month (2 rows differ)"))
    #expect(finding.detail.contains("user_quarter (1 rows differ)"))
    // c4 has two states: the current one unmarked, the other marked.
    #expect(finding.detail.contains("complaint_state.is_current (2 rows differ)"))
    #expect(!finding.detail.contains("host_month"))
  }

  @Test func aDatabaseOfSchema4IsGivenRollupsWhenFirstOpenedForWriting() throws {
    let store = TestStore()
    do {
      let db = try Database(path: store.path)
      try Migrations.migrate(db, to: 4)
      try db.execute(
        """
        INSERT INTO batch (batch_id, kind, file_name, sha256, imported_at, tool_version, rows_read, rows_stored)
          VALUES (1, 'links', 'old.csv', 'aa', '2021-12-01T00:00:00.000Z', '0.0.9', 2, 2);
        INSERT INTO host VALUES (1, 'item.taobao.com', 'item.taobao.com', 'taobao.com', 'taobao');
        INSERT INTO link_event (event_id, batch_id, occurred_at, scene, user_pseudonym, url_normalised, host_id,
          action, reason, principle, detected_by)
        VALUES
          ('e1', 1, '2021-10-01T02:00:00.000Z', 'moments', '0123456789abcdef0123456789abcdef',
           'https://item.taobao.com/a', 1, 'open', NULL, NULL, 'automated'),
          ('e2', 1, '2021-12-31T16:30:00.000Z', 'moments', '0123456789abcdef0123456789abcdef',
           'https://item.taobao.com/a', 1, 'block', 'fraud', 1, 'automated');
        """)
      db.close()
    }
    // Read-only, an old schema is refused with what to do.
    let error = try #require(throws: SchemaError.self) { try Database.reading(at: store.path) }
    #expect(error.localizedDescription.contains("run linkaudit report or an import once"))
    try store.open().close()
    let db = try store.open(.readOnly)
    #expect(try Rollups.differences(db) == [])
    #expect(try !Rollups.isStale(db))
    // e2 is 2022-01-01 00:30 in Shanghai: 2022-Q1.
    #expect(try Self.figures(db, "2021-Q4")["overview.events[]"] == "1")
    #expect(try Self.figures(db, "2022-Q1")["p1.restrictions[]"] == "1")
    #expect(
      try db.rows("SELECT first_occurred_at, last_occurred_at FROM batch")[0] == [
        .text("2021-10-01T02:00:00.000Z"), .text("2021-12-31T16:30:00.000Z"),
      ])
  }

  @Test func monthsAndQuartersAreCutInTheZone() {
    var shanghai = MonthLocator(timeZone: Self.shanghai)
    func utc(_ text: String) -> Int64 { TimestampParser.utc.parse(text)!.milliseconds }
    // 2021-12-31T16:00:00Z is 2022-01-01 00:00 in Shanghai: the first instant of a month and a quarter.
    let t = utc("2021-12-31T16:00:00.000Z")
    #expect(shanghai.locate(t) == (t, t))
    // One millisecond before: December, of the quarter from 2021-10-01 00:00 Shanghai.
    #expect(shanghai.locate(t - 1) == (utc("2021-11-30T16:00:00.000Z"), utc("2021-09-30T16:00:00.000Z")))
    // Across a clock change: March 2021 in New York begins at 05:00Z, April at 04:00Z.
    var newYork = MonthLocator(timeZone: TimeZone(identifier: "America/New_York")!)
    let march = utc("2021-03-01T05:00:00.000Z")
    let april = utc("2021-04-01T04:00:00.000Z")
    #expect(newYork.locate(march).month == march)
    #expect(newYork.locate(april - 1).month == march)
    #expect(newYork.locate(april) == (april, april))
    #expect(newYork.locate(march - 1).month == utc("2021-02-01T05:00:00.000Z"))
  }

  /// Times out of order (a batch's first restrictions, sorted by URL) are
  /// located as each alone would be: across clock changes, year ends and
  /// more months than the locator keeps.
  @Test func timesOutOfOrderAreLocatedAsEachAlone() {
    let zone = TimeZone(identifier: "America/New_York")!
    var shared = MonthLocator(timeZone: zone)
    let start = TimestampParser.utc.parse("2019-12-15T00:00:00.000Z")!.milliseconds
    var x: UInt64 = 42
    for i in 0..<3000 {
      x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      // The first thousand within two years, then over six (72 months: more than are kept).
      let days: Int64 = i < 1000 ? 730 : 2200
      let ms = start + Int64(x >> 24) % (days * 86_400_000)
      var alone = MonthLocator(timeZone: zone)
      #expect(shared.locate(ms) == alone.locate(ms), "\(Timestamp(milliseconds: ms).iso)")
    }
  }

  @Test func aPseudonymsBitsGiveItBack() {
    let text = "00ff0123456789abcdef0123456789ab"
    let (high, low) = PseudonymBits.bits(text)
    #expect(PseudonymBits.text(UserBits(high: high, low: low)) == text)
  }
}
