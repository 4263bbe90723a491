import ArgumentParser
import Foundation
import LinkAudit

/// Options every subcommand shares.
struct DatabaseOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp("SQLite database file.", discussion: "Defaults to $LINKAUDIT_DB, else linkaudit.db."))
  var db: String?

  var path: String { db ?? ProcessInfo.processInfo.environment["LINKAUDIT_DB"] ?? "linkaudit.db" }

  /// The pseudonym key lives beside its database, wherever the command is run from.
  var defaultKeyFile: String {
    ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(".linkaudit.key")
  }

  /// The database, its journal files and its keys: never an output path.
  var protectedFiles: ProtectedFiles { Database.protectedFiles(of: path, keyFile: defaultKeyFile) }

  /// For the commands that write (import, report): creates or migrates the store.
  func openForWriting() throws -> Database { try Database.store(at: path) }

  /// For the commands that only read: an existing store, read-only, never
  /// changed. `currentSchema: false` takes an older schema as it is (doctor).
  func openForReading(currentSchema: Bool = true) throws -> Database {
    try Database.reading(at: path, currentSchema: currentSchema)
  }
}

/// Options of the commands that compute figures.
struct ReportOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Time zone quarters are cut in (IANA name).",
      discussion:
        "The counts the figures are read from are kept in the rollup time zone (Asia/Shanghai); another zone derives its own first, in one pass over the events."
    ))
  var tz = "Asia/Shanghai"
  @Option(help: "Folder of Markdown templates (en/, zh/).") var templates = "templates"
  @Option(help: "Platform rating model (YAML); default: rating-model.yaml in the template folder.")
  var ratingModel: String?

  func model() throws -> RatingModel {
    try RatingModel.load(
      path: ratingModel ?? (try templateFolder() as NSString).appendingPathComponent("rating-model.yaml"))
  }

  /// The quarter named by `text` (YYYY-Qn or latest) in `db`.
  func quarter(_ text: String, in db: Database, path: String) throws -> Quarter {
    if text.lowercased() == "latest" {
      guard let latest = try ReportPackage.latestQuarter(in: db, timeZone: try timeZone()) else {
        throw ValidationError("no link events in \(path): import data first, or name a quarter with --quarter")
      }
      return latest
    }
    guard let q = Quarter(text) else {
      throw ValidationError("quarter \"\(text)\" is not YYYY-Qn (for example 2021-Q4) or latest")
    }
    return q
  }

  func timeZone() throws -> TimeZone {
    guard let zone = TimeZone(identifier: tz) else {
      throw ValidationError("unknown time zone \"\(tz)\": use an IANA name such as Asia/Shanghai")
    }
    return zone
  }

  func templateFolder() throws -> String {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: templates, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw ValidationError("no template folder at \(templates): run from the project folder or pass --templates")
    }
    return templates
  }
}
