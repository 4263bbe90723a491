import Foundation
import LinkAuditCore
import LinkAuditStore

/// One `linkaudit report`, its options typed: the issuing logic (the
/// version, the folder, the archive, the read-back), out of the command line
/// so that another front end (a year's report, a browser) files the same way.
public struct ReportRun {
  /// The quarter asked for: named, or the latest with link events.
  public enum QuarterChoice: Sendable {
    case latest
    case named(Quarter)

    /// The quarter in `db`: the one named, or the latest with link events in
    /// `timeZone` (`ratings` and `report` ask the same question).
    public func resolve(in db: Database, timeZone: TimeZone, databasePath: String) throws -> Quarter {
      switch self {
      case .named(let q): return q
      case .latest:
        guard let latest = try ReportPackage.latestQuarter(in: db, timeZone: timeZone) else {
          throw ReportRunError.noLinkEvents(databasePath)
        }
        return latest
      }
    }
  }

  public var databasePath: String
  public var quarter: QuarterChoice
  /// The package folder; nil for `reports/YYYY-Qn` (and the zone's suffix).
  public var out: String?
  public var languages: [ReportLanguage]
  public var timeZone: TimeZone
  /// The zone as the user named it (`UTC`, which Foundation calls `GMT`).
  public var zoneName: String
  public var templates: String
  public var ratingModel: RatingModel
  /// The model's file when named (`--rating-model`): protected as an input.
  public var ratingModelPath: String?
  public var signingKey: SigningKey?
  public var signingKeyPath: String
  public var filer: Filer?
  public var filerPath: String?
  /// The reason as filed (personal numbers masked).
  public var reason: String?
  public var allowEmpty = false
  public var dryRun = false
  public var archive = false
  /// The database's own files (the store, its journals, the pseudonym key): never written over.
  public var protected: ProtectedFiles
  /// Runs after the claim check, before the version is committed (a test's seam: red-team F2).
  package var beforeFiling: (() -> Void)? = nil

  public init(
    databasePath: String, quarter: QuarterChoice, out: String?, languages: [ReportLanguage], timeZone: TimeZone,
    zoneName: String, templates: String, ratingModel: RatingModel, ratingModelPath: String?,
    signingKey: SigningKey?, signingKeyPath: String, filer: Filer?, filerPath: String?, reason: String?,
    protected: ProtectedFiles
  ) {
    self.databasePath = databasePath
    self.quarter = quarter
    self.out = out
    self.languages = languages
    self.timeZone = timeZone
    self.zoneName = zoneName
    self.templates = templates
    self.ratingModel = ratingModel
    self.ratingModelPath = ratingModelPath
    self.signingKey = signingKey
    self.signingKeyPath = signingKeyPath
    self.filer = filer
    self.filerPath = filerPath
    self.reason = reason
    self.protected = protected
  }

  /// What a run did: the quarter, the folder asked for and the one the
  /// package is in, the version, the files written (stdout's lines) and
  /// what reading it back found wrong.
  public struct Outcome {
    public var quarter: Quarter
    public var folder: String
    public var directory: String
    public var issued: ReportPackage.Issued
    public var paths: [String]
    public var readBack: [String]
  }

  /// Files the quarter, or with `dryRun` says what it would file; `note`
  /// hears each line meant for stderr, in order.
  public func run(note: @escaping (String) -> Void) throws -> Outcome {
    // A dry run writes nothing, not even a new database for a mistyped --db
    // (red-team B7): it reads the store read-only. A real run opens it
    // without switching its journal mode: nothing changes until a version
    // is filed (red-team C7). Neither makes a database of a missing or empty file.
    let db = dryRun ? try Database.reading(at: databasePath) : try Database.storeForReport(at: databasePath)
    // One snapshot for every figure, so a report runs beside an import; only
    // a new version writes (its row in the ledger), at the end. When something
    // was written meanwhile, the report is made again under the write lock
    // (waiting for an import to end), from the data then, once.
    // A staged archive is never left behind by a run that fails before putting it in place.
    // Held from before the claim check until the version is in place (red-team F2), given up last.
    let reportsLock = PackageFolder.ReportsLock()
    defer { reportsLock.release() }
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
        let q = try quarter(in: db)
        // One name for the folder, `.` and `..` resolved, before anything is derived from it (red-team C8).
        let place = (DefaultPlace.reports as NSString).appendingPathComponent(
          "\(q)\(PackageArchive.zoneSuffix(zoneName))")
        // No --out: report writes through no link on its default place, before anything is written (red-team J3).
        if out == nil { try DefaultPlace.checkNoLink(folder: place) }
        let directory = ReportPackage.folderName(out ?? place)
        var package = ReportPackage(
          quarter: q, timeZone: timeZone, languages: languages, templates: templates, ratingModel: ratingModel,
          signingKey: signingKey, zoneName: zoneName)
        package.filer = filer
        package.filing = .issue(reason: reason, at: Timestamp.now, allowEmpty: allowEmpty, dryRun: dryRun)
        var protected = self.protected
        protected.add(templates, as: "the template folder")
        if let ratingModelPath { protected.add(ratingModelPath, as: "the rating model") }
        protected.add(signingKeyPath, as: "the signing key")
        if let filerPath, filer != nil { protected.add(filerPath, as: "the filer's details") }
        // The archive is written from the package before it replaces the
        // folder: an archive name taken by other bytes refuses the report
        // with the filed folder untouched (red-team B1).
        var archivePath: String?
        stagedArchive = nil
        func issuing(beforeReplacing: @escaping (String, ReportPackage.Issued) throws -> Void) throws
          -> ReportPackage.Issued
        {
          do {
            return try package.issue(
              database: db, to: directory, protecting: protected, installing: false, noting: note,
              reportsLock: dryRun ? nil : reportsLock, beforeReplacing: beforeReplacing)
          } catch let error as OutputPathError where out == nil {
            // The user named no --out: the refusal names the place as report's own (red-team K7).
            throw DefaultPlace.unnamed(error, place: directory)
          }
        }
        var issued = try issuing {
          staging, _ in
          defer { beforeFiling?() }
          // A dry run checks the archive's name as the real run does (red-team B15), and writes none.
          guard archive, let filed = try Manifest.read(from: staging).filing else { return }
          let name = PackageArchive.name(quarter: q, zone: zoneName, version: filed.version)
          let path = (parentPath((directory as NSString).standardizingPath) as NSString).appendingPathComponent(name)
          try protected.checkOutputFile(path, option: "--archive")
          if out == nil { try DefaultPlace.checkNoLink(kept: path) }
          // Written under its hidden name now, put in place once the ledger holds its version (red-team C1).
          let new = try PackageArchive.write(
            directory: staging, to: path, folder: (name as NSString).deletingPathExtension,
            issuedAt: TimestampParser.utc.parse(filed.issuedAt) ?? Timestamp(milliseconds: 0), in: timeZone,
            checkOnly: dryRun, staging: true, standing: { ReportPackage.stagedStanding($0, database: db) })
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
      return Outcome(quarter: q, folder: folder, directory: folder, issued: issued, paths: [], readBack: [])
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
      // A copy that only lacked files lost nothing; said, not passed over (red-team G8).
      if !issued.lacking.isEmpty {
        note("\(folder) was not as filed (\(issued.lacking.joined(separator: "; "))): the filed bytes written again")
      }
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
    return Outcome(quarter: q, folder: folder, directory: directory, issued: issued, paths: paths, readBack: readBack)
  }

  /// The quarter asked for, in `db`: the latest with link events when not named.
  func quarter(in db: Database) throws -> Quarter {
    try quarter.resolve(in: db, timeZone: timeZone, databasePath: databasePath)
  }

  /// What the report is: new, the filed version written again, or a correction, with its reason.
  public func versionText(_ q: Quarter, _ issued: ReportPackage.Issued) -> String {
    let head = "\(q) (\(zoneName))"
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
  public func dryRunText(_ q: Quarter, _ folder: String, _ issued: ReportPackage.Issued) -> String {
    var lines = ["dry run: nothing written, nothing recorded"]
    let head = "\(q) (\(zoneName))"
    if let kept = issued.keeping {
      lines.append(
        kept.differences.isEmpty
          ? "\(folder) holds the filed version \(kept.version): it would be kept as filed in \(kept.path)"
            + (kept.alreadyThere ? " (there already, the same bytes)" : "")
          : "\(folder) holds version \(kept.version), altered since it was filed (\(kept.differences.count) difference(s): \(kept.differences.joined(separator: "; "))): it would be kept as found in \(kept.path), not as filed"
      )
    }
    if !issued.lacking.isEmpty {
      lines.append(
        "\(folder) is not as filed (\(issued.lacking.joined(separator: "; "))): the filed bytes would be written again")
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
}

/// Why a report could not start: the command line says it as a usage error.
public enum ReportRunError: Error, Equatable {
  /// `--quarter latest` of a database holding no link event.
  case noLinkEvents(String)

  public var message: String {
    switch self {
    case .noLinkEvents(let path):
      "no link events in \(path): import data first, or name a quarter with --quarter"
    }
  }
}
