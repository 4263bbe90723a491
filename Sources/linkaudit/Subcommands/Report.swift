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
      Writes reports/YYYY-Qn/ (reports/YYYY-Qn-ZONE/ for another zone than Asia/Shanghai): \
      the regulator's workbook in Chinese and English, Markdown per principle from \
      templates/, metrics.csv and manifest.json (tool version, quarter, time zone, the \
      batches and policy versions the figures rest on, and the SHA-256 of every file). All \
      figures are read from one snapshot of the database, and running it twice on the same \
      database writes byte-identical files. Each report is recorded as a filed version of the \
      quarter (linkaudit filings), and a version is one set of bytes: a report that writes the \
      last version's bytes again is that version; anything else (other figures, or the same \
      figures after an import, with another signer, zone, templates or model) is the next \
      version, which needs --reason and holds its corrections (corrections.LANG.md, a \
      Corrections sheet). A quarter with no event and no complaint needs --allow-empty. It \
      says on stderr what it did (the version, the signer, the package read back), and \
      --dry-run shows the version and the corrections without writing (and refuses what \
      the report would refuse). A folder holding anything the package does not list (a key, \
      notes) is never replaced; one holding another filed version N of the quarter is first \
      moved to FOLDER-vN (reports/2021-Q4-v1), so the folder holds the latest version and no \
      filed version is deleted.
      """)
  @OptionGroup var database: DatabaseOptions
  @OptionGroup var report: ReportOptions
  @Option(help: "Quarter as YYYY-Qn, or 'latest' (the latest quarter with link events).") var quarter = "latest"
  @Option(help: "Output folder (default reports/YYYY-Qn).") var out: String?
  @Option(help: "Languages, comma-separated: zh, en.") var lang = "zh,en"
  @OptionGroup var signing: SigningKeyOptions
  @Option(
    help: ArgumentHelp(
      "Why this quarter is issued again as a new version.",
      discussion:
        "Every report of a quarter is recorded (linkaudit filings), one line of versions a quarter, whatever the zone. A report that writes the last version's bytes again is that version; anything else (other figures, or the same figures with a batch imported since, another signer, zone, templates or model) is the next version, and needs a reason. Text without control or bidirectional formatting characters, at most 2000 characters; personal numbers (mobile and ID numbers, in any script's digits and grouping) are masked. Letters are read as letters: a number spelt with them (l38l2345678, 138o12345678) is filed as written. Brackets around a group are read as a space ((138)12345678 is masked); 3+8 joined by . / or · (138.12345678) is read as a decimal or a fraction and filed as written."
    ))
  var reason: String?
  @Option(
    help: ArgumentHelp(
      "The filer's details for the Cover (default: filer.yaml beside the database, when there is one).",
      discussion:
        "YAML: entity, entity_en (optional), credit_code (the unified social credit code, checked by its check character), responsible_person, contact (names: a mobile or ID number there is refused), phone, email (optional; a mobile there is the declared contact, an ID number is refused), reporter_pseudonyms (true to file each complaint's reporter pseudonym; false by default). The manifest records them. Without one, the Cover says the filer is not given.",
      valueName: "file"))
  var filer: String?
  @Flag(help: "File a quarter that holds no link event and no complaint (refused otherwise: a mistyped year).")
  var allowEmpty = false
  @Flag(help: "Show the version this report would be and what it corrects; write and record nothing.")
  var dryRun = false
  @Flag(
    help: ArgumentHelp(
      "Also write the package as one file, linkaudit-YYYY-Qn-vN.zip (-ZONE- before -vN for another zone than Asia/Shanghai), beside its folder.",
      discussion:
        "Every file of the package and its signature, reproducible byte for byte: the file to hand over. An archive already there is never replaced."
    ))
  var archive = false

  func run() throws {
    let languages = try reportLanguages(lang)
    let zone = try report.timeZone()
    if let reason, let why = FilingReason.breach(reason) { throw ValidationError(why) }
    let filedReason = reason.map(FilingReason.filed)
    if let reason, let filedReason, filedReason != reason {
      note("--reason: personal numbers masked as filed: \(filedReason)")
    }
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
    let choice: ReportRun.QuarterChoice = try ReportOptions.namedQuarter(quarter).map { .named($0) } ?? .latest
    let filerPath =
      filer ?? (parentPath(database.path) as NSString).appendingPathComponent(Filer.defaultName)
    let filerDetails: Filer? =
      filer != nil || FileManager.default.fileExists(atPath: filerPath) ? try Filer.load(path: filerPath) : nil
    if filerDetails == nil {
      note("no \(Filer.defaultName) beside the database: the Cover says the filer is not given (--filer FILE)")
    }
    var run = ReportRun(
      databasePath: database.path, quarter: choice, out: out, languages: languages, timeZone: zone,
      zoneName: report.tz, templates: try report.templateFolder(), ratingModel: try report.model(),
      ratingModelPath: report.ratingModel, signingKey: signingKey, signingKeyPath: keyPath, filer: filerDetails,
      filerPath: filerDetails == nil ? nil : filerPath, reason: filedReason, protected: database.protectedFiles)
    (run.allowEmpty, run.dryRun, run.archive) = (allowEmpty, dryRun, archive)
    let outcome: ReportRun.Outcome
    do {
      outcome = try run.run(note: note)
    } catch let error as ReportRunError {
      throw ValidationError(error.message)
    }
    let (q, issued, directory, paths) = (outcome.quarter, outcome.issued, outcome.directory, outcome.paths)
    if dryRun {
      print(escapingControls(run.dryRunText(q, outcome.folder, issued), keepingLineBreaks: true))
      return
    }
    for path in paths { print(path) }
    note(run.versionText(q, issued))
    if let signingKey {
      note("signed by the key \(signingKey.publicKey.fingerprint.prefix(16))… (\(keyPath))")
    } else {
      note(
        "unsigned: no signing key at \(keyPath); make one with linkaudit keys new before a quarter's first report (signing a filed version later is a new version, with --reason)"
      )
    }
    let problems = outcome.readBack
    guard problems.isEmpty else {
      for p in problems { note("written package: \(p)") }
      throw FileError(file: directory, message: "the package written does not read back as written")
    }
    note("verified: every file in \(directory) matches its manifest\(signingKey == nil ? "" : " and its signature")")
  }

  /// One line on stderr; a folder or reason's control characters shown, never sent to the terminal.
  func note(_ text: String) { FileHandle.standardError.write(Data("report: \(escapingControls(text))\n".utf8)) }
}
