import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore

/// `methodology.LANG.md` (issue 32): every figure of the report with its SQL,
/// and the parameters it runs with, in the report's time zone as well as
/// stored. The main workbook's Methodology sheet names each figure in words
/// and points here; the SQL fills pages a regulator reads on screen, not on paper.
package struct MethodologyMarkdown {
  package let data: ReportData
  package let language: ReportLanguage

  /// `methodology.zh.md`, `methodology.en.md`.
  package static func fileName(_ language: ReportLanguage) -> String { "methodology.\(language.rawValue).md" }

  func t(_ term: ReportLanguage.Term) -> String { language.text(term) }

  /// The figures shown: every metric, and with ratings the ratings' and their evidence queries.
  package var figures: [MetricDefinition] {
    MetricCatalogue.all + (data.ratings == nil ? [] : MetricCatalogue.ratings + MetricCatalogue.ratingEvidence)
  }

  /// Every parameter the figures' SQL names, with its value as stored: the quarter's bounds, and with ratings
  /// the window's start (`QuarterRatings.parameters`, as the Methodology sheet gives it).
  package var parameters: [(name: String, stored: String)] {
    var values = data.current.parameters
    if let ratings = data.ratings {
      values.merge(QuarterRatings.parameters(data.quarter, data.timeZone, ratings.model)) { mine, _ in mine }
    }
    return values.keys.sorted { order($0) < order($1) }.compactMap { name in
      values[name]?.text.map { (name, $0) }
    }
  }

  /// :start, :end, :window_start; anything else after them by name.
  private func order(_ name: String) -> (Int, String) {
    ([":start", ":end", ":window_start"].firstIndex(of: name) ?? 3, name)
  }

  package func render() -> String {
    var out = "# \(t(.methodologyFileTitle)) · \(language.quarterName(data.quarter))\n\n"
    out += "\(t(.methodologyFileNote))\n\n"
    out += "| \(t(.parameter)) | \(t(.inReportZone)) | \(t(.storedUTC)) |\n| --- | --- | --- |\n"
    let zone = language.zoneName(data.timeZone)
    for p in parameters {
      let local = data.local(p.stored)
      out += "| `\(p.name)` | \(local.isEmpty ? "—" : "\(local) \(zone)") | `\(p.stored)` |\n"
    }
    out += "\n"
    func section(_ figures: [MetricDefinition]) {
      for d in figures {
        out += "### `\(d.label)` \(markdownText(language.name(of: d)))\n\n"
        out += "\(markdownText(language.definition(of: d)))\n\n"
        out += "```sql\n\(d.sql.trimmingCharacters(in: .newlines))\n```\n\n"
      }
    }
    section(MetricCatalogue.all)
    if data.ratings != nil {
      out += "## \(t(.ratingsFigures))\n\n"
      section(MetricCatalogue.ratings + MetricCatalogue.ratingEvidence)
    }
    // What the filing no longer carries, and why: a reader holding an earlier filing finds here what replaced it.
    out += "## \(t(.retiredFigures))\n\n| \(t(.metricID)) | \(t(.replacedBy)) | \(t(.why)) |\n| --- | --- | --- |\n"
    for r in MetricCatalogue.retired {
      let replaced = r.replacedBy.map { "`\($0)`" }.joined(separator: ", ")
      out += "| `\(r.id)` | \(replaced) | \(markdownText(language.why(of: r))) |\n"
    }
    return out
  }
}
