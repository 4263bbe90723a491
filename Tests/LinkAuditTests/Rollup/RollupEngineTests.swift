import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import Testing

/// The one engine that turns events' facts into rollup rows, fed by the
/// import, by a rebuild and (past one machine) by a warehouse's counts.
@Suite struct RollupEngineTests {
  static let shanghai = TimeZone(identifier: "Asia/Shanghai")!

  static func facts(_ deriver: inout EventDeriver, at text: String, host: Int64, user: UInt64?) throws -> EventFacts {
    let t = try #require(TimestampParser.utc.parse(text))
    return deriver.facts(
      batch: 1, occurredAt: t.milliseconds, host: host, scene: .groupChat, action: .warnProceed,
      reason: .category(.fraud), detectedBy: .automated, policy: nil, url: "https://a.example/", domain: "a.example",
      user: user.map { UserBits(high: 0, low: $0) })
  }

  static func tables(_ db: Database) throws -> [[[SQLValue]]] {
    try ["event_month", "host_month", "user_quarter", "quarter_users"].map {
      try db.rows("SELECT * FROM \($0) ORDER BY 1, 2")
    }
  }

  @Test func aCountOfIdenticalFactsWritesWhatItsEventsWriteOneByOne() throws {
    let dir = TemporaryDirectory()
    var deriver = EventDeriver(timeZone: Self.shanghai, decisions: DecisionIndex())
    // Three events of one group, from two users, and one in the next month.
    let single = try Database(path: dir.file("single.db"))
    try Migrations.migrate(single)
    let one = try RollupEngine(database: single, timeZone: TimeZone(identifier: "Asia/Shanghai")!, policies: [])
    for (time, user) in [("2021-10-02T00:00:00Z", 1), ("2021-10-03T00:00:00Z", 2), ("2021-10-04T00:00:00Z", 1)] {
      try one.add(try Self.facts(&deriver, at: time, host: 7, user: UInt64(user)), event: nil)
    }
    try one.add(try Self.facts(&deriver, at: "2021-11-02T00:00:00Z", host: 7, user: 2), event: nil)
    try one.flush()

    // The same as a warehouse sends it: a count per group, users as their own facts.
    let grouped = try Database(path: dir.file("grouped.db"))
    try Migrations.migrate(grouped)
    let many = try RollupEngine(database: grouped, timeZone: TimeZone(identifier: "Asia/Shanghai")!, policies: [])
    var october = try Self.facts(&deriver, at: "2021-10-02T00:00:00Z", host: 7, user: nil)
    october.count = 3
    try many.add(october, event: nil)
    try many.add(try Self.facts(&deriver, at: "2021-11-02T00:00:00Z", host: 7, user: nil), event: nil)
    for user in [1, 2] { try many.add(user: UserBits(high: 0, low: UInt64(user)), quarter: october.quarter) }
    try many.flush()

    #expect(try Self.tables(single) == Self.tables(grouped))
    #expect(try single.scalar("SELECT sum(events) FROM event_month") == .integer(4))
    #expect(try single.scalar("SELECT users FROM quarter_users") == .integer(2))
  }

  /// Users come back batch after batch of the users held: each is written
  /// once a quarter and counted once, whether the users already written are
  /// all kept (1,000) or only some (the limit fills), and by a second import.
  @Test(arguments: [2, 3, 5, 1000])
  func usersOverManyBatchesAreEachCountedOnceAQuarter(limit: Int) throws {
    let dir = TemporaryDirectory()
    let db = try Database(path: dir.file("users.db"))
    try Migrations.migrate(db)
    let quarters = ["2021-09-30T16:00:00Z", "2021-12-31T16:00:00Z"].map { TimestampParser.utc.parse($0)!.milliseconds }
    var expected: Set<String> = []
    for (file, events) in [(0, 300), (1, 120)] {
      let engine = try RollupEngine(
        database: db, timeZone: Self.shanghai, policies: [], outputs: .users, userLimit: limit)
      for i in 0..<events {
        // A few users often, many once; the second file repeats some of the first's.
        let n = UInt64(i % 4 == 0 ? i % 3 : (i * 7_919 + file * 13) % 61)
        let user = UserBits(high: n % 5 == 0 ? 1 : 0, low: n)
        let quarter = quarters[(i / 40 + file) % 2]
        try engine.add(user: user, quarter: quarter)
        expected.insert(Timestamp(milliseconds: quarter).iso + " " + PseudonymBits.text(user))
      }
      try engine.flush()
    }
    let stored = try db.rows("SELECT quarter_start, user_pseudonym FROM user_quarter").map {
      "\($0[0].text ?? "") \($0[1].text ?? "")"
    }
    #expect(Set(stored) == expected)
    #expect(stored.count == expected.count)
    for q in quarters.map({ Timestamp(milliseconds: $0).iso }) {
      #expect(
        try db.scalar("SELECT users FROM quarter_users WHERE quarter_start = ?", [.text(q)])
          == .integer(Int64(expected.filter { $0.hasPrefix(q) }.count)))
    }
  }

  @Test func theMonthIsTheRollupZonesMonth() throws {
    var deriver = EventDeriver(timeZone: Self.shanghai, decisions: DecisionIndex())
    // 16:00 UTC on 30 September is midnight of 1 October in Shanghai.
    let f = try Self.facts(&deriver, at: "2021-09-30T16:00:00Z", host: 1, user: 1)
    #expect(Timestamp(milliseconds: f.key.month).iso == "2021-09-30T16:00:00.000Z")
    #expect(Timestamp(milliseconds: f.quarter).iso == "2021-09-30T16:00:00.000Z")
    #expect(f.covered == 0)
  }

  /// Each stored value a rebuild reads is checked; the error names where it was read.
  @Test(arguments: [
    ("scene = 'lobby'", CorruptValueError(place: "link_event.scene", value: "lobby")),
    ("action = 'open', reason = 'boredom'", CorruptValueError(place: "link_event.reason", value: "boredom")),
    ("policy_version = 'v9'", CorruptValueError(place: "link_event.policy_version", value: "v9")),
    ("user_pseudonym = 'u1'", CorruptValueError(place: "link_event.user_pseudonym", value: nil)),
    ("host_id = 999", CorruptValueError(place: "host.domain", value: nil)),
  ])
  func aStoredValueThatDoesNotParseStopsTheRebuild(edit: String, expected: CorruptValueError) throws {
    let store = try MetricCatalogueTests.loaded()
    do {
      let db = try Database(path: store.path)
      try db.execute("UPDATE link_event SET \(edit) WHERE event_id = 'e4'")
      db.close()
    }
    // The edit marked the rollups stale; the next open for writing re-derives them, and stops.
    let error = try #require(throws: CorruptValueError.self) { try Database.store(at: store.path) }
    #expect(error == expected)
    // Nothing was re-derived: the mark stays for the next open.
    #expect(try Rollups.isStale(try store.open(.readOnly)))
  }
}
