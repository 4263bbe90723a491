import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

/// The annex beside the main workbook (`annex.LANG.xlsx`, issue 32): every
/// register in full, a sheet each, so the main workbook can stay short and
/// point at it. Signed with the package: its hash is in the manifest.
extension WorkbookWriter {
  /// `annex.zh.xlsx`, `annex.en.xlsx`.
  package static func annexName(_ language: ReportLanguage) -> String { "annex.\(language.rawValue).xlsx" }

  /// The most under-restricted events the annex lists: a mis-set scene rule
  /// can make millions, and a workbook holds its cells in memory until it is
  /// closed (two languages at once). The package's CSV register holds every one,
  /// and the sheet says so when it stops short.
  package static let annexUnderRestrictedLimit = 100_000

  /// Writes the annex; `underRestricted` are the events its sheet lists (`annexUnderRestricted`).
  package func writeAnnex(to path: String, underRestricted: [ReportData.GotThroughRow]) throws {
    let workbook = try openWorkbook(
      at: path, title: t(.annexTitle), keywords: "external links, \(data.quarter), linkaudit, annex",
      comments: t(.annexNote))
    try complaints(workbook)
    try decisionsRegister(workbook)
    try referralsRegister(workbook)
    try backlog(workbook)
    try gotThroughRegister(workbook, events: underRestricted, name: t(.underRestrictedSheet))
    try lateActionsRegister(workbook)
    try openRatesByPlatform(workbook)
    try trends(workbook)
    try dataQualityRegister(workbook)
    if data.ratings != nil { try ratingEvidence(workbook) }
    try workbook.close()
  }

  /// The first `limit` under-restricted events, in the register's order:
  /// read once, for the annexes of every language.
  package static func annexUnderRestricted(
    _ data: ReportData, database db: Database, limit: Int = annexUnderRestrictedLimit
  ) throws -> [ReportData.GotThroughRow] {
    // The report data holds the first `gotThroughLimit`: all of them when there are no more.
    if data.gotThroughHeld <= Int64(data.gotThrough.count) { return Array(data.gotThrough.prefix(limit)) }
    struct Enough: Error {}
    var rows: [ReportData.GotThroughRow] = []
    do {
      try EventSection.eachUnderRestricted(db, data.period) { row in
        // Stops reading at the limit: the rest are only in the CSV register.
        guard rows.count < limit else { throw Enough() }
        rows.append(row)
      }
    } catch is Enough {}
    return rows
  }

  /// Every URL of principles 1-3 restricted late, all principles on one sheet
  /// (the principle sheets' "late actions" tables, by principle).
  package func lateActionsRegister(_ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.lateActionsSheet))
    try s.heading(t(.lateActions))
    let top = try s.table(
      header: [t(.principle)] + lateActionsHeader,
      rows: data.lateActions.map { [.count($0.principle)] + lateActionCells($0) }, filter: true)
    if data.lateActions.isEmpty { try s.line([.text(t(.noCases))]) }
    try s.finish(headerRow: top, list: true)
  }

  /// The columns of a late action, on a principle's sheet and in the annex.
  var lateActionsHeader: [String] {
    [t(.url), t(.firstSeen), t(.firstRestricted), t(.hoursToAction), t(.opensBefore), t(.detectedBy)]
  }

  func lateActionCells(_ a: ReportData.LateActionRow) -> [Cell] {
    [
      .wrapped(a.url), .text(data.local(a.firstSeen)), .text(data.local(a.firstRestricted)),
      .hours(a.hoursToAction), .count(a.opensBefore), .text(language.word(.detector, a.detectedBy)),
    ]
  }
}
