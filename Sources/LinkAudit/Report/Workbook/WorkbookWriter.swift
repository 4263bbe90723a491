import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

/// Writes the regulator's workbook for one quarter in one language.
package struct WorkbookWriter {
  package let data: ReportData
  package let language: ReportLanguage
  /// The signing key's fingerprint, for the Cover; nil for an unsigned package.
  package var signedBy: String? = nil

  /// The version filed, for the Cover; nil for a package outside the filings.
  package var filing: FilingVersion? = nil

  /// What a version of 2 or more corrects: a sheet after the Cover.
  package var corrections: Corrections? = nil
  /// The key findings page's findings, chosen by `templates/findings.yaml`.
  package var findings = ReportFindings(needsAction: [], improved: [])
  /// Who files, for the Cover; nil when no filer.yaml was given (the Cover says so).
  package var filer: Filer? = nil

  package func t(_ term: ReportLanguage.Term) -> String { language.text(term) }

  /// A workbook of this report (the main one or its annex): its document
  /// properties dated by the data, not the clock, so the bytes are the same
  /// on every run; Chinese declares its East Asian font, so it prints the
  /// same on any machine (issue 32).
  package func openWorkbook(at path: String, title: String, keywords: String, comments: String) throws -> Workbook {
    let workbook = try Workbook(path: path, font: language == .zh ? .chinese : nil)
    try workbook.setProperties(
      DocumentProperties(
        title: "\(title) \(data.quarter)", subject: "\(data.quarter) (\(data.periodText))",
        author: "linkaudit \(LinkAuditVersion.current)", company: "", keywords: keywords,
        comments: comments, created: Date(timeIntervalSince1970: Double(data.dataAsOf.milliseconds) / 1000)))
    return workbook
  }

  package func write(to path: String) throws {
    let workbook = try openWorkbook(
      at: path, title: t(.reportTitle), keywords: "external links, \(data.quarter), linkaudit",
      comments: t(.populationsText))
    // Issue 32's order: what needs action first, then a page per subject;
    // the registers in full, the trends and the platforms' open rates are in the annex (writeAnnex).
    try cover(workbook)
    try keyFindings(workbook)
    if let corrections { try correctionsSheet(corrections, workbook) }
    try summary(workbook)
    for p in Principle.allCases { try principle(p, workbook) }
    try referrals(workbook)
    try decisions(workbook)
    try gotThrough(workbook)
    try repeatOffenders(workbook)
    if data.ratings != nil { try ratings(workbook) }
    try rulesInForce(workbook)
    try dataQuality(workbook)
    try methodology(workbook)
    try Timing.measure("  workbook close \(language.rawValue)") { try workbook.close() }
  }

  /// A sheet that opens with its title (by default the sheet's name and the
  /// quarter) and the period, then a blank row.
  package func periodSheet(_ workbook: Workbook, _ name: String, title: String? = nil) throws -> Sheet {
    let s = try Sheet(workbook, name, language: language)
    try s.title(title ?? "\(name) · \(language.quarterName(data.quarter))")
    try s.line([.text(data.period(in: language))])
    s.row += 1
    return s
  }

  /// This quarter, the previous one and the change, each in the figure's number format.
  package func figureCells(_ d: MetricDefinition, dimension: String) -> [Cell] {
    let now = data.current[d.id, dimension: dimension] ?? .none
    let before = data.previous[d.id, dimension: dimension] ?? .none
    let change: Cell
    if let a = now.double, let b = before.double {
      change = .change(d.kind.shown(a) - d.kind.shown(b), of: d.kind.quantity)
    } else {
      change = .missing
    }
    let figure = data.current.figure(d.id, dimension: dimension)
    return [
      cell(now, kind: d.kind), .text(figure.map { language.counts(of: $0) } ?? ""),
      .note(figure.map { language.caveat(of: $0, kind: d.kind, in: data.current) } ?? ""), cell(before, kind: d.kind),
      change,
    ]
  }

  package func cell(_ value: MetricValue, kind: MetricKind) -> Cell {
    switch value {
    case .none: return .missing
    case .text(let s): return .text(s)
    case .count(let n): return .count(n)
    case .decimal(let x):
      switch kind {
      case .rate: return .rate(x)
      case .count: return .count(Int64(x))
      default: return .hours(x)
      }
    }
  }
}

extension Sheet {
  /// A sheet of the report in `language`.
  package convenience init(_ workbook: Workbook, _ name: String, language: ReportLanguage) throws {
    try self.init(workbook, name, language: language.sheetLanguage)
  }
}

extension ReportLanguage {
  /// The words a sheet writes by itself.
  package var sheetLanguage: SheetLanguage {
    SheetLanguage(
      missing: text(.none), percentagePoints: self == .zh ? "个百分点" : " pp", footer: text(.pageFooter))
  }
}

extension MetricKind {
  /// A value as the filing prints it (a rate to 0.01%, hours and scores to
  /// 0.01): a change is taken between the printed values, so 47.92% → 34.88%
  /// reads −13.04, not the −13.05 of the unrounded ones (reader39).
  package func shown(_ x: Double) -> Double {
    switch self {
    case .rate: (x * 10_000).rounded() / 10_000
    case .hours, .score: (x * 100).rounded() / 100
    case .count, .text: x
    }
  }

  /// What a change of a figure of this kind measures, for its format.
  package var quantity: Cell.Quantity {
    switch self {
    case .rate: .rate
    case .count: .count
    case .hours, .score, .text: .decimal
    }
  }
}

extension Cell {
  /// An SLA in hours: whole hours as a count (`24`, not `24.00`), empty when none.
  package static func sla(_ hours: Double?) -> Cell {
    guard let hours else { return .text("") }
    return hours == hours.rounded() && abs(hours) < 1e15 ? .count(Int64(hours)) : .hours(hours)
  }
}
