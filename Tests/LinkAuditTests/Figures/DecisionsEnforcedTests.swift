import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditImport
import LinkAuditRollup
import LinkAuditStore
import Testing

/// Decisions enforced (issue 31), counted by hand. 2021-Q4, Shanghai. The decisions:
/// - b1 fraud (p1), block_domain example.org, from 10-02 11:00 until r1's restore on the
///   domain (11-15 10:00);
/// - b2 pornography (p1), block_url https://x.example.com/p, from 09-01 11:00, all quarter;
/// - w1 induced_sharing (p3), warn_url https://a.example.org/1, from 10-03 11:00, all quarter
///   (r1 restores the domain's root URL, not w1's);
/// - s1 spam (p3), suspend_sharer: prescribes nothing for the link, covers nothing;
/// - r1 wrongly_restricted (p4), restore: no decision.
///
/// The taps (a: https://a.example.org/1, b: https://b.example.org/, x: https://x.example.com/p):
///
/// | tap | when | URL | action | under | strictest | enforced | reached |
/// |---|---|---|---|---|---|---|---|
/// | e1 | 10-05 | a | open | b1 w1 | block | no | yes |
/// | e2 | 10-06 | a | warn_proceed | b1 w1 | block | no | yes |
/// | e3 | 10-07 | a | warn_back | b1 w1 | block | no | no |
/// | e4 | 10-08 | a | block | b1 w1 | block | yes | no |
/// | e5 | 10-09 | b | warn_back | b1 | block | no | no |
/// | e6 | 10-10 | b | block | b1 | block | yes | no |
/// | e7 | 11-20 | a | warn_back | w1 (b1 restored) | warn | yes | no |
/// | e8 | 11-21 | a | open | w1 | warn | no | yes |
/// | e9 | 11-22 | b | open | none (restored) | | | |
/// | e10 | 10-11 | x | block | b2 | block | yes | no |
/// | e11 | 10-12 | x | open | b2 | block | no | yes |
/// | e12 | 10-02 10:30 | c.example.org | open | none (b1 from 11:00) | | | |
/// | e13 | 10-13 | s.example.net | open | none (s1 suspends) | | | |
/// | e14 | 09-15 (Q3) | x | open | b2, but of Q3 | | | |
///
/// Each tap once: 10 taps, 4 enforced (e4 e6 e7 e10), 4 reached (e1 e2 e8 e11): 40%.
/// Per decision (its own prescription): b1 6 taps (open 1, warn_proceed 1, warn_back 2,
/// block 2), enforced 2, reached 2; b2 2 (open 1, block 1), enforced 1, reached 1; w1 6
/// (open 2, warn_proceed 1, warn_back 2, block 1), enforced 4, reached 3.
/// Per principle, each tap once: p1 (b1 b2) reached e1 e2 e11: 3; p3 (w1) e1 e2 e8: 3; p2 0.
/// Direct opens under a block decision (kept as they were): p1 e1 e11: 2; p3 none.
@Suite struct DecisionsEnforcedTests {
  static let links = """
    event_id,occurred_at,scene,user_id,url,action,reason,detected_by
    e1,2021-10-05 10:00:00,moments,u1,https://a.example.org/1,open,,
    e2,2021-10-06 10:00:00,moments,u2,https://a.example.org/1,warn_proceed,fraud,automated
    e3,2021-10-07 10:00:00,moments,u3,https://a.example.org/1,warn_back,fraud,automated
    e4,2021-10-08 10:00:00,moments,u4,https://a.example.org/1,block,fraud,automated
    e5,2021-10-09 10:00:00,moments,u5,https://b.example.org/,warn_back,scene_rule,automated
    e6,2021-10-10 10:00:00,moments,u6,https://b.example.org/,block,fraud,manual_review
    e7,2021-11-20 10:00:00,moments,u7,https://a.example.org/1,warn_back,scene_rule,automated
    e8,2021-11-21 10:00:00,moments,u8,https://a.example.org/1,open,,
    e9,2021-11-22 10:00:00,moments,u9,https://b.example.org/,open,,
    e10,2021-10-11 10:00:00,moments,u1,https://x.example.com/p,block,pornography,automated
    e11,2021-10-12 10:00:00,moments,u2,https://x.example.com/p,open,,
    e12,2021-10-02 10:30:00,moments,u3,https://c.example.org/,open,,
    e13,2021-10-13 10:00:00,moments,u4,https://s.example.net/,open,,
    e14,2021-09-15 10:00:00,moments,u5,https://x.example.com/p,open,,

    """
  static let complaints = """
    complaint_id,received_at,reporter_id,url,category,channel,description,status,resolved_at,outcome,action_taken,updated_at
    b1,2021-10-01 10:00:00,a,https://bad.example.org/x,fraud,in_chat,,resolved,2021-10-02 10:00:00,upheld,block_domain,
    b2,2021-08-30 10:00:00,b,https://x.example.com/p,pornography,in_chat,,resolved,2021-09-01 10:00:00,upheld,block_url,
    w1,2021-10-02 10:00:00,c,https://a.example.org/1,induced_sharing,in_chat,,resolved,2021-10-03 10:00:00,upheld,warn_url,
    s1,2021-10-02 10:00:00,d,https://s.example.net/,spam,in_chat,,resolved,2021-10-03 10:00:00,upheld,suspend_sharer,
    r1,2021-11-10 10:00:00,e,https://a.example.org/,wrongly_restricted,in_chat,,resolved,2021-11-15 10:00:00,upheld,restore,

    """

  /// The store loaded in `order`: complaints first (the events' coverage found
  /// as they are imported), or links first (found again when the complaints
  /// change the decisions).
  static func store(complaintsFirst: Bool) throws -> TestStore {
    let store = TestStore()
    let links = (InputKind.links, try store.dir.write("l.csv", Self.links))
    let complaints = (InputKind.complaints, try store.dir.write("c.csv", Self.complaints))
    try store.load(
      [(.policies, fixture("policy-baseline.md")), (.policies, fixture("policy-phase1.md"))]
        + (complaintsFirst ? [complaints, links] : [links, complaints]))
    return store
  }

  static let expected: [String: String] = [
    "overview.decision_taps": "10", "overview.decision_enforced": "4", "overview.decision_reached": "4",
    "overview.decision_enforcement_rate": "0.4",
    "decision.taps|decision=b1": "6", "decision.enforced|decision=b1": "2", "decision.reached|decision=b1": "2",
    "decision.taps|decision=b2": "2", "decision.enforced|decision=b2": "1", "decision.reached|decision=b2": "1",
    "decision.taps|decision=w1": "6", "decision.enforced|decision=w1": "4", "decision.reached|decision=w1": "3",
    "decision.actions|decision=b1,action=open": "1", "decision.actions|decision=b1,action=warn_proceed": "1",
    "decision.actions|decision=b1,action=warn_back": "2", "decision.actions|decision=b1,action=block": "2",
    "decision.actions|decision=b2,action=open": "1", "decision.actions|decision=b2,action=warn_proceed": "0",
    "decision.actions|decision=b2,action=warn_back": "0", "decision.actions|decision=b2,action=block": "1",
    "decision.actions|decision=w1,action=open": "2", "decision.actions|decision=w1,action=warn_proceed": "1",
    "decision.actions|decision=w1,action=warn_back": "2", "decision.actions|decision=w1,action=block": "1",
    "p1.post_decision_reached": "3", "p2.post_decision_reached": "0", "p3.post_decision_reached": "3",
    "p1.post_decision_opens": "2", "p2.post_decision_opens": "0", "p3.post_decision_opens": "0",
    "overview.post_decision_opens": "2",
  ]

  /// Every decision figure of the quarter, as `id|dimension` → value.
  static func figures(_ data: ReportData) -> [String: String] {
    var found: [String: String] = [:]
    for f in data.current.figures
    where f.metricID.rawValue.hasPrefix("decision.") || f.metricID.rawValue.contains("decision_") {
      found[f.metricID.rawValue + (f.dimension.isEmpty ? "" : "|" + f.dimension)] = f.value.csv
    }
    return found
  }

  @Test(arguments: [true, false])
  func everyDecisionFigureIsTheHandCount(complaintsFirst: Bool) throws {
    let store = try Self.store(complaintsFirst: complaintsFirst)
    let q4 = try shanghaiReport(store, "2021-Q4")
    #expect(Self.figures(q4) == Self.expected)
    // The rate carries its counts.
    let rate = try #require(q4.current.figure(.decisionEnforcementRate))
    #expect(rate.numerator == 4 && rate.denominator == 10)
    // The stored rollups are what the events give (doctor's check).
    let db = try store.open()
    defer { db.close() }
    #expect(try Rollups.differences(db).isEmpty)
  }

  @Test func theRegisterShowsTheTapsBesideEachDecision() throws {
    let q4 = try shanghaiReport(try Self.store(complaintsFirst: true), "2021-Q4")
    // s1 (suspend_sharer) and r1 (restore) are no decisions; b2 took effect first.
    #expect(q4.decisions.map(\.complaintID) == ["b2", "b1", "w1"])
    #expect(q4.decisions.map(\.prescribed) == ["block", "block", "warn"])
    #expect(q4.decisions.map(\.taps) == [2, 6, 6])
    #expect(q4.decisions.map(\.enforced) == [1, 2, 4])
    #expect(q4.decisions.map(\.reached) == [1, 2, 3])
    #expect(
      q4.decisions.map { [$0.opened, $0.proceeded, $0.wentBack, $0.blocked] } == [
        [1, 0, 0, 1], [1, 1, 2, 2], [2, 1, 2, 1],
      ])
    #expect(q4.decisions[1].standsUntil == "2021-11-15T02:00:00.000Z")
    // Least enforced first: b1 2/6, b2 1/2, w1 4/6.
    #expect(q4.leastEnforcedDecisions.map(\.complaintID) == ["b1", "b2", "w1"])
    // The register's figures are metrics.csv's.
    for d in q4.decisions {
      #expect(q4.current["decision.taps", dimension: "decision=\(d.complaintID)"]?.csv == String(d.taps))
      #expect(q4.current["decision.enforced", dimension: "decision=\(d.complaintID)"]?.csv == String(d.enforced))
      #expect(q4.current["decision.reached", dimension: "decision=\(d.complaintID)"]?.csv == String(d.reached))
    }
  }

  /// A decision standing in the quarter with no taps is listed with zeros; one standing only before it is not.
  @Test func aDecisionWithoutTapsIsListedWithZeros() throws {
    let q1 = try shanghaiReport(try Self.store(complaintsFirst: true), "2022-Q1")
    #expect(q1.decisions.map(\.complaintID) == ["b2", "w1"])
    #expect(q1.decisions.map(\.taps) == [0, 0])
    #expect(q1.current["decision.actions", dimension: "decision=w1,action=warn_back"]?.csv == "0")
    #expect(q1.current["overview.decision_taps"]?.csv == "0")
    // No taps, no rate: empty, never 0.
    #expect(q1.current[.decisionEnforcementRate] == MetricValue.none)
    #expect(q1.leastEnforcedDecisions.isEmpty)
    // The summary says so rather than print a rate of nothing.
    let store = try Self.store(complaintsFirst: true)
    let out = store.dir.file("q1")
    do {
      let db = try store.open(.readOnly)
      defer { db.close() }
      try ReportPackage(
        quarter: Quarter("2022-Q1")!, timeZone: TimeZone(identifier: "Asia/Shanghai")!, languages: [.zh, .en],
        templates: ReportPackageTests.templates
      ).write(database: db, to: out)
    }
    for (language, said) in [("en", "No tap fell under a standing decision"), ("zh", "本季度无点击落在生效的处置决定之下")] {
      let summary = try String(contentsOfFile: out + "/summary.\(language).md", encoding: .utf8)
      #expect(summary.contains(said), "\(language)")
      #expect(!summary.contains("Decisions least enforced") && !summary.contains("执行率最低"), "\(language)")
    }
    #expect(ReportLanguage.en.decisionLead(q1.current).contains("none, no tap fell"))
  }

  /// metrics.csv writes a figure of two dimensions as both key=value pairs, quoted.
  @Test func twoDimensionsAreWrittenAsTwoPairs() throws {
    let q4 = try shanghaiReport(try Self.store(complaintsFirst: true), "2021-Q4")
    #expect(q4.current.csv.contains("\ndecision.actions,\"decision=b1,action=warn_back\",2,,\n"))
    #expect(MetricCatalogue.definition("decision.actions")?.label == "decision.actions[decision=…,action=…]")
    // verify and the corrections read it back whole.
    let read = ReportPackage.figures(of: q4.current.csv)
    #expect(read.figures["decision.actions[decision=b1,action=warn_back]"] == "2" && read.repeated.isEmpty)
    #expect(csvFields(csvLine(["a,b", "say \"x\"", "", "c"])) == ["a,b", "say \"x\"", "", "c"])
  }

  /// A report in another time zone derives the same taps from the events (temporary rollups).
  @Test func aReportInAnotherZoneCountsTheSameTaps() throws {
    let store = try Self.store(complaintsFirst: false)
    let db = try store.open(.readOnly)
    defer { db.close() }
    let utc = try QuarterFigures(database: db, quarter: Quarter("2021-Q4")!, timeZone: TimeZone(identifier: "UTC")!)
    #expect(utc["overview.decision_taps"]?.csv == "10")
    #expect(utc["overview.decision_enforced"]?.csv == "4")
    #expect(utc["decision.taps", dimension: "decision=w1"]?.csv == "6")
  }
}
