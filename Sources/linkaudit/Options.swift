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

  func open(_ mode: Database.Mode = .readWrite) throws -> Database {
    if mode == .readOnly, !FileManager.default.fileExists(atPath: path) {
      throw ValidationError("no database at \(path): import data first (linkaudit import …) or pass --db")
    }
    return try Database(path: path, mode: mode)
  }
}

/// Until a capability lands, its command explains itself and fails honestly.
struct NotYetAvailable: Error, CustomStringConvertible {
  let command: String
  var description: String { "linkaudit \(command) is not available in this build yet" }
}

/// Options of the commands that compute figures.
struct ReportOptions: ParsableArguments {
  @Option(help: "Time zone quarters are cut in (IANA name).") var tz = "Asia/Shanghai"
  @Option(help: "Folder of Markdown templates (en/, zh/).") var templates = "templates"

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
