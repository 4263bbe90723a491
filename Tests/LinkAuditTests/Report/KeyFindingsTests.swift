import Foundation
import LinkAuditCore
import Testing

@testable import LinkAudit

/// The key findings page: chosen by templates/findings.yaml, on hand-counted fixtures.
@Suite struct KeyFindingsTests {
  let dir = TemporaryDirectory()
  static let rates = Set(MetricCatalogue.all.filter { $0.kind == .rate && $0.dimension == nil }.map(\.id))

  /// The Key findings sheet's rows: the row whose first cell is `title` → (count, ids).
  func row(_ sheet: [String: String], _ title: String) -> (count: String?, ids: String?)? {
    guard let ref = sheet.first(where: { $0.value == title && $0.key.hasPrefix("A") })?.key else { return nil }
    let n = ref.dropFirst()
    return (sheet["B\(n)"], sheet["C\(n)"])
  }

  /// ReportDataTests' complaints: r2 is a referral 101 days overdue at Q4's end; r3 is open, not overdue.
  @Test func theOverdueReferralsAreNamedByIDOnThePageAfterTheCover() throws {
    let store = TestStore()
    try store.load([
      (.policies, fixture("policy-baseline.md")), (.policies, fixture("policy-phase1.md")),
      (.complaints, try store.dir.write("c.csv", ReportDataTests.complaints)),
    ])
    let out = try ReportPackageTests().write(store)
    for (language, sheetName, title, named, none) in [
      ("zh", "主要发现", "季末超期未办结的监管部门转办投诉", "r2（超期 101 天）", "无"),
      ("en", "Key findings", "Regulator referrals overdue at the quarter's end", "r2 (101 days overdue)", "None"),
    ] {
      let path = out + "/linkaudit-2021-Q4.\(language).xlsx"
      let sheet = try #require(try XlsxReading.cells(path)[sheetName], "\(language)")
      let overdue = try #require(row(sheet, title), "\(language)")
      #expect(overdue.count == "1" && overdue.ids == named, "\(language): \(overdue)")
      // Every rule is shown, a rule that finds nothing says so.
      let grades = try #require(row(sheet, ReportLanguage(rawValue: language)!.findingTitle(.gradeFalls)))
      #expect(grades.count == "0" && grades.ids == none)
      // The page comes right after the Cover, and prints on one page, tall as well as wide.
      let layout = try XlsxReading.sheetNames(path)
      #expect(Array(layout.prefix(2)) == [language == "zh" ? "封面" : "Cover", sheetName], "\(layout)")
      // OOXML's default fitToHeight is 1: written only when it is not (0, as tall as it runs).
      let print = try #require(try XlsxReading.printLayout(path)[sheetName])
      #expect(print["fitToPage"] == "1" && print["fitToHeight"] == nil, "\(print)")
    }
  }

  /// MetricCatalogueTests' fixture: e6, a principle 1 event, got through.
  @Test func principle1EventsLetThroughAreListed() throws {
    let store = try MetricCatalogueTests.loaded()
    let out = try ReportPackageTests().write(store)
    let sheet = try #require(try XlsxReading.cells(out + "/linkaudit-2021-Q4.en.xlsx")["Key findings"])
    let let_through = try #require(row(sheet, ReportLanguage.en.findingTitle(.unlawfulLetThrough)))
    #expect(let_through.count == "1" && let_through.ids == "e6", "\(let_through)")
  }

  /// A grade falls by the model's order; a platform not rated in one of the quarters has no fall.
  @Test func aGradeFallsByTheModelsOrder() {
    let order = ["A", "B", "C", "D"]
    #expect(ReportData.gradeFell(from: "A", to: "C", order: order))
    #expect(!ReportData.gradeFell(from: "C", to: "A", order: order))
    #expect(!ReportData.gradeFell(from: "B", to: "B", order: order))
    #expect(!ReportData.gradeFell(from: RatingModel.notRated, to: "D", order: order))
    #expect(!ReportData.gradeFell(from: "B", to: RatingModel.notRated, order: order))
  }

  /// A change is a finding only beyond its interval: the two quarters' Wilson 95% intervals apart.
  @Test func aRateChangesOnlyBeyondItsInterval() {
    #expect(!RateChange.beyondChance(5, 5, 1, 3), "5 of 5 then 1 of 3: within the noise")
    #expect(RateChange.beyondChance(90, 100, 50, 100))
    #expect(!RateChange.beyondChance(52, 100, 48, 100))
    #expect(RateChange.beyondChance(0, 200, 30, 200))
  }

  @Test func aTemplateFolderWithoutTheRulesIsNamed() throws {
    let error = #expect(throws: FileError.self) {
      try FindingRules.load(path: dir.file("findings.yaml"), known: Self.rates)
    }
    #expect(
      error?.errorDescription?.contains("missing: the key findings page's rules belong in the template folder") == true)
  }

  @Test func theShippedRulesLoad() throws {
    let rules = try FindingRules.load(
      path: ReportPackageTests.templates + "/" + FindingRules.fileName, known: Self.rates)
    #expect(rules.needsAction.map(\.kind).first == .overdueReferrals)
    #expect(rules.improved.map(\.kind) == [.betterBeyondInterval])
    #expect(rules.rates.contains { $0.0 == MetricID.decisionEnforcementRate && $0.1 == .higher })
  }

  @Test(arguments: [
    ("needs_action:\n  - kind: overdue\n", ":2: needs_action: unknown kind \"overdue\""),
    ("needs_action:\n  - kind: grade_falls\n    limit: 0\n", ":3: needs_action: limit must be a whole number"),
    ("rates:\n  p1.upheld: higher\n", ":2: rates: \"p1.upheld\" is not a rate of the catalogue"),
    ("rates:\n  p1.due_met_rate: up\n", ":2: rates: p1.due_met_rate must be higher or lower"),
    ("needs_actions: []\n", ":1: unknown key \"needs_actions\""),
    // E8: YAML reads 0x10 and 0o20 as 16; a limit is decimal digits.
    ("needs_action:\n  - kind: overdue_referrals\n    limit: 0x10\n", ":3: needs_action: limit must be a whole number"),
    ("needs_action:\n  - kind: overdue_referrals\n    limit: 0o20\n", ":3: needs_action: limit must be a whole number"),
    ("needs_action:\n  - kind: overdue_referrals\n    limit: +16\n", ":3: needs_action: limit must be a whole number"),
    // E8: a key misspelt in a rule is refused, as at the top.
    (
      "needs_action:\n  - kind: overdue_referrals\n    limit: 5\n    extra: yes\n",
      ":4: needs_action: unknown key \"extra\" in a rule: a rule holds kind and limit"
    ),
    ("improved:\n  - kind: better_beyond_interval\n    limt: 5\n", ":3: improved: unknown key \"limt\" in a rule"),
  ])
  func aBadRuleIsRefusedWithItsLine(text: String, message: String) throws {
    let path = try dir.write("findings.yaml", text)
    let error = #expect(throws: FileError.self) { try FindingRules.load(path: path, known: Self.rates) }
    #expect(error?.errorDescription?.contains(message) == true, "\(error?.errorDescription ?? "")")
    #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
  }

  @Test func aDecimalLimitIsRead() throws {
    let path = try dir.write("findings.yaml", "needs_action:\n  - kind: overdue_referrals\n    limit: 16\n")
    #expect(try FindingRules.load(path: path, known: Self.rates).needsAction.first?.limit == 16)
  }

  /// E6: a huge findings.yaml is refused by its size, unread; a pipe never hangs.
  @Test func aHugeOrPipedRulesFileIsRefusedUnread() throws {
    let path = dir.file("findings.yaml")
    #expect(FileManager.default.createFile(atPath: path, contents: nil))
    let handle = try #require(FileHandle(forWritingAtPath: path))
    try handle.truncate(atOffset: 4 << 30)
    try handle.close()
    let started = Date()
    let error = #expect(throws: FileError.self) { try FindingRules.load(path: path, known: Self.rates) }
    #expect(
      error?.errorDescription?.contains("is 4,294,967,296 bytes: the key findings' rules take a few lines") == true,
      "\(error?.errorDescription ?? "")")
    #expect(Date().timeIntervalSince(started) < 1, "refused by its size, not after reading 4 GiB")
    try FileManager.default.removeItem(atPath: path)
    #expect(mkfifo(path, 0o600) == 0)
    let pipe = #expect(throws: FileError.self) { try FindingRules.load(path: path, known: Self.rates) }
    #expect(pipe?.errorDescription?.contains("is not a regular file (a pipe, a socket or a device): not read") == true)
  }
}
