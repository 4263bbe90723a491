import Foundation
import Testing

@testable import LinkAudit

/// "The Chinese workbook holds no English code" (issue 32's done-when): every
/// cell and chart text of the Chinese main workbook is read, and any run of
/// ASCII letters that is not on the allowlist of patterns below fails, named
/// by its sheet and cell. The allowlist is of shapes, never of strings found:
/// a new code printed anywhere fails without anyone listing it.
@Suite struct ChineseCodesTests {
  /// The shapes of ASCII text a Chinese regulator may meet, each a whole token
  /// (a run of letters, digits and the punctuation of names and URLs).
  static let allowed: [(why: String, pattern: String)] = [
    // Data: complaint and event ids as the data contract allows them, letters then a digit
    // (c2021-28, e17, EVT-2022-0001); a metric id (p1.upheld_rate) has a dot and stays out.
    ("a case id", #"[A-Za-z]{0,12}[-_]?[0-9][A-Za-z0-9_-]*"#),
    // Data: domain names under a top-level domain (not `overview.events`); URLs are taken out before.
    (
      "a domain",
      #"(\*\.)?([a-z0-9-]+\.)+(com|cn|net|org|io|xyz|top|info|cc|tv|me|co|app|dev|site|online|shop|vip|club|wang|biz|edu|gov|hk|tw|jp|uk|us|ru|de|fr|xn--[a-z0-9-]+)"#
    ),
    // Data: the filer's contact email.
    ("an email address", #"[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+\.)+[A-Za-z]{2,}"#),
    // Data: fingerprints and hashes in hex.
    ("a hash", #"[0-9a-f]{16,}"#),
    // The package's files the page points to.
    ("a file of the package", #"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.(md|xlsx|csv|yaml|json)"#),
    // Data: the platform's own labels of its policy versions (2021.11-interconnect) start with their date.
    ("a policy version", #"[0-9]{4}[.-][0-9]{1,2}[A-Za-z0-9._-]*"#),
    // The tool, and the rating model's name (data: linkaudit-default-2026).
    ("the tool or its model", #"linkaudit(-[A-Za-z0-9]+)*"#),
    // Acronyms a Chinese official document uses as they are; A-D are the grades.
    ("an acronym", #"URL|SQL|CSV|SLA|ID|P90|SHA-256|UTC([+-][0-9]{1,2}(:[0-9]{2})?)?|A|B|C|D"#),
    // The formula's capping function, as mathematics writes it in Chinese too.
    ("min", #"min"#),
  ]

  /// The offending tokens of `text`; single letters are symbols when `symbols` holds them.
  static func offences(_ text: String, symbols: Set<String>) throws -> [String] {
    // Data: URLs as filed, taken out whole, so a formula's `v/5` reads as its symbol.
    let text = text.replacing(try Regex(#"https?://[^\s，。；、（）]+"#), with: " ")
    // A token: a run that may make up a name, an id, a file or a domain.
    let token = try Regex(#"[A-Za-z0-9_.\-:+@*]+"#)
    let patterns = try allowed.map { try Regex("(?:\($0.pattern))") }
    return text.matches(of: token).compactMap { match -> String? in
      // A sentence's full stop or colon after a name is not part of it.
      var word = String(text[match.range])
      while let last = word.last, ".:/-".contains(last) { word.removeLast() }
      guard word.contains(where: { $0.isASCII && $0.isLetter }) else { return nil }
      if symbols.contains(word) { return nil }
      return patterns.contains { word.wholeMatch(of: $0) != nil } ? nil : word
    }
  }

  /// The letters a sheet defines as symbols, named in Chinese right before
  /// them: 成立投诉（v）, 成立投诉(v).
  static func symbols(_ texts: [String]) throws -> Set<String> {
    let definition = try Regex(#"\p{Han}[（(]([a-z])[)）]"#)
    return Set(texts.flatMap { $0.matches(of: definition).compactMap { $0.output[1].substring.map(String.init) } })
  }

  @Test func theAllowlistKeepsCodesOut() throws {
    let none: Set<String> = []
    for code in [
      "taobao", "other", "score", "NR", "block_url", ":start", "p1.upheld_rate", "overview.events", "warn", "block",
      "Scene", "v",
    ] {
      #expect(try !Self.offences(code, symbols: none).isEmpty, "\(code)")
    }
    for data in [
      "c2021-28", "e17", "taobao.com", "https://x.cn/a?b=1", "methodology.zh.md", "annex.zh.xlsx",
      "https://x.cn/a?b=1&c=_d", "findings.yaml",
      "2021.11-interconnect", "linkaudit-default-2026", "compliance@example.com", "SHA-256", "P90", "A", "UTC+8",
      "0123456789abcdef0123",
    ] {
      #expect(try Self.offences("数据 \(data)。", symbols: none).isEmpty, "\(data)")
    }
    #expect(try Self.offences("成立投诉（v）：v = 1", symbols: Self.symbols(["成立投诉（v）"])).isEmpty)
  }

  /// Each cell of the Chinese main workbook holding an English code, as `sheet!cell: codes in «text»`, by sheet.
  static func offendingCells(_ path: String) throws -> [String: [String]] {
    let cells = try XlsxReading.cells(path)
    let charts = try XlsxReading.chartTexts(path)
    var offending: [String: [String]] = [:]
    var read = 0
    for (sheet, values) in cells.sorted(by: { $0.key < $1.key }) {
      let texts = values.filter { !$0.key.hasSuffix(".type") && values[$0.key + ".type"] == "s" }
      let symbols = try Self.symbols(Array(texts.values) + (charts[sheet] ?? []))
      read += texts.count
      for (ref, text) in texts.sorted(by: { $0.key < $1.key }) + (charts[sheet] ?? []).map({ ("chart", $0) }) {
        let found = try Self.offences(text, symbols: symbols)
        if !found.isEmpty {
          offending[sheet, default: []].append("\(sheet)!\(ref): \(found.joined(separator: " ")) in «\(text)»")
        }
      }
      let found = try Self.offences(sheet, symbols: [])
      if !found.isEmpty { offending[sheet, default: []].append("sheet name \(sheet): \(found.joined(separator: " "))") }
    }
    #expect(read > 300, "the search did look at the workbook")
    return offending
  }

  /// Every cell of the Chinese main workbook, with a model whose every
  /// platform is rated (the fixture's are small) and with the shipped one
  /// (none rated): the ratings sheet's rated and unrated tables both print.
  @Test(arguments: [1, nil] as [Int?]) func theChineseWorkbookHoldsNoEnglishCode(minEvents: Int?) throws {
    let store = try MetricCatalogueTests.loaded()
    var model = try RatingModel.load(path: ReportPackageTests.templates + "/rating-model.yaml")
    if let minEvents { model.minEvents = minEvents }
    let out = try ReportPackageTests().write(store, model: model)
    let path = out + "/linkaudit-2021-Q4.zh.xlsx"
    let offending = try Self.offendingCells(path)
    let sheets = try XlsxReading.sheetNames(path)
    #expect(sheets.contains(ReportLanguage.zh.text(.ratings)), "the ratings sheet was read: \(sheets)")
    if minEvents != nil {
      #expect(try XlsxReading.chartTexts(path)[ReportLanguage.zh.text(.ratings)]?.isEmpty == false, "its chart too")
    }
    // Every sheet of the filing, the overview, the principles and the methodology included (issue 32).
    let found = offending.values.flatMap { $0 }.sorted()
    #expect(found.isEmpty, "\(found.count) cells hold English codes:\n\(found.joined(separator: "\n"))")
  }
}

/// The Rules in force page (issue 32), on the fixture's 2021-Q4, under policy
/// phase 1 alone: its version, each scene's and category's treatment (the
/// default last) and each principle's deadline, in the sheet's words.
@Suite struct RulesInForceSheetTests {
  @Test func thePageStatesTheTreatmentsAndDeadlinesOfTheVersionInForce() throws {
    let store = try MetricCatalogueTests.loaded()
    let out = try ReportPackageTests().write(store)
    let sheet = try #require(try XlsxReading.cells(out + "/linkaudit-2021-Q4.zh.xlsx")["适用规范"])
    func right(of text: String) -> String? {
      guard let key = sheet.first(where: { $0.value == text && !$0.key.hasSuffix(".type") })?.key,
        let column = key.first?.asciiValue
      else { return nil }
      return sheet[String(UnicodeScalar(column + 1)) + key.dropFirst()]
    }
    #expect(sheet.values.contains("2021.09-phase1"))
    #expect(right(of: "一对一聊天") == "直接打开" && right(of: "群聊") == "风险提示", "\(sheet)")
    #expect(right(of: "诱导分享") == "风险提示" && right(of: "欺诈") == "拦截", "\(sheet)")
    #expect(right(of: "其他（默认）") == "拦截", "\(sheet)")
    #expect(right(of: ReportLanguage.zh.principleHeading(.lawfulContent)) == "24", "\(sheet)")
    #expect(right(of: ReportLanguage.zh.principleHeading(.usersInterests)) == "72", "\(sheet)")
  }
}
