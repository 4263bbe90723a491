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
        "Every report of a quarter is recorded (linkaudit filings), one line of versions a quarter, whatever the zone. A report that writes the last version's bytes again is that version; anything else (other figures, or the same figures with a batch imported since, another signer, zone, templates or model) is the next version, and needs a reason. Text without control or bidirectional formatting characters, at most 2000 characters; personal numbers are masked."
    ))
  var reason: String?
  @Option(
    help: ArgumentHelp(
      "The filer's details for the Cover (default: filer.yaml beside the database, when there is one).",
      discussion:
        "YAML: entity, entity_en (optional), credit_code (the unified social credit code, checked by its check character), responsible_person, contact, phone, email (optional), reporter_pseudonyms (true to file each complaint's reporter pseudonym; false by default). The manifest records them. Without one, the Cover says the filer is not given.",
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
    // A dry run writes nothing, not even a new database for a mistyped --db
    // (red-team B7): it reads the store read-only. A real run opens it
    // without switching its journal mode: nothing changes until a version
    // is filed (red-team C7). Neither makes a database of a missing or empty file.
    _ = try ReportOptions.namedQuarter(quarter)
    let filerPath =
      filer ?? (parentPath(database.path) as NSString).appendingPathComponent(Filer.defaultName)
    let filerDetails: Filer? =
      filer != nil || FileManager.default.fileExists(atPath: filerPath) ? try Filer.load(path: filerPath) : nil
    if filerDetails == nil {
      note("no \(Filer.defaultName) beside the database: the Cover says the filer is not given (--filer FILE)")
    }
    let db = dryRun ? try database.openForReading() : try Database.storeForReport(at: database.path)
    let model = try report.model()
    // One snapshot for every figure, so a report runs beside an import; only
    // a new version writes (its row in the ledger), at the end. When something
    // was written meanwhile, the report is made again under the write lock
    // (waiting for an import to end), from the data then, once.
    // A staged archive is never left behind by a run that fails before putting it in place.
    var stagedArchive: String?
    defer {
      if let stagedArchive {
        try? FileManager.default.removeItem(atPath: PackageFolder.sibling(of: stagedArchive, .writing))
        PackageFolder.releaseStaging(PackageFolder.sibling(of: stagedArchive, .writing))
      }
    }
    func issue(_ kind: Database.TransactionKind) throws -> (Quarter, String, ReportPackage.Issued) {
      try db.transaction(kind) { () -> (Quarter, String, ReportPackage.Issued) in
        // The store's upkeep (migration, reference tables, stale rollups) is
        // part of the filing: a refused report rolls it back (red-team C7, as P5).
        if !dryRun {
          try db.bringUpToDate()
          // The key at hand is the one that signed the versions whose recorded signer it is (red-team D9).
          if let signingKey { try Filing.recordSigner(signingKey.publicKey, in: db) }
        }
        let q = try report.quarter(quarter, in: db, path: database.path)
        // One name for the folder, `.` and `..` resolved, before anything is derived from it (red-team C8).
        let directory = ReportPackage.folderName(out ?? "reports/\(q)\(PackageArchive.zoneSuffix(report.tz))")
        var package = ReportPackage(
          quarter: q, timeZone: zone, languages: languages, templates: try report.templateFolder(), ratingModel: model,
          signingKey: signingKey, zoneName: report.tz)
        package.filer = filerDetails
        package.filing = .issue(reason: filedReason, at: Timestamp.now, allowEmpty: allowEmpty, dryRun: dryRun)
        var protected = database.protectedFiles
        protected.add(try report.templateFolder(), as: "the template folder")
        if let model = report.ratingModel { protected.add(model, as: "the rating model") }
        protected.add(keyPath, as: "the signing key")
        if filerDetails != nil { protected.add(filerPath, as: "the filer's details") }
        // The archive is written from the package before it replaces the
        // folder: an archive name taken by other bytes refuses the report
        // with the filed folder untouched (red-team B1).
        var archivePath: String?
        stagedArchive = nil
        var issued = try package.issue(
          database: db, to: directory, protecting: protected, installing: false, noting: { note($0) }
        ) {
          staging, _ in
          // A dry run checks the archive's name as the real run does (red-team B15), and writes none.
          guard archive, let filed = try Manifest.read(from: staging).filing else { return }
          let name = PackageArchive.name(quarter: q, zone: report.tz, version: filed.version)
          let path = (parentPath((directory as NSString).standardizingPath) as NSString).appendingPathComponent(name)
          try protected.checkOutputFile(path, option: "--archive")
          // Written under its hidden name now, put in place once the ledger holds its version (red-team C1).
          let new = try PackageArchive.write(
            directory: staging, to: path, folder: (name as NSString).deletingPathExtension,
            issuedAt: TimestampParser.utc.parse(filed.issuedAt) ?? Timestamp(milliseconds: 0), in: zone,
            checkOnly: dryRun, staging: true)
          if dryRun { return }
          if !new { note("\(path): there already, the same bytes: left as it is") }
          archivePath = path
          stagedArchive = new ? path : nil
        }
        if let archivePath { issued.paths.append(archivePath) }
        return (q, directory, issued)
      }
    }
    let (q, folder, issued): (Quarter, String, ReportPackage.Issued)
    do {
      (q, folder, issued) = try issue(.deferred)
    } catch is FilingConflict {
      (q, folder, issued) = try issue(.immediate)
    } catch let error as SQLiteError where error.code & 0xFF == 5 {  // SQLITE_BUSY
      // The upkeep found the store written since this transaction read it: again under the write lock.
      (q, folder, issued) = try issue(.immediate)
    }
    // A new version has committed: from now on the store runs in WAL, as an import leaves it. A run
    // that recorded nothing (the filed bytes again) leaves the store as it was (red-team D10).
    if !dryRun, issued.version?.isNew == true { try db.useWAL() }
    if dryRun {
      print(escapingControls(dryRunText(q, folder, issued), keepingLineBreaks: true))
      return
    }
    for line in issued.notes { note(line) }
    // The ledger has committed the version: now the package takes its
    // folder, the decision taken again under the write lock (red-team B16).
    var directory = folder
    var paths = issued.paths
    // What was written is read back under the folder's lock, before another
    // run may move it aside (red-team C10): every file against the manifest, the signature against the key.
    var readBack: [String] = []
    let installed = try ReportPackage.install(
      issued, quarter: q, at: folder, database: db,
      readingBack: {
        written in
        readBack =
          try signingKey.map { try ReportPackage.verifySigned(directory: written, publicKey: $0.publicKey) }
          ?? ReportPackage.checkWritten(directory: written)
      })
    // The ledger holds the version and its folder is in place: its archive takes its name now (red-team C1).
    if let path = stagedArchive {
      if try !PackageArchive.putInPlace(path) { note("\(path): there already, the same bytes: left as it is") }
    }
    switch installed {
    case .inPlace(let kept?):
      note(
        kept.alreadyThere
          ? "\(folder) held the filed version \(kept.version), kept as filed in \(kept.path) already: the same bytes there"
          : kept.differences.isEmpty
            ? "\(folder) held the filed version \(kept.version): kept as filed in \(kept.path)"
            : "\(folder) held version \(kept.version), altered since it was filed (\(kept.differences.count) difference(s): \(kept.differences.joined(separator: "; "))): kept as found in \(kept.path), not as filed; the filed bytes are in its archive or the copy handed over"
      )
    case .inPlace(nil):
      break
    case .keptAside(let path, let latest):
      note(
        "version \(issued.version?.version ?? 0) is superseded by version \(latest), filed meanwhile: kept as filed in \(path); \(folder) is left to version \(latest)"
      )
      // The package's files are where it was kept; the archive stays beside them.
      let inFolder = (folder as NSString).standardizingPath
      paths = paths.map { p in
        ((p as NSString).deletingLastPathComponent as NSString).standardizingPath == inFolder
          ? (path as NSString).appendingPathComponent((p as NSString).lastPathComponent) : p
      }
      directory = path
    }
    for path in paths { print(path) }
    note(versionText(q, issued))
    if let signingKey {
      note("signed by the key \(signingKey.publicKey.fingerprint.prefix(16))… (\(keyPath))")
    } else {
      note(
        "unsigned: no signing key at \(keyPath); make one with linkaudit keys new before a quarter's first report (signing a filed version later is a new version, with --reason)"
      )
    }
    let problems = readBack
    guard problems.isEmpty else {
      for p in problems { note("written package: \(p)") }
      throw FileError(file: directory, message: "the package written does not read back as written")
    }
    note("verified: every file in \(directory) matches its manifest\(signingKey == nil ? "" : " and its signature")")
  }

  /// What the report is: new, the filed version written again, or a correction, with its reason.
  func versionText(_ q: Quarter, _ issued: ReportPackage.Issued) -> String {
    let head = "\(q) (\(report.tz))"
    guard let v = issued.version else { return "\(head): no filed version" }
    guard v.isNew else {
      return "\(head): the filed version \(v.version) (issued \(v.issuedAt)), the same bytes written again"
    }
    var text = "\(head): version \(v.version), new, issued \(v.issuedAt)"
    if let c = issued.corrections {
      text += ", correcting version \(c.previous.version): \(c.figures.count) figure(s) changed"
      if !issued.moved.isEmpty { text += "; provenance moved (\(issued.moved.joined(separator: "; ")))" }
    }
    if let reason = v.reason { text += "; reason: \(displayable(reason))" }
    return text
  }

  /// A dry run: the version, what it would correct, and whether it needs --reason.
  func dryRunText(_ q: Quarter, _ folder: String, _ issued: ReportPackage.Issued) -> String {
    var lines = ["dry run: nothing written, nothing recorded"]
    let head = "\(q) (\(report.tz))"
    if let kept = issued.keeping {
      lines.append(
        kept.differences.isEmpty
          ? "\(folder) holds the filed version \(kept.version): it would be kept as filed in \(kept.path)"
            + (kept.alreadyThere ? " (there already, the same bytes)" : "")
          : "\(folder) holds version \(kept.version), altered since it was filed (\(kept.differences.count) difference(s): \(kept.differences.joined(separator: "; "))): it would be kept as found in \(kept.path), not as filed"
      )
    }
    if let v = issued.version, !v.isNew {
      lines.append("\(head): would be the filed version \(v.version) (issued \(v.issuedAt)), the same bytes again")
      return lines.joined(separator: "\n")
    }
    guard let v = issued.version else { return lines.joined(separator: "\n") }
    lines.append(
      "\(head): would be version \(v.version), new"
        + (issued.needsReason
          ? ": needs --reason \"…\" saying why" : v.reason.map { "; reason: \(displayable($0))" } ?? ""))
    if let c = issued.corrections {
      lines.append("corrects version \(c.previous.version) (issued \(c.previous.issuedAt)):")
      if !issued.moved.isEmpty {
        lines.append("  figures unchanged; provenance moved: \(issued.moved.joined(separator: "; "))")
      }
      for f in c.figures {
        lines.append("  \(f.figure): \(f.before ?? "(absent)") → \(f.after ?? "(absent)")")
      }
      for b in c.batchesSince {
        lines.append("  batch #\(b.batchID) imported since: \(b.kind) \(displayable(b.fileName))")
      }
    }
    return lines.joined(separator: "\n")
  }

  /// One line on stderr; a folder or reason's control characters shown, never sent to the terminal.
  func note(_ text: String) { FileHandle.standardError.write(Data("report: \(escapingControls(text))\n".utf8)) }
}
