import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditImport
import LinkAuditRollup
import LinkAuditStore
import Testing

/// Issue 31, counted by hand: every under-restricted event listed with the
/// rule it broke, and the interconnection figures by platform. Policy phase 1
/// is in force in 2021-Q4: one_to_one_chat open, group_chat warn, other
/// scenes block; pornography and fraud block, induced_sharing warn, other
/// categories block. Two registered platforms (alpha.com, beta.com) and an
/// unregistered domain (other.example.net).
@Suite struct InterconnectionTests {
  static let platforms = """
    platform_id,name_en,name_zh,domains
    alpha,Alpha,甲,alpha.com
    beta,Beta,乙,beta.com

    """

  // e1, e2: scene-rule restrictions as prescribed (alpha). e3: a scene-rule
  // warning where one_to_one_chat prescribes an open: scene-rule and
  // over-restricted (beta). e4: a content block as prescribed (beta). e5: a
  // block where induced_sharing prescribes a warning: over-restricted
  // (alpha). e6: an open where group_chat prescribes a warning: under by the
  // scene's rule (beta). e7: pornography opened: under by a category's rule,
  // principle 1 (alpha). e8: an open as prescribed (other). e9: a scene-rule
  // warning where search prescribes a block: scene-rule, and under by the
  // scene's rule (other). e10 falls in 2022.
  static let links = """
    event_id,occurred_at,scene,user_id,url,action,reason,detected_by,client_version
    e1,2021-10-05 10:00:00,group_chat,u1,https://www.alpha.com/1,warn_back,scene_rule,automated,8.0.1
    e2,2021-10-06 10:00:00,moments,u2,https://www.alpha.com/2,block,scene_rule,automated,8.0.1
    e3,2021-10-07 10:00:00,one_to_one_chat,u3,https://www.beta.com/3,warn_proceed,scene_rule,automated,8.0.2
    e4,2021-10-08 10:00:00,one_to_one_chat,u4,https://www.beta.com/4,block,fraud,manual_review,8.0.2
    e5,2021-10-09 10:00:00,group_chat,u5,https://www.alpha.com/5,block,induced_sharing,automated,8.0.3
    e6,2021-10-10 10:00:00,group_chat,u6,https://www.beta.com/13800138000,open,,,8.0.4
    e7,2021-10-11 10:00:00,one_to_one_chat,u7,https://www.alpha.com/7,open,pornography,user_report,8.0.5
    e8,2021-10-12 10:00:00,one_to_one_chat,u8,https://other.example.net/8,open,,,
    e9,2021-10-13 10:00:00,search,u9,https://other.example.net/9,warn_back,scene_rule,automated,8.0.6
    e10,2022-01-02 10:00:00,group_chat,u1,https://www.beta.com/10,open,,,

    """

  static func loaded() throws -> TestStore {
    let store = TestStore()
    try store.load([
      (.platforms, try store.dir.write("p.csv", platforms)),
      (.policies, fixture("policy-baseline.md")), (.policies, fixture("policy-phase1.md")),
      (.links, try store.dir.write("l.csv", links)),
    ])
    return store
  }

  @Test func everyUnderRestrictedEventIsListedWithTheRuleItBroke() throws {
    let q4 = try shanghaiReport(try Self.loaded(), "2021-Q4")
    #expect(q4.current["overview.under_restricted"]?.csv == "3")
    #expect(q4.current["overview.under_restricted", dimension: "rule=category"]?.csv == "1")
    #expect(q4.current["overview.under_restricted", dimension: "rule=scene"]?.csv == "2")
    // The category's rule first (by principle), then the scene's, in time order.
    #expect(q4.gotThrough.map(\.eventID) == ["e7", "e6", "e9"])
    #expect(Int64(q4.gotThrough.count) == q4.gotThroughTotal)
    #expect(q4.gotThrough.map(\.rule) == ["category", "scene", "scene"])
    #expect(q4.gotThrough.map(\.principle) == [1, nil, nil])
    #expect(q4.gotThrough.map(\.category) == ["pornography", nil, "scene_rule"])
    #expect(q4.gotThrough.map(\.treatment) == ["block", "warn", "block"])
    #expect(q4.gotThrough.map(\.detectedBy) == ["user_report", "automated", "automated"])
    #expect(q4.gotThrough.map(\.clientVersion) == ["8.0.5", "8.0.4", "8.0.6"])
    #expect(q4.gotThrough.map(\.platformID) == ["alpha", "beta", "other"])
    #expect(q4.gotThrough.map(\.scene) == ["one_to_one_chat", "group_chat", "search"])
    // The URL masked as the package masks URLs: no phone number.
    #expect(q4.gotThrough[1].url.contains("13800138000") == false, "\(q4.gotThrough[1].url)")
  }

  @Test func theInterconnectionFiguresByPlatform() throws {
    let q4 = try shanghaiReport(try Self.loaded(), "2021-Q4")
    func along(_ id: String) -> [String: String] {
      Dictionary(
        uniqueKeysWithValues: q4.current.along(MetricID(rawValue: id), "platform").map { ($0.label, $0.value.csv) })
    }
    // Scene-rule restrictions: e1, e2 on alpha; e3 on beta; e9 unregistered.
    #expect(along("p4.scene_rule_restrictions") == ["alpha": "2", "beta": "1", "other": "1"])
    // Over-restricted: e5 on alpha, e3 on beta; none unregistered, which still has events.
    #expect(along("p4.over_restricted") == ["alpha": "1", "beta": "1", "other": "0"])
    #expect(q4.current["overview.over_restricted"]?.csv == "2")
    // They add up to the figures they split.
    let byScene = q4.current.along("p4.scene_rule_restrictions", "scene").reduce(0) { $0 + ($1.value.double ?? 0) }
    #expect(byScene == 4)
    #expect(
      q4.interconnection.map { "\($0.platformID) \($0.events) \($0.sceneRuleRestrictions) \($0.overRestricted)" } == [
        "alpha 4 2 1", "beta 3 1 1", "other 2 1 0",
      ])
  }

  /// At ten million events the list reads the events the rollups kept as
  /// under-restricted, by rowid, not a scan of every event.
  @Test func theListReadsTheKeptEventsNotEveryEvent() throws {
    let store = try Self.loaded()
    let db = try store.open(.readOnly)
    // e7, e6, e9, and e10 of 2022.
    #expect(try db.scalar("SELECT count(*) FROM under_restricted_event") == .integer(4))
    let plan = try db.records(
      "EXPLAIN QUERY PLAN " + EventSection.gotThroughSQL,
      named: [":start": .text("a"), ":end": .text("b")], source: "test"
    ).compactMap { $0.optionalText("detail") }
    #expect(plan.contains { $0.hasPrefix("SEARCH u USING PRIMARY KEY (occurred_at>? AND occurred_at<?)") }, "\(plan)")
    #expect(plan.contains { $0.hasPrefix("SEARCH e USING INTEGER PRIMARY KEY") }, "\(plan)")
    #expect(!plan.contains { $0.hasPrefix("SCAN e") || $0.hasPrefix("SCAN u") }, "\(plan)")
  }

  /// The rollups stay the events' own: derived afresh they are the same.
  @Test func theNewRollupsAreWhatTheEventsGiveAgain() throws {
    let store = try Self.loaded()
    let db = try store.open()
    #expect(try Rollups.differences(db) == [])
    try db.execute("DELETE FROM under_restricted_event")
    #expect(try Rollups.differences(db).contains { $0.hasPrefix("under_restricted_event") })
  }

  /// A policy imported after the events reassigns them: the events kept as
  /// under-restricted are redone with the counts, so the order of imports
  /// changes nothing.
  @Test func aPolicyImportedAfterTheEventsGivesTheSameList() throws {
    let store = TestStore()
    try store.load([
      (.platforms, try store.dir.write("p.csv", Self.platforms)), (.links, try store.dir.write("l.csv", Self.links)),
    ])
    #expect(try store.scalar("SELECT count(*) FROM under_restricted_event") == .integer(0))
    try store.load([(.policies, fixture("policy-baseline.md")), (.policies, fixture("policy-phase1.md"))])
    let q4 = try shanghaiReport(store, "2021-Q4")
    #expect(q4.gotThrough.map(\.eventID) == ["e7", "e6", "e9"])
    #expect(try Rollups.differences(try store.open()) == [])
  }

  @Test func thePackageListsEveryEventAndTheFiguresByPlatform() throws {
    let store = try Self.loaded()
    let out = store.dir.file("out")
    let db = try store.open(.readOnly)
    defer { db.close() }
    try ReportPackage(
      quarter: ReportPackageTests.q4, timeZone: ReportPackageTests.shanghai, languages: [.en, .zh],
      templates: ReportPackageTests.templates
    ).write(database: db, to: out)
    let register = try String(contentsOfFile: out + "/under_restricted_events.csv", encoding: .utf8)
    let lines = register.split(separator: "\n")
    #expect(lines.count == 4, "\(register)")
    #expect(lines.first?.hasPrefix("event_id,occurred_at,rule,principle,") == true)
    #expect(
      lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[0] } == ["e7", "e6", "e9"])
    #expect(lines[1].hasSuffix(",yes"))
    #expect(!register.contains("13800138000"))
    let summary = try String(contentsOfFile: out + "/summary.en.md", encoding: .utf8)
    #expect(summary.contains("| e6 |") && summary.contains("| e9 |") && summary.contains("| e7 |"))
    #expect(summary.contains("3 in all."))
    let p4 = try String(contentsOfFile: out + "/principle-4.en.md", encoding: .utf8)
    #expect(p4.contains("| Alpha | 4 | 2 | 50.00% | 1 | 25.00% |"), "\(p4)")
    #expect(p4.contains("| Beta | 3 | 1 | 33.33% | 1 | 33.33% |"))
    // Both workbooks: the principle 4 sheet's table, counts beside shares.
    for (language, heading, alpha) in [
      ("en", "Interconnection: restrictions by platform", "Alpha"), ("zh", "互联互通：分平台的限制", "甲"),
    ] {
      let cells = try XlsxReading.cells(out + "/linkaudit-2021-Q4.\(language).xlsx")
      let sheet = try #require(cells.values.first { $0.values.contains(heading) }, "\(language)")
      // The first row naming the platform below the table's heading (other tables name it too).
      func rowNumber(_ key: String) -> Int { Int(key.drop { $0.isLetter }) ?? 0 }
      let top = try #require(sheet.first { $0.value == heading }.map { rowNumber($0.key) })
      let row = try #require(
        sheet.filter { $0.key.hasPrefix("A") && !$0.key.hasSuffix(".type") && $0.value == alpha }.map {
          rowNumber($0.key)
        }
        .filter { $0 > top }.min())
      #expect(
        ["B", "C", "D", "E", "F"].map { sheet["\($0)\(row)"] ?? "" } == ["4", "2", "0.5", "1", "0.25"], "\(language)")
    }
    let p4zh = try String(contentsOfFile: out + "/principle-4.zh.md", encoding: .utf8)
    #expect(p4zh.contains("| 甲 | 4 | 2 |"))
  }

  /// Above the sheet's bound the rest are named in the case register; what
  /// is not held one by one is said, not passed over.
  @Test func aLongListNamesTheCasesFile() {
    #expect(
      ReportLanguage.en.listedCases(10_000, of: 12_345, held: 12_345, in: "under_restricted_events.csv")
        == "The first 10,000 of 12,345; 2,345 more in cases file under_restricted_events.csv.")
    #expect(ReportLanguage.en.listedCases(3, of: 3, held: 3, in: "x.csv") == "3 in all.")
    #expect(
      ReportLanguage.en.listedCases(2, of: 5, held: 2, in: "x.csv")
        == "5 in all; 2 listed here. 3 of them are not held one by one and cannot be listed: the quarter came from a warehouse bundle made by a job before version 3, which did not ship them; run this linkaudit's warehouse job and import its bundle."
    )
  }
}
