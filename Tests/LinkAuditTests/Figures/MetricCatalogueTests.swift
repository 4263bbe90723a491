import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditImport
import LinkAuditStore
import Testing

/// Every metric of the catalogue on a fixture small enough to count by hand.
/// Times are local (Asia/Shanghai). 2021-Q4 is [2021-10-01 00:00, 2022-01-01 00:00).
/// Policy 2021.09-phase1 is in force for all of it: scenes one_to_one_chat open,
/// group_chat warn, others block; categories pornography/fraud block,
/// induced_sharing warn, others block; SLA hours 24/24/72/72.
@Suite struct MetricCatalogueTests {
  static let links = """
    event_id,occurred_at,scene,user_id,url,action,reason,detected_by
    e1,2021-10-01 00:00:00,one_to_one_chat,u1,https://item.taobao.com/a,open,,
    e2,2021-10-05 10:00:00,group_chat,u1,https://item.taobao.com/a,open,,
    e3,2021-10-06 10:00:00,group_chat,u2,https://www.douyin.com/v/1,warn_proceed,scene_rule,automated
    e4,2021-10-07 10:00:00,moments,u2,https://www.douyin.com/v/2,block,fraud,user_report
    e5,2021-11-01 10:00:00,moments,u3,https://x.example.com/p,block,induced_sharing,automated
    e6,2021-11-02 10:00:00,search,u3,https://x.example.com/p,warn_back,pornography,automated
    e7,2021-11-03 10:00:00,one_to_one_chat,u4,https://bad.example.org/x,open,,
    e8,2021-12-31 23:59:59,group_chat,u4,https://bad.example.org/y,open,,
    e9,2022-01-01 00:00:00,one_to_one_chat,u5,https://item.taobao.com/a,open,,
    e10,2021-09-30 23:59:59,one_to_one_chat,u5,https://item.taobao.com/a,open,,
    e11,2021-10-10 10:00:00,channels,u1,https://phish.example.net/login,block,phishing,automated
    e12,2021-10-11 10:00:00,mini_program,u2,https://phish.example.net/login,warn_proceed,phishing,manual_review
    e13,2021-10-20 10:00:00,one_to_one_chat,u1,https://X.example.com/p#top,open,,

    """
  static let complaintsA = """
    complaint_id,received_at,reporter_id,url,category,channel,description,status,resolved_at,outcome,action_taken,updated_at
    c1,2021-10-02 10:00:00,r1,https://bad.example.org/x,fraud,in_chat,,resolved,2021-10-03 10:00:00,upheld,block_domain,
    c2,2021-10-04 10:00:00,r2,https://x.example.com/p,pornography,,,resolved,2021-10-06 10:00:00,upheld,block_url,
    c3,2021-10-08 10:00:00,r3,https://rumor.example.com/r,rumor,,,open,,,,
    c4,2021-10-09 10:00:00,r1,https://casino.example.com/,gambling,,,open,,,,2021-10-09 10:00:00
    c5,2021-10-09 12:00:00,r2,https://bad.example.org/x,fraud,,,resolved,2021-10-09 13:00:00,duplicate,,
    c9,2021-09-30 23:59:59,r3,https://item.taobao.com/a,fraud,,,open,,,,

    """
  static let complaintsB = """
    complaint_id,received_at,reporter_id,url,category,channel,description,status,resolved_at,outcome,action_taken,updated_at
    c4,2021-10-09 10:00:00,r1,https://casino.example.com/,gambling,,,resolved,2021-10-09 16:00:00,not_upheld,,2021-10-09 16:00:00
    c6,2021-11-10 10:00:00,r4,https://bad.example.org/z,wrongly_restricted,,,resolved,2021-11-20 10:00:00,upheld,restore,
    c7,2021-12-31 23:00:00,r5,https://phish.example.net/login,phishing,web_portal,,resolved,2022-01-01 01:00:00,upheld,block_url,
    c8,2022-01-01 00:00:00,r5,https://spam.example.com/,spam,,,open,,,,
    c10,2021-10-02 12:00:00,r6,https://bad.example.org/x,fraud,,,resolved,2021-10-02 20:00:00,upheld,block_url,

    """

  /// The fixture loaded into a fresh store.
  static func loaded() throws -> TestStore {
    let store = TestStore()
    try store.load([
      (.policies, fixture("policy-baseline.md")), (.policies, fixture("policy-phase1.md")),
      (.links, try store.dir.write("links.csv", links)),
      (.complaints, try store.dir.write("complaints-a.csv", complaintsA)),
      (.complaints, try store.dir.write("complaints-b.csv", complaintsB)),
    ])
    return store
  }

  static let shanghai = TimeZone(identifier: "Asia/Shanghai")!

  static func figures(_ quarter: String) throws -> QuarterFigures {
    let store = try loaded()
    let db = try store.open(.readOnly)
    return try QuarterFigures(database: db, quarter: Quarter(quarter)!, timeZone: shanghai)
  }

  @Test func everyFigureOf2021Q4MatchesTheHandCount() throws {
    let f = try Self.figures("2021-Q4")
    let expected: [String: String] = [
      // E = e1-e8, e11-e13 (e9 starts Q1 2022, e10 ends Q3): 11 events.
      "overview.events": "11",
      // u1 (e1 e2 e11 e13), u2 (e3 e4 e12), u3 (e5 e6), u4 (e7 e8).
      "overview.users": "4",
      // C = c1-c7, c10 (c8 is 2022, c9 is Q3).
      "overview.complaints": "8",
      // all but c3 (open).
      "overview.complaints_resolved": "7",
      // opens: e1 e2 e7 e8 e13 = 5 / 11.
      "overview.open_rate": "0.454545",
      // conform: e1 e3 e4 e7 e11 e13 = 6 / 11; over: e5 (block, warn prescribed);
      // under: e2, e8 (open in group_chat: warn), e6 (warn, block), e12 (warn, block).
      "overview.conformance_rate": "0.545455",
      "overview.over_restricted": "1",
      "overview.under_restricted": "4",
      // Taps under a standing decision (c1 example.org from 10-03 11:00 until c6's restore on
      // 11-20; c2 x.example.com/p from 10-06 11:00; c10 bad.example.org/x from 10-02 21:00; c7
      // stands only from 2022): e5 (block, c2), e6 (warn_back, c2), e7 (open, c1 and c10), e13
      // (open, c2); e8 (12-31) came after c1's restore. Enforced: e5; reached: e7 e13.
      "overview.decision_taps": "4", "overview.decision_enforced": "1", "overview.decision_reached": "2",
      "overview.decision_enforcement_rate": "0.25",
      "p1.post_decision_reached": "2", "p2.post_decision_reached": "0", "p3.post_decision_reached": "0",
      // Of the under-restricted: e6 (pornography, p1), e12 (phishing, p2); e2 and e8 have no reason.
      "p1.under_restricted": "1", "p2.under_restricted": "1", "p3.under_restricted": "0",
      // C_1 = c1 c2 c3 c4 c5 c10; upheld c1 c2 c10.
      "p1.complaints": "6",
      "p1.upheld": "3",
      // resolved and not duplicate: c1 c2 c4 c10 -> 3 / 4.
      "p1.upheld_rate": "0.75",
      // hours: c5 1, c4 6, c10 8, c1 24, c2 48 -> median 8; P90 rank ceil(4.5) = 5 -> 48.
      "p1.median_hours_to_resolve": "8",
      "p1.p90_hours_to_resolve": "48",
      // Deadlines (receipt + 24 h) falling in Q4: c1 c2 c3 c4 c5 c10, and c9 (received Q3
      // 09-30 23:59:59, due 10-01 23:59:59). Met: c1 (exactly 24 h), c4 (6), c5 (1), c10 (8);
      // not c2 (48), c3 and c9 (open) -> 4 / 7.
      "p1.due": "7", "p1.due_met": "4", "p1.due_met_rate": "0.571429",
      // Open at the end (2022-01-01 00:00) past the deadline: c3 (84 d 14 h open, 83 d 14 h
      // overdue) and c9 (92 d 1 s open, 91 d 1 s overdue). c7 is open at the end but 1 h old.
      "p1.overdue_at_end": "2", "p2.overdue_at_end": "0", "p3.overdue_at_end": "0", "p4.overdue_at_end": "0",
      // e4 (fraud, user_report), e6 (pornography, automated): e6 warned (warn_back), e4 blocked.
      "p1.restrictions": "2", "p1.warnings": "1", "p1.blocks": "1",
      // e12 warned (warn_proceed), e11 blocked; e5 (induced_sharing) blocked.
      "p2.warnings": "1", "p2.blocks": "1", "p3.warnings": "0", "p3.blocks": "1",
      "p1.automated_share": "0.5",
      // e7: under c1 (block_domain example.org from 10-03 11:00 until c6's restore
      // 11-20 10:00) and c10 (block_url .../x), counted once; e13: under c2 (block_url
      // https://x.example.com/p, its normalised URL). e8 (12-31) is after the restore.
      "p1.post_decision_opens": "2",
      // C_2 = c7 (2 hours, upheld, within 24 h).
      "p2.complaints": "1", "p2.upheld": "1", "p2.upheld_rate": "1",
      "p2.median_hours_to_resolve": "2", "p2.p90_hours_to_resolve": "2",
      // c7 falls due 2022-01-01 23:00: not in Q4, so nothing fell due; the rate has no value.
      "p2.due": "0", "p2.due_met": "0", "p2.due_met_rate": "",
      // e11 (automated), e12 (manual_review).
      "p2.restrictions": "2", "p2.automated_share": "0.5",
      // c7's block_url stands from 2022-01-01 02:00: after the quarter.
      "p2.post_decision_opens": "0",
      // No complaint of principle 3: counts 0, rates and hours have no value.
      "p3.complaints": "0", "p3.upheld": "0", "p3.upheld_rate": "",
      "p3.median_hours_to_resolve": "", "p3.p90_hours_to_resolve": "", "p3.due": "0", "p3.due_met_rate": "",
      // e5 (induced_sharing, automated).
      "p3.restrictions": "1", "p3.automated_share": "1", "p3.post_decision_opens": "0",
      // C_4 = c6: 240 hours against an SLA of 72.
      "p4.complaints": "1", "p4.upheld": "1", "p4.upheld_rate": "1",
      "p4.median_hours_to_resolve": "240", "p4.p90_hours_to_resolve": "240",
      // c6 falls due 11-13 10:00 and was resolved 11-20: due, not met.
      "p4.due": "1", "p4.due_met": "0", "p4.due_met_rate": "0",
      // No referral in this fixture; the last complaint before the end is c7 (12-31 23:00): 0 whole days.
      "overview.referrals_received": "0", "overview.referrals_open_at_start": "0",
      "overview.referrals_overdue_at_end": "0", "overview.days_since_last_complaint": "0",
      "p4.restored": "1",
      // c6 is the only wrongful-restriction complaint: resolved, upheld, restored after 240 h.
      "p4.reversal_rate": "1", "p4.median_hours_to_restore": "240",
      // warned: e3 e6 e12 (proceed e3 e12); blocked: e4 e5 e11.
      "p4.choice_rate": "0.5",
      "p4.proceed_rate": "0.666667",
      "p4.over_restricted_rate": "0.090909",
      // Restricted by the scene's own rule: e3 only (the others name a category): 1 / 11.
      "p4.scene_rule_share": "0.090909",
      // Time to action, per URL first restricted in the quarter. p1: douyin.com/v/2 (e4, its only
      // event: 0 h, user_report) and x.example.com/p (first seen e13 10-20 10:00, opened then; first
      // p1 restriction e6 11-02 10:00: 312 h, automated). p2: phish.example.net/login (e11 is its
      // first event: 0 h, automated; e12 comes later). p3: x.example.com/p again (e5 11-01 10:00: 288 h).
      "p1.urls_restricted": "2", "p1.median_hours_to_action": "156", "p1.p90_hours_to_action": "312",
      "p1.opens_before_action": "1", "p1.proactive_rate": "0.5",
      // The tail: douyin.com/v/2 at first sight (0 h); x.example.com/p 312 h > 24 h, the longest.
      "p1.restricted_at_first_sight": "1", "p1.late_actions": "1", "p1.max_hours_to_action": "312",
      "p2.restricted_at_first_sight": "1", "p2.late_actions": "0", "p2.max_hours_to_action": "0",
      "p3.restricted_at_first_sight": "0", "p3.late_actions": "1", "p3.max_hours_to_action": "288",
      "p2.urls_restricted": "1", "p2.median_hours_to_action": "0", "p2.p90_hours_to_action": "0",
      "p2.opens_before_action": "0", "p2.proactive_rate": "1",
      "p3.urls_restricted": "1", "p3.median_hours_to_action": "288", "p3.p90_hours_to_action": "288",
      "p3.opens_before_action": "1", "p3.proactive_rate": "1",
    ]
    for (id, value) in expected {
      #expect(f[MetricID(rawValue: id)]?.csv == value, "\(id)")
    }
    let dimensioned: [String: [String: String]] = [
      // c3 83 whole days overdue, c9 91 (both bounds of a bucket included).
      // Under-restricted: e6 and e12 fall short of their category's rule; e2 and e8 (opens in
      // group_chat, which the scene's rule has warned) of the scene's.
      "overview.under_restricted": ["rule=category": "2", "rule=scene": "2"],
      "p1.overdue_at_end": ["age=0-7": "0", "age=8-30": "0", "age=31-90": "1", "age=91+": "1"],
      "p4.overdue_at_end": ["age=0-7": "0", "age=8-30": "0", "age=31-90": "0", "age=91+": "0"],
      "p1.upheld_by_domain": ["domain=example.org": "2", "domain=example.com": "1"],
      "p2.upheld_by_domain": ["domain=example.net": "1"],
      "p3.upheld_by_domain": [:],
      "decision.taps": ["decision=c1": "1", "decision=c10": "1", "decision=c2": "3"],
      "decision.enforced": ["decision=c1": "0", "decision=c10": "0", "decision=c2": "1"],
      "decision.reached": ["decision=c1": "1", "decision=c10": "1", "decision=c2": "1"],
      "decision.actions": [
        "decision=c1,action=open": "1", "decision=c1,action=warn_proceed": "0", "decision=c1,action=warn_back": "0",
        "decision=c1,action=block": "0", "decision=c10,action=open": "1", "decision=c10,action=warn_proceed": "0",
        "decision=c10,action=warn_back": "0", "decision=c10,action=block": "0", "decision=c2,action=open": "1",
        "decision=c2,action=warn_proceed": "0", "decision=c2,action=warn_back": "1", "decision=c2,action=block": "1",
      ],
      // one_to_one_chat e1 e7 e13 all open; group_chat e2 e8 open of e2 e3 e8.
      "p4.open_rate": [
        "scene=one_to_one_chat": "1", "scene=group_chat": "0.666667", "scene=moments": "0", "scene=search": "0",
        "scene=channels": "0", "scene=mini_program": "0",
        // taobao e1 e2; douyin e3 e4; other: e5-e8, e11-e13 with opens e7 e8 e13.
        "platform=taobao": "1", "platform=douyin": "0", "platform=other": "0.428571",
      ],
      "p4.scene_rule_restrictions": [
        "scene=one_to_one_chat": "0", "scene=group_chat": "1", "scene=moments": "0", "scene=search": "0",
        "scene=channels": "0", "scene=mini_program": "0",
        // By platform (issue 31): e3 on douyin; every platform with events is listed.
        "platform=taobao": "0", "platform=douyin": "1", "platform=other": "0",
      ],
      // e5 blocked where induced_sharing prescribes a warning, on x.example.com (no platform).
      "p4.over_restricted": ["platform=taobao": "0", "platform=douyin": "0", "platform=other": "1"],
    ]
    for (id, values) in dimensioned {
      let got = Dictionary(
        uniqueKeysWithValues: f.figures.filter { $0.metricID.rawValue == id && !$0.dimension.isEmpty }.map {
          ($0.dimension, $0.value.csv)
        })
      #expect(got == values, "\(id)")
    }
  }

  /// The backlog and the overdue, by hand. 2021-Q4 runs from 2021-10-01
  /// 00:00 to 2022-01-01 00:00 Shanghai; the SLA is 24 h for principles 1-2
  /// and 72 h for 3-4 (phase 1, in force since 2021-09-17).
  @Test func theBacklogAndTheOverdueOf2021Q4AndQ1MatchTheHandCount() throws {
    let q4 = try Self.figures("2021-Q4")
    // At the start only c9 (received 09-30 23:59:59, still open) is open: principle 1.
    #expect(q4["p1.open_at_start"]?.csv == "1")
    #expect([2, 3, 4].map { q4["p\($0).open_at_start"]?.csv } == ["0", "0", "0"])
    // At the end: c3 (10-08, open) and c9 (09-30), both over 30 days old and past
    // their 24 h; c7 (received 12-31 23:00, resolved 01-01 01:00) is open at the end,
    // 1 hour old, within its 24 h.
    #expect(q4["p1.open_at_end"]?.csv == "2")
    #expect(q4["p1.overdue_at_end"]?.csv == "2")
    #expect(q4["p2.open_at_end"]?.csv == "1")
    #expect(q4["p2.overdue_at_end"]?.csv == "0")
    #expect(q4["p3.open_at_end"]?.csv == "0" && q4["p4.open_at_end"]?.csv == "0")
    // The retired ids (their received-this-quarter basis, and age since receipt) are gone.
    #expect(!q4.figures.contains { ["p1.sla_breaches", "p1.backlog_age"].contains($0.metricID.rawValue) })
    #expect(Set(MetricCatalogue.retired.map(\.id)).isSuperset(of: ["pN.sla_breaches", "pN.backlog_age"]))

    // 2022-Q1 inherits Q4's backlog: c3 and c9 (principle 1) and c7 (principle 2,
    // resolved 01-01 01:00, after the start). c8 (spam) is received exactly at the
    // start, so it is not open then; it is open at the end, 90 days old, and overdue.
    let q1 = try Self.figures("2022-Q1")
    #expect(q1["p1.open_at_start"]?.csv == "2")
    #expect(q1["p2.open_at_start"]?.csv == "1")
    #expect(q1["p3.open_at_start"]?.csv == "0")
    #expect(q1["p2.open_at_end"]?.csv == "0")
    #expect(q1["p3.open_at_end"]?.csv == "1")
    #expect(q1["p3.overdue_at_end"]?.csv == "1")
  }

  @Test func everyMetricOfTheCatalogueIsReported() throws {
    let f = try Self.figures("2021-Q4")
    for d in MetricCatalogue.all where d.dimension == nil {
      #expect(f[d.id] != nil, "\(d.id) missing")
    }
    #expect(Set(MetricCatalogue.all.map(\.label)).count == MetricCatalogue.all.count)
  }

  @Test func quarterBoundsAreHalfOpenInTheReportTimeZone() throws {
    let q3 = try Self.figures("2021-Q3")
    // Only e10 (2021-09-30 23:59:59) and c9 fall in Q3.
    #expect(q3["overview.events"] == .count(1))
    #expect(q3["overview.complaints"] == .count(1))
    let q1 = try Self.figures("2022-Q1")
    #expect(q1["overview.events"] == .count(1))
    #expect(q1["overview.complaints"] == .count(1))
    // No URL first restricted in Q1 (e9 is an open): no cases, so no hours and no share.
    #expect(q1["p1.urls_restricted"] == .count(0) && q1["p1.opens_before_action"] == .count(0))
    #expect(q1["p1.median_hours_to_action"] == MetricValue.none && q1["p1.proactive_rate"] == MetricValue.none)
    // No events at all: rates have no value, never 0.
    let empty = try Self.figures("2020-Q1")
    #expect(empty["overview.events"] == .count(0))
    #expect(empty["overview.open_rate"] == MetricValue.none)
    #expect(empty["overview.conformance_rate"] == MetricValue.none)
    #expect(empty["p4.choice_rate"] == MetricValue.none)
  }

  @Test func csvIsSortedByIdThenDimensionWithTheContractHeader() throws {
    let csv = try Self.figures("2021-Q4").csv
    let lines = csv.split(separator: "\n").map(String.init)
    #expect(lines[0] == "metric_id,dimension,value,numerator,denominator")
    let keys = lines.dropFirst().map { line -> String in
      let parts = line.split(separator: ",", omittingEmptySubsequences: false)
      return parts[0] + "\u{1}" + parts[1]
    }
    #expect(keys == keys.sorted())
    #expect(lines.contains("p3.upheld_rate,,,0,0"))
    #expect(lines.contains("p1.upheld_by_domain,domain=example.org,2,,"))
  }

  /// Every rate states its numerator and denominator, every hours figure how
  /// many values it is taken over; counts state neither (counts as in the hand count above).
  @Test func ratesCarryTheirCountsAndHoursTheirNumberOfValues() throws {
    let f = try Self.figures("2021-Q4")
    let expected: [String: (Int64?, Int64?)] = [
      "overview.open_rate": (5, 11), "overview.conformance_rate": (6, 11),
      "overview.decision_enforcement_rate": (1, 4),
      "p1.upheld_rate": (3, 4), "p1.due_met_rate": (4, 7), "p1.automated_share": (1, 2),
      // c5 c4 c10 c1 c2: five resolved complaints of principle 1.
      "p1.median_hours_to_resolve": (nil, 5), "p1.p90_hours_to_resolve": (nil, 5),
      "p3.upheld_rate": (0, 0), "p4.choice_rate": (3, 6), "p4.proceed_rate": (2, 3),
      "p4.over_restricted_rate": (1, 11), "overview.events": (nil, nil), "p1.upheld": (nil, nil),
    ]
    for (id, (numerator, denominator)) in expected {
      let figure = try #require(f.figure(MetricID(rawValue: id)), "\(id)")
      #expect(figure.numerator == numerator && figure.denominator == denominator, "\(id)")
    }
    let groupChat = try #require(f.figure("p4.open_rate", dimension: "scene=group_chat"))
    #expect((groupChat.numerator, groupChat.denominator) == (2, 3))
  }

  /// The Wilson interval, worked by hand for 3 of 7: p = 3/7, z² = 3.841459,
  /// centre (p + z²/14) / (1 + z²/7) = 0.453881, half-width
  /// z·√(p(1−p)/7 + z²/196) / (1 + z²/7) = 0.295661.
  @Test func theWilsonIntervalOfThreeInSeven() {
    let (low, high) = Wilson.interval(successes: 3, trials: 7)
    #expect(abs(low - 0.158220) < 0.000001 && abs(high - 0.749542) < 0.000001)
    // 0 of n and n of n stay within 0..1.
    #expect(Wilson.interval(successes: 0, trials: 5).low == 0)
    #expect(Wilson.interval(successes: 5, trials: 5).high <= 1)
    // Only a denominator under 20 is a small number.
    #expect(Figure("x", "", .decimal(0.5), numerator: 10, denominator: 20).smallNumberInterval == nil)
    #expect(Figure("x", "", .decimal(0.5), numerator: 9, denominator: 19).smallNumberInterval != nil)
  }

  @Test func topDomainsKeepTenBreakingTiesByName() throws {
    let store = TestStore()
    var csv = "complaint_id,received_at,reporter_id,url,category,status,resolved_at,outcome,action_taken\n"
    // d00 … d11 with one upheld complaint each, d11 with a second: d11 first, then d00 … d08.
    for i in 0..<12 {
      csv +=
        "k\(i),2021-10-02 10:00:00,r,https://d\(String(format: "%02d", i)).cn/,fraud,resolved,2021-10-02 11:00:00,upheld,none\n"
    }
    csv += "k99,2021-10-02 10:00:00,r,https://d11.cn/x,fraud,resolved,2021-10-02 11:00:00,upheld,none\n"
    try store.load([(.complaints, try store.dir.write("c.csv", csv))])
    let f = try QuarterFigures(database: store.open(.readOnly), quarter: Quarter("2021-Q4")!, timeZone: Self.shanghai)
    let top = f.figures.filter { $0.metricID == "p1.upheld_by_domain" }
    #expect(top.count == 10)
    #expect(f["p1.upheld_by_domain", dimension: "domain=d11.cn"] == .count(2))
    #expect(f["p1.upheld_by_domain", dimension: "domain=d08.cn"] == .count(1))
    #expect(f["p1.upheld_by_domain", dimension: "domain=d09.cn"] == nil)
  }

  @Test func decimalsHaveAtMostSixDigits() {
    #expect(MetricValue.decimal(2.0 / 3).csv == "0.666667")
    #expect(MetricValue.decimal(1).csv == "1")
    #expect(MetricValue.decimal(0.5).csv == "0.5")
    #expect(MetricValue.decimal(1e-9).csv == "0")
    #expect(MetricValue.none.csv == "")
  }
}

@Suite struct MetricDocumentationTests {
  @Test func docsListTheCatalogueExactlyAsTheCodeHasIt() throws {
    let docs = EndToEndTests.packageRoot.appendingPathComponent("docs/metrics.md")
    let text = try String(contentsOf: docs, encoding: .utf8)
    #expect(text.hasSuffix(MetricCatalogue.markdown()), "regenerate the table with: linkaudit schema --metrics")
  }
}

/// A metric id is spelled once, in the catalogue: the report names figures by
/// `MetricID`'s constants, each of which the catalogue defines.
@Suite struct MetricIDTests {
  @Test func everyNamedIdIsDefinedByTheCatalogue() {
    let defined = Set((MetricCatalogue.all + MetricCatalogue.ratings).map(\.id))
    var named: [MetricID] = [
      .events, .openRate, .complaints, .postDecisionOpens, .userChoiceOpenRate, .referralsOverdueAtEnd,
      .daysSinceLastComplaint, .underRestricted,
    ]
    for p in Principle.allCases {
      named += [.upheld(p), .dueMetRate(p), .overdueAtEnd(p)]
    }
    for p in [Principle.lawfulContent, .privacyAndSecurity, .usersInterests] {
      named += [.postDecisionOpens(p), .underRestricted(p), .upheldByDomain(p)]
    }
    named += [.ratingEvents, .ratingFlags, .ratingScore, .ratingGrade, .ratingGradeChange, .ratingMarginDown]
    named += [.ratingMarginUp, .ratingRate("violation"), .ratingAdjusted("violation")]
    for id in named { #expect(defined.contains(id), "\(id) is not in the catalogue") }
    #expect(ReportData.trendMetricIDs.allSatisfy(defined.contains))
  }

  /// No source file but the catalogue's two spells a metric id as a string.
  @Test func noSourceSpellsAMetricIdOutsideTheCatalogue() throws {
    let sources = EndToEndTests.packageRoot.appendingPathComponent("Sources")
    let catalogue: Set<String> = ["MetricCatalogue.swift", "MetricID.swift"]
    // A quoted id: `"overview.x`, `"p1.x`, `"p\(p).x`, `"rating.x`, `"decision.x`.
    let id = try Regex(#""(overview|p[1-4]|p\\\([^)]*\)|rating|decision)\.[a-z]"#)
    var found: [String] = []
    let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
    while let url = files?.nextObject() as? URL {
      guard url.pathExtension == "swift", !catalogue.contains(url.lastPathComponent) else { continue }
      let text = try String(contentsOf: url, encoding: .utf8)
      for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
      where line.contains(id) && !line.contains("TimestampParser.stored") {
        found.append("\(url.lastPathComponent):\(n + 1): \(line.trimmingCharacters(in: .whitespaces))")
      }
    }
    #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
  }
}

/// The report's period: one quarter in one zone, its bounds and parameters.
@Suite struct ReportPeriodTests {
  @Test func boundsPreviousAndParametersAreTheQuarterInItsZone() {
    let p = ReportPeriod(Quarter("2022-Q1")!, in: MetricCatalogueTests.shanghai)
    // 2022-01-01 00:00 in Shanghai is 2021-12-31 16:00 UTC.
    #expect(p.start.iso == "2021-12-31T16:00:00.000Z")
    #expect(p.end.iso == "2022-03-31T16:00:00.000Z")
    #expect(p.previous.quarter == Quarter("2021-Q4")!)
    #expect(p.previous.end == p.start)
    #expect(p.back(3).quarter == Quarter("2021-Q2")!)
    #expect(p.parameters[":start"] == .text(p.start.iso) && p.parameters[":end"] == .text(p.end.iso))
    #expect(p.contains(iso: "2021-12-31T16:00:00.000Z") && !p.contains(iso: "2022-03-31T16:00:00.000Z"))
    #expect(
      p.monthStarts.map(\.iso) == [
        "2021-12-31T16:00:00.000Z", "2022-01-31T16:00:00.000Z", "2022-02-28T16:00:00.000Z", "2022-03-31T16:00:00.000Z",
      ])
  }
}
