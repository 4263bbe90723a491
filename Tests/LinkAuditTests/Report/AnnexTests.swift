import Foundation
import LinkAuditCore
import Testing

@testable import LinkAudit

/// The annexes beside the main workbook (issue 32): `annex.LANG.xlsx` with
/// every register in full, each register also as CSV, and
/// `methodology.LANG.md` with every figure's SQL; all signed with the package.
/// On the hand-counted fixture of MetricCatalogueTests (2021-Q4): complaints
/// c1-c7 and c10; decisions c10, c1, c2; 4 under-restricted events; late
/// actions: 1 of principle 1, 1 of principle 3.
@Suite struct AnnexTests {
  /// The values of column `column` in the rows under the first header cell
  /// holding `header`, down to the first row that is not a table row (its
  /// next column empty: a blank row, or a note under the table): a register
  /// as the sheet lists it.
  static func listed(_ sheet: [String: String], under header: String, column: Character = "A") -> [String] {
    let next = Character(UnicodeScalar(column.asciiValue! + 1))
    guard
      let top = sheet.filter({ $0.value == header && $0.key.first == column && !$0.key.contains(".") })
        .compactMap({ Int($0.key.dropFirst()) }).min()
    else { return [] }
    var values: [String] = []
    var row = top + 1
    while let value = sheet["\(column)\(row)"], sheet["\(next)\(row)"] != nil {
      values.append(value)
      row += 1
    }
    return values
  }

  /// A register CSV's rows (after its header) as fields; the fixture's fields hold no line break.
  static func csvRows(_ path: String) throws -> (header: [String], rows: [[String]]) {
    let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { csvFields($0) }
    return (lines.first ?? [], Array(lines.dropFirst()))
  }

  @Test func theAnnexListsEveryRegisterInFullAndItsCSVTheSameRows() throws {
    let store = try MetricCatalogueTests.loaded()
    let out = try ReportPackageTests().write(store)
    for language in [ReportLanguage.zh, .en] {
      func t(_ term: ReportLanguage.Term) -> String { language.text(term) }
      let annex = try XlsxReading.cells(out + "/annex.\(language.rawValue).xlsx")
      #expect(
        Set(annex.keys)
          == [
            t(.complaints), t(.decisions), t(.referrals), t(.backlog), t(.underRestrictedSheet), t(.lateActionsSheet),
            t(.openRatesByPlatformSheet), t(.trends), t(.dataQuality),
          ], "\(language)")
      let complaints = Self.listed(try #require(annex[t(.complaints)]), under: t(.complaintID))
      #expect(complaints.sorted() == ["c1", "c10", "c2", "c3", "c4", "c5", "c6", "c7"], "\(language)")
      let csv = try Self.csvRows(out + "/complaints.csv")
      #expect(csv.rows.map { $0[0] } == complaints, "\(language)")
      #expect(csv.header.first == "complaint_id" && !csv.header.contains("reporter_pseudonym"))
      // The decisions register whole, as decisions.csv.
      let decisions = Self.listed(try #require(annex[t(.decisions)]), under: t(.complaintID))
      #expect(decisions == ["c10", "c1", "c2"], "\(language)")
      #expect(try Self.csvRows(out + "/decisions.csv").rows.map { $0[0] } == decisions)
      for (sheet, file) in [(t(.referrals), "referrals.csv"), (t(.backlog), "backlog.csv")] {
        let listed = Self.listed(try #require(annex[sheet]), under: t(.complaintID))
        #expect(try Self.csvRows(out + "/" + file).rows.map { $0[0] } == listed, "\(language) \(sheet)")
      }
      // The 4 under-restricted events, as under_restricted_events.csv lists them.
      let events = Self.listed(try #require(annex[t(.underRestrictedSheet)]), under: t(.eventID))
      #expect(events.count == 4, "\(language): \(events)")
      #expect(try Self.csvRows(out + "/under_restricted_events.csv").rows.map { $0[0] } == events)
      // Late actions of every principle on one sheet: principle 1's, then principle 3's.
      let late = try #require(annex[t(.lateActionsSheet)])
      #expect(Self.listed(late, under: t(.principle)) == ["1", "3"], "\(language)")
      let lateCSV = try Self.csvRows(out + "/late_actions.csv")
      #expect(lateCSV.rows.map { $0[0] } == ["1", "3"])
      #expect(lateCSV.rows.map { $0[1] } == Self.listed(late, under: t(.url), column: "B"))
      // The main workbook no longer holds the registers moved whole.
      let main = try XlsxReading.cells(out + "/linkaudit-2021-Q4.\(language.rawValue).xlsx")
      for moved in [t(.complaints), t(.backlog), t(.ratingEvidence)] {
        #expect(main[moved] == nil, "\(language): \(moved) is still in the main workbook")
      }
      #expect(main[t(.decisions)] != nil && main[t(.referrals)] != nil && main[t(.gotThrough)] != nil)
    }
    #expect(try ReportPackageTests().verify(store, out) == [])
  }

  /// Every figure's id and SQL in methodology.LANG.md, its parameters in the
  /// report's zone beside the stored UTC; the Methodology sheet keeps the words, not the SQL.
  @Test func theMethodologyFileHoldsEveryFigureAndItsSQL() throws {
    let store = try MetricCatalogueTests.loaded()
    let out = try ReportPackageTests().write(store)
    for (language, zone) in [(ReportLanguage.en, "Asia/Shanghai"), (.zh, "北京时间（UTC+8）")] {
      let md = try String(contentsOfFile: out + "/methodology.\(language.rawValue).md", encoding: .utf8)
      #expect(md.contains("| `:start` | 2021-10-01 00:00:00 \(zone) | `2021-09-30T16:00:00.000Z` |"), "\(language)")
      #expect(md.contains("| `:end` | 2022-01-01 00:00:00 \(zone) | `2021-12-31T16:00:00.000Z` |"), "\(language)")
      for d in MetricCatalogue.all {
        #expect(md.contains("### `\(d.label)` "), "\(language): \(d.label)")
        #expect(md.contains("```sql\n\(d.sql.trimmingCharacters(in: .newlines))\n```"), "\(language): \(d.label)")
      }
      // Not rated: no rating figure, no window.
      #expect(!md.contains(":window_start") && !md.contains("### `rating."))
      let sheet = try #require(
        try XlsxReading.cells(out + "/linkaudit-2021-Q4.\(language.rawValue).xlsx")[language.text(.methodology)])
      let values = Set(sheet.values)
      #expect(values.contains(language.text(.sqlInMethodologyFile)))
      #expect(!values.contains(language.text(.sql)))
      // The sheet says in words what the figures count (issue 32): no id, no SQL; the file holds those.
      for d in MetricCatalogue.all {
        #expect(!values.contains(d.label) && !values.contains(d.sql), "\(language): \(d.label)")
      }
      for (heading, text) in WorkbookWriter.summaryParagraphs(language) {
        #expect(values.contains(heading) && values.contains(text), "\(language): \(heading)")
      }
    }
  }

  /// The annexes are signed with the package: verify names any of them altered.
  @Test func alteringAnAnnexFileFailsVerify() throws {
    let store = try MetricCatalogueTests.loaded()
    let out = try ReportPackageTests().write(store)
    let fm = FileManager.default
    for name in ["annex.zh.xlsx", "annex.en.xlsx", "complaints.csv", "late_actions.csv", "methodology.zh.md"] {
      let copy = store.dir.file("altered-\(name)")
      try fm.copyItem(atPath: out, toPath: copy)
      var bytes = try Data(contentsOf: URL(fileURLWithPath: copy + "/" + name))
      bytes[bytes.count / 2] ^= 0x01
      try bytes.write(to: URL(fileURLWithPath: copy + "/" + name))
      let problems = try ReportPackageTests().verify(store, copy)
      #expect(problems.contains { $0.hasPrefix(name + ":") }, "\(name): \(problems)")
    }
  }

  /// On the binary: report writes the annexes, verify passes them and names one altered, exiting 1.
  @Test func theBinaryWritesAndVerifiesTheAnnexes() throws {
    let dir = TemporaryDirectory()
    let database = dir.file("db")
    func run(_ arguments: [String]) throws -> LinkauditBinary.Run {
      try LinkauditBinary.run(arguments, database: database)
    }
    let links = try PackageFixture.links("links.csv", PackageFixture.quarterRows, in: dir)
    #expect(try run(["import", "links", links]).status == 0)
    let out = dir.file("pkg")
    let r = try run(["report", "--quarter", "2021-Q4", "--out", out])
    #expect(r.status == 0, "\(r.stderr)")
    for name in [
      "annex.zh.xlsx", "annex.en.xlsx", "methodology.zh.md", "methodology.en.md", "complaints.csv", "referrals.csv",
      "backlog.csv", "late_actions.csv",
    ] {
      #expect(FileManager.default.fileExists(atPath: out + "/" + name), "\(name)")
    }
    let verified = try run(["verify", out])
    #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
    var bytes = try Data(contentsOf: URL(fileURLWithPath: out + "/annex.zh.xlsx"))
    bytes[bytes.count / 2] ^= 0x01
    try bytes.write(to: URL(fileURLWithPath: out + "/annex.zh.xlsx"))
    let altered = try run(["verify", out])
    #expect(altered.status == 1, "\(altered.stdout)\(altered.stderr)")
    #expect((altered.stdout + altered.stderr).contains("annex.zh.xlsx"), "\(altered.stdout)\(altered.stderr)")
  }

  /// A phone number that is a host's registrable label (`13812345678.cn`)
  /// is masked in every register that shows the domain: the complaints (sheet
  /// and CSV), the rating evidence's complaints and unregistered domains, the
  /// repeat offenders, as the Got through list masks it (finding A21's rule),
  /// and metrics.csv's dimensions (`p1.upheld_by_domain[domain=…]`).
  @Test func aPhoneNumberInADomainIsMaskedInEveryRegister() throws {
    let dir = TemporaryDirectory()
    let database = dir.file("db")
    func run(_ arguments: [String]) throws -> LinkauditBinary.Run {
      try LinkauditBinary.run(arguments + ["--key-file", dir.file("k.key")], database: database)
    }
    let links = try dir.write(
      "links.csv",
      """
      event_id,occurred_at,scene,user_id,url,action,reason
      e1,2021-10-02 10:00:00,one_to_one_chat,u1,https://13812345678.cn/a,open,
      e2,2021-10-03 10:00:00,one_to_one_chat,u1,https://13812345678.cn/b,block,fraud

      """)
    let complaints = try dir.write(
      "complaints.csv",
      """
      complaint_id,received_at,reporter_id,url,category,description,status,resolved_at,outcome,action_taken
      cx1,2021-10-02 11:00:00,r1,https://13812345678.cn/a,fraud,x,open,,,
      cx2,2021-10-02 11:00:00,r1,https://13812345678.cn/b,fraud,x,resolved,2021-10-02 12:00:00,upheld,none

      """)
    #expect(try run(["import", "links", links]).status == 0)
    #expect(try run(["import", "complaints", complaints]).status == 0)
    let out = dir.file("pkg")
    let r = try LinkauditBinary.run(["report", "--quarter", "2021-Q4", "--out", out], database: database)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(try String(contentsOfFile: out + "/complaints.csv", encoding: .utf8).contains(",138****5678.cn,"))
    // The upheld complaint's domain is a dimension of metrics.csv (p1.upheld_by_domain), masked as the registers mask it.
    #expect(
      try String(contentsOfFile: out + "/metrics.csv", encoding: .utf8).contains(
        "p1.upheld_by_domain,domain=138****5678.cn,1"))
    for (name, texts) in try XlsxReading.texts(ofPackage: out) {
      #expect(!texts.contains { $0.contains("13812345678") }, "\(name)")
    }
  }

  /// Beyond its limit the annex lists the first events and says how many
  /// more the CSV register holds; the CSV still lists every one.
  @Test func theUnderRestrictedSheetStopsAtItsLimitAndNamesTheCSV() throws {
    let store = try MetricCatalogueTests.loaded()
    let db = try store.open(.readOnly)
    defer { db.close() }
    let data = try ReportData(
      database: db, quarter: ReportPackageTests.q4, timeZone: ReportPackageTests.shanghai)
    #expect(try WorkbookWriter.annexUnderRestricted(data, database: db).count == 4)
    let first = try WorkbookWriter.annexUnderRestricted(data, database: db, limit: 2)
    #expect(first.map(\.eventID) == data.gotThrough.prefix(2).map(\.eventID))
    let path = store.dir.file("annex.en.xlsx")
    try WorkbookWriter(data: data, language: .en).writeAnnex(to: path, underRestricted: first)
    let sheet = try #require(try XlsxReading.cells(path)["Under-restricted events"])
    #expect(Self.listed(sheet, under: "Event id") == first.map(\.eventID))
    #expect(sheet.values.contains("The first 2 of 4; 2 more in cases file under_restricted_events.csv."))
  }
}
