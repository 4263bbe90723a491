import ArgumentParser
import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditDemo
import LinkAuditImport
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore

struct DoctorCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "doctor",
    abstract: "Check the database: integrity, schema version, orphan rows, rollups, changed inbox files.",
    discussion: """
      Read-only. Prints one line per check (ok, warning or problem) and exits 1 when any \
      problem is found. The rollups reports read (monthly counts, users by quarter, opens \
      under a decision, current complaint states) are derived afresh from the events and \
      complaints and compared, table by table: one pass over the events. With --inbox, every \
      imported file still in the inbox is re-hashed and compared with the SHA-256 recorded \
      when it was imported.
      """)
  @OptionGroup var database: DatabaseOptions
  @Option(help: "The inbox folder to compare imported files against, e.g. data/inbox.") var inbox: String?

  func run() throws {
    let db = try database.openForReading(currentSchema: false)
    let findings = try Doctor.examine(db, inbox: inbox)
    for f in findings {
      print("\(f.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(f.check): \(f.detail)")
    }
    let problems = findings.filter { $0.severity == .problem }.count
    let warnings = findings.filter { $0.severity == .warning }.count
    print(problems == 0 && warnings == 0 ? "healthy" : "\(problems) problem(s), \(warnings) warning(s)")
    if problems > 0 { throw ExitCode(1) }
  }
}
