import ArgumentParser
import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditDemo
import LinkAuditImport
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore

struct Ratings: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print the platform credit ratings (外链平台信用分级) for a quarter, their evidence, or the notices.",
    discussion: """
      Each platform of the registry in force, counted over the model's window (window_quarters, the \
      rated quarter last): its events, the four indicators per 10,000 events (v upheld complaints of \
      principles 1-3, s of principles 1-2, r restricted events of principles 1-3, x opens under a \
      standing decision) with their counts, the rates adjusted toward all platforms' (prior_events) \
      that the score uses, the score, the grade and the change from the previous quarter, and how \
      many upheld complaints more would cost a grade (margin_down) or fewer would gain one \
      (margin_up). Platforms under the model's min_events are NR, with the indicators flagged that \
      are beyond every graded platform's; 'other' (domains in no registered platform) is shown, never \
      graded. The model is a YAML file (templates/rating-model.yaml, or --rating-model).

      --evidence lists the cases behind the indicators instead: every upheld complaint by id, the \
      restricted events by category, every event opened under a decision by id (with --platform, \
      that platform's). --notices DIR writes one notice a platform and language from \
      templates/LANG/notice.md.mustache: the letters a platform is sent, beside the report package, \
      never in it.
      """)
  @OptionGroup var database: DatabaseOptions
  @OptionGroup var report: ReportOptions
  @Option(help: "Quarter as YYYY-Qn, or 'latest'.") var quarter = "latest"
  @Option(help: "table, csv or json.") var format = "table"
  @Option(help: "Only this platform (its id in the registry, or 'other').") var platform: String?
  @Flag(help: "List the cases behind the indicators (complaint and event ids, restrictions by category).")
  var evidence = false
  @Option(
    help: ArgumentHelp(
      "Write one notice per platform and language into this folder (beside the package, not in it).",
      valueName: "dir"))
  var notices: String?
  @Option(help: "Languages of the notices: zh, en or both (zh,en).") var lang = "zh,en"

  func run() throws {
    let model = try report.model()
    let zone = try report.timeZone()
    let db = try database.openForReading()
    let ratings = try db.transaction(.deferred) {
      try QuarterRatings(
        database: db, quarter: try report.quarter(quarter, in: db, path: database.path), timeZone: zone, model: model)
    }
    if let platform, ratings.rating(of: platform) == nil {
      throw ValidationError(
        "no platform \"\(platform)\" in the registry in force: use one of \(ratings.all.map(\.platformID).sorted().joined(separator: ", "))"
      )
    }
    if let notices {
      if platform == QuarterRatings.otherID {
        throw ValidationError("--notices: the unregistered domains (other) have no platform to send a notice to")
      }
      let languages = try reportLanguages(lang)
      var protected = database.protectedFiles
      if let path = report.ratingModel { protected.add(path, as: "the rating model") }
      let writer = RatingNotices(
        ratings: platform.map { ratings.only($0) } ?? ratings, timeZone: zone, templates: try report.templateFolder(),
        languages: languages)
      for path in try writer.write(to: notices, protecting: protected) { print(path) }
      return
    }
    let output = TextOutput()
    let sink: RowSink
    switch format.lowercased() {
    case "table": sink = TableSink(output)
    case "csv": sink = CSVSink(output, forSpreadsheets: true)  // for people: BOM, no formulas
    case "json": sink = JSONSink(output)
    default: throw ValidationError("unknown format \"\(format)\": use table, csv or json")
    }
    let shown = platform.map { ratings.only($0) } ?? ratings
    if format.lowercased() == "table" {
      try output.write(
        "\(ratings.quarter) · window \(ratings.window(in: .en)) · model \(model.name) (SHA-256 \(model.sha256.prefix(12))…)\n\(model.formula)\n\n"
      )
    }
    if evidence {
      if format.lowercased() == "table" {
        for r in shown.all {
          try output.write(
            "\(r.platformID) · \(r.nameEnglish) · grade \(r.grade) (previous \(r.previousGrade))"
              + (r.score.map { String(format: " · score %.2f", $0) } ?? "")
              + " · \(shown.explanation(r, in: .en))\n")
        }
        try output.write("\n")
      }
      try shown.writeEvidence(to: sink, timeZone: zone)
    } else {
      try shown.write(to: sink)
    }
  }
}
