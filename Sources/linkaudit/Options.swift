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
