import ArgumentParser
import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditDemo
import LinkAuditImport
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore

struct Verify: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Check a report package against its manifest and the database.",
    discussion: """
      Re-computes the SHA-256 of every file against manifest.json, then re-computes every \
      figure and file from the database and the templates, and lists each difference (a \
      tampered file, a changed row, a new batch) by file or metric. Exits 0 when the package \
      stands, 1 otherwise.
      """)
  @OptionGroup var database: DatabaseOptions
  @OptionGroup var report: ReportOptions
  @Argument(help: "The report folder, e.g. reports/2021-Q4.") var directory: String

  func run() throws {
    let db = try database.openForReading()
    let problems = try db.transaction(.deferred) {
      try ReportPackage.verify(
        directory: directory, database: db, templates: try report.templateFolder(), ratingModel: try report.model())
    }
    if problems.isEmpty {
      print("\(directory): verified, every file and figure matches the manifest and the database")
      return
    }
    for p in problems { FileHandle.standardError.write(Data("verify: \(p)\n".utf8)) }
    FileHandle.standardError.write(Data("verify: \(directory): \(problems.count) difference(s) found\n".utf8))
    throw ExitCode(1)
  }
}
