import Foundation
import LinkAuditCore
import LinkAuditXlsx

extension WorkbookWriter {
  /// The second page: what needs action, a rule a row with its count and the
  /// ids of its cases, then what improved; chosen by `templates/findings.yaml`,
  /// every rule shown whether or not it finds anything.
  package func keyFindings(_ workbook: Workbook) throws {
    let s = try periodSheet(workbook, t(.keyFindings))
    let header = [t(.finding), t(.caseCount), t(.casesByID)]
    try s.heading(t(.needsAction))
    let top = try s.table(
      header: header, rows: findings.needsAction.map(row), filter: false)
    s.row += 1
    try s.heading(t(.improvedBeyondInterval))
    try s.table(header: header, rows: findings.improved.map(row), filter: false)
    s.row += 1
    try s.paragraph(t(.keyFindingsNote), columns: header.count)
    // One page, whatever it holds: the page a regulator reads first prints whole.
    try s.finish(headerRow: top, freezeHeader: false, repeatHeader: false, onePage: true)
  }

  private func row(_ f: KeyFinding) -> [Cell] {
    // A case a line: an id list wrapped at its hyphens printed cut (rendered).
    let listed = f.items.map(language.findingItem).joined(separator: "\n")
    let more = f.count > f.items.count ? language.moreInAll(f.count) : ""
    return [
      .wrapped(language.findingTitle(f.kind)), .count(Int64(f.count)),
      .wrapped(
        f.count == 0 ? t(.noneFound) : listed + (more.isEmpty ? "" : "\n" + more.trimmingCharacters(in: .whitespaces))),
    ]
  }
}

extension ReportLanguage {
  /// What a rule finds, as the key findings page names it.
  package func findingTitle(_ kind: FindingRules.Kind) -> String {
    let zh = self == .zh
    switch kind {
    case .overdueReferrals: return zh ? "季末超期未办结的监管部门转办投诉" : "Regulator referrals overdue at the quarter's end"
    case .overdueComplaints:
      return zh ? "季末超期未办结的其他投诉（原则1在前）" : "Other complaints overdue at the quarter's end (principle 1 first)"
    case .leastEnforcedDecisions: return zh ? "执行率最低的处置决定" : "Decisions least enforced"
    case .unlawfulLetThrough:
      return zh ? "原则1（内容合法）处置宽于规范的事件（须依《网络安全法》第四十七条报告）" : "Principle 1 (unlawful content) events let through (art. 47)"
    case .upheldWithoutAction:
      return zh ? "投诉成立但未采取规定处置" : "Upheld complaints closed without the prescribed action"
    case .gradeFalls: return zh ? "信用等级下降的平台" : "Platforms whose grade fell"
    case .dataGaps:
      return zh ? "数据缺口（无事件日期、投诉数据长时间空缺）" : "Gaps in the data (days without events, a silent complaint feed)"
    case .worseBeyondInterval: return zh ? "较上季度变差且超出随机波动的比率" : "Rates worse than last quarter beyond chance"
    case .betterBeyondInterval: return zh ? "较上季度改善且超出随机波动的比率" : "Rates better than last quarter beyond chance"
    }
  }

  /// One case of a finding: its id and what makes it one.
  package func findingItem(_ item: KeyFinding.Item) -> String {
    let zh = self == .zh
    switch item {
    case .referral(let c):
      let days = c.daysOverdue.map { zh ? "超期 \($0) 天" : "\($0) days overdue" } ?? ""
      return days.isEmpty ? c.complaintID : zh ? "\(c.complaintID)（\(days)）" : "\(c.complaintID) (\(days))"
    case .overdue(let c):
      let days = c.daysOverdue.map { zh ? "超期 \($0) 天" : "\($0) days overdue" } ?? ""
      let what = "\(principleTag(Principle(rawValue: Int(c.principle)) ?? .lawfulContent)) \(word(.category, c.category))"
      return zh ? "\(c.complaintID)（\(what)，\(days)）" : "\(c.complaintID) (\(what), \(days))"
    case .decision(let d):
      let rate = d.enforcementRate.map { String(format: "%.2f%%", $0 * 100) } ?? "—"
      return zh
        ? "\(d.complaintID)（\(rate)，\(d.taps.grouped) 次中 \(d.enforced.grouped) 次）"
        : "\(d.complaintID) (\(rate), \(d.enforced.grouped) of \(d.taps.grouped))"
    case .event(let e): return e.eventID
    case .complaint(let c): return c.complaintID
    case .platform(let r):
      let change = "\(word(.grade, r.previousGrade))→\(word(.grade, r.grade))"
      return zh ? "\(r.name(in: self))（\(change)）" : "\(r.name(in: self)) (\(change))"
    case .complaintSilence(let days): return complaintSilence(Double(days))
    case .daysWithoutEvents(let days):
      return labelled(text(.daysWithoutEvents), days)
    case .rate(let r):
      let name = MetricCatalogue.definition(r.metricID).map(taggedName) ?? r.metricID.rawValue
      func rate(_ x: Double, _ c: (numerator: Int64, denominator: Int64)) -> String {
        String(format: "%.2f%%", x * 100)
          + (zh
            ? "（\(c.numerator.grouped)/\(c.denominator.grouped)）"
            : " (\(c.numerator.grouped)/\(c.denominator.grouped))")
      }
      let values = "\(rate(r.beforeRate, r.before)) → \(rate(r.nowRate, r.now))"
      return zh ? "\(name)（\(values)）" : "\(name) (\(values))"
    }
  }
}
