import Crypto
import Foundation
import LinkAuditCore
import LinkAuditImport
import LinkAuditRollup
import LinkAuditStore
import Testing

/// A quarter's rollup bundle written by hand, as the warehouse job writes one,
/// against what the database holds (its decisions and policy versions).
struct HandBundle {
  var counts: [[String]] = []
  var days: [[String]] = []
  var users = "4"
  var cases: [[String]] = []
  var histories: [[String]] = []
  var quarter = "2021-Q4"
  /// What users.csv names as its quarter, when not the bundle's.
  var usersQuarter: String?
  /// Rows of users.csv after the quarter's own (a bundle has one).
  var moreUsers: [[String]] = []
  /// Numbers of manifest.json set or replaced (made_at_ms, rows_duplicate, events...).
  var manifestFields: [String: Int64] = [:]
  var jobVersion = "3"
  /// The first and last events' instants.
  var first = at("2021-10-01T01:00:00Z")
  var last = at("2021-11-15T09:30:00Z")

  static let shanghai = TimestampParser(timeZone: TimeZone(identifier: "Asia/Shanghai")!)
  static func day(_ y: Int, _ m: Int, _ d: Int) -> String {
    String(shanghai.startOfDay(year: y, month: m, day: d).milliseconds)
  }
  static func at(_ iso: String) -> String { String(TimestampParser.utc.parse(iso)!.milliseconds) }

  /// An event row of cases.csv or histories.csv; `key` is what the job read the URL as.
  static func event(_ id: String, _ iso: String, _ url: String, _ action: String, _ reason: String, key: String)
    -> [String]
  {
    [id, at(iso), "group_chat", url, action, reason, "automated", "8.0.1", key, "links.csv", "2"]
  }

  @discardableResult
  func write(in dir: TemporaryDirectory, name: String, database db: Database) throws -> String {
    let folder = dir.file(name)
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let eventHeader = [
      "event_id", "occurred_at_ms", "scene", "url", "action", "reason", "detected_by", "client_version", "url_key",
      "file", "line",
    ]
    let tables: [(String, [[String]])] = [
      (
        "counts.csv",
        [
          [
            "month_start_ms", "policy_version", "scheme", "authority", "scene", "action", "reason", "detected_by",
            "events",
          ]
        ]
          + counts
      ),
      ("days.csv", [["day_start_ms", "events"]] + days),
      (
        "users.csv",
        [
          ["quarter", "users", "events", "first_ms", "last_ms"],
          [usersQuarter ?? quarter, users, String(events), first, last],
        ] + moreUsers
      ),
      ("cases.csv", [eventHeader] + cases),
      ("histories.csv", [eventHeader] + histories),
    ]
    var files: [String: Any] = [:]
    for (file, rows) in tables {
      let data = Data((rows.map(csvLine).joined(separator: "\n") + "\n").utf8)
      try data.write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent(file)))
      files[file] = ["rows": rows.count - 1, "sha256": hex(SHA256.hash(data: data))]
    }
    let manifest: [String: Any] = [
      "format": "linkaudit-rollups/1", "job_version": jobVersion, "quarter": quarter,
      "reference_manifest_sha256": String(repeating: "0", count: 64),
      "decisions_fingerprint": try DecisionIndex.fingerprint(
        of: db, from: Quarter(quarter)!.bounds(in: Self.shanghai.timeZone).start,
        until: Quarter(quarter)!.bounds(in: Self.shanghai.timeZone).end),
      "segments_sha256": try WarehouseSegments.sha256(database: db, quarter: Quarter(quarter)!),
      "rollup_time_zone": "Asia/Shanghai", "events": events, "rows_rejected": 0, "logs": ["links.csv"], "files": files,
    ]
    try JSONSerialization.data(
      withJSONObject: manifest.merging(manifestFields.mapValues { $0 as Any }) { $1 }, options: [.sortedKeys]
    ).write(
      to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent("manifest.json")))
    return folder
  }

  /// What counts.csv adds up to (wrapping: a test may make it overflow).
  var events: Int { counts.reduce(0) { $0 &+ (Int($1[8]) ?? 0) } }

  /// Seven events of 2021-Q4 on two hosts (one written in capitals with its
  /// default port), four users, one case, and a URL restricted in the quarter
  /// whose history starts in the quarter before.
  static let q4: HandBundle = {
    var b = HandBundle()
    // Every event the cases and histories ship in the quarter is among these counts.
    b.counts = [
      [day(2021, 10, 1), "", "https", "item.taobao.com", "group_chat", "open", "", "automated", "4"],
      [day(2021, 10, 1), "", "https", "item.taobao.com", "group_chat", "open", "gambling", "automated", "1"],
      [day(2021, 11, 1), "", "HTTP", "WWW.Example.com:80", "group_chat", "open", "", "automated", "1"],
      [day(2021, 11, 1), "", "http", "www.example.com", "group_chat", "block", "gambling", "automated", "1"],
    ]
    b.days = [[day(2021, 10, 1), "3"], [day(2021, 10, 2), "2"], [day(2021, 11, 15), "2"]]
    b.cases = [
      event(
        "c1", "2021-10-02T01:00:00Z", "https://item.taobao.com/a?x=1", "open", "gambling",
        key: "https://item.taobao.com/a?x=1")
    ]
    b.histories = [
      event("h1", "2021-09-20T02:00:00Z", "HTTP://WWW.Example.com:80/g", "open", "", key: "http://www.example.com/g"),
      event("h2", "2021-11-01T02:00:00Z", "http://www.example.com/g", "open", "", key: "http://www.example.com/g"),
      event(
        "h3", "2021-11-15T02:00:00Z", "http://www.example.com/g#x", "block", "gambling", key: "http://www.example.com/g"
      ),
    ]
    return b
  }()
}

@Suite struct RollupBundleTests {
  let store = TestStore()

  func importBundle(_ folder: String) throws -> BatchSummary {
    let db = try store.open()
    defer { db.close() }
    return try store.importer(db).importBundle(folder: folder)
  }

  func write(_ bundle: HandBundle, _ name: String) throws -> String {
    let db = try store.open()
    defer { db.close() }
    return try bundle.write(in: store.dir, name: name, database: db)
  }

  /// What a refused bundle must leave as it was.
  func state() throws -> [[SQLValue]] {
    try store.rows(
      """
      SELECT (SELECT count(*) FROM batch), (SELECT count(*) FROM rollup_bundle), (SELECT coalesce(sum(events), 0) FROM event_month),
        (SELECT count(*) FROM link_event), (SELECT count(*) FROM quarter_users), (SELECT count(*) FROM url_restriction)
      """)
  }

  @Test func aBundleIsLoadedAsOneBatchThroughTheRollupEngine() throws {
    let summary = try importBundle(try write(.q4, "bundle"))
    #expect(summary.rowsStored == 7)
    #expect(
      try store.rows(
        "SELECT h.host, m.month_start, sum(m.events) FROM host_month m JOIN host h USING (host_id) GROUP BY 1, 2 ORDER BY 1"
      )
        == [
          ["item.taobao.com", "2021-09-30T16:00:00.000Z", 5], ["www.example.com", "2021-10-31T16:00:00.000Z", 2],
        ])
    #expect(
      try store.rows("SELECT reason, principle, sum(events) FROM event_month GROUP BY 1, 2 ORDER BY 1")
        == [[.null, .null, 5], ["gambling", 1, 2]])
    #expect(
      try store.rows("SELECT platform_id, sum(events) FROM platform_month GROUP BY 1 ORDER BY 1") == [
        ["other", 2], ["taobao", 5],
      ])
    #expect(try store.rows("SELECT * FROM quarter_users") == [["2021-09-30T16:00:00.000Z", 4]])
    #expect(
      try store.rows("SELECT day_start, events FROM event_day ORDER BY 1") == [
        ["2021-09-30T16:00:00.000Z", 3], ["2021-10-01T16:00:00.000Z", 2], ["2021-11-14T16:00:00.000Z", 2],
      ])
    // The case is stored, without a pseudonym; no user is counted from it.
    #expect(
      try store.rows("SELECT event_id, user_pseudonym, url, url_normalised, principle FROM link_event")
        == [["c1", "", .null, "https://item.taobao.com/a?x=1", 1]])
    #expect(try store.scalar("SELECT count(*) FROM user_quarter") == 0)
    // The restricted URL's history, from the quarter before: first seen
    // 2021-09-20 02:00Z, first blocked 2021-11-15 02:00Z, 56 days = 1,344
    // hours later, opened twice before.
    #expect(
      try store.rows(
        "SELECT principle, url_normalised, first_seen, first_restricted, quarter_start, hours_to_action, opens_before FROM url_restriction"
      ) == [
        [
          1, "http://www.example.com/g", "2021-09-20T02:00:00.000Z", "2021-11-15T02:00:00.000Z",
          "2021-09-30T16:00:00.000Z", .real(1344), 2,
        ]
      ])
    #expect(
      try store.rows("SELECT quarter, events, users, replaced_by FROM rollup_bundle") == [["2021-Q4", 7, 4, .null]])
    #expect(
      try store.rows(
        "SELECT kind, rows_stored, first_occurred_at, last_occurred_at FROM batch WHERE batch_id = ?",
        [.integer(summary.batchID!)]) == [["links", 7, "2021-10-01T01:00:00.000Z", "2021-11-15T09:30:00.000Z"]])
    // The doctor's comparison of the rollups with the events leaves the bundle's figures aside.
    let db = try store.open(.readOnly)
    defer { db.close() }
    #expect(try Rollups.differences(db) == [])
  }

  @Test func anAlteredBundleIsRefusedAndNothingIsStored() throws {
    let folder = try write(.q4, "bundle")
    let counts = (folder as NSString).appendingPathComponent("counts.csv")
    try (try String(contentsOfFile: counts, encoding: .utf8)).replacingOccurrences(of: ",4\n", with: ",40\n")
      .write(toFile: counts, atomically: false, encoding: .utf8)
    let before = try state()
    let error = try #require(throws: FileError.self) { try importBundle(folder) }
    #expect(error.localizedDescription.contains("counts.csv"))
    #expect(error.localizedDescription.contains("SHA-256"))
    #expect(try state() == before)
  }

  /// A bundle is checked against its manifest, not signed: what it says must at least be a count.
  @Test func countsThatCannotBeCountsAreRefused() throws {
    let cases: [(String, String, (inout HandBundle) -> Void)] = [
      (
        "negative", "events -2 is not a count of events",
        {
          $0.counts[1][8] = "-2"; $0.days[2][1] = "-2"
        }
      ),
      ("more users", "users 8 cannot be the distinct users of 7 events", { $0.users = "8" }),
      ("another quarter", "quarter 2021-Q3 is not the bundle's (2021-Q4)", { $0.usersQuarter = "2021-Q3" }),
      ("not a month", "is not the start of a month", { $0.counts[0][0] = HandBundle.day(2021, 10, 2) }),
      ("days", "days.csv adds up to 8 events, counts.csv to 7", { $0.days[0][1] = "4" }),
      (
        "case outside", "occurred_at_ms is outside the bundle's quarter",
        { $0.cases[0][1] = HandBundle.at("2021-09-01T00:00:00Z") }
      ),
      (
        "history after", "occurred_at_ms is after the bundle's quarter",
        { $0.histories[0][1] = HandBundle.at("2022-01-05T00:00:00Z") }
      ),
    ]
    for (name, expected, edit) in cases {
      var bundle = HandBundle.q4
      edit(&bundle)
      let folder = try write(bundle, name)
      let before = try state()
      let error = try #require(throws: FileError.self, "\(name)") { try importBundle(folder) }
      #expect(error.localizedDescription.contains(expected), "\(name): \(error.localizedDescription)")
      #expect(try state() == before)
    }
  }

  @Test func aURLTheJobReadOtherwiseThanLinkauditIsRefused() throws {
    var bundle = HandBundle.q4
    bundle.cases[0][8] = "https://item.taobao.com/a"
    let folder = try write(bundle, "bundle")
    let before = try state()
    let error = try #require(throws: FileError.self) { try importBundle(folder) }
    #expect(error.localizedDescription.contains("the job's URL split disagrees with linkaudit's"))
    #expect(error.localizedDescription.contains("cases.csv"))
    #expect(try state() == before)
  }

  @Test func aBundleMadeWithOtherDecisionsOrPoliciesIsRefused() throws {
    let folder = try write(.q4, "bundle")
    try store.load([(.complaints, fixture("complaints-v2.csv"))])
    let before = try state()
    let error = try #require(throws: FileError.self) { try importBundle(folder) }
    #expect(error.localizedDescription.contains("other decisions"))
    #expect(try state() == before)
    // Made again with those decisions, then a policy version in force in the quarter arrives.
    let again = try write(.q4, "bundle-2")
    try store.load([(.policies, fixture("policy-phase1.md"))])
    let policyError = try #require(throws: FileError.self) { try importBundle(again) }
    #expect(policyError.localizedDescription.contains("other policy versions in force in 2021-Q4"))
    #expect(try store.scalar("SELECT count(*) FROM rollup_bundle") == 0)
  }

  @Test func aQuarterComesFromRawEventsOrABundleNeverBoth() throws {
    let raw = try store.dir.write(
      "links-q4.csv",
      """
      event_id,occurred_at,scene,user_id,url,action
      r1,2021-11-02T10:00:00+08:00,group_chat,u1,https://item.jd.com/1.html,open
      """)
    // Raw events first: the bundle is refused.
    let other = TestStore()
    try other.load([(.links, raw)])
    let db = try other.open()
    let folder = try HandBundle.q4.write(in: other.dir, name: "bundle", database: db)
    let error = try #require(throws: FileError.self) { try other.importer(db).importBundle(folder: folder) }
    db.close()
    #expect(error.localizedDescription.contains("already holds link events imported directly (links-q4.csv"))
    #expect(try other.scalar("SELECT count(*) FROM rollup_bundle") == 0)
    // The bundle first: the raw events are refused, and nothing of them stays.
    _ = try importBundle(try write(.q4, "bundle"))
    let before = try state()
    let refused = try #require(throws: FileError.self) { try store.load([(.links, raw)]) }
    #expect(refused.localizedDescription.contains("has events in 2021-Q4, whose figures came from a warehouse bundle"))
    #expect(try state() == before)
  }

  @Test func aNewerBundleReplacesTheOlderOnesFiguresAndTheLedgerKeepsBoth() throws {
    let first = try importBundle(try write(.q4, "bundle-1"))
    var newer = HandBundle.q4
    newer.counts[0][8] = "5"
    newer.days[0][1] = "4"
    newer.users = "5"
    newer.histories.removeLast()
    let second = try importBundle(try write(newer, "bundle-2"))
    #expect(try store.scalar("SELECT sum(events) FROM event_month") == 8)
    #expect(try store.scalar("SELECT sum(events) FROM event_day") == 8)
    #expect(try store.rows("SELECT users FROM quarter_users") == [[5]])
    #expect(try store.scalar("SELECT count(*) FROM url_restriction") == 0)
    #expect(try store.scalar("SELECT count(*) FROM link_event") == 1)
    #expect(
      try store.rows("SELECT batch_id, replaced_by FROM rollup_bundle ORDER BY batch_id")
        == [[.integer(first.batchID!), .integer(second.batchID!)], [.integer(second.batchID!), .null]])
    #expect(try store.scalar("SELECT value FROM setting WHERE name = 'rollups_stale'") == .null)
  }

  @Test func aLatePolicyKeepsTheBundlesFiguresAndMakesItStale() throws {
    _ = try importBundle(try write(.q4, "bundle"))
    try store.load([(.policies, fixture("policy-phase1.md"))])
    // Re-derived for the other batches only: the bundle's counts stay.
    #expect(try store.scalar("SELECT sum(events) FROM event_month") == 7)
    let db = try store.open(.readOnly)
    defer { db.close() }
    #expect(try Rollups.staleBundles(db).map(\.quarter) == ["2021-Q4"])
    let error = try #require(throws: BundleError.self) {
      try Rollups.prepare(db, for: TimeZone(identifier: "Asia/Shanghai")!)
    }
    #expect(error.localizedDescription.contains("2021-Q4 came from a warehouse bundle made before a policy version"))
  }

  @Test func doctorNamesABundleWhoseFiguresNoLongerMatchItsLedger() throws {
    _ = try importBundle(try write(.q4, "bundle"))
    func findings() throws -> [Doctor.Finding] {
      let db = try store.open(.readOnly)
      defer { db.close() }
      return try Doctor.examine(db)
    }
    #expect(try findings().contains { $0.check == "bundles" && $0.severity == .ok })
    #expect(!(try findings().contains { $0.severity == .problem }))
    let db = try store.open()
    try db.execute("UPDATE quarter_users SET users = 5")
    db.close()
    #expect(
      try findings().contains {
        $0.severity == .problem && $0.detail == "1 warehouse bundles whose counts or users disagree with the ledger"
      })
  }

  @Test func aReportInAnotherZoneIsRefusedForItNeedsTheEvents() throws {
    _ = try importBundle(try write(.q4, "bundle"))
    let db = try store.open(.readOnly)
    defer { db.close() }
    let error = try #require(throws: BundleError.self) {
      try Rollups.prepare(db, for: TimeZone(identifier: "America/New_York")!)
    }
    #expect(error.localizedDescription.contains("a report in America/New_York needs the events themselves"))
  }
}
