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
    abstract: "Check a report package against its manifest and the database, or against its signature.",
    discussion: """
      Re-computes the SHA-256 of every file against manifest.json, then re-computes every \
      figure and file from the database and the templates, and lists each difference (a \
      tampered file, a changed row, a new batch) by file or metric. With --public-key it \
      needs no database, as a regulator holding the issuer's public key runs it: the \
      signature (manifest.sig) of manifest.json, every file's SHA-256, and no file added. \
      Exits 0 when the package stands, 1 otherwise.
      """)
  @OptionGroup var database: DatabaseOptions
  @OptionGroup var report: ReportOptions
  @Argument(help: "The report folder, e.g. reports/2021-Q4.") var directory: String
  @Option(
    help: ArgumentHelp(
      "The issuer's public key (PEM): check the package without the database.",
      discussion:
        "Checks manifest.sig against manifest.json and the key, every file's SHA-256 against the manifest, and that no file was added; the database is not opened."
    ))
  var publicKey: String?

  func run() throws {
    if let publicKey {
      let key = try PackagePublicKey(path: publicKey)
      try conclude(try ReportPackage.verifySigned(directory: directory, publicKey: key)) {
        "\(directory): verified, signed by the key \(key.fingerprint.prefix(16))… and every file matches the manifest"
      }
      return
    }
    let db = try database.openForReading()
    let problems = try db.transaction(.deferred) {
      try ReportPackage.verify(
        directory: directory, database: db, templates: try report.templateFolder(), ratingModel: try report.model())
    }
    try conclude(problems) { "\(directory): verified, every file and figure matches the manifest and the database" }
  }

  /// Prints `verified` when there is no problem, else each problem, and exits 1.
  private func conclude(_ problems: [String], verified: () -> String) throws {
    if problems.isEmpty {
      print(verified())
      return
    }
    for p in problems { FileHandle.standardError.write(Data("verify: \(p)\n".utf8)) }
    FileHandle.standardError.write(Data("verify: \(directory): \(problems.count) difference(s) found\n".utf8))
    throw ExitCode(1)
  }
}
