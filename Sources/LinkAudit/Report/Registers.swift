import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore

/// The annex's registers as CSV files of the package (issue 32), as
/// `decisions.csv` writes its register: UTF-8 without BOM, a header of ids,
/// codes rather than words, UTC times as stored, every text field safe to
/// open in a spreadsheet, and the same masks as the workbooks (the rows are
/// the ones the annex sheets list, masked when read).
package struct Registers {
  package let data: ReportData
  /// The reporter's pseudonym only where filer.yaml asks for it, as on the Complaints sheet.
  package let reporterPseudonyms: Bool

  package static let decisions = "decisions.csv"
  package static let complaints = "complaints.csv"
  package static let referrals = "referrals.csv"
  package static let backlog = "backlog.csv"
  package static let lateActions = "late_actions.csv"
  package static let ratingEvidence = "rating_evidence.csv"

  /// Each register's file name and text; rating evidence only when rated.
  package var files: [(name: String, text: String)] {
    [
      (Self.complaints, text(complaintsHeader, data.complaints.map(complaintFields))),
      (Self.referrals, text(Self.referralsHeader, data.referrals.map(referralFields))),
      (Self.backlog, text(Self.backlogHeader, data.backlog.map(backlogFields))),
      (Self.lateActions, text(Self.lateActionsHeader, data.lateActions.map(Self.lateActionFields))),
    ]
      + (data.ratings.map { [(Self.ratingEvidence, text(Self.ratingEvidenceHeader, Self.ratingEvidenceRows($0)))] }
        ?? [])
  }

  private func text(_ header: [String], _ rows: [[String]]) -> String {
    ([header] + rows).map { csvLine($0) + "\n" }.joined()
  }

  private static func hours(_ x: Double?) -> String { x.map(MetricValue.decimal) ?? "" }
  private static func sla(_ x: Double?) -> String { hours(x) }

  var complaintsHeader: [String] {
    ["complaint_id"] + (reporterPseudonyms ? ["reporter_pseudonym"] : []) + [
      "received_at", "category", "principle", "channel", "status", "resolved_at", "hours_to_resolve", "sla_hours",
      "outcome", "duplicate_of", "action_taken", "url", "domain", "platform_id", "description",
    ]
  }

  func complaintFields(_ c: ReportData.ComplaintRow) -> [String] {
    [spreadsheetText(c.complaintID)] + (reporterPseudonyms ? [spreadsheetText(c.reporter)] : []) + [
      c.receivedAt, spreadsheetText(c.category), String(c.principle), spreadsheetText(c.channel),
      spreadsheetText(c.status), c.resolvedAt ?? "", Self.hours(c.hoursToResolve), Self.sla(c.slaHours),
      spreadsheetText(c.outcome ?? ""), spreadsheetText(c.duplicateOf ?? ""), spreadsheetText(c.actionTaken ?? ""),
      spreadsheetText(c.url), spreadsheetText(c.domain), spreadsheetText(c.platformID),
      spreadsheetText(c.description ?? ""),
    ]
  }

  /// `overdue`: `overdue_at_end` (open and past its deadline at the quarter's end) or `resolved_late`, as the Referrals sheet marks them.
  static let referralsHeader = [
    "complaint_id", "principle", "category", "received_at", "status", "resolved_at", "hours_to_resolve", "overdue",
    "days_overdue", "sla_hours", "outcome", "action_taken",
  ]

  static func overdue(_ c: ReportData.ComplaintRow) -> String {
    c.isOverdue ? "overdue_at_end" : c.isResolvedLate ? "resolved_late" : ""
  }

  func referralFields(_ c: ReportData.ComplaintRow) -> [String] {
    [
      spreadsheetText(c.complaintID), String(c.principle), spreadsheetText(c.category), c.receivedAt,
      spreadsheetText(c.status), c.resolvedAt ?? "", Self.hours(c.hoursToResolve), Self.overdue(c),
      c.daysOverdue.map(String.init) ?? "", Self.sla(c.slaHours), spreadsheetText(c.outcome ?? ""),
      spreadsheetText(c.actionTaken ?? ""),
    ]
  }

  /// `listed_as`: `open_at_end`, `open_overdue` or `resolved_late`, as the Backlog sheet lists them.
  static let backlogHeader = [
    "complaint_id", "listed_as", "principle", "category", "channel", "received_at", "days_overdue",
    "hours_to_resolve", "sla_hours", "status", "outcome",
  ]

  func backlogFields(_ c: ReportData.ComplaintRow) -> [String] {
    let listed = c.hoursOpenAtEnd == nil ? "resolved_late" : c.isOverdue ? "open_overdue" : "open_at_end"
    return [
      spreadsheetText(c.complaintID), listed, String(c.principle), spreadsheetText(c.category),
      spreadsheetText(c.channel), c.receivedAt, c.daysOverdue.map(String.init) ?? "", Self.hours(c.hoursToResolve),
      Self.sla(c.slaHours), spreadsheetText(c.status), spreadsheetText(c.outcome ?? ""),
    ]
  }

  static let lateActionsHeader = [
    "principle", "url", "first_seen", "first_restricted", "hours_to_action", "opens_before", "detected_by",
  ]

  static func lateActionFields(_ a: ReportData.LateActionRow) -> [String] {
    [
      String(a.principle), spreadsheetText(a.url), a.firstSeen, a.firstRestricted, MetricValue.decimal(a.hoursToAction),
      String(a.opensBefore), spreadsheetText(a.detectedBy),
    ]
  }

  /// The Rating evidence sheet's five tables in one file, a row per table
  /// row: `table` names the table (`indicator`, `unregistered_domain`,
  /// `complaint`, `restriction`, `exposure`); a column a table does not have is empty.
  static let ratingEvidenceHeader = [
    "table", "platform_id", "indicator", "count", "per_10000_events", "interval95_low", "interval95_high",
    "adjusted", "points_lost", "beyond_every_graded", "rank", "domain", "events", "upheld", "restrictions",
    "opens_under_decisions", "complaint_id", "event_id", "principle", "category", "at", "action_taken",
  ]

  static func ratingEvidenceRows(_ ratings: QuarterRatings) -> [[String]] {
    let columns = Dictionary(uniqueKeysWithValues: ratingEvidenceHeader.enumerated().map { ($1, $0) })
    func row(_ table: String, _ fields: [String: String]) -> [String] {
      var out = Array(repeating: "", count: ratingEvidenceHeader.count)
      out[0] = table
      for (k, v) in fields { out[columns[k]!] = v }
      return out
    }
    let model = ratings.model
    var rows: [[String]] = []
    for r in ratings.all {
      for i in RatingIndicator.allCases {
        let interval = r.interval(i, perEvents: model.perEvents)
        rows.append(
          row(
            "indicator",
            [
              "platform_id": spreadsheetText(r.platformID), "indicator": i.letter,
              "count": String(r.counts.indicatorCounts[i.rawValue]),
              "per_10000_events": r.observed[i.rawValue].map(MetricValue.decimal) ?? "",
              "interval95_low": interval.map { MetricValue.decimal($0.low) } ?? "",
              "interval95_high": interval.map { MetricValue.decimal($0.high) } ?? "",
              "adjusted": r.adjusted.map { MetricValue.decimal($0[i.rawValue]) } ?? "",
              "points_lost": r.isRated ? MetricValue.decimal(r.deductions[i.rawValue]) : "",
              "beyond_every_graded": r.flags.contains(i) ? "yes" : "",
            ]))
      }
    }
    for (k, d) in ratings.evidence.unregisteredDomains.enumerated() {
      rows.append(
        row(
          "unregistered_domain",
          [
            "rank": String(k + 1), "domain": spreadsheetText(d.domain), "events": String(d.events),
            "upheld": String(d.upheld), "restrictions": String(d.restrictions),
            "opens_under_decisions": String(d.exposed),
          ]))
    }
    for c in ratings.evidence.complaints {
      rows.append(
        row(
          "complaint",
          [
            "platform_id": spreadsheetText(c.platformID), "complaint_id": spreadsheetText(c.complaintID),
            "principle": String(c.principle), "category": spreadsheetText(c.category), "at": c.receivedAt,
            "action_taken": spreadsheetText(c.actionTaken ?? ""), "domain": spreadsheetText(c.domain),
          ]))
    }
    for x in ratings.evidence.restrictions {
      rows.append(
        row(
          "restriction",
          [
            "platform_id": spreadsheetText(x.platformID), "events": String(x.events),
            "principle": String(x.principle), "category": spreadsheetText(x.category),
          ]))
    }
    for e in ratings.evidence.exposures {
      rows.append(
        row(
          "exposure",
          [
            "platform_id": spreadsheetText(e.platformID), "event_id": spreadsheetText(e.eventID),
            "principle": String(e.principle), "at": e.occurredAt, "domain": spreadsheetText(e.domain),
          ]))
    }
    return rows
  }
}
