import ArgumentParser
import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditQuery

struct Filings: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List every version of every quarter's report that was issued.",
    discussion: """
      One line per version: quarter, time zone, version, when it was issued (UTC), the data \
      fingerprint and the SHA-256 of its manifest.json, and the reason given for a re-issue. \
      Reads only.
      """)
  @OptionGroup var database: DatabaseOptions

  func run() throws {
    let db = try database.openForReading()
    let filings = try db.transaction(.deferred) { try Filing.all(in: db) }
    if filings.isEmpty {
      print("no report issued yet: linkaudit report records each one")
      return
    }
    print("quarter\ttime_zone\tversion\tissued_at\tdata_fingerprint\tmanifest_sha256\treason")
    for f in filings {
      let fields = [
        f.quarter, f.timeZone, String(f.version), f.issuedAt, f.dataFingerprint, f.manifestSHA256, f.reason ?? "",
      ]
      // One line a version, whatever the reason holds: tabs and line breaks as
      // spaces, other control characters escaped (as query's table does), so
      // a reason filed before the text rules cannot drive the terminal.
      print(fields.map(TableSink.flat).joined(separator: "\t"))
    }
  }
}
