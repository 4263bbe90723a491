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
      when it was imported. The keys and the filings: the pseudonym key import uses (--key-file, \
      else beside the database) present, mode 0600 and the database's; a key a killed run left under its temporary \
      name (KEY.new-PID) beside either key, the database or in the current folder, named, whatever key it was for \
      (the filings record a key's fingerprint, not where it was made: --signing-key KEY looks in KEY's folder too); the signing key against the packages filed; every package and filing archive in \
      --reports (default reports/) against the version it names, as filed: its manifest's \
      bytes, every file, nothing added, and its signature, checked with the public key the \
      filings keep with its version (a version filed signed whose key is not known is a \
      problem) (before the first filing too); every copy in sight under a name of its own whose manifest is a \
      filed version's (a folder or a zip: every file, nothing added, its signature; a zip inside a zip \
      too; a tar named as not checked file by file); every \
      filed version, superseded ones included, found there or named, and one a report left \
      staged under a dot-name named with what to do. Any other package in sight of a report \
      that names a version the filings do not hold is a problem (report refuses to file that \
      version): in a reports folder (or one holding this database's filed packages) any name, \
      hidden ones and one folder down, archives told by their content (an archive inside one \
      read too); in the database's folder and the current one, only the names report gives \
      (2021-Q4…, linkaudit-…), a working folder holding other databases' packages in folders of \
      their own; at most 4096 entries a folder. A folder past that bound, or an archive not \
      read through, is warned of: report files no new version while it is so.
      """)
  @OptionGroup var database: DatabaseOptions
  @Option(help: "The inbox folder to compare imported files against, e.g. data/inbox.") var inbox: String?
  @Option(help: "The folder of report packages to compare the filings against (default reports).")
  var reports: String?
  @OptionGroup var signing: SigningKeyOptions
  @OptionGroup var pseudonymKey: PseudonymKeyOptions

  func run() throws {
    let db = try database.openForReading(currentSchema: false)
    var findings = try Doctor.examine(db, inbox: inbox)
    findings.append(try Doctor.pseudonymKey(db, keyFile: pseudonymKey.path(database: database)))
    findings += Doctor.strayKeys(
      signingKey: signing.path(database: database).path, pseudonymKey: pseudonymKey.path(database: database),
      database: database.path)
    // A killed doctor's or verify's scratch (an inner zip written aside) is removed, as verify does (red-team M8).
    PackageFolder.removeStaleScratch()
    // The folder packages are looked for in: the one named, else report's default place.
    // Trailing `/` and `/.` dropped: `reports/` or `reports/.` would be read through the link it may be (red-team M6, Q8).
    let place =
      reports.map { path in
        var path = path
        while path.count > 1, path.hasSuffix("/") || (path.hasSuffix("/.") && path.count > 2) {
          path.removeLast(path.hasSuffix("/") ? 1 : 2)
        }
        return path
      } ?? DefaultPlace.reports
    // `--reports reports` (in the folder report runs in) names the default place itself: its rules hold (red-team L11).
    let isDefaultPlace =
      URL(fileURLWithPath: place).standardizedFileURL.path
      == URL(fileURLWithPath: DefaultPlace.reports).standardizedFileURL.path
    if (try? db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'filing'").integer) == 1 {
      findings += try db.transaction(.deferred) {
        try FilingChecks(
          db: db, reports: place, reportsNamed: reports != nil, isDefaultPlace: isDefaultPlace,
          signingKey: signing.path(database: database)
        ).findings()
      }
    }
    // A link on report's default place: report refuses to write through it, so doctor names it (red-team J3).
    // A folder named with --reports is the user's own path, written with --out, through a link too (red-team L11).
    if isDefaultPlace {
      findings += DefaultPlace.links(in: place).map { Doctor.Finding(.problem, "packages", $0) }
      // reports/ a file or a pipe: every report without --out is refused, so said here too (red-team L9e).
      if let what = PackageFolder.notAFolder(place) {
        findings.append(
          Doctor.Finding(
            .problem, "packages",
            "\(TableSink.flat(place)) is \(what), not a folder: a report without --out writes the quarter's folder in \(TableSink.flat(place))/ and is refused; move \(TableSink.flat(place)) away, or name --out"
          ))
      }
    } else if let what = PackageFolder.notAFolder(place) {
      // A folder named with --reports that is none: no package looked for there, said rather than passed as healthy.
      findings.append(
        Doctor.Finding(
          .problem, "packages",
          "\(TableSink.flat(place)) (named with --reports) is \(what), not a folder: no package is looked for in it; name the folder of report packages"
        ))
    }
    for f in findings {
      print("\(f.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(f.check): \(f.detail)")
    }
    let problems = findings.filter { $0.severity == .problem }.count
    let warnings = findings.filter { $0.severity == .warning }.count
    print(problems == 0 && warnings == 0 ? "healthy" : "\(problems) problem(s), \(warnings) warning(s)")
    if problems > 0 { throw ExitCode(1) }
  }
}

/// The filings against what is on disk: the signing key that would sign a
/// re-issue against the key the filed packages name, and every package and
/// archive in the reports folder against the version it names, as filed
/// (FiledPackage: the manifest's bytes, every file, no file added, the signature).
struct FilingChecks {
  let db: Database
  let reports: String
  let reportsNamed: Bool
  /// The folder is report's default place (reports/ where doctor runs), whose link rules (J3) hold; any
  /// other folder named with --reports is the user's own, written with --out, through a link too (red-team L11).
  let isDefaultPlace: Bool
  let signingKey: (path: String, named: Bool)

  func findings() throws -> [Doctor.Finding] {
    let filings = try Filing.all(in: db)
    var findings: [Doctor.Finding] = []
    let key = SigningKey.publicKey(at: signingKey.path)
    let keyPath = TableSink.flat(signingKey.path)
    var latestByQuarter: [String: Filing] = [:]
    for f in filings where (latestByQuarter[f.quarter]?.version ?? 0) < f.version { latestByQuarter[f.quarter] = f }
    let packages = try self.packages(key: key)
    // Before any filing, what is in the reports folder is checked all the same (red-team C9): a
    // package or archive there names a version the filings do not hold.
    guard !filings.isEmpty || !packages.isEmpty else {
      // Nothing filed, nothing in the reports folder: another database's package in sight is still a claim (red-team L6).
      let seen = try sightFindings(listed: [], key: key)
      return seen.isEmpty ? [Doctor.Finding(.ok, "filings", "no report filed yet")] : seen
    }
    // The signing key: one line, whatever is wrong with it (red-team B14).
    // Against the key a re-issue would follow: a superseded version kept signed by a key since
    // replaced is no reason to warn, its signature being checked with the key the ledger keeps (red-team D9).
    let current = packages.filter { p in
      guard let m = p.manifest, let v = m.filing?.version, let latest = latestByQuarter[m.quarter] else { return true }
      return v >= latest.version
    }
    let signers = Set(current.compactMap { $0.manifest?.signingKey?.publicKeySHA256 })
      .union(latestByQuarter.values.compactMap { $0.signedBy.flatMap { $0.isEmpty ? nil : $0 } })
    let signedBy = signers.map { "\($0.prefix(16))…" }.sorted().joined(separator: ", ")
    switch key {
    case .success(let key):
      let others = signers.subtracting([key.fingerprint])
      findings.append(
        others.isEmpty
          ? Doctor.Finding(
            .ok, "signing key",
            "\(keyPath): \(key.fingerprint.prefix(16))…, the signer of the filings and the packages on disk"
          )
          : Doctor.Finding(
            .warning, "signing key",
            "\(keyPath) (\(key.fingerprint.prefix(16))…) is not the key that signed the filings or the packages on disk (\(others.map { "\($0.prefix(16))…" }.sorted().joined(separator: ", "))): a re-issue would be signed by another key"
          ))
    case .failure(let error):
      findings.append(
        Doctor.Finding(
          .problem, "signing key",
          TableSink.flat(error.localizedDescription)
            + (signers.isEmpty ? "" : "; the filings or the packages on disk are signed by \(signedBy)")))
    case nil where !signers.isEmpty:
      findings.append(
        Doctor.Finding(
          .warning, "signing key",
          "no signing key at \(keyPath), but the filings or the packages on disk are signed (\(signedBy)): a re-issue would be unsigned, and a version's signature is checked only with the public key the filings keep with it; name the key with --signing-key or $LINKAUDIT_SIGNING_KEY"
        ))
    case nil: break
    }
    // Versions filed signed before the ledger kept public keys (schema v17), by a key not at hand:
    // their signatures can be checked only with that key's public half, given to verify (red-team D9).
    let atHand = (try? key?.get())?.fingerprint
    let keyless = filings.filter {
      guard let signer = $0.signedBy, !signer.isEmpty else { return false }
      return $0.signerPublicKey == nil && signer != atHand
    }
    if !keyless.isEmpty {
      let versions = keyless.map { "\(TableSink.flat($0.quarter)) version \($0.version)" }.joined(separator: ", ")
      let keys = Set(keyless.compactMap { $0.signedBy.map { "\($0.prefix(16))…" } }).sorted().joined(separator: ", ")
      findings.append(
        Doctor.Finding(
          .warning, "filings",
          "\(versions): filed signed by the key \(keys) before the filings kept public keys, and that key is not at hand: their packages' signatures are checked only with its public key (linkaudit verify PACKAGE --public-key FILE); keep that public key with the filings' records"
        ))
    }
    // Every package and archive on disk against the ledger.
    var held = Set<String>()
    // The versions a package on disk names but does not hold as filed: there, altered, not gone (red-team E12).
    var altered = Set<String>()
    // Those altered in more than a file gone (their manifest, a file, the signature): report refuses to
    // replace them, and says how to get the filed bytes back (red-team F8, G8).
    var manifestAltered: [String: String] = [:]
    var unchecked = 0
    for p in packages {
      let shown = TableSink.flat(p.path)
      if let why = p.notAnArchive {
        findings.append(
          Doctor.Finding(
            .problem, "packages",
            "\(shown): named as a filing's archive, but not an archive (\(TableSink.flat(why))): no claim to any version, and report takes it for none; put the archive handed over back, or remove it"
          ))
        continue
      }
      guard let manifest = p.manifest else {
        findings.append(
          Doctor.Finding(
            .problem, "packages",
            "\(shown): \(p.problems.count) problem(s): \(p.problems.map(TableSink.flat).joined(separator: "; "))"))
        continue
      }
      guard let version = manifest.filing?.version else {
        findings.append(Doctor.Finding(.warning, "packages", "\(shown): no filed version in its manifest"))
        continue
      }
      let named = "\(TableSink.flat(manifest.quarter)) version \(version)"
      if !p.problems.isEmpty {
        altered.insert("\(manifest.quarter) \(version)")
        if p.problems.contains(where: { !ReportPackage.isOnlyLacking($0) }) {
          manifestAltered["\(manifest.quarter) \(version)"] = p.path
        }
        // What a report of that version into this folder does with it, as report says (red-team G8).
        let next =
          p.isArchive || latestByQuarter[manifest.quarter]?.version != version
          ? ""
          // Report writes through no link it was not given: said below, not promised here (red-team J3, L9b).
          : isDefaultPlace && (DefaultPlace.isLink(reports) || DefaultPlace.isLink(p.path))
            ? "; \(DefaultPlace.isLink(p.path) ? "the folder" : TableSink.flat(reports)) is a link, which report without --out does not write through (named below)"
            : p.problems.allSatisfy(ReportPackage.isOnlyLacking)
              ? "; a report into \(shown) writes the missing files again"
              : "; a report into \(shown) refuses to write the filed bytes over it: \(TableSink.flat(FiledPackage.alteredAdvice(p.path)))"
        findings.append(
          Doctor.Finding(
            .problem, "packages",
            "\(shown): \(named) is not as filed, \(p.problems.count) difference(s): \(p.problems.map(TableSink.flat).joined(separator: "; ")) (linkaudit verify \(shown) says more)\(next)"
          ))
        continue
      }
      // Filed signed, the files as filed, the signature not checkable here: not a pass (red-team D9).
      if let why = p.unchecked {
        unchecked += 1
        findings.append(
          Doctor.Finding(
            .problem, "packages",
            "\(shown): \(named): every file as filed, but its signature is not verified: \(TableSink.flat(why))"))
      }
      // A superseded version is kept in its own `-vN` folder or archive; in the quarter's folder it is not the latest.
      if let latest = latestByQuarter[manifest.quarter], latest.version > version, !p.isVersioned(version) {
        findings.append(
          Doctor.Finding(
            .warning, "packages", "\(shown): \(named), superseded by version \(latest.version)"))
      }
      // A `-vN` folder holds version N: one holding another version has a name that lies (red-team E7).
      if !p.isArchive, let range = p.path.range(of: #"-v[0-9]+$"#, options: .regularExpression),
        let k = Int(p.path[range].dropFirst(2)), k != version
      {
        findings.append(
          Doctor.Finding(.warning, "packages", "\(shown): named for version \(k), but holds \(named)"))
      }
      // Packed under another folder's name: as filed, but not the bytes report --archive writes (red-team H11).
      if p.isArchive, let packed = p.notes.first(where: { $0.hasPrefix("packed as ") }) {
        findings.append(
          Doctor.Finding(
            .warning, "packages",
            "\(shown): \(named), every file as filed, \(TableSink.flat(packed)); report --archive never writes over it (an archive handed over is never replaced) and refuses while it is there: keep it elsewhere if it is the copy handed over"
          ))
      }
      // A key beside the quarter's folder blocks its next report, as report says: named here (red-team I7).
      if !p.isArchive, latestByQuarter[manifest.quarter]?.version == version {
        let known = PackageFolder.KnownKeys(
          pseudonymKeyFingerprint: try? db.scalar(
            "SELECT value FROM setting WHERE name = 'pseudonym_key_fingerprint'"
          ).text)
        do {
          try PackageFolder.checkNoKeyBeside(
            p.path, database: db.path, protecting: ProtectedFiles(database: db.path), known: known)
        } catch let error as OutputPathError {
          findings.append(
            Doctor.Finding(
              .problem, "packages",
              "\(shown): \(named); the next report into it is refused: \(TableSink.flat(error.message))"))
        }
      }
      held.insert("\(manifest.quarter) \(version)")
    }
    findings += try sightFindings(listed: Set(packages.map { FileIdentity($0.path).canonical }), key: key)
    // A filed version a killed report left staged under a dot-name: kept, and named with what to do (red-team C9).
    var stagedOnly = false
    for staged in stagedFiled(filings) where !held.contains("\(staged.filing.quarter) \(staged.filing.version)") {
      stagedOnly = true
      held.insert("\(staged.filing.quarter) \(staged.filing.version)")
      findings.append(
        Doctor.Finding(
          .warning, "packages",
          "\(TableSink.flat(staged.path)): \(TableSink.flat(staged.filing.quarter)) version \(staged.filing.version), as filed, left staged by an earlier report: \(TableSink.flat(staged.command)) puts it in place (or move it to \(TableSink.flat(staged.belongs)))"
        ))
    }
    // A filed version's archive a report killed before putting it in place left under its staging name (red-team E12).
    for staged in try stagedArchives(key: key) {
      stagedOnly = true
      findings.append(Doctor.Finding(.warning, "packages", staged))
    }
    // A hidden name shaped as a staging name but no run's (a dated copy): report leaves it, and says so here too (red-team F7).
    for name in ((try? FileManager.default.contentsOfDirectory(atPath: reports)) ?? []).sorted()
    where PackageFolder.stagingLookalike(name) != nil {
      let path = (reports as NSString).appendingPathComponent(name)
      findings.append(Doctor.Finding(.warning, "packages", "\(TableSink.flat(path)): \(PackageFolder.lookalikeNote)"))
    }
    // The empty `-vN` folder a report killed while keeping a version leaves: the next report reuses it (red-team D4).
    for name in ((try? FileManager.default.contentsOfDirectory(atPath: reports)) ?? []).sorted()
    where !name.hasPrefix(".") && name.range(of: #"-v[0-9]+$"#, options: .regularExpression) != nil {
      let path = (reports as NSString).appendingPathComponent(name)
      guard PackageFolder.isEmptyFolder(path) else { continue }
      findings.append(
        Doctor.Finding(
          .warning, "packages",
          "\(TableSink.flat(path)): an empty folder, the claim of a report killed while keeping a version there: the next report reuses it (or remove it)"
        ))
    }
    // Every filed version, superseded ones too, has its package on disk (red-team C9: report deletes none).
    let superseded = filings.filter {
      (latestByQuarter[$0.quarter]?.version ?? 0) > $0.version && !held.contains("\($0.quarter) \($0.version)")
    }
    for f in superseded where FileManager.default.fileExists(atPath: reports) || reportsNamed {
      if altered.contains("\(f.quarter) \(f.version)") {
        findings.append(
          Doctor.Finding(
            .warning, "filings",
            "no package or archive in \(TableSink.flat(reports))/ holds \(TableSink.flat(f.quarter)) version \(f.version) (superseded by version \(latestByQuarter[f.quarter]?.version ?? 0)) as filed: the one there is altered (named above); the filed bytes are in its archive or the copy handed over"
          ))
        continue
      }
      findings.append(
        Doctor.Finding(
          .warning, "filings",
          "no package or archive in \(TableSink.flat(reports))/ holds \(TableSink.flat(f.quarter)) version \(f.version) (superseded by version \(latestByQuarter[f.quarter]?.version ?? 0)) as filed: a filed version handed over, kept by report in its -v\(f.version) folder, is gone"
        ))
    }
    // Every quarter's latest version has its package on disk.
    let gone = latestByQuarter.values.filter { !held.contains("\($0.quarter) \($0.version)") }
      .sorted { $0.quarter < $1.quarter }
    // The quarter's folder report would write it into, refused there (its manifest.json gone): said, not promised (red-team H10).
    let refused = Dictionary(
      uniqueKeysWithValues: gone.compactMap { f in refusedFolder(for: f).map { ("\(f.quarter) \(f.version)", $0) } })
    let missingFilings = gone.filter {
      manifestAltered["\($0.quarter) \($0.version)"] == nil && refused["\($0.quarter) \($0.version)"] == nil
    }
    let missing = missingFilings.map { "\($0.quarter) version \($0.version)" }
    // With --reports, the folder is the user's, written with --out: the command that writes each there (red-team L11).
    let rewrite = missingFilings.map { f in
      "linkaudit report --quarter \(TableSink.flat(f.quarter))"
        + (f.timeZone == PackageArchive.defaultZone ? "" : " --tz \(TableSink.flat(f.timeZone))")
        + " --out \(TableSink.flat((reports as NSString).appendingPathComponent(f.quarter + PackageArchive.zoneSuffix(f.timeZone))))"
    }
    for f in gone where manifestAltered["\(f.quarter) \(f.version)"] == nil {
      guard let why = refused["\(f.quarter) \(f.version)"] else { continue }
      findings.append(
        Doctor.Finding(
          .warning, "filings",
          "no package or archive in \(TableSink.flat(reports))/ holds \(TableSink.flat(f.quarter)) version \(f.version) as filed: \(why)"
        ))
    }
    // The latest version's copy there altered in its manifest: report refuses to replace it, so
    // "report writes it again" alone would be advice that is refused (red-team F8).
    for f in gone {
      guard let path = manifestAltered["\(f.quarter) \(f.version)"] else { continue }
      findings.append(
        Doctor.Finding(
          .warning, "filings",
          "no package or archive in \(TableSink.flat(reports))/ holds \(TableSink.flat(f.quarter)) version \(f.version) as filed: the one there is altered (named above): \(TableSink.flat(FiledPackage.alteredAdvice(path)))"
        ))
    }
    // With no filing, the packages there are named above, each as a version the filings do not hold.
    if filings.isEmpty { return findings }
    if gone.isEmpty && superseded.isEmpty && !stagedOnly {
      findings.append(
        Doctor.Finding(
          .ok, "filings",
          "every quarter's filed version is in \(TableSink.flat(reports))/, as filed: its manifest, every file and nothing added"
            + (unchecked > 0
              ? " (\(unchecked) signature(s) not verified: see above)" : ", signature included")))
    } else if !missing.isEmpty, FileManager.default.fileExists(atPath: reports) || reportsNamed {
      findings.append(
        Doctor.Finding(
          .warning, "filings",
          "no package or archive in \(TableSink.flat(reports))/ holds \(missing.joined(separator: ", ")) as filed (\(!isDefaultPlace ? rewrite.joined(separator: "; ") : "linkaudit report") writes it again only while its bytes are the same)"
        ))
    }
    return findings
  }

  /// Every other package in sight of a report that claims a version the
  /// filings lack, the copies of filed versions, and what was not looked at:
  /// said whether or not anything is filed yet, as report refuses either way
  /// (red-team L6). `listed`: the reports folder's own packages, checked apart.
  func sightFindings(listed: Set<String>, key: Result<PackagePublicKey, Error>?) throws -> [Doctor.Finding] {
    var findings: [Doctor.Finding] = []
    // Every other package in sight of a report (the database's folder, the current one, a subfolder,
    // a hidden name, an archive under any name) that claims a version the ledger lacks: the
    // question report asks before it files one (red-team F1).
    let databaseFolder = (FileIdentity(db.path).canonical as NSString).deletingLastPathComponent
    // The copies of filed versions under names of their own, checked file by file as filed (red-team H6).
    var copies: [PackageFolder.InSight] = []
    let places = [reports, (databaseFolder as NSString).appendingPathComponent("reports"), databaseFolder, "."]
    let inSight = try FiledPackage.claims(
      in: places, database: db,
      held: { if !listed.contains(FileIdentity($0.path).canonical) { copies.append($0) } })
    findings += try copyFindings(copies, key: key, places: places)
    for claim in inSight.claims where !listed.contains(FileIdentity(claim.path).canonical) {
      let version = claim.manifest.filing?.version ?? 0
      findings.append(
        Doctor.Finding(
          .problem, "packages",
          "\(TableSink.flat(claim.path)): \(claim.isArchive ? "an archive of " : "")\(TableSink.flat(claim.manifest.quarter)) version \(version): \(TableSink.flat(claim.why))\(claim.isStaged ? " (left staged by a report of another database)" : ""): report refuses to file that version from this database (a second, different one); report from the database that filed it"
        ))
    }
    for folder in inSight.cut {
      findings.append(
        Doctor.Finding(
          .warning, "packages",
          "\(TableSink.flat(folder)): more than \(PackageFolder.sightLimit) entries with its subfolders: only the first \(PackageFolder.sightLimit) were looked at for packages: report files no new version while it is so (move what is not a package out)"
        ))
    }
    // An archive not read through (a bound): what it holds past it is unseen, by report too (red-team G3, G4).
    // One that holds a copy of a filed version doctor checked: what is not read may be another, which unpacking
    // writes out over it, so doctor cannot vouch for that copy (red-team M4, as L1).
    let checkedCopies = Set(copies.filter(\.isArchive).map { FileIdentity($0.path).canonical })
    for archive in inSight.unread {
      let besideCopy = checkedCopies.contains(FileIdentity(archive.path).canonical)
      findings.append(
        Doctor.Finding(
          besideCopy ? .problem : .warning, "packages",
          "\(TableSink.flat(archive.path)): \(besideCopy ? "holds a copy of a filed version, and is " : "")not read through for a package (\(TableSink.flat(archive.why))): report files no new version, of any quarter, while it is in sight (what is not read may hold a package under any name): if it is your own archive (or link) and holds no linkaudit package, move it out of that folder; if it may hold one, unpack it and run linkaudit verify on it"
        ))
    }
    return findings
  }

  /// The filed packages a killed report left under a staging name
  /// (`.2021-Q4.writing-PID-TOKEN`, `.2021-Q4.previous-PID-TOKEN`): their manifest is a
  /// filing's bytes and every file matches it. With where the version belongs,
  /// the folder named by stripping the known suffix (red-team D6: `.2021-Q4.final.writing-…`
  /// is `2021-Q4.final`'s), and the report command that puts it there. One a run still at work holds is not named.
  func stagedFiled(_ filings: [Filing]) -> [(path: String, filing: Filing, belongs: String, command: String)] {
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: reports)) ?? []).sorted()
    var found: [(path: String, filing: Filing, belongs: String, command: String)] = []
    for name in names where name.hasPrefix(".") {
      let path = (reports as NSString).appendingPathComponent(name)
      guard let folder = PackageFolder.stagedFor(name)?.folder, !PackageFolder.isInUse(path),
        case .success(let bytes) = PackageFolder.manifestBytes(in: path),
        let manifest = try? JSONDecoder().decode(Manifest.self, from: bytes), let version = manifest.filing?.version,
        let filing = filings.first(where: { $0.quarter == manifest.quarter && $0.version == version }),
        filing.manifestSHA256 == ReportPackage.sha256(bytes),
        (try? ReportPackage.checkWritten(directory: path))?.isEmpty == true
      else { continue }
      let latest = filings.filter { $0.quarter == manifest.quarter }.map(\.version).max() ?? version
      let belongs = (reports as NSString).appendingPathComponent(folder + (latest > version ? "-v\(version)" : ""))
      // The run that places it is the one of its folder: `--out` when that is not the quarter's default, `--tz` for another zone.
      let folderPath = (reports as NSString).appendingPathComponent(folder)
      let zone = manifest.timeZone
      var command = "linkaudit report --quarter \(manifest.quarter)"
      if zone != PackageArchive.defaultZone { command += " --tz \(zone)" }
      if folderPath != "reports/\(manifest.quarter)\(PackageArchive.zoneSuffix(zone))" {
        command += " --out \(folderPath)"
      }
      found.append((path, filing, belongs, command))
    }
    return found
  }

  /// The archives of filed versions a killed report left staged
  /// (`.linkaudit-2021-Q4-v2.zip.writing-PID-TOKEN`), as filed: a line each
  /// saying where it belongs. One a run still at work holds is not named.
  func stagedArchives(key: Result<PackagePublicKey, Error>?) throws -> [String] {
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: reports)) ?? []).sorted()
    var lines: [String] = []
    for name in names where name.hasPrefix(".") {
      let path = (reports as NSString).appendingPathComponent(name)
      guard let staged = PackageFolder.stagedFor(name), staged.kind == .writing,
        FiledPackage.isArchiveName(staged.folder), PackageFolder.notARegularFile(path) == nil,
        !PackageFolder.isInUse(path)
      else { continue }
      let found = try archive(path, key: key, named: staged.folder)
      // Not as filed (another's, or damaged): the next report with --archive removes it.
      guard let m = found.manifest, let version = m.filing?.version, found.problems.isEmpty else { continue }
      let belongs = (reports as NSString).appendingPathComponent(staged.folder)
      let there = PackageFolder.exists(belongs)
      lines.append(
        "\(TableSink.flat(path)): the archive of \(TableSink.flat(m.quarter)) version \(version), as filed, left staged by an earlier report killed before putting it in place: "
          + (there
            ? "\(TableSink.flat(belongs)) is there already (see its own line); remove the staged copy"
            : "move it to \(TableSink.flat(belongs))"))
    }
    return lines
  }

  /// A package in the reports folder (a folder, or an archive unpacked
  /// aside) and how it stands against the filing it names.
  struct OnDisk {
    var path: String
    var isArchive: Bool
    var manifest: Manifest?
    var problems: [String]
    var notes: [String]
    /// Why the signature of its version, filed signed, could not be checked.
    var unchecked: String? = nil
    /// Named as a filing's archive, but why it is none.
    var notAnArchive: String? = nil
    /// The bytes an archive unpacked to (the copies' shared bound: red-team H6).
    var unpacked: UInt64 = 0
    /// Not unpacked through: the copies before it spent that bound (red-team I9).
    var spent = false

    /// Named for version `version` (`2021-Q4-v1`, `linkaudit-2021-Q4-v1.zip`): where a superseded version is kept.
    func isVersioned(_ version: Int) -> Bool {
      // A folder's name is taken whole: `2021-Q4.final-v1` has no extension to strip (red-team D6).
      isArchive || (path as NSString).lastPathComponent.hasSuffix("-v\(version)")
    }
  }

  /// Every package in the reports folder: each folder holding a manifest
  /// (the quarter's, and `-vN` ones beside it) and each archive named as a
  /// filing's (`linkaudit-2021-Q4-v1.zip`), read as verify reads it. Dot
  /// entries are a report's staging, not packages.
  func packages(key: Result<PackagePublicKey, Error>?) throws -> [OnDisk] {
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: reports)) ?? []).sorted()
    var found: [OnDisk] = []
    for name in names where !name.hasPrefix(".") {
      let path = (reports as NSString).appendingPathComponent(name)
      if FiledPackage.isArchiveName(name) {
        // A name alone is no archive (an empty file, junk, a pipe: never read): named as what it is (red-team F10).
        if case .notAnArchive(let why) = PackageFolder.archiveContent(path) {
          found.append(OnDisk(path: path, isArchive: true, manifest: nil, problems: [], notes: [], notAnArchive: why))
          continue
        }
        found.append(try archive(path, key: key))
        continue
      }
      var isFolder: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue,
        PackageFolder.exists((path as NSString).appendingPathComponent(ReportPackage.manifestName))
      else { continue }
      let s = try FiledPackage.standing(
        of: path, database: db, key: key, keyPath: signingKey.path, shown: path)
      found.append(
        OnDisk(
          path: path, isArchive: false, manifest: s.manifest, problems: s.problems, notes: s.notes,
          unchecked: s.unchecked))
    }
    return found
  }

  /// An archive unpacked aside (bounded as verify unpacks one) and checked as its folder.
  /// `nameChecked` false: a copy under a name of its own (red-team H6), whose name claims nothing.
  func archive(
    _ path: String, key: Result<PackagePublicKey, Error>?, named: String? = nil, nameChecked: Bool = true,
    budget: UInt64 = PackageArchive.largestTotal, under: String? = nil
  ) throws -> OnDisk {
    // Named as verify's scratch is, so a killed doctor's copy is removed by the next verify (red-team B17).
    let scratch = PackageFolder.scratchFolder(.unpack)
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let folder: String
    let unpacked: [String]
    let unread: Set<String>
    let packed: [String]
    do {
      (folder, unpacked, unread, packed) = try PackageArchive.unpack(
        path, into: scratch, budget: budget, under: under)
    } catch is PackageArchive.CopiesBoundSpent {
      return OnDisk(path: path, isArchive: true, manifest: nil, problems: [], notes: [], unpacked: budget, spent: true)
    } catch {
      return OnDisk(
        path: path, isArchive: true, manifest: nil, problems: [TableSink.flat(error.localizedDescription)], notes: [])
    }
    let s = try FiledPackage.standing(of: folder, database: db, key: key, keyPath: signingKey.path, shown: path)
    // A file the archive could not give is named there once, not again as missing (as verify does).
    var problems = unpacked + s.problems.filter { p in !unread.contains { p == "\($0): missing" } }
    // The archive's name says which version it is: it must be the one inside.
    if nameChecked, let m = s.manifest, let q = Quarter(m.quarter), let v = m.filing?.version,
      PackageArchive.name(quarter: q, zone: m.timeZone, version: v) != named ?? (path as NSString).lastPathComponent
    {
      problems.append(
        "the archive's name is not the one its manifest gives (\(PackageArchive.name(quarter: q, zone: m.timeZone, version: v)))"
      )
    }
    let size = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).reduce(UInt64(0)) {
      $0
        + ((try? FileManager.default.attributesOfItem(atPath: (folder as NSString).appendingPathComponent($1)))?[.size]
          as? UInt64 ?? 0)
    }
    return OnDisk(
      path: path, isArchive: true, manifest: s.manifest, problems: problems, notes: packed + s.notes,
      unchecked: s.unchecked, unpacked: size)
  }
}
