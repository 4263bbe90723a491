import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditImport
import Testing

/// The cases a regulator acts on, one by one: the backlog at the quarter's end
/// and the regulator referrals, worked out by hand. 2021-Q4 runs from
/// 2021-10-01 to 2022-01-01, Shanghai; the SLA is 24 h for principles 1-2 and
/// 72 h for 3-4 (policy phase 1).
@Suite struct ReportDataTests {
  static let complaints = """
    complaint_id,received_at,reporter_id,url,category,channel,description,status,resolved_at,outcome,action_taken,updated_at
    r1,2021-10-05 10:00:00,a,https://a.example.com/,fraud,regulator_referral,,resolved,2021-10-05 20:00:00,upheld,block_url,
    r2,2021-09-20 10:00:00,b,https://b.example.com/,phishing,regulator_referral,,open,,,,
    r3,2021-12-30 00:00:00,c,https://c.example.com/,spam,regulator_referral,,open,,,,
    r4,2021-06-01 10:00:00,d,https://d.example.com/,fraud,regulator_referral,,resolved,2021-07-01 10:00:00,not_upheld,,
    n1,2021-11-01 10:00:00,e,https://e.example.com/,rumor,in_chat,,resolved,2021-11-05 10:00:00,not_upheld,,
    n2,2021-12-31 12:00:00,f,https://f.example.com/,pornography,in_chat,,resolved,2022-01-03 12:00:00,upheld,block_url,

    """

  static func data(_ quarter: String) throws -> ReportData {
    let store = TestStore()
    try store.load([
      (.policies, fixture("policy-baseline.md")), (.policies, fixture("policy-phase1.md")),
      (.complaints, try store.dir.write("c.csv", complaints)),
    ])
    return try ReportData(
      database: try store.open(.readOnly), quarter: Quarter(quarter)!, timeZone: TimeZone(identifier: "Asia/Shanghai")!)
  }

  @Test func theBacklogListsWhatWasOpenAtTheEndThenWhatWasResolvedLate() throws {
    let q4 = try Self.data("2021-Q4")
    // Open at the end, by principle: n2 (p1, 12 h, resolved only on 01-03), r2 (p2,
    // received in Q3, overdue), r3 (p3, 48 h against 72). Then resolved late: n1
    // (96 h against 24). r1 took 10 h; r4 was resolved in Q3.
    #expect(q4.backlog.map(\.complaintID) == ["n2", "r2", "r3", "n1"])
    #expect(q4.backlog.map(\.isOverdue) == [false, true, false, false])
    #expect(q4.backlog.first { $0.complaintID == "r3" }?.hoursOpenAtEnd == 48)
    #expect(q4.backlog.first { $0.complaintID == "n2" }?.hoursOpenAtEnd == 12)
    #expect(q4.backlog.first { $0.complaintID == "n1" }?.hoursToResolve == 96)
    #expect(q4.backlog.first { $0.complaintID == "n1" }?.hoursOpenAtEnd == nil)
  }

  @Test func referralsAreThoseOfTheQuarterAndThoseOpenAtItsStart() throws {
    let q4 = try Self.data("2021-Q4")
    // Received in Q4: r1, r3; open at the start: r2. Not r4 (resolved in Q3).
    #expect(q4.referrals.map(\.complaintID) == ["r2", "r1", "r3"])
    #expect(q4.current["overview.referrals"]?.csv == "2")
    // Open at the end: r2 and r3.
    #expect(q4.current["overview.referrals_open_at_end"]?.csv == "2")
    let q3 = try Self.data("2021-Q3")
    // Q3: r2 received (and open at the end); r4 was resolved in Q3 but received in Q2 and open at Q3's start.
    #expect(q3.referrals.map(\.complaintID) == ["r4", "r2"])
    #expect(q3.current["overview.referrals"]?.csv == "1")
    #expect(q3.current["overview.referrals_open_at_end"]?.csv == "1")
  }
}

/// The decisions register and the opens under each, by hand. In 2021-Q4:
/// d1 (fraud, p1) blocks the domain example.org from 10-02 11:00; d2
/// (pornography, p1) blocks https://x.example.com/p since September; d3
/// (phishing, p2) blocks example.org from 10-03 11:00; u1 (fraud, p1) was
/// upheld with no action.
@Suite struct DecisionRegisterTests {
  static let links = """
    event_id,occurred_at,scene,user_id,url,action,reason,detected_by
    e1,2021-10-05 10:00:00,moments,u1,https://a.example.org/1,open,,
    e2,2021-10-06 10:00:00,moments,u2,https://x.example.com/p,open,,
    e3,2021-10-07 10:00:00,moments,u3,https://a.example.org/2,warn_proceed,fraud,automated
    e4,2021-10-02 10:30:00,moments,u4,https://b.example.org/,open,,
    e5,2021-09-15 10:00:00,moments,u5,https://x.example.com/p,open,,

    """
  static let complaints = """
    complaint_id,received_at,reporter_id,url,category,channel,description,status,resolved_at,outcome,action_taken,updated_at
    d1,2021-10-01 10:00:00,a,https://bad.example.org/x,fraud,in_chat,,resolved,2021-10-02 10:00:00,upheld,block_domain,
    d2,2021-08-30 10:00:00,b,https://x.example.com/p,pornography,in_chat,,resolved,2021-09-01 10:00:00,upheld,block_url,
    d3,2021-10-02 10:00:00,c,https://c.example.org/,phishing,in_chat,,resolved,2021-10-03 10:00:00,upheld,block_domain,
    u1,2021-10-04 10:00:00,d,https://u.example.net/,fraud,hotline,,resolved,2021-10-05 10:00:00,upheld,none,

    """

  @Test func theRegisterListsEachStandingDecisionWithTheDistinctOpensUnderIt() throws {
    let store = TestStore()
    try store.load([
      (.policies, fixture("policy-baseline.md")), (.policies, fixture("policy-phase1.md")),
      (.links, try store.dir.write("l.csv", Self.links)), (.complaints, try store.dir.write("c.csv", Self.complaints)),
    ])
    let q4 = try ReportData(
      database: try store.open(.readOnly), quarter: Quarter("2021-Q4")!,
      timeZone: TimeZone(identifier: "Asia/Shanghai")!)
    // In the order they took effect: d2 (09-01), d1 (10-02), d3 (10-03).
    #expect(q4.decisions.map(\.complaintID) == ["d2", "d1", "d3"])
    #expect(q4.decisions.map(\.target) == ["https://x.example.com/p", "example.org", "example.org"])
    // e2 under d2; e1 under d1 and d3; e3 was warned, e4 came before d1 stood, e5 is of Q3.
    #expect(q4.decisions.map(\.opens) == [1, 1, 1])
    #expect(q4.current["overview.post_decision_opens"]?.csv == "2")
    #expect(q4.current["p1.post_decision_opens"]?.csv == "2")
    #expect(q4.current["p2.post_decision_opens"]?.csv == "1")
    #expect(q4.upheldWithoutBlock.map(\.complaintID) == ["u1"])
    #expect(q4.upheldWithoutBlock.first?.actionTaken == "none")
    #expect(q4.current["p1.upheld_without_block"]?.csv == "1")
    #expect(q4.current["p2.upheld_without_block"]?.csv == "0")
  }
}
