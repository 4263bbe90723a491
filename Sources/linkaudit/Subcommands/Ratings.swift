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
    abstract: "Print the platform credit ratings (外链平台信用分级) for a quarter.",
    discussion: """
      Each platform of the registry in force, and 'other' for domains in none: its events, the \
      four indicators per 10,000 events (v upheld complaints of principles 1-3, s of principles \
      1-2, r restricted events of principles 1-3, x opens under a standing decision), the score, \
      the grade and the change from the previous quarter, sorted by score. Platforms under the \
      model's min_events are listed as NR with the reason. The model is a YAML file \
      (templates/rating-model.yaml, or --rating-model).
      """)
  @OptionGroup var database: DatabaseOptions
  @OptionGroup var report: ReportOptions
  @Option(help: "Quarter as YYYY-Qn, or 'latest'.") var quarter = "latest"
  @Option(help: "table, csv or json.") var format = "table"

  func run() throws {
    let model = try report.model()
    let db = try database.openForReading()
    let ratings = try db.transaction(.deferred) {
      try QuarterRatings(
        database: db, quarter: try report.quarter(quarter, in: db, path: database.path),
        timeZone: try report.timeZone(),
        model: model)
    }
    let output = TextOutput()
    let sink: RowSink
    switch format.lowercased() {
    case "table": sink = TableSink(output)
    case "csv": sink = CSVSink(output, forSpreadsheets: true)  // for people: BOM, no formulas
    case "json": sink = JSONSink(output)
    default: throw ValidationError("unknown format \"\(format)\": use table, csv or json")
    }
    if format.lowercased() == "table" {
      try output.write(
        "\(ratings.quarter) · model \(model.name) (SHA-256 \(model.sha256.prefix(12))…)\n\(model.formula)\n\n")
    }
    try ratings.write(to: sink)
  }
}
