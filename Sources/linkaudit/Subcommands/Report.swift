import ArgumentParser
import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditDemo
import LinkAuditImport
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore

struct Report: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write the report package for a quarter.",
    discussion: """
      Writes reports/YYYY-Qn/: the regulator's workbook in Chinese and English, Markdown per \
      principle from templates/, metrics.csv and manifest.json (tool version, quarter, time \
      zone, the batches and policy versions the figures rest on, and the SHA-256 of every \
      file). All figures are read from one snapshot of the database, and running it twice on \
      the same database writes byte-identical files. Each report is recorded as a filed \
      version of the quarter (linkaudit filings): other figures than the last version's make \
      the next version, which needs --reason and holds its corrections (corrections.LANG.md, \
      a Corrections sheet).
      """)
  @OptionGroup var database: DatabaseOptions
  @OptionGroup var report: ReportOptions
  @Option(help: "Quarter as YYYY-Qn, or 'latest' (the latest quarter with link events).") var quarter = "latest"
  @Option(help: "Output folder (default reports/YYYY-Qn).") var out: String?
  @Option(help: "Languages, comma-separated: zh, en.") var lang = "zh,en"
  @OptionGroup var signing: SigningKeyOptions
  @Option(
    help: ArgumentHelp(
      "Why this quarter is issued again with other figures.",
      discussion:
        "Every report of a quarter is recorded (linkaudit filings). One whose figures differ from the version last filed is the next version, and needs a reason; one whose figures are the same is that version again, byte for byte."
    ))
  var reason: String?
  @Flag(
    help: ArgumentHelp(
      "Also write the package as one file, linkaudit-YYYY-Qn-vN.zip, beside its folder.",
      discussion: "Every file of the package and its signature, reproducible byte for byte: the file to hand over."))
  var archive = false

  func run() throws {
    let languages = try reportLanguages(lang)
    let zone = try report.timeZone()
    let (keyPath, named) = signing.path(database: database)
    let signingKey: SigningKey?
    if FileManager.default.fileExists(atPath: keyPath) {
      signingKey = try SigningKey(path: keyPath)
    } else if named {
      throw ValidationError(
        "no signing key at \(keyPath): make one with linkaudit keys new, or leave --signing-key out")
    } else {
      signingKey = nil
    }
    let db = try database.openForWriting()
    let model = try report.model()
    // One snapshot for every figure, so a report runs beside an import; only
    // a new version writes (its row in the ledger), at the end. When something
    // was written meanwhile, the report is made again under the write lock
    // (waiting for an import to end), from the data then, once.
    func issue(_ kind: Database.TransactionKind) throws -> [String] {
      try db.transaction(kind) { () -> [String] in
        let q = try report.quarter(quarter, in: db, path: database.path)
        let directory = out ?? "reports/\(q)"
        var package = ReportPackage(
          quarter: q, timeZone: zone, languages: languages, templates: try report.templateFolder(), ratingModel: model,
          signingKey: signingKey)
        package.filing = .issue(reason: reason, at: Timestamp.now)
        var protected = database.protectedFiles
        protected.add(try report.templateFolder(), as: "the template folder")
        if let model = report.ratingModel { protected.add(model, as: "the rating model") }
        protected.add(keyPath, as: "the signing key")
        var written = try package.write(database: db, to: directory, protecting: protected)
        if archive, let filed = try Manifest.read(from: directory).filing {
          let name = PackageArchive.name(quarter: q, version: filed.version)
          let path = (parentPath((directory as NSString).standardizingPath) as NSString).appendingPathComponent(name)
          try protected.checkOutputFile(path, option: "--archive")
          try PackageArchive.write(
            directory: directory, to: path, folder: (name as NSString).deletingPathExtension,
            issuedAt: TimestampParser.utc.parse(filed.issuedAt) ?? Timestamp(milliseconds: 0), in: zone)
          written.append(path)
        }
        return written
      }
    }
    let written: [String]
    do {
      written = try issue(.deferred)
    } catch is FilingConflict {
      written = try issue(.immediate)
    }
    for path in written { print(path) }
  }
}
