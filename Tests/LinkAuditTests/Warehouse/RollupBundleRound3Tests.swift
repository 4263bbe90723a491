import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditImport
import LinkAuditRollup
import LinkAuditStore
import Testing

/// Issue 30, the red team's attack on the merged warehouse path (A1, A3,
/// A7-A9, A12, A14-A16, A23): a bundle is held to its own segments and days,
/// and to the raw events the database holds; a refused bundle changes no byte.
extension RollupBundleTests {
  static let shanghaiZone = TimeZone(identifier: "Asia/Shanghai")!

  // MARK: A7

  @Test func a7_eachCountsPolicyVersionIsOneInForceInItsMonth() throws {
    try store.load([(.policies, fixture("policy-baseline.md")), (.policies, fixture("policy-phase1.md"))])
    // The baseline is held but not in force in 2021-Q4; phase 1 is, every day of it.
    for (version, shown) in [("2021.01-baseline", "2021.01-baseline"), ("", "(empty)")] {
      var bundle = HandBundle.q4
      for i in bundle.counts.indices { bundle.counts[i][1] = "2021.09-phase1" }
      bundle.counts[2][1] = version
      try expectRefused(
        bundle, "version-\(shown)", FileError.self,
        [
          "counts.csv:4", "policy_version \(shown) is not in force in the month of month_start_ms",
          "in force then 2021.09-phase1, as segments.csv gives them",
        ])
    }
    var bundle = HandBundle.q4
    for i in bundle.counts.indices { bundle.counts[i][1] = "2021.09-phase1" }
    #expect(try importBundle(try write(bundle, "whole")).rowsStored == 7)
  }

  @Test func a7_anEmptyVersionIsOneWhereNoneIsInForce() throws {
    // No policy version at all: "" is the only one the segments give.
    #expect(try importBundle(try write(.q4, "none")).rowsStored == 7)
  }

  // MARK: A8

  @Test func a8_theDaysOfEachMonthAddUpToItsCounts() throws {
    var allInOctober = HandBundle.q4
    allInOctober.days = [[HandBundle.day(2021, 10, 1), "5"], [HandBundle.day(2021, 10, 2), "2"]]
    allInOctober.last = HandBundle.at("2021-10-02T09:30:00Z")
    try expectRefused(
      allInOctober, "october", FileError.self,
      [
        "days.csv adds up to 7 events in the month of month_start_ms \(HandBundle.day(2021, 10, 1))",
        "counts.csv to 5", "contradicts itself",
      ])
    // The reverse: a month of counts whose days carry no events.
    var noNovemberDays = HandBundle.q4
    noNovemberDays.days = [[HandBundle.day(2021, 10, 1), "5"], [HandBundle.day(2021, 12, 1), "2"]]
    try expectRefused(
      noNovemberDays, "november", FileError.self,
      ["days.csv adds up to 0 events in the month of month_start_ms \(HandBundle.day(2021, 11, 1))", "counts.csv to 2"])
  }

  // MARK: A9

  /// A link log holding the history's event before the quarter (h1), as the
  /// database would hold 2021-Q3 imported directly.
  func rawQ3(_ name: String, _ rows: [String]) throws {
    let file = try store.dir.write(
      name, "event_id,occurred_at,scene,user_id,url,action,reason,detected_by\n" + rows.joined(separator: "\n") + "\n")
    try store.load([(.links, file)])
  }

  @Test func a9_historiesBeforeTheQuarterAreHeldToTheRawEventsTheDatabaseHolds() throws {
    try rawQ3("q3.csv", ["h1,2021-09-20T10:00:00+08:00,group_chat,u1,HTTP://WWW.Example.com:80/g,open,,automated"])
    var forged = HandBundle.q4
    forged.histories[0][4] = "block"
    forged.histories[0][5] = "gambling"
    try expectRefused(
      forged, "forged", FileError.self,
      [
        "histories.csv:2", "event_id h1 of 2021-09-20T02:00:00.000Z falls in 2021-Q3",
        "which this database holds as raw events, and they say otherwise of it",
      ])
    var invented = HandBundle.q4
    invented.histories.insert(
      HandBundle.event(
        "h0", "2021-09-21T02:00:00Z", "http://www.example.com/g", "open", "", key: "http://www.example.com/g"), at: 1)
    try expectRefused(invented, "invented", FileError.self, ["event_id h0", "and is not among them"])
    var twice = HandBundle.q4
    twice.histories.insert(twice.histories[0], at: 1)
    try expectRefused(twice, "twice", FileError.self, ["event_id h1", "they say otherwise of it"])
    // The honest history is taken.
    #expect(try importBundle(try write(.q4, "honest")).rowsStored == 7)
    // One of the raw events left out of the history is refused too.
    try rawQ3("q3-more.csv", ["h9,2021-09-25T10:00:00+08:00,group_chat,u2,http://www.example.com/g,open,,automated"])
    var again = HandBundle.q4
    again.manifestFields = ["rows_rejected": 1]
    try expectRefused(
      again, "left-out", FileError.self,
      [
        "histories.csv", "ships 1 event(s) of http://www.example.com/g before the bundle's quarter",
        "which hold 2: the history contradicts the database",
      ])
  }

  @Test func a9_historiesOfQuartersTheDatabaseDoesNotHoldAsRawEventsRestOnTheBundle() throws {
    // Raw events of 2021-Q2 only (of another URL): the history's 2021-Q3 events are the bundle's word.
    try rawQ3("q2.csv", ["q2,2021-05-20T10:00:00+08:00,group_chat,u1,http://www.example.com/other,open,,automated"])
    #expect(try importBundle(try write(.q4, "bundle")).rowsStored == 7)
  }

  // MARK: A12

  @Test func a12_aRestoreAfterTheQuarterLeavesItsFingerprintAndBundleAlone() throws {
    try store.load([(.complaints, fixture("complaints-v2.csv"))])
    func fingerprint(_ quarter: Quarter) throws -> String {
      let db = try store.open(.readOnly)
      defer { db.close() }
      let (start, end) = quarter.bounds(in: Self.shanghaiZone)
      return try DecisionIndex.fingerprint(of: db, from: start, until: end)
    }
    let (q4, q2) = (Quarter(year: 2021, number: 4), Quarter(year: 2022, number: 2))
    let (q4Before, q2Before) = (try fingerprint(q4), try fingerprint(q2))
    _ = try importBundle(try write(.q4, "bundle"))
    let restore = try store.dir.write(
      "restore.csv",
      "complaint_id,received_at,reporter_id,url,category,channel,description,status,resolved_at,outcome,action_taken,updated_at\n"
        + "rs1,2022-05-02 10:00:00,rp_1,https://item.taobao.com/item.htm?id=1,wrongly_restricted,hotline,restore please,resolved,2022-05-03 10:00:00,upheld,restore,2022-05-03 10:00:00\n"
    )
    try store.load([(.complaints, restore)])
    // The restore ends c1's decision in 2022-Q2: it stood through 2021-Q4 either way.
    #expect(try store.scalar("SELECT stands_until FROM decision WHERE complaint_id = 'c1'") != .null)
    #expect(try fingerprint(q4) == q4Before)
    #expect(try fingerprint(q2) != q2Before)
    let db = try store.open(.readOnly)
    defer { db.close() }
    #expect(try Rollups.staleBundles(db).isEmpty)
  }

  /// Two quarters at the ceiling `--max-events` allows (10^15 each): the
  /// ratings' window and the report add them up without overflow.
  @Test func a14_quartersAtTheCeilingRateAndReportWithoutOverflow() throws {
    let ceiling = String(BundleManifest.maxEventsLimit)
    var q4 = HandBundle()
    q4.counts = [
      [HandBundle.day(2021, 10, 1), "", "https", "item.taobao.com", "group_chat", "open", "", "automated", ceiling]
    ]
    q4.days = [[HandBundle.day(2021, 10, 1), ceiling]]
    q4.last = HandBundle.at("2021-10-01T09:30:00Z")
    var q1 = q4
    q1.quarter = "2022-Q1"
    q1.counts[0][0] = HandBundle.day(2022, 1, 1)
    q1.days[0][0] = HandBundle.day(2022, 1, 1)
    (q1.first, q1.last) = (HandBundle.at("2022-01-01T01:00:00Z"), HandBundle.at("2022-01-01T09:30:00Z"))
    let options = BundleImportOptions(maxEvents: BundleManifest.maxEventsLimit)
    #expect(try importBundle(try write(q4, "q4"), options).rowsStored == Int(BundleManifest.maxEventsLimit))
    #expect(try importBundle(try write(q1, "q1"), options).rowsStored == Int(BundleManifest.maxEventsLimit))
    let db = try store.open(.readOnly)
    defer { db.close() }
    let model = try RatingModel.load(path: PlatformRatingsTests.templates + "/rating-model.yaml")
    let ratings = try QuarterRatings.rate(db, Quarter(year: 2022, number: 1), Self.shanghaiZone, model)
    #expect(ratings.pooled.events == 2 * BundleManifest.maxEventsLimit)
    _ = try ReportData(database: db, quarter: Quarter(year: 2022, number: 1), timeZone: Self.shanghaiZone)
  }

  // MARK: A15

  @Test func a15_aBundleMadeLaterThanNowIsRefused() throws {
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    var future = HandBundle.q4
    future.manifestFields = ["made_at_ms": now + 86_400_000]
    try expectRefused(
      future, "future", FileError.self,
      ["manifest.json: made_at_ms \(now + 86_400_000)", "is later than now", "check the warehouse's clock"])
    // A warehouse clock a minute ahead is no reason to refuse.
    var ahead = HandBundle.q4
    ahead.manifestFields = ["made_at_ms": now + 60_000]
    #expect(try importBundle(try write(ahead, "ahead")).rowsStored == 7)
  }

  // MARK: A16

  @Test func a16_countAuthoritiesAreHeldToTheURLColumnsRules() throws {
    for (authority, expected) in [
      (String(repeating: "t\u{430}obao.", count: 600) + "taobao.com", "a URL has at most 4096"),
      ("item.taobao.com\u{1B}[2J", "holds U+001B"),
      ("item.taobao.com\u{202E}", "holds U+202E"),
    ] {
      var bundle = HandBundle.q4
      bundle.counts[0][3] = authority
      try expectRefused(bundle, "authority", FileError.self, ["counts.csv:2", expected])
    }
    // A host that mixes scripts is stored as its own and named, as import links names it.
    var homograph = HandBundle.q4
    homograph.counts.append(
      [HandBundle.day(2021, 10, 1), "", "https", "item.t\u{430}obao.com", "group_chat", "open", "", "automated", "1"])
    homograph.days[0][1] = "4"
    let summary = try importBundle(try write(homograph, "homograph"))
    #expect(summary.rowsStored == 8)
    #expect(
      summary.warnings.contains {
        $0.hasPrefix("counts.csv line 6: url host item.t\u{430}obao.com (item.xn--tobao-")
          && $0.contains("mixes scripts")
      }, "\(summary.warnings)")
    #expect(try store.scalar("SELECT platform_id FROM host WHERE host = 'item.t\u{430}obao.com'") == "other")
  }

  // MARK: A23

  @Test(.timeLimit(.minutes(1))) func a23_aFileOfTheKernelsFileSystemsIsRefusedUnread() throws {
    let problem = try #require(FileIdentity.notARegularFile("/proc/self/status"))
    #expect(problem.reason.contains("is a file of the kernel's proc file system"))
    #expect(FileIdentity.notARegularFile(fixture("links-basic.csv")) == nil)
    let folder = try write(.q4, "kernel")
    let histories = (folder as NSString).appendingPathComponent("histories.csv")
    try FileManager.default.removeItem(atPath: histories)
    try FileManager.default.createSymbolicLink(atPath: histories, withDestinationPath: "/proc/self/status")
    let before = try state()
    let error = try #require(throws: FileError.self) { try importBundle(folder) }
    #expect(error.localizedDescription.contains("histories.csv: is a file of the kernel's proc file system"))
    #expect(try state() == before)
  }
}

extension WarehouseReferenceTests {
  // MARK: A3

  /// Only a regular file named like a killed export's half-written one is
  /// its own: a folder (or a link) of that name is someone's, and refused.
  @Test func a3_onlyARegularFileNamedLikeAHalfWrittenOneIsRemoved() throws {
    let db = try store.open()
    defer { db.close() }
    let folder = store.dir.file("ref")
    try writeReference(db, to: folder)
    let notes = try store.dir.write("ref/.segments.csv.writing-2147483646/notes.txt", "precious\n")
    let error = try #require(throws: OutputPathError.self) { try writeReference(db, to: folder) }
    #expect(error.message.contains("holds .segments.csv.writing-2147483646, which is not a reference's"), "\(error)")
    #expect(try String(contentsOfFile: notes, encoding: .utf8) == "precious\n")
    try FileManager.default.removeItem(atPath: store.dir.file("ref/.segments.csv.writing-2147483646"))
    try store.dir.write("victim.txt", "precious\n")
    try FileManager.default.createSymbolicLink(
      atPath: store.dir.file("ref/.offsets.csv.writing-2147483646"), withDestinationPath: store.dir.file("victim.txt"))
    #expect(throws: OutputPathError.self) { try writeReference(db, to: folder) }
    #expect(try String(contentsOfFile: store.dir.file("victim.txt"), encoding: .utf8) == "precious\n")
    #expect(FileManager.default.fileExists(atPath: store.dir.file("ref/.offsets.csv.writing-2147483646")))
  }
}

/// The same findings through the built binary.
extension SafetyTests {
  /// A1: `import rollups` keeps P5's rule: a refused bundle, even a folder
  /// that does not exist, leaves a rollback-journal database and its stale
  /// rollups byte for byte as they were; an imported one commits the upkeep.
  @Test func findingA1_aRefusedBundleLeavesEveryByteOfTheDatabase() throws {
    // Raw events of 2021-Q2: the bundle's 2021-Q4 is the database's from a bundle.
    let seed = try run(
      [
        "import", "links",
        try links("q2.csv", ["q1,2021-05-01 10:00:00,group_chat,u1,https://item.taobao.com/1,open,"]),
      ]
        + key)
    #expect(seed.status == 0, "\(seed.stderr)")
    let (bundle, future): (String, String)
    do {
      let db = try Database(path: database)
      bundle = try HandBundle.q4.write(in: dir, name: "bundle", database: db)
      var made = HandBundle.q4
      made.manifestFields = ["made_at_ms": Int64(Date().timeIntervalSince1970 * 1000) + 86_400_000]
      future = try made.write(in: dir, name: "future", database: db)
      try db.execute("PRAGMA journal_mode = DELETE")
      // A hand edit marks the rollups stale (a trigger).
      try db.execute("UPDATE link_event SET action = 'block', reason = 'fraud', principle = 1 WHERE event_id = 'q1'")
      db.close()
    }
    let before = try #require(bytes(database))
    for (folder, expected) in [
      (dir.file("no-such-bundle"), "no-such-bundle: cannot open"), (future, "is later than now"),
      (bundle + "/counts.csv", "is a file: name the bundle's folder"),
    ] {
      let result = try run(["import", "rollups", folder] + key)
      #expect(result.status != 0)
      #expect(result.stderr.contains(expected), "\(result.stderr)")
      #expect(bytes(database) == before, "a refused bundle changed the database's bytes: \(folder)")
      #expect(!FileManager.default.fileExists(atPath: database + "-wal"))
    }
    #expect(try count("SELECT count(*) FROM setting WHERE name = 'rollups_stale'") == 1)
    let ok = try run(["import", "rollups", bundle] + key)
    #expect(ok.status == 0, "\(ok.stderr)")
    #expect(try count("SELECT count(*) FROM setting WHERE name = 'rollups_stale'") == 0)
    let db = try Database(path: database, mode: .readOnly)
    defer { db.close() }
    #expect(try db.scalar("PRAGMA journal_mode").text == "wal")
  }

  /// A14: --max-events is bounded, so the sums of the quarters a database
  /// holds stay far inside Int64 in the ratings and the report.
  @Test func findingA14_maxEventsHasACeiling() throws {
    for value in ["1000000000000001", "6000000000000000000"] {
      let result = try run(["import", "rollups", dir.file("bundle"), "--max-events", value] + key)
      #expect(result.status != 0)
      #expect(result.stderr.contains("at most 1,000,000,000,000,000 (10^15)"), "\(result.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: database))
  }

  /// A23: the inbox's and a link log's "regular file only" rule refuses a
  /// file of /proc (a link to /proc/kmsg would hang the import as root).
  @Test(.timeLimit(.minutes(1))) func findingA23_aKernelFileIsNoInput() throws {
    try FileManager.default.createDirectory(atPath: dir.file("inbox/links"), withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: dir.file("inbox/links/zz.csv"), withDestinationPath: "/proc/self/status")
    // The inbox skips it, named, as it skips a pipe (C4); a file named on the command line is refused.
    let inbox = try run(["import", "inbox", dir.file("inbox")] + key)
    #expect(inbox.status == 0, "\(inbox.stderr)")
    #expect(
      inbox.stderr.contains("zz.csv: skipped: is a file of the kernel's proc file system, not a file of data"),
      "\(inbox.stderr)")
    let links = try run(["import", "links", "/proc/self/status"] + key)
    #expect(links.status != 0)
    #expect(links.stderr.contains("/proc/self/status: is a file of the kernel's proc file system"), "\(links.stderr)")
  }
}
