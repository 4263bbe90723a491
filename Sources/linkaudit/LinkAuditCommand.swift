import ArgumentParser
import LinkAudit

@main
struct LinkAuditCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "linkaudit",
    abstract: "Audit external-link management and write the quarterly regulator report.",
    discussion: """
      Imports link logs, complaints, policy versions and the platform registry into one \
      SQLite file, then reports a quarter under the four principles of the External Link \
      Content Management Standards. Every command takes --db (default linkaudit.db or \
      $LINKAUDIT_DB).
      """,
    version: LinkAuditVersion.current,
    subcommands: [
      Import.self, Report.self, Query.self, Ratings.self, Demo.self, Verify.self, Schema.self, DoctorCommand.self,
    ]
  )
}
