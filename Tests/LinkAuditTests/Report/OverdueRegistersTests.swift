import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// The overdue cases as the filing itemises them (issue 31, reader31 findings 1, 2 and 8),
/// counted by hand. 2021-Q4, Shanghai, policy phase 1: fraud is principle 1, 24 h.
/// - l1, a referral received 09-30 12:00 (Q3): due 10-01 12:00 (in Q4), resolved 10-08
///   10:00: 6 d 22 h late, 6 whole days. A miss of `p1.due_met`, received before the quarter.
/// - l2, a referral received 11-01 10:00, resolved 20:00: in time.
/// - l3, received 11-02 10:00, resolved 11-06 10:00: 96 h against 24, 3 whole days late.
/// - l4, a referral received 12-20 10:00 and open at the end: 11 d 14 h old, 10 whole days overdue.
/// - l5, received 12-31 12:00 and open at the end: due only on 01-01 12:00 (in 2022-Q1).
/// p1.due: l1, l2, l3, l4 (l5 falls due in Q1); due_met: l2. The 3 misses are l1 and l3
/// resolved late and l4 open: every one itemised on the annex's Backlog sheet.
@Suite struct OverdueRegistersTests {
  static let complaints = """
    complaint_id,received_at,reporter_id,url,category,channel,description,status,resolved_at,outcome,action_taken,updated_at
    l1,2021-09-30 12:00:00,a,https://a.example.com/,fraud,regulator_referral,,resolved,2021-10-08 10:00:00,upheld,block_url,
    l2,2021-11-01 10:00:00,b,https://b.example.com/,fraud,regulator_referral,,resolved,2021-11-01 20:00:00,upheld,block_url,
    l3,2021-11-02 10:00:00,c,https://c.example.com/,fraud,in_chat,,resolved,2021-11-06 10:00:00,not_upheld,,
    l4,2021-12-20 10:00:00,d,https://d.example.com/,fraud,regulator_referral,,open,,,,
    l5,2021-12-31 12:00:00,e,https://e.example.com/,fraud,in_chat,,open,,,,

    """

  static func store() throws -> TestStore {
    let store = TestStore()
    try store.load([
      (.policies, fixture("policy-baseline.md")), (.policies, fixture("policy-phase1.md")),
      (.complaints, try store.dir.write("c.csv", complaints)),
    ])
    return store
  }

  /// The backlog's late list is built on `pN.due`'s deadline: l1, received before the quarter, is in it.
  @Test func theBacklogItemisesEveryMissOfDueMet() throws {
    let q4 = try shanghaiReport(try Self.store(), "2021-Q4")
    #expect(q4.current["p1.due"]?.csv == "4")
    #expect(q4.current["p1.due_met"]?.csv == "1")
    // Open at the end first (l4, l5), then resolved late (l1, l3).
    #expect(q4.backlog.map(\.complaintID) == ["l4", "l5", "l1", "l3"])
    #expect(q4.backlog.map(\.isResolvedLate) == [false, false, true, true])
    #expect(q4.backlog.map(\.daysOverdue) == [10, nil, 6, 3])
    // Every miss of p1.due_met is a row: the resolved late, and the open ones that fell due in the quarter.
    let misses = q4.backlog.filter { $0.isResolvedLate || $0.isOverdue }.map(\.complaintID)
    #expect(misses.count == 4 - 1)
  }

  /// A referral resolved after its deadline is marked, with its days late; one resolved in time is not.
  @Test func theReferralsRegisterMarksTheResolvedLate() throws {
    let store = try Self.store()
    let q4 = try shanghaiReport(store, "2021-Q4")
    #expect(q4.referrals.map(\.complaintID) == ["l1", "l2", "l4"])
    #expect(q4.referrals.map(\.daysOverdue) == [6, nil, 10])
    let out = store.dir.file("pkg")
    do {
      let db = try store.open(.readOnly)
      defer { db.close() }
      try ReportPackage(
        quarter: Quarter("2021-Q4")!, timeZone: TimeZone(identifier: "Asia/Shanghai")!, languages: [.zh, .en],
        templates: ReportPackageTests.templates
      ).write(database: db, to: out)
    }
    let zh = try XlsxReading.cells(out + "/linkaudit-2021-Q4.zh.xlsx")
    let register = try #require(zh["监管转办"])
    // The row of each referral: its mark and its days.
    func row(_ id: String) -> [String] {
      guard let ref = register.first(where: { $0.value == id && !$0.key.contains(".") })?.key else { return [] }
      let number = ref.drop { $0.isLetter }
      return register.filter { $0.key.drop { $0.isLetter } == number && !$0.key.contains(".") }
        .sorted { $0.key < $1.key }.map(\.value)
    }
    #expect(row("l1").contains("超时办结") && row("l1").contains("6"), "\(row("l1"))")
    #expect(!row("l2").contains("超时办结") && !row("l2").contains("已超时"), "\(row("l2"))")
    #expect(row("l4").contains("已超时") && row("l4").contains("10"), "\(row("l4"))")
    // The backlog moved whole to the annex (issue 32).
    let backlog = try #require(try XlsxReading.cells(out + "/annex.zh.xlsx")["积压与超时"])
    #expect(backlog.values.contains("l1"))
    let summary = try String(contentsOfFile: out + "/summary.en.md", encoding: .utf8)
    #expect(summary.contains("| l1 | 1 | Fraud | 2021-09-30 12:00:00 | Resolved | 190.0 | resolved late | 6 | 24 |"))
  }

  /// The workbook's key findings page names every overdue referral by id and days, and the
  /// Referrals page lists the overdue first (issue 32), as the Markdown summary leads with them.
  @Test func theWorkbookSummaryListsTheOverdueReferralsByID() throws {
    let store = try Self.store()
    let out = store.dir.file("pkg")
    do {
      let db = try store.open(.readOnly)
      defer { db.close() }
      try ReportPackage(
        quarter: Quarter("2021-Q4")!, timeZone: TimeZone(identifier: "Asia/Shanghai")!, languages: [.zh, .en],
        templates: ReportPackageTests.templates
      ).write(database: db, to: out)
    }
    for language in [ReportLanguage.zh, .en] {
      let book = try XlsxReading.cells(out + "/linkaudit-2021-Q4.\(language.rawValue).xlsx")
      let findings = try #require(book[language.text(.keyFindings)])
      let days = language == .zh ? "超期 10 天" : "10 days overdue"
      #expect(findings.values.contains { $0.contains("l4") && $0.contains(days) }, "\(language): \(findings)")
      // The Referrals page: l4, overdue, in the first row under the header.
      let page = try #require(book[language.text(.referrals)])
      let header = try #require(page.first { $0.value == language.text(.complaintID) }?.key)
      let firstRow = Int(header.dropFirst())! + 1
      #expect(page["A\(firstRow)"] == "l4", "\(language): \(page)")
      let markdown = try String(contentsOfFile: out + "/summary.\(language.rawValue).md", encoding: .utf8)
      #expect(markdown.contains(language == .zh ? "l4（10 天）" : "l4 (10 days)"))
    }
  }
}

/// A long silence of the complaint feed is flagged as the days without events are (reader31 finding 7).
@Suite struct ComplaintSilenceTests {
  @Test func sevenDaysWithoutAComplaintAreFlagged() throws {
    #expect(ReportLanguage.en.complaintSilence(6).isEmpty)
    #expect(ReportLanguage.en.complaintSilence(nil).isEmpty)
    #expect(ReportLanguage.en.complaintSilence(7).hasPrefix("7 days without a complaint (flagged from 7)"))
    #expect(ReportLanguage.zh.complaintSilence(12).hasPrefix("12 天无投诉"))
  }

  /// ReportDataTests' complaints: the last came in 2021-12-31 12:00, 0 days before 2021-Q4's
  /// end and 90 days before 2022-Q1's.
  @Test func theSummaryTheCoverAndTheDataQualitySheetSayIt() throws {
    let store = TestStore()
    try store.load([
      (.policies, fixture("policy-baseline.md")), (.policies, fixture("policy-phase1.md")),
      (.complaints, try store.dir.write("c.csv", ReportDataTests.complaints)),
    ])
    for (quarter, flagged) in [("2022-Q1", true), ("2021-Q4", false)] {
      let out = store.dir.file("pkg-\(quarter)")
      do {
        let db = try store.open(.readOnly)
        defer { db.close() }
        try ReportPackage(
          quarter: Quarter(quarter)!, timeZone: TimeZone(identifier: "Asia/Shanghai")!, languages: [.zh, .en],
          templates: ReportPackageTests.templates
        ).write(database: db, to: out)
      }
      let en = try String(contentsOfFile: out + "/summary.en.md", encoding: .utf8)
      let zh = try String(contentsOfFile: out + "/summary.zh.md", encoding: .utf8)
      #expect(en.contains("**90 days without a complaint (flagged from 7)") == flagged, "\(quarter)")
      #expect(zh.contains("**90 天无投诉") == flagged, "\(quarter)")
      let book = try XlsxReading.cells(out + "/linkaudit-\(quarter).en.xlsx")
      // On the key findings page (a gap in the data needs action) and the Data quality sheet; no longer on the Cover.
      for sheet in ["Key findings", "Data quality"] {
        let said = try #require(book[sheet]).values.contains { $0.contains("90 days without a complaint") }
        #expect(said == flagged, "\(quarter) \(sheet)")
      }
      // Beside the figure in the overview's table (its caveat column).
      let summary = try #require(book["Overview"])
      #expect(
        summary.values.contains("flagged from 7 days: the complaints feed may be missing") == flagged, "\(quarter)")
    }
  }
}

/// What the filing says about its own terms (reader31 findings 9, 10 and 11), on
/// MetricCatalogueTests' fixture: e2 and e8 got through as opens (nothing detected,
/// stored as `automated`); e6 (principle 1) and e12 (principle 2) were warned, e6 went back.
@Suite struct FilingTermsTests {
  @Test func anOpenShowsNoDetectorAndTheDetectorsAndRetiredIdsAreDefined() throws {
    let store = try MetricCatalogueTests.loaded()  // kept: its folder goes with it
    let out = try ReportPackageTests().write(store)
    for (language, gotThrough, methodology, notApplicable, retired) in [
      ("en", "Got through", "Methodology", "n/a (not restricted)", "Retired figures"),
      ("zh", "处置宽于规范", "方法说明", "不适用（未限制）", "已停用的指标"),
    ] {
      let book = try XlsxReading.cells(out + "/linkaudit-2021-Q4.\(language).xlsx")
      // The detectors are in the annex's register of these events (issue 32).
      let annex = try XlsxReading.cells(out + "/annex.\(language).xlsx")
      let registerName = language == "en" ? "Under-restricted events" : "处置宽于规范的事件"
      let listed = Array(try #require(annex[registerName]).filter { !$0.key.hasSuffix(".type") }.values)
      #expect(book[gotThrough] != nil, "\(language)")
      // e2 and e8 read as not restricted, not as "Automated"; e6 and e12 keep their detector.
      #expect(listed.filter { $0 == notApplicable }.count == 2, "\(language)")
      #expect(listed.contains(language == "en" ? "Automated" : "自动识别"), "\(language)")
      #expect(listed.contains { $0.hasPrefix(language == "en" ? "Detected by: Automated" : "发现方式：自动识别") })
      let method = Array(try #require(book[methodology]).values)
      #expect(method.contains { $0.contains(language == "en" ? "User report, the restriction" : "用户举报，即限制源于") })
      // The retired figures, with why, are in the methodology file beside the workbook (issue 32).
      let file = try ReportPackageTests().text(out, "methodology.\(language).md")
      #expect(file.contains(retired), "\(language)")
      for r in MetricCatalogue.retired {
        #expect(file.contains(r.id), "\(language) \(r.id)")
        #expect(file.contains(markdownText(language == "en" ? r.why : r.whyChinese)), "\(language) \(r.id)")
      }
      let summary = try ReportPackageTests().text(out, "summary.\(language).md")
      #expect(summary.contains(language == "en" ? "Definitions changed: " : "口径变更："), "\(language)")
      #expect(summary.contains("| e2 |") && summary.contains(notApplicable), "\(language)")
      // The art. 47 mark no longer says the content reached the user.
      #expect(!summary.contains("已触达用户") && !summary.contains("unlawful content that reached users"))
    }
    // The case register keeps what was stored.
    let register = try ReportPackageTests().text(out, "under_restricted_events.csv")
    #expect(register.split(separator: "\n").first { $0.hasPrefix("e2,") }?.contains(",automated,") == true)
  }
}

/// The deadlines-met rate never stands alone (reader31 finding 3): on OverdueRegistersTests'
/// complaints, p1.due_met_rate is 1/4 (l2 of l1 l2 l3 l4), and l4 is overdue and open at the end.
@Suite struct DueMetBesideOverdueTests {
  @Test func theOverdueAtTheEndStandsBesideTheRateWhereverItIsShown() throws {
    let store = try OverdueRegistersTests.store()
    let out = try ReportPackageTests().write(store)
    for (language, sheet, said) in [
      // l4 fell due in the quarter: it is in the rate as missed, and the note says so (reader39).
      (
        "en", "Principle 1",
        "1 overdue and open at the end: those due this quarter count here as missed, those due earlier in no rate"
      ),
      ("zh", "原则一", "季末超期未办结 1 件：本季度到期的已计为未按时办结，此前到期的不计入本比率"),
    ] {
      let book = try XlsxReading.cells(out + "/linkaudit-2021-Q4.\(language).xlsx")
      #expect(try #require(book[sheet]).values.contains { $0.contains(said) }, "\(language) \(sheet)")
      // The overview's principles side by side: the overdue at the end in the column beside the rate.
      let overview = try #require(book[language == "en" ? "Overview" : "概览"])
      let lang = try #require(ReportLanguage(code: language))
      let rateName = lang.name(of: try #require(MetricCatalogue.definition(.dueMetRate(.lawfulContent))))
      let overdueName = lang.name(of: try #require(MetricCatalogue.definition(.overdueAtEnd(.lawfulContent))))
      let rateCell = try #require(overview.first { $0.value == rateName }?.key)
      let overdueCell = try #require(overview.first { $0.value == overdueName }?.key)
      #expect(
        rateCell.dropFirst() == overdueCell.dropFirst()
          && rateCell.first!.asciiValue! + 1 == overdueCell.first!.asciiValue!)
      let summary = try ReportPackageTests().text(out, "summary.\(language).md")
      #expect(summary.contains(said), "\(language)")
      #expect(try ReportPackageTests().text(out, "principle-1.\(language).md").contains(said), "\(language)")
      // The trend carries the overdue beside the rate, and the taps that reached the page under a decision.
      #expect(summary.contains("| `p1.due_met_rate` |") && summary.contains("| `p1.overdue_at_end` |"))
      #expect(summary.contains("| `overview.decision_reached` |"), "\(language)")
      let trendRows = summary.components(separatedBy: "\n").filter { $0.contains("| `p1.") }
      let rate = trendRows.firstIndex { $0.contains("`p1.due_met_rate`") }
      #expect(rate.map { trendRows[$0 + 1].contains("`p1.overdue_at_end`") } == true, "\(trendRows)")
    }
  }
}

/// The Chinese filing reads as Chinese (reader31 finding 12), and "opens" says direct opens (finding 4's naming).
@Suite struct ChineseWordingTests {
  @Test func noDoubleColonNoCalqueAndNoRawCodesInTheDecisionTexts() throws {
    let store = try MetricCatalogueTests.loaded()  // kept: its folder goes with it
    let out = try ReportPackageTests().write(store)
    let summary = try ReportPackageTests().text(out, "summary.zh.md")
    #expect(summary.contains("处置决定执行率（`overview.decision_enforcement_rate`）：**25.00%**。处置决定覆盖的"))
    #expect(!summary.contains("仍到达页面") && summary.contains("仍打开了目标页面"))
    let book = try XlsxReading.cells(out + "/linkaudit-2021-Q4.zh.xlsx")
    let decisions = Array(try #require(book["处置决定"]).values)
    let note = try #require(decisions.first { $0.hasPrefix("本季度任一时点生效的全部处置决定") })
    for code in ["block_url", "block_domain", "warn_url", "warn_proceed", "到达页面"] {
      #expect(!note.contains(code), "\(code)")
    }
    let p4 = Array(try #require(book["原则4（续）"]).values)
    #expect(p4.contains { $0.contains("计为“未登记”") } && !p4.contains { $0.contains("计为 other") })
    let principle1 = try ReportPackageTests().text(out, "principle-1.zh.md")
    #expect(principle1.contains("受限前直接打开次数"))
    #expect(try ReportPackageTests().text(out, "principle-1.en.md").contains("Direct opens before"))
  }
}

/// The interconnection rows read in the same order in both languages (reader31 finding 6):
/// by events, most first, the unregistered last. aaa has 1 event, zzz 3, unregistered 5.
@Suite struct InterconnectionOrderTests {
  @Test func rowsByEventsMostFirstTheUnregisteredLast() throws {
    let store = TestStore()
    try store.load([
      (
        .platforms,
        try store.dir.write("p.csv", "platform_id,name_en,name_zh,domains\naaa,Aaa,甲,aaa.com\nzzz,Zzz,乙,zzz.com\n")
      ),
      (.policies, fixture("policy-baseline.md")), (.policies, fixture("policy-phase1.md")),
      (
        .links,
        try store.dir.write(
          "l.csv",
          """
          event_id,occurred_at,scene,user_id,url,action,reason,detected_by
          a1,2021-10-05 10:00:00,group_chat,u1,https://www.aaa.com/1,warn_back,scene_rule,automated
          z1,2021-10-05 10:00:00,group_chat,u1,https://www.zzz.com/1,warn_back,scene_rule,automated
          z2,2021-10-06 10:00:00,group_chat,u2,https://www.zzz.com/2,warn_back,scene_rule,automated
          z3,2021-10-07 10:00:00,group_chat,u3,https://www.zzz.com/3,warn_back,scene_rule,automated
          o1,2021-10-05 10:00:00,group_chat,u1,https://o.example.net/1,warn_back,scene_rule,automated
          o2,2021-10-06 10:00:00,group_chat,u2,https://o.example.net/2,warn_back,scene_rule,automated
          o3,2021-10-07 10:00:00,group_chat,u3,https://o.example.net/3,warn_back,scene_rule,automated
          o4,2021-10-08 10:00:00,group_chat,u4,https://o.example.net/4,warn_back,scene_rule,automated
          o5,2021-10-09 10:00:00,group_chat,u5,https://o.example.net/5,warn_back,scene_rule,automated

          """)
      ),
    ])
    let q4 = try shanghaiReport(store, "2021-Q4")
    #expect(q4.interconnection.map(\.platformID) == ["zzz", "aaa", "other"])
    #expect(q4.interconnection.map(\.events) == [3, 1, 5])
  }
}

/// However many referrals are overdue, the summary's line stays whole (a cell holds 32,767
/// characters): the first 200 by id, then how many more and where they all are.
@Suite struct ManyOverdueReferralsTests {
  @Test func theFirst200AreNamedAndTheRestCounted() throws {
    var csv =
      "complaint_id,received_at,reporter_id,url,category,channel,description,status,resolved_at,outcome,action_taken,updated_at\n"
    for i in 0..<250 {
      csv += "r\(1000 + i),2021-10-01 10:00:00,a\(i),https://a.example.com/\(i),fraud,regulator_referral,,open,,,,\n"
    }
    let store = TestStore()
    try store.load([
      (.policies, fixture("policy-baseline.md")), (.policies, fixture("policy-phase1.md")),
      (.complaints, try store.dir.write("c.csv", csv)),
    ])
    let out = try ReportPackageTests().write(store)
    // The Referrals page lists the first of them and says where they all are; the annex lists every one.
    let page = try #require(try XlsxReading.cells(out + "/linkaudit-2021-Q4.en.xlsx")["Referrals"])
    #expect(
      page.values.contains { $0.hasPrefix("250 in all; the first \(WorkbookWriter.mainWorkbookRows) are listed here") })
    let annex = try #require(try XlsxReading.cells(out + "/annex.en.xlsx")["Referrals"])
    #expect(annex.values.contains("r1249") && annex.values.contains("r1000"))
    let en = try ReportPackageTests().text(out, "summary.en.md")
    #expect(en.contains("and 50 more"), "\(en.prefix(600))")
    let zh = try ReportPackageTests().text(out, "summary.zh.md")
    #expect(zh.contains("，另有 50 件，全部见“监管转办”表"))
  }
}
