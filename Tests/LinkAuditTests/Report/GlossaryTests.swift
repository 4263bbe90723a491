import Foundation
import Testing

@testable import LinkAudit

/// The Chinese filing's words (issue 32): templates/zh/glossary.yaml lists the
/// terms a regulator would correct, and none of them appears in any cell of
/// the Chinese workbook or any Chinese Markdown file.
@Suite struct GlossaryTests {
  /// The `avoid:` terms of the glossary, quotes taken off.
  static func avoided() throws -> [String] {
    let text = try String(contentsOfFile: ReportPackageTests.templates + "/zh/glossary.yaml", encoding: .utf8)
    return text.split(separator: "\n").compactMap { line in
      guard let range = line.range(of: "- avoid: ") else { return nil }
      return line[range.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
    }
  }

  @Test func theGlossaryListsTheReviewsTerms() throws {
    let terms = try Self.avoided()
    #expect(terms.contains("漏网") && terms.contains("规范符合率") && terms.contains("拒收行数:"), "\(terms)")
  }

  @Test func noAvoidedTermIsInTheChineseFiling() throws {
    let store = try MetricCatalogueTests.loaded()
    let out = try ReportPackageTests().write(store)
    let cells = try XlsxReading.cells(out + "/linkaudit-2021-Q4.zh.xlsx")
    var texts = cells.flatMap { sheet, values in
      values.filter { !$0.key.hasSuffix(".type") }.map { ("\(sheet)!\($0.key)", $0.value) }
    }
    texts += [("sheet names", cells.keys.joined(separator: " "))]
    for name in try FileManager.default.contentsOfDirectory(atPath: out) where name.hasSuffix(".zh.md") {
      texts.append((name, try String(contentsOfFile: out + "/" + name, encoding: .utf8)))
    }
    #expect(texts.count > 100, "the search did look at the filing")
    for term in try Self.avoided() {
      let found = texts.filter { $0.1.contains(term) }.map(\.0)
      #expect(found.isEmpty, "\(term) in \(found.prefix(5))")
    }
  }

  /// Lists are read by their figure, never by the codes' English ids: the
  /// open rates by scene and by platform in principle-4.zh.md, highest first.
  @Test func openRateListsAreHighestFirst() throws {
    let store = try MetricCatalogueTests.loaded()
    let out = try ReportPackageTests().write(store)
    let text = try String(contentsOfFile: out + "/principle-4.zh.md", encoding: .utf8)
    for heading in ["## 分场景直接打开率", "## 分平台直接打开率"] {
      let after = try #require(text.components(separatedBy: heading).dropFirst().first, "\(heading)")
      let section = after.components(separatedBy: "\n## ")[0]
      let rates = section.split(separator: "\n").compactMap { line -> Double? in
        let cells = line.split(separator: "|").map { String($0).trimmingCharacters(in: CharacterSet.whitespaces) }
        guard cells.count == 2, cells[1].hasSuffix("%") else { return nil }
        return Double(cells[1].dropLast())
      }
      #expect(rates.count >= 2, "\(heading): \(section)")
      #expect(rates == rates.sorted(by: >), "\(heading): \(rates)")
    }
  }
}
