import Crypto
import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

/// The report package of one quarter: workbooks, Markdown, metrics.csv and the
/// manifest that ties them to the data they rest on.
public struct ReportPackage {
  /// The package's case register of every under-restricted event (the
  /// Got through sheets and the Markdown list the first of them).
  package static let underRestrictedRegister = "under_restricted_events.csv"

  public var quarter: Quarter
  public var timeZone: TimeZone
  public var languages: [ReportLanguage]
  /// Folder holding `en/` and `zh/` templates.
  public var templates: String
  public var ratingModel: RatingModel?
  /// Signs `manifest.json` into `manifest.sig`; its public key's fingerprint
  /// goes on the Cover and into the manifest.
  public var signingKey: SigningKey?
  /// The signer a package written again by verify names (its manifest's):
  /// on the Cover and in the manifest, without the key to sign with.
  package var namedSigner: String?
  /// The fingerprint the package names as its signer.
  package var signedBy: String? { signingKey?.publicKey.fingerprint ?? namedSigner }
  /// Who files (`filer.yaml`): the Cover names them, the manifest records them.
  public var filer: Filer?
  /// How the package gets its filed version (`report` issues one; verify
  /// writes the manifest's again).
  public var filing: FilingPolicy = .none
  /// The zone as the user named it, in the manifest, the ledger and the
  /// names (Foundation calls `UTC` `GMT`).
  public var zoneName: String

  public init(
    quarter: Quarter, timeZone: TimeZone, languages: [ReportLanguage], templates: String,
    ratingModel: RatingModel? = nil, signingKey: SigningKey? = nil, zoneName: String? = nil
  ) {
    self.quarter = quarter
    self.timeZone = timeZone
    self.zoneName = zoneName ?? timeZone.identifier
    self.languages = languages
    self.templates = templates
    self.ratingModel = ratingModel
    self.signingKey = signingKey
  }

  public static let manifestName = "manifest.json"

  /// `name` is the manifest's to a case-insensitive disk: APFS folds case
  /// (`ſ` is `s` there), NTFS upper-cases (`ı` is `I` there), so either way
  /// of comparing may make a name `manifest.json` (red-team K6, L4).
  /// Windows also drops a name's trailing dots and spaces and reads
  /// `NAME::$DATA` as NAME (red-team M2: a version 2 whose manifest was
  /// `manifest.json.` was no claim here, and a package there).
  package static func isManifestName<S: StringProtocol>(_ name: S) -> Bool {
    let stream = name.uppercased().hasSuffix("::$DATA")
    let name = PackageArchive.windowsName(stream ? name.dropLast(7) : name[...])
    return name.lowercased() == manifestName || name.uppercased() == "MANIFEST.JSON"
  }
  /// The Ed25519 signature of `manifest.json`'s bytes (64 bytes, raw).
  public static let signatureName = "manifest.sig"
  /// The folder `make render` writes the workbooks' pages into: not part of the package.
  public static let renderFolder = "render"

  /// The latest quarter with link events, nil for a database without any.
  public static func latestQuarter(in db: Database, timeZone: TimeZone) throws -> Quarter? {
    guard let text = try db.scalar("SELECT max(last_occurred_at) FROM batch WHERE kind = 'links'").text,
      let t = TimestampParser.utc.parse(text)
    else { return nil }
    return Quarter(containing: t, in: timeZone)
  }

  /// Writes the package into `directory`, replacing what was there; returns
  /// the paths written, manifest last. The files are written into a hidden
  /// sibling folder first and swapped in at the end, so a failed report leaves
  /// the previous package untouched and a package never holds stale files.
  ///
  /// Only a folder that holds a linkaudit package (its manifest) and nothing
  /// it did not write, an empty folder or none is ever replaced, and never one
  /// that holds a `protected` file.
  @discardableResult
  public func write(database db: Database, to directory: String, protecting protected: ProtectedFiles = .init())
    throws -> [String]
  {
    try issue(database: db, to: directory, protecting: protected).paths
  }

  /// What `issue` did: the paths written (manifest last, the signature after
  /// it), the version and whether it is new, the same as filed, or only shown (a dry run).
  public struct Issued {
    public var paths: [String]
    public var version: FilingVersion?
    /// What a package that is not the filed version changes (a new version of 2 or more).
    public var corrections: Corrections?
    /// Why the package is not the filed version's bytes though its figures are the same.
    public var moved: [String]
    /// A dry run that would be refused for want of `--reason`.
    public var needsReason: Bool
    public var manifestSHA256: String
    /// With `installing: false`: the written package, beside the folder it
    /// is to replace; `install(_:at:)` puts it in place.
    public var staged: String? = nil
    /// The filed version the folder holds that this package replaces, and where it is kept.
    public var keeping: KeptVersion? = nil
    /// What was done with what killed reports left beside the folder (a
    /// filed package staged, put where its version belongs), one line each.
    public var notes: [String] = []
    /// The files the folder's copy of the filed version written again lacked
    /// (`annex.en.xlsx: missing`): written again, and said (red-team G8).
    public var lacking: [String] = []
  }

  /// A filed version a package folder holds, which a report of another
  /// version keeps, as filed, in the sibling `<folder>-vN` before it takes
  /// the folder (red-team B4): the folder named for the quarter always holds
  /// the latest version, and no filed version is ever deleted.
  public struct KeptVersion: Sendable, Equatable {
    public var version: Int
    /// `reports/2021-Q4-v1`, `reports/2021-Q4-UTC-v1`.
    public var path: String
    /// `path` holds that version's bytes already: the folder's copy is not moved there.
    public var alreadyThere: Bool
    /// What the folder's copy differs by from its manifest (a file altered,
    /// missing or added): it is kept as found, and never called "as filed" (red-team D8).
    public var differences: [String] = []
  }

  /// Where version `version` of a package folder is kept once another version takes the folder.
  /// As the folder was named (`--out ./reports/2021-Q4/` gives `./reports/2021-Q4-v1`).
  public static func keptPath(of directory: String, version: Int) -> String {
    folderName(directory) + "-v\(version)"
  }

  /// The folder as named, without trailing slashes; a name with a `.` or
  /// `..` component is the folder it leads to (red-team C8: `reports/2021-Q4/.`
  /// is `reports/2021-Q4`, never a folder `.-v1` inside it). One name, from
  /// which the lock, the staging and the `-vN` names are all derived.
  public static func folderName(_ directory: String) -> String {
    var folder = Substring(directory)
    while folder.count > 1, folder.hasSuffix("/") { folder = folder.dropLast() }
    // A link named as the folder is the folder it leads to (red-team D7): the
    // package, its lock, staging and `-vN` names go beside the folder itself,
    // where a rename can reach them and doctor finds them, in the dry run too.
    var info = stat()
    let isLink = lstat(String(folder), &info) == 0 && info.st_mode & S_IFMT == S_IFLNK
    if isLink { return FileIdentity(String(folder)).canonical }
    guard folder.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) else { return String(folder) }
    let canonical = FileIdentity(String(folder)).canonical
    let last = (canonical as NSString).lastPathComponent
    return last == "." || last == ".." ? (canonical as NSString).standardizingPath : canonical
  }

  /// Two package folders hold the same entries, each a regular file of the
  /// same bytes: every file the manifest lists, the manifest and its
  /// signature (red-team C3: a copy without the signature is not the version).
  static func samePackage(_ a: String, _ b: String) -> Bool {
    guard let names = try? PackageFolder.entries(of: a), let others = try? PackageFolder.entries(of: b),
      names == others, names.contains(manifestName)
    else { return false }
    return names.allSatisfy { name in
      guard case .success(let mine) = PackageFolder.contents(of: (a as NSString).appendingPathComponent(name)),
        case .success(let theirs) = PackageFolder.contents(of: (b as NSString).appendingPathComponent(name))
      else { return false }
      return mine == theirs
    }
  }

  /// The filed version `directory` holds, if a package of `version` would
  /// replace another filed version there, and where it is kept; refuses when
  /// that name is taken by anything but that version's package, named.
  /// Reads only: a dry run says the same as the real run.
  static func versionToKeep(in directory: String, replacingWith version: Int?, database db: Database) throws
    -> KeptVersion?
  {
    let target = folderName(directory)
    try checkFiledHere(target, database: db)
    guard
      case .success(let bytes) = PackageFolder.manifestBytes(in: target),
      let manifest = try? JSONDecoder().decode(Manifest.self, from: bytes), let held = manifest.filing?.version,
      held != version,
      try Filing.find(in: db, manifestSHA256: sha256(bytes)).contains(where: {
        $0.quarter == manifest.quarter && $0.version == held
      })
    else { return nil }
    let kept = keptPath(of: target, version: held)
    // An empty folder there is the claim of a report killed while keeping it: reused (red-team D4).
    guard PackageFolder.exists(kept), !PackageFolder.isEmptyFolder(kept) else {
      // Kept whatever it holds (it may be the only copy), but named for what it is.
      let differences = (try? checkWritten(directory: target)) ?? ["its files could not be read"]
      return KeptVersion(version: held, path: kept, alreadyThere: false, differences: differences)
    }
    if PackageFolder.notARegularFile(kept) == "not a regular file (a folder)",
      case .success(let there) = PackageFolder.manifestBytes(in: kept), there == bytes,
      (try? checkWritten(directory: kept))?.isEmpty == true, samePackage(kept, target)
    {
      return KeptVersion(version: held, path: kept, alreadyThere: true)
    }
    throw OutputPathError(
      message:
        "\(kept) is there already and is not \(manifest.quarter) version \(held) as filed (the package in \(target)): report keeps that version there before the folder takes version \(version.map(String.init) ?? "?"); move \(kept) away first"
    )
  }

  /// Refuses a folder holding a filed version (its manifest's filing block)
  /// that this database's ledger does not hold with those manifest bytes
  /// (red-team D1): a version filed after the backup this database was
  /// restored from, or by another database. Replacing it would delete a
  /// signed version handed over, and the next re-issue would sign a second,
  /// different one under its number. An unfiled package, or one the ledger
  /// holds byte for byte, may be replaced. Reads only: the dry run refuses alike.
  static func checkFiledHere(_ directory: String, database db: Database) throws {
    let target = folderName(directory)
    guard
      case .success(let bytes) = PackageFolder.manifestBytes(in: target),
      let manifest = try? JSONDecoder().decode(Manifest.self, from: bytes), let filing = manifest.filing,
      try FiledPackage.unfiledClaim(bytes, manifest: manifest, database: db) != nil
    else { return }
    let named =
      "\(escapingControls(manifest.quarter)) version \(filing.version), issued \(escapingControls(filing.issuedAt))"
    // A version this ledger holds, its manifest altered since: no restore is needed, and none is advised (red-team F8).
    if let filed = try FiledPackage.alteredFiling(bytes, manifest: manifest, database: db) {
      throw OutputPathError(
        message:
          "\(escapingControls(target)) holds \(named), which this database filed, altered since: manifest.json: \(FiledPackage.alteration(of: bytes, manifest: manifest, filing: filed)); refusing to replace it; \(FiledPackage.alteredAdvice(target))"
      )
    }
    // No "move it away": a version filed again elsewhere is a second, different one (red-team E1).
    throw OutputPathError(
      message:
        "\(escapingControls(target)) holds \(named), which this database's filings do not hold with those bytes: refusing to replace it; \(lacksFiledVersions)"
    )
  }

  /// Refuses to write the filed version again over a copy of it (its
  /// manifest the same bytes as the package just written in `written`) that
  /// is not as filed: a file or its signature altered since, or an entry
  /// added (red-team G8). One rule with an altered manifest (F8): the copy
  /// is never replaced, since it may be the copy handed over and writing the
  /// filed bytes over it would destroy it without a word; moved aside, report
  /// writes the filed bytes again. Files it only lacks are written again, and
  /// returned (`annex.en.xlsx: missing`) to be said. Reads only: the dry run refuses alike.
  static func checkCopyAsFiled(_ directory: String, written: String) throws -> [String] {
    let target = folderName(directory)
    guard case .success(let bytes) = PackageFolder.manifestBytes(in: target),
      case .success(let filed) = PackageFolder.manifestBytes(in: written), bytes == filed,
      let manifest = try? JSONDecoder().decode(Manifest.self, from: bytes), let filing = manifest.filing
    else { return [] }
    let (problems, present) = try checkFiles(directory: target, manifest: manifest)
    let lacking = manifest.files.keys.sorted().filter { !present.contains($0) }.map { "\($0): missing" }
    var altered = problems.filter { !lacking.contains($0) }
    // The signature is not in the manifest's list: the filed one is the one just written.
    let signature = (target as NSString).appendingPathComponent(signatureName)
    var lackingSignature: [String] = []
    if case .success(let expected) = PackageFolder.contents(
      of: (written as NSString).appendingPathComponent(signatureName))
    {
      // Told by its size first: a signature as large as anything is never read whole.
      var info = stat()
      let sized = lstat(signature, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
      switch sized && Int(info.st_size) != expected.count ? .success(Data()) : PackageFolder.contents(of: signature) {
      case .success(let found) where found != expected:
        altered.append("\(signatureName): not the filed signature of \(manifestName)")
      case .success: break
      case .failure(let why):
        if PackageFolder.exists(signature) {
          altered.append("\(signatureName): \(why.message)")
        } else {
          lackingSignature = ["\(signatureName): missing"]
        }
      }
    }
    guard !altered.isEmpty else { return lacking + lackingSignature }
    throw OutputPathError(
      message:
        "\(escapingControls(target)) holds \(escapingControls(manifest.quarter)) version \(filing.version), which this database filed, and is not as filed: \(altered.map { escapingControls($0) }.joined(separator: "; ")); refusing to write the filed bytes over it; \(FiledPackage.alteredAdvice(target))"
    )
  }

  /// A difference verify or doctor names that writing the filed bytes again
  /// loses nothing by: a file gone, which report writes again. Any other
  /// (`checkCopyAsFiled`) is refused, with `FiledPackage.alteredAdvice`.
  public static func isOnlyLacking(_ problem: String) -> Bool {
    problem.hasSuffix(": missing") || problem.hasPrefix("\(signatureName): missing")
  }

  /// The advice when a package on disk claims a version this ledger does not
  /// hold: filing from this database anywhere would sign a second version of
  /// that number, so the way forward is the database that filed it.
  static let lacksFiledVersions =
    "this database lacks versions filed after the backup it was restored from (or filed by another database); filing from it would sign a second, different version of that number: report from the database that filed it, or restore that database"

  /// The folders a report can see packages in (red-team E1, F1): `reports/`
  /// beside the database and `reports/` here, where doctor looks by default,
  /// the package folder's own parent, as named and links resolved, the
  /// database's own folder and the current folder. Each once.
  static func foldersSeen(from directory: String, database: String) -> [String] {
    let target = folderName(directory)
    let databaseFolder = parentPath(FileIdentity(database).canonical)
    return FiledPackage.places([
      (databaseFolder as NSString).appendingPathComponent("reports"), "reports", parentPath(target),
      parentPath(FileIdentity(target).canonical), databaseFolder, ".",
    ])
  }

  /// Refuses to file version `version` of `quarter` while a package the
  /// report can see (`foldersSeen`, each with its subfolders: a folder or an
  /// archive told by its content, hidden names and staging ones included)
  /// claims that version or a later one with bytes this ledger does not hold
  /// (red-team E1, F1): a database restored from a backup taken before version
  /// 2 was filed would otherwise sign a second, different "version 2", wherever
  /// `--out` puts it. The question doctor asks (`FiledPackage.claims`).
  /// `excluding`: this run's own staging. Reads only: the dry run refuses alike.
  static func checkNoOtherClaim(
    to version: Int, of quarter: String, seenFrom directory: String, database db: Database, excluding: String? = nil
  ) throws {
    let seen = try FiledPackage.claims(
      in: foldersSeen(from: directory, database: db.path), database: db, excluding: excluding.map { [$0] } ?? [],
      named: [(folderName(directory) as NSString).lastPathComponent], whole: outParents(directory, database: db.path))
    if let claim = seen.claims.first(where: {
      $0.manifest.quarter == quarter && ($0.manifest.filing?.version ?? 0) >= version
    }) {
      let held = claim.manifest.filing?.version ?? 0
      let what = claim.isArchive ? "is an archive of" : "holds"
      let staged = claim.isStaged ? ", left staged by a report of another database (left as it is)" : ""
      throw OutputPathError(
        message:
          "refusing to file \(quarter) version \(version): \(escapingControls(claim.path)) \(what) \(quarter) version \(held)\(staged), which this database's filings do not hold with those bytes; \(lacksFiledVersions)"
      )
    }
    // A check cut short is no check: what was not looked at may hold the version handed over (red-team G4, G6).
    if let unseen = unseen(seen) {
      throw OutputPathError(message: "refusing to file \(quarter) version \(version): \(unseen)")
    }
  }

  /// The `--out` folder's parent, as named and links resolved: a folder
  /// report uses as a package folder's parent, looked at whole (red-team
  /// G5); not the database's folder nor the current one, working folders
  /// that may hold other databases' packages in folders of their own (F1's kept choice).
  static func outParents(_ directory: String, database: String) -> [String] {
    let target = folderName(directory)
    let working = Set([parentPath(FileIdentity(database).canonical), FileIdentity(".").canonical])
    return [parentPath(target), parentPath(FileIdentity(target).canonical)].map { $0.isEmpty ? "." : $0 }
      .filter { !working.contains(FileIdentity($0).canonical) }
  }

  /// What the claim check could not look at (`FiledPackage.claims`' `cut`
  /// and `unread`), said with what to do; nil when it saw everything.
  /// Report refuses a new version number on it, and warns of it otherwise.
  static func unseen(_ seen: (claims: [FiledPackage.Claim], cut: [String], unread: [PackageFolder.NotRead]))
    -> String?
  {
    let cut = seen.cut.map {
      "\(escapingControls($0)) holds more than \(PackageFolder.sightLimit) entries with its subfolders (only the first \(PackageFolder.sightLimit) were looked at)"
    }
    let unread = seen.unread.map { "\(escapingControls($0.path)) was not read through (\($0.why))" }
    guard !(cut + unread).isEmpty else { return nil }
    return
      "the check for a package handed over is cut short: \(PackageFolder.listed(cut + unread, first: 5)): a version handed over may lie there unseen (what is not read may hold one under any name, so no new version is filed past it); if it is your own archive (or link) and holds no linkaudit package, move what is not a package out of that folder; if it may hold one, unpack it and run linkaudit verify on it first; when it is the --out folder's parent, an --out in a folder of its own also does; then report again"
  }
  /// A manifest left under a staging name against this ledger: filed here, a
  /// version this database wrote and never filed (every batch it names is
  /// this database's, by id, SHA-256 and import time: a run killed before
  /// its commit), or another database's filed version (red-team F3).
  static func stagedStanding(_ bytes: Data, database db: Database) -> PackageFolder.StagedStanding {
    if (try? Filing.find(in: db, manifestSHA256: sha256(bytes)).isEmpty == false) ?? false { return .filed }
    guard let manifest = try? JSONDecoder().decode(Manifest.self, from: bytes), manifest.filing != nil else {
      return .unfiled
    }
    return (try? writtenHere(manifest, database: db)) == true
      ? .unfiled : PackageFolder.StagedStanding.withoutLedger(bytes)
  }

  /// Every batch the manifest rests on is one of this database's, by id,
  /// SHA-256 and import time (to the millisecond): a package this database
  /// could have written. Another database's imports differ in those; a copy of
  /// this database (a backup restored) does not, and cannot be told apart.
  static func writtenHere(_ manifest: Manifest, database db: Database) throws -> Bool {
    guard !manifest.batches.isEmpty else { return false }
    for batch in manifest.batches {
      let found = try db.scalar(
        "SELECT count(*) FROM batch WHERE batch_id = ? AND sha256 = ? AND imported_at = ?",
        [.integer(batch.batchID), .text(batch.sha256), .text(batch.importedAt)]
      ).integer
      guard found == 1 else { return false }
    }
    return true
  }

  /// Refuses a folder where report keeps a superseded version as filed
  /// (`reports/2021-Q4-v1`, named for the version it holds, or a link to it):
  /// a new version never lands in a kept version's folder, whose `-vN` name
  /// would then lie (red-team E7). The quarter's own folder still holding a
  /// version superseded by one a killed report left staged is not such a
  /// folder. Reads only: the dry run refuses alike.
  static func checkNotKept(_ directory: String, database db: Database) throws {
    let target = folderName(directory)
    guard
      case .success(let bytes) = PackageFolder.manifestBytes(in: target),
      let manifest = try? JSONDecoder().decode(Manifest.self, from: bytes), let held = manifest.filing?.version,
      FileIdentity(target).canonical.hasSuffix("-v\(held)"),
      try FiledPackage.unfiledClaim(bytes, manifest: manifest, database: db) == nil,
      let latest = try Filing.find(in: db, quarter: manifest.quarter)?.version, latest > held
    else { return }
    throw OutputPathError(
      message:
        "--out \(escapingControls(directory)) holds \(escapingControls(manifest.quarter)) version \(held), superseded by version \(latest) and kept there as filed: a new version never goes into a kept version's folder; name the quarter's folder (the one holding version \(latest)) or a new one"
    )
  }

  /// A filed package a killed report staged beside `target` while the folder
  /// was taken (red-team C2): never removed. The latest version takes the
  /// folder (what the folder held kept as filed in `<folder>-vN`); an older
  /// one goes to its `<folder>-vN`; a copy of what is there already, byte for
  /// byte, is dropped; anything else is left, named. Returns what was done.
  static func placeStaged(_ path: String, at target: String, database db: Database) -> String {
    let shown = escapingControls(path)
    guard let manifest = try? Manifest.read(from: path), let version = manifest.filing?.version,
      (try? checkWritten(directory: path))?.isEmpty == true
    else { return "\(shown): a filed package left staged by an earlier report, not whole: left as it is" }
    let named = "\(escapingControls(manifest.quarter)) version \(version)"
    let fm = FileManager.default
    do {
      return try PackageFolder.withFolderLock(target) {
        let latest = try Filing.find(in: db, quarter: manifest.quarter)?.version
        if !PackageFolder.exists(target) {
          try PackageFolder.renameClaiming(path, to: target)
          return "\(named), left staged by an earlier report: put in place in \(target)"
        }
        if samePackage(path, target) {
          try fm.removeItem(atPath: path)
          return "\(named), left staged by an earlier report: \(target) holds it already, byte for byte"
        }
        // The folder is taken only from a package of the same quarter and zone (red-team B12).
        let folderHolds = try? Manifest.read(from: target)
        if version == latest, folderHolds?.quarter == manifest.quarter, folderHolds?.timeZone == manifest.timeZone,
          let keep = try versionToKeep(in: target, replacingWith: version, database: db)
        {
          if keep.alreadyThere {
            let previous = try PackageFolder.moveAside(target)
            defer { PackageFolder.releaseStaging(previous) }
            try fm.moveItem(atPath: path, toPath: target)
            try? fm.removeItem(atPath: previous)
          } else {
            try PackageFolder.renameClaiming(target, to: keep.path)
            try fm.moveItem(atPath: path, toPath: target)
          }
          return
            "\(named), left staged by an earlier report: put in place in \(target); version \(keep.version) kept as filed in \(keep.path)"
        }
        let kept = keptPath(of: target, version: version)
        if PackageFolder.exists(kept), samePackage(path, kept) {
          try fm.removeItem(atPath: path)
          return "\(named), left staged by an earlier report: \(kept) holds it already, byte for byte"
        }
        try PackageFolder.renameClaiming(path, to: kept)
        return "\(named), left staged by an earlier report: kept as filed in \(kept)"
      }
    } catch {
      return
        "\(shown) holds the filed \(named), left staged by an earlier report, and could not be put in place (\(escapingControls(error.localizedDescription))): left as it is; move it to \(escapingControls(keptPath(of: target, version: version)))"
    }
  }

  /// What `install` did with a staged package.
  public enum Installed: Equatable {
    /// In its folder; the filed version the folder held before is kept where `kept` says.
    case inPlace(kept: KeptVersion?)
    /// A version filed by this run but superseded by one filed meanwhile:
    /// kept in `<folder>-vN`, the folder left to the latest.
    case keptAside(path: String, latest: Int)
  }

  /// Puts a package staged by `issue(…, installing: false)` in place of
  /// `directory`: the CLI does so once the ledger has committed its version,
  /// so a report killed in between leaves the filed package or none, never a
  /// signed version the ledger does not hold (red-team B2); the next run
  /// writes the filed bytes again.
  ///
  /// The decision is taken again here, from the ledger as committed now,
  /// under the folder's lock held across the renames (red-team B16; every
  /// report records its version before it installs): a version superseded by one filed
  /// meanwhile never takes the folder from it (a re-run of the same bytes is
  /// refused, a version this run filed is kept in `<folder>-vN`), and a filed
  /// version the folder holds is first moved, by rename, to `<folder>-vN`.
  /// `beforeDeciding` runs just before the decision (a test's seam).
  /// `readingBack` reads the package where it was put, still under the
  /// lock (red-team C10: after it, another run may be moving the folder aside).
  public static func install(
    _ issued: Issued, quarter: Quarter, at directory: String, database db: Database,
    beforeDeciding: (() throws -> Void)? = nil, readingBack: ((_ directory: String) throws -> Void)? = nil
  ) throws -> Installed {
    guard let staging = issued.staged else { return .inPlace(kept: nil) }
    // Put in place or kept by now; left staged, it is the next run's to place.
    defer { PackageFolder.releaseStaging(staging) }
    do {
      try beforeDeciding?()
      return try PackageFolder.withFolderLock(folderName(directory)) {
        let installed = try place(staging, issued: issued, quarter: quarter, at: directory, database: db)
        switch installed {
        case .inPlace: try readingBack?(folderName(directory))
        case .keptAside(let path, _): try readingBack?(path)
        }
        return installed
      }
    } catch {
      guard let mine = issued.version, mine.isNew, PackageFolder.exists(staging) else {
        try? FileManager.default.removeItem(atPath: staging)
        throw error
      }
      // A version this run filed is never removed (the folder's lock or a
      // rename refused, the ledger unreadable): kept as filed beside the folder.
      let kept = keptPath(of: directory, version: mine.version)
      let at = (try? PackageFolder.renameClaiming(staging, to: kept)) != nil ? kept : staging
      throw FiledNotInPlace(quarter: quarter.description, version: mine.version, keptAt: at, cause: error)
    }
  }

  private static func place(
    _ staging: String, issued: Issued, quarter: Quarter, at directory: String, database db: Database
  ) throws -> Installed {
    let fm = FileManager.default
    let target = folderName(directory)
    if let mine = issued.version, let latest = try Filing.find(in: db, quarter: quarter.description),
      latest.version > mine.version
    {
      guard mine.isNew else {
        throw SupersededMeanwhile(
          quarter: quarter.description, version: mine.version, latest: latest.version, issuedAt: latest.issuedAt,
          folder: target)
      }
      // Filed by this run, superseded since: kept as filed beside the folder.
      let kept = keptPath(of: target, version: mine.version)
      try PackageFolder.renameClaiming(staging, to: kept)
      return .keptAside(path: kept, latest: latest.version)
    }
    let keep = try versionToKeep(in: target, replacingWith: issued.version?.version, database: db)
    if let keep, !keep.alreadyThere {
      try PackageFolder.renameClaiming(target, to: keep.path)
    } else if fm.fileExists(atPath: target) {
      // Decided again under the lock: a copy altered meanwhile is never written over (red-team G8).
      if keep == nil { _ = try checkCopyAsFiled(target, written: staging) }
      let previous = try PackageFolder.moveAside(target)
      defer { PackageFolder.releaseStaging(previous) }
      try fm.moveItem(atPath: staging, toPath: target)
      try? fm.removeItem(atPath: previous)
      return .inPlace(kept: keep)
    }
    try fm.moveItem(atPath: staging, toPath: target)
    return .inPlace(kept: keep)
  }

  /// Puts a staged package in place of `directory`, with no ledger (a
  /// package without a filed version).
  public static func install(_ staging: String, at directory: String) throws {
    let fm = FileManager.default
    let target = folderName(directory)
    let previous = fm.fileExists(atPath: target) ? try PackageFolder.moveAside(target) : nil
    defer { if let previous { PackageFolder.releaseStaging(previous) } }
    try fm.moveItem(atPath: staging, toPath: target)
    if let previous { try? fm.removeItem(atPath: previous) }
  }

  /// As `write`; with `FilingPolicy.issue(dryRun: true)` nothing is written
  /// where `directory` is, and nothing is recorded.
  /// `beforeReplacing` runs on the written package while it is still beside
  /// the folder it will replace: what it refuses (an archive whose name is
  /// taken by other bytes) leaves the folder as it was (red-team B1).
  /// `noting` hears what was done with a killed run's leftovers as soon as it
  /// is done, so a run refused afterwards still says it (red-team D4: doctor's
  /// advice names that run); without it, the lines are the issued notes.
  /// `reportsLock`, when given, is taken in the folder's parent before the
  /// claim check and kept (the caller releases it once the version is
  /// committed and in place: red-team F2); a refused run gives it up.
  package func issue(
    database db: Database, to directory: String, protecting protected: ProtectedFiles = .init(),
    installing: Bool = true, noting: ((String) -> Void)? = nil, reportsLock: PackageFolder.ReportsLock? = nil,
    beforeReplacing: ((_ staging: String, _ issued: Issued) throws -> Void)? = nil
  )
    throws -> Issued
  {
    let fm = FileManager.default
    let directory = Self.folderName(directory)
    // Every refusal of the real run, the dry run's too (red-team B15).
    try PackageFolder.checkReplaceable(
      directory, quarter: quarter.description, timeZone: zoneName, protecting: protected)
    try PackageFolder.checkNotInsidePackage(directory)
    // Before anything is filed or written: a filed version this ledger does not hold is never replaced (red-team D1).
    if case .issue = filing {
      try Self.checkFiledHere(directory, database: db)
      try Self.checkNotKept(directory, database: db)
      // A file of hexadecimal digits is told by the database's key fingerprint and the signing key's (red-team F9).
      let known = PackageFolder.KnownKeys(
        pseudonymKeyFingerprint: try db.scalar("SELECT value FROM setting WHERE name = 'pseudonym_key_fingerprint'")
          .text, printedDigests: Set([signedBy].compactMap { $0 }))
      try PackageFolder.checkNoKeyBeside(directory, database: db.path, protecting: protected, known: known)
    }
    if case .issue(_, _, _, true) = filing {
      PackageFolder.removeStaleScratch()
      let scratch = PackageFolder.scratchFolder(.dryRun)
      try fm.createDirectory(atPath: scratch, withIntermediateDirectories: true)
      defer { try? fm.removeItem(atPath: scratch) }
      var issued = try writeFiles(database: db, into: scratch, filedIn: directory)
      try Self.checkNamedVersion(directory, holding: issued.version?.version, of: quarter.description)
      try checkNoOtherClaim(issued, seenFrom: directory, database: db, excluding: scratch, noting: noting)
      issued.keeping = try Self.versionToKeep(in: directory, replacingWith: issued.version?.version, database: db)
      if issued.keeping == nil { issued.lacking = try Self.checkCopyAsFiled(directory, written: scratch) }
      try beforeReplacing?(scratch, issued)
      issued.paths = []
      return issued
    }
    let target = directory
    let parent = parentPath(target)
    // The folders made for it, deepest first: a run refused before filing leaves none (red-team E1).
    var made: [String] = []
    var above = parent
    while !above.isEmpty, !PackageFolder.exists(above), parentPath(above) != above {
      made.append(above)
      above = parentPath(above)
    }
    try fm.createDirectory(atPath: parent.isEmpty ? "." : parent, withIntermediateDirectories: true)
    func giveUp() {
      reportsLock?.release()
      for folder in made { rmdir(folder) }
    }
    var siblingNotes: [String] = []
    let staging: String
    do {
      // From before the claim check until the version is committed and in place (red-team F2).
      try reportsLock?.take(in: parent) { (noting ?? { _ in })($0) }
      // A report killed before its end left its folders: put a package it had moved aside (or
      // staged and filed here) back, so the folder holds the latest filed version; another
      // database's filed version is left, named (red-team F3). Nothing is removed yet.
      let (filedStaged, leftNotes) = PackageFolder.removeStaleSiblings(
        of: target, standing: { Self.stagedStanding($0, database: db) }, removing: false)
      siblingNotes = leftNotes + filedStaged.map { Self.placeStaged($0, at: target, database: db) }
      if let noting {
        siblingNotes.forEach(noting)
        siblingNotes = []
      }
      // This run's own staging, new and locked: a name there is never removed (red-team D2).
      staging = try PackageFolder.makeStaging(for: target)
    } catch {
      giveUp()
      throw error
    }
    var issued: Issued
    do {
      issued = try writeFiles(database: db, into: staging, filedIn: directory)
      try Self.checkNamedVersion(directory, holding: issued.version?.version, of: quarter.description)
      try checkNoOtherClaim(issued, seenFrom: directory, database: db, excluding: staging, noting: noting)
      // Only once every refusal is decided (red-team F3): the rest a killed run of this
      // database left (never filed) is removed; said above already, what is left is not said again.
      PackageFolder.removeStaleSiblings(of: target, standing: { Self.stagedStanding($0, database: db) })
      // The filed version the folder holds is kept beside it: a name taken refuses now, before anything is put in place.
      issued.keeping = try Self.versionToKeep(in: directory, replacingWith: issued.version?.version, database: db)
      if issued.keeping == nil { issued.lacking = try Self.checkCopyAsFiled(directory, written: staging) }
      try beforeReplacing?(staging, issued)
    } catch {
      try? fm.removeItem(atPath: staging)
      PackageFolder.releaseStaging(staging)
      giveUp()
      throw error
    }
    issued.paths = issued.paths.map { (directory as NSString).appendingPathComponent($0) }
    issued.notes = siblingNotes
    if installing {
      guard case .issue = filing else {
        defer { PackageFolder.releaseStaging(staging) }
        try Self.install(staging, at: directory)
        return issued
      }
      do {
        issued.staged = staging
        _ = try Self.install(issued, quarter: quarter, at: directory, database: db)
        issued.staged = nil
      }
    } else {
      issued.staged = staging
    }
    return issued
  }

  /// Refuses a package folder named for another version than the one it
  /// would hold (`--out reports/2021-Q4-v7` for version 2): a `-vN` name is
  /// where report keeps version N once superseded, and doctor warns of one
  /// holding another (red-team E7, F14). Refused, not warned: the folder is
  /// new, so naming it right costs nothing, and a warning after the filing
  /// would leave a signed package under a name that lies. Reads only: the dry run refuses alike.
  static func checkNamedVersion(_ directory: String, holding version: Int?, of quarter: String) throws {
    guard let version else { return }
    let name = (folderName(directory) as NSString).lastPathComponent
    guard let range = name.range(of: #"-v[0-9]+$"#, options: .regularExpression) else { return }
    let digits = name[range].dropFirst(2)
    guard Int(digits) != version else { return }
    throw OutputPathError(
      message:
        "--out \(escapingControls(directory)) is named for version \(digits), but this report is \(quarter) version \(version): a -vN folder is where report keeps version N once superseded; name the quarter's folder, or one not ending in -vN"
    )
  }

  /// A new version is filed only while no package in sight claims its number (red-team E1).
  /// The filed version's bytes again go ahead with a word when the check was cut short (red-team G6).
  private func checkNoOtherClaim(
    _ issued: Issued, seenFrom directory: String, database db: Database, excluding: String,
    noting: ((String) -> Void)?
  ) throws {
    guard case .issue = filing, let v = issued.version else { return }
    guard v.isNew else {
      guard let noting else { return }
      let seen = try FiledPackage.claims(
        in: Self.foldersSeen(from: directory, database: db.path), database: db, excluding: [excluding],
        named: [(Self.folderName(directory) as NSString).lastPathComponent],
        whole: Self.outParents(directory, database: db.path))
      if let unseen = Self.unseen(seen) { noting("warning: \(unseen) (no new version is filed while it is)") }
      return
    }
    try Self.checkNoOtherClaim(
      to: v.version, of: quarter.description, seenFrom: directory, database: db, excluding: excluding)
  }

  /// Writes every file of the package into `directory`; returns their names,
  /// manifest last, and the version. Issuing, a package is the filed version
  /// only when it is its bytes: the same figures with other provenance (a batch
  /// imported since, another signer, zone, templates or model) are another
  /// version, which needs a reason as other figures do.
  /// `filedIn`: the package's folder, whose filed manifest names the filer the last version was filed with.
  package func writeFiles(database db: Database, into directory: String, filedIn folder: String? = nil) throws -> Issued
  {
    let data = try Timing.measure("report data") {
      try ReportData(database: db, quarter: quarter, timeZone: timeZone, ratingModel: ratingModel)
    }
    let q = quarter.description
    guard case .issue(let given, let now, let allowEmpty, let dryRun) = filing else {
      let version = try filing.resolve(db: db, quarter: quarter)
      return try writeFiles(data: data, version: version, database: db, into: directory, record: false)
    }
    let reason = given.flatMap { $0.trimmed.isEmpty ? nil : $0 }
    var moved: [String] = []
    guard let last = try Filing.find(in: db, quarter: q) else {
      try Self.checkNotEmpty(data, quarter: q, allowEmpty: allowEmpty)
      let first = FilingVersion(version: 1, issuedAt: now.iso, reason: reason, previous: nil, isNew: true)
      return try writeFiles(data: data, version: first, database: db, into: directory, record: !dryRun)
    }
    if last.metricsCSV == data.current.csv {
      // The same figures: that version again, if the bytes are the filed ones.
      let filed = try FilingPolicy.asFiled(version: last.version, issuedAt: last.issuedAt, reason: last.reason)
        .resolve(db: db, quarter: quarter)
      var again = try writeFiles(data: data, version: filed, database: db, into: directory, record: false)
      if again.manifestSHA256 == last.manifestSHA256 {
        if let reason, reason != last.reason, !dryRun {
          throw ReportError(
            message:
              "\(q) as written now is filed version \(last.version) byte for byte (issued \(last.issuedAt)\(last.reason.map { ", reason \"\(displayable($0))\"" } ?? "")): --reason \"\(displayable(reason))\" is not recorded; nothing to correct (leave --reason out to write that version again)"
          )
        }
        again.needsReason = false
        return again
      }
      for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
        try FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
      }
      moved = provenanceMoved(
        since: last, data: data, filedFiler: folder.flatMap { Self.filedFiler(in: $0, last: last) })
    }
    let next = FilingVersion(version: last.version + 1, issuedAt: now.iso, reason: reason, previous: last, isNew: true)
    guard reason != nil else {
      if dryRun {
        var shown = try writeFiles(data: data, version: next, database: db, into: directory, record: false)
        (shown.moved, shown.needsReason) = (moved, true)
        return shown
      }
      let why =
        moved.isEmpty
        ? "the figures of \(q) differ from its filed version \(last.version)"
        : "figures unchanged; provenance moved (\(moved.joined(separator: "; "))): \(q) as written now is not the bytes of its filed version \(last.version)"
      throw ReportError(
        message:
          "\(why) (issued \(last.issuedAt)): a re-issue is version \(last.version + 1) and needs --reason \"…\" saying why (--dry-run shows what it corrects)"
      )
    }
    try Self.checkNotEmpty(data, quarter: q, allowEmpty: allowEmpty)
    var issued = try writeFiles(data: data, version: next, database: db, into: directory, record: !dryRun)
    issued.moved = moved
    return issued
  }

  /// The filer the last filed version named, as its manifest in `folder` says (`.some(nil)`: filed without
  /// one); nil when the folder does not hold that version's bytes.
  static func filedFiler(in folder: String, last: Filing) -> Filer?? {
    guard
      case .success(let bytes) = PackageFolder.manifestBytes(in: folder),
      sha256(bytes) == last.manifestSHA256, let manifest = try? JSONDecoder().decode(Manifest.self, from: bytes)
    else { return nil }
    return .some(manifest.filer)
  }

  /// Why a package with the filed figures is not the filed bytes, as far as the ledger (and the filed
  /// manifest's filer, when known) tells.
  func provenanceMoved(since last: Filing, data: ReportData, filedFiler: Filer?? = nil) -> [String] {
    var moved: [String] = []
    let filed = Set(last.batchIDs)
    let since = data.batches.filter { !filed.contains($0.batchID) }.map { "#\($0.batchID)" }
    if !since.isEmpty { moved.append("batches imported since: \(since.joined(separator: ", "))") }
    let gone = Set(last.batchIDs).subtracting(data.batches.map(\.batchID)).sorted().map { "#\($0)" }
    if !gone.isEmpty { moved.append("batches gone: \(gone.joined(separator: ", "))") }
    if last.policyVersions != data.policies.map(\.version) { moved.append("other policy versions in force") }
    if last.ratingModelSHA256 != ratingModel?.sha256 { moved.append("another rating model") }
    if last.timeZone != zoneName { moved.append("time zone \(zoneName), filed in \(last.timeZone)") }
    if let filedSigner = last.signedBy, filedSigner != (signedBy ?? "") {
      func key(_ k: String) -> String { k.isEmpty ? "unsigned" : "key \(k.prefix(16))…" }
      moved.append("signed: \(key(signedBy ?? "")), filed: \(key(filedSigner))")
    }
    // The filer's values, not its file's bytes: a comment changes nothing filed (red-team E10).
    switch filedFiler {
    case .some(.some(let filed)) where filer == nil:
      moved.append(
        "no filer given: version \(last.version) was filed with one (\(escapingControls(filed.entity))): --filer FILE, or \(Filer.defaultName) beside the database"
      )
    case .some(.none) where filer != nil:
      moved.append("a filer given: version \(last.version) was filed without one")
    case .some(.some(let filed)) where filer != nil && filer != filed:
      moved.append("another filer: \(Filer.defaultName)'s values differ from version \(last.version)'s")
    default: break
    }
    if moved.isEmpty {
      // A filing from before the ledger kept its signer may have been signed.
      moved.append(
        (last.signedBy == nil ? "another signer, " : "") + (filedFiler == nil ? "filer (filer.yaml), " : "")
          + "templates, languages or tool version"
          + (signedBy == nil && last.signedBy == nil
            ? " (this report is unsigned: was the filed one signed? --signing-key names its key)" : ""))
    }
    return moved
  }

  /// A quarter with no event and no complaint is most likely a mistyped year.
  static func checkNotEmpty(_ data: ReportData, quarter: String, allowEmpty: Bool) throws {
    guard !allowEmpty else { return }
    guard data.current[.events] == .count(0), data.current[.complaints] == .count(0) else { return }
    throw ReportError(
      message:
        "\(quarter) holds no link event and no complaint: is the year right? Pass --allow-empty to file an empty quarter"
    )
  }

  /// `under_restricted_events.csv`: every under-restricted event of the
  /// period, a row each, in the order of the Got through sheet, in chunks.
  private func writeUnderRestrictedRegister(_ data: ReportData, database db: Database, to file: String) throws {
    // Opened here as every package file is (PackageFolder.writeFile): createFile(atPath:) writes through a `.dat.nosync`
    // temporary that a kill leaves in the staging folder (red-team E11).
    let handle = FileHandle(fileDescriptor: try OutputFile.open(file), closeOnDealloc: true)
    defer { try? handle.close() }
    var chunk = csvLine(ReportData.GotThroughRow.csvHeader) + "\n"
    try EventSection.eachUnderRestricted(db, data.period) { row in
      chunk += csvLine(row.csvFields) + "\n"
      if chunk.utf8.count >= 1 << 20 {
        try handle.write(contentsOf: Data(chunk.utf8))
        chunk = ""
      }
    }
    try handle.write(contentsOf: Data(chunk.utf8))
  }

  /// Writes the files of `version` into `directory`; records it in the ledger when `record`.
  private func writeFiles(
    data: ReportData, version: FilingVersion?, database db: Database, into directory: String, record: Bool
  ) throws -> Issued {
    var written: [String] = []
    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    try PackageFolder.writeFile(Data(data.current.csv.utf8), to: path("metrics.csv"))
    written.append("metrics.csv")
    let corrections = version.flatMap { v in
      v.previous.map { Corrections(version: v, previous: $0, data: data, ratingModel: ratingModel) }
    }
    let register = ([ReportData.DecisionRow.csvHeader] + data.decisions.map(\.csvFields)).map { csvLine($0) + "\n" }
      .joined()
    try PackageFolder.writeFile(Data(register.utf8), to: path(Registers.decisions))
    written.append(Registers.decisions)
    // Every under-restricted event, however many the sheets show (issue 31),
    // written as read: a mis-set scene rule can make millions.
    try writeUnderRestrictedRegister(data, database: db, to: path(Self.underRestrictedRegister))
    written.append(Self.underRestrictedRegister)
    // The annex's other registers, as decisions.csv (issue 32).
    for file in Registers(data: data, reporterPseudonyms: filer?.reporterPseudonyms == true).files {
      // As every package file: Data.write would follow a link put in its place (red-team F15).
      try PackageFolder.writeFile(Data(file.text.utf8), to: path(file.name))
      written.append(file.name)
    }
    let underRestricted = try WorkbookWriter.annexUnderRestricted(data, database: db)
    // The languages share nothing but the figures they are given: each
    // language's workbook and Markdown are written side by side, a core each.
    let languages = self.languages
    let workbooks = languages.map { "linkaudit-\(quarter).\($0.rawValue).xlsx" }
    let targets = workbooks.map(path)
    let annexes = languages.map(WorkbookWriter.annexName)
    let annexTargets = annexes.map(path)
    let templates = self.templates
    let signedBy = self.signedBy
    let filer = self.filer
    let findings = ReportFindings(data, rules: try findingRules())
    let outcomes = Outcomes(count: languages.count)
    let markdown = LockBox<[[(name: String, text: String)]]>(Array(repeating: [], count: languages.count))
    let began = Timing.start()
    DispatchQueue.concurrentPerform(iterations: languages.count) { i in
      outcomes.set(i) {
        let writer = WorkbookWriter(
          data: data, language: languages[i], signedBy: signedBy, filing: version, corrections: corrections,
          findings: findings, filer: filer)
        try Timing.measure("workbook \(languages[i].rawValue)") { try writer.write(to: targets[i]) }
        try Timing.measure("annex \(languages[i].rawValue)") {
          try writer.writeAnnex(to: annexTargets[i], underRestricted: underRestricted)
        }
        let files = try Timing.measure("markdown \(languages[i].rawValue)") {
          try MarkdownWriter(
            data: data, language: languages[i], templates: templates, filing: version, corrections: corrections
          ).render()
        }
        let methodology = MethodologyMarkdown(data: data, language: languages[i])
        markdown.withLock {
          $0[i] = files + [(MethodologyMarkdown.fileName(languages[i]), methodology.render())]
        }
      }
    }
    Timing.report("workbooks and Markdown", since: began)
    try outcomes.check()
    for (i, files) in markdown.withLock({ $0 }).enumerated() {
      written += [workbooks[i], annexes[i]]
      for file in files {
        try PackageFolder.writeFile(Data(file.text.utf8), to: path(file.name))
        written.append(file.name)
      }
    }
    var hashes: [String: String] = [:]
    try Timing.measure("hashes") {
      for name in written { hashes[name] = try FileHash.sha256(ofFile: path(name)) }
    }
    let manifest = Manifest(
      tool: "linkaudit", toolVersion: LinkAuditVersion.current, quarter: quarter.description,
      timeZone: zoneName, languages: languages.map(\.rawValue),
      period: .init(
        start: data.current.parameters[":start"]?.text ?? "", end: data.current.parameters[":end"]?.text ?? ""),
      templatesSHA256: try templatesHash(), dataFingerprint: data.dataFingerprint,
      ratingModel: ratingModel.map { .init(name: $0.name, sha256: $0.sha256) },
      provenance: .init(
        latestEventAt: data.latestEventAt, latestComplaintAt: data.latestComplaintAt,
        daysWithoutEvents: data.daysWithoutEvents), batches: data.batches,
      policyVersions: data.policies, files: hashes,
      signingKey: signedBy.map { .init(algorithm: "Ed25519", publicKeySHA256: $0) },
      filing: version.map { .init(version: $0.version, issuedAt: $0.issuedAt, reason: $0.reason) }, filer: filer)
    let manifestBytes = try manifest.encoded()
    try PackageFolder.writeFile(manifestBytes, to: path(Self.manifestName))
    written.append(Self.manifestName)
    let manifestSHA256 = hex(SHA256.hash(data: manifestBytes))
    if let version, version.isNew, record {
      try Filing(
        quarter: quarter.description, timeZone: zoneName, version: version.version,
        issuedAt: version.issuedAt, reason: version.reason, dataFingerprint: data.dataFingerprint,
        manifestSHA256: manifestSHA256, metricsCSV: data.current.csv,
        batchIDs: data.batches.map(\.batchID), policyVersions: data.policies.map(\.version),
        ratingModelSHA256: ratingModel?.sha256, signedBy: signedBy ?? "",
        signerPublicKey: signingKey?.publicKey.raw
      ).insert(into: db)
    }
    if let signingKey {
      try PackageFolder.writeFile(signingKey.sign(manifestBytes), to: path(Self.signatureName))
      written.append(Self.signatureName)
    }
    return Issued(
      paths: written, version: version, corrections: corrections, moved: [], needsReason: false,
      manifestSHA256: manifestSHA256)
  }

  /// What each of several jobs run side by side threw, if anything.
  package final class Outcomes: Sendable {
    private let errors: LockBox<[(any Error)?]>

    package init(count: Int) { errors = LockBox(Array(repeating: nil, count: count)) }

    package func set(_ i: Int, _ body: () throws -> Void) {
      do { try body() } catch { errors.withLock { $0[i] = error } }
    }

    /// Rethrows the first job's error, in job order.
    package func check() throws {
      if let error = errors.withLock({ $0.compactMap { $0 }.first }) { throw error }
    }
  }

  /// One hash over every template file (names and contents), so the manifest
  /// records which wording the Markdown was rendered with.
  /// The key findings' rules, `findings.yaml` in the template folder.
  package func findingRules() throws -> FindingRules {
    let rates = Set(MetricCatalogue.all.filter { $0.kind == .rate && $0.dimension == nil }.map(\.id))
    return try FindingRules.load(
      path: (templates as NSString).appendingPathComponent(FindingRules.fileName), known: rates)
  }

  package func templatesHash() throws -> String {
    var hasher = SHA256()
    // The key findings' rules choose what the second page lists: part of the templates.
    hasher.update(data: Data("\(FindingRules.fileName)\n".utf8))
    hasher.update(
      data: (try? Data(
        contentsOf: URL(fileURLWithPath: (templates as NSString).appendingPathComponent(FindingRules.fileName))))
        ?? Data())
    for language in languages {
      for name in MarkdownWriter.templateNames {
        let p = ((templates as NSString).appendingPathComponent(language.rawValue) as NSString).appendingPathComponent(
          name)
        hasher.update(data: Data("\(language.rawValue)/\(name)\n".utf8))
        hasher.update(data: (try? Data(contentsOf: URL(fileURLWithPath: p))) ?? Data())
      }
    }
    return hex(hasher.finalize())
  }
}

/// `manifest.json`: what a package rests on and the hash of every file in it.
public struct Manifest: Codable, Equatable {
  public struct Period: Codable, Equatable {
    package init(start: String, end: String) {
      self.start = start
      self.end = end
    }

    public var start: String
    public var end: String
  }

  public var tool: String
  public var toolVersion: String
  public var quarter: String
  public var timeZone: String
  public var languages: [String]
  public var period: Period
  public var templatesSHA256: String
  /// SHA-256 of the batch hashes in import order (see ReportData.dataFingerprint).
  public var dataFingerprint: String
  public struct ModelReference: Codable, Equatable {
    package init(name: String, sha256: String) {
      self.name = name
      self.sha256 = sha256
    }

    public var name: String
    public var sha256: String
  }
  /// The rating model the `rating.*` figures were computed with.
  public var ratingModel: ModelReference?
  /// How recent the data are, apart from when they were imported.
  public struct Provenance: Codable, Equatable {
    /// The latest `occurred_at` of any event (UTC).
    public var latestEventAt: String?
    /// The latest `updated_at` or `received_at` of any complaint (UTC).
    public var latestComplaintAt: String?
    /// Local dates of the quarter with no event at all.
    public var daysWithoutEvents: [String]

    package enum CodingKeys: String, CodingKey {
      case latestEventAt = "latest_event_at"
      case latestComplaintAt = "latest_complaint_at"
      case daysWithoutEvents = "days_without_events"
    }
  }
  /// nil only in a manifest written before the field existed.
  public var provenance: Provenance?
  public var batches: [ReportData.Batch]
  public var policyVersions: [ReportData.Policy]
  /// File name → SHA-256 of its bytes.
  public var files: [String: String]
  /// The key `manifest.sig` is made with; nil for an unsigned package.
  public struct SigningKeyReference: Codable, Equatable {
    public var algorithm: String
    public var publicKeySHA256: String

    package enum CodingKeys: String, CodingKey {
      case algorithm
      case publicKeySHA256 = "public_key_sha256"
    }
  }
  public var signingKey: SigningKeyReference?
  /// The filed version: nil for a package outside the filings.
  public struct FilingReference: Codable, Equatable {
    public var version: Int
    /// UTC.
    public var issuedAt: String
    public var reason: String?

    package enum CodingKeys: String, CodingKey {
      case version, reason
      case issuedAt = "issued_at"
    }
  }
  public var filing: FilingReference?
  /// Who filed it (`filer.yaml`), as its Cover names them; nil when none was given.
  public var filer: Filer? = nil

  package enum CodingKeys: String, CodingKey {
    case tool, quarter, languages, period, batches, files, filer
    case toolVersion = "tool_version"
    case timeZone = "time_zone"
    case templatesSHA256 = "templates_sha256"
    case dataFingerprint = "data_fingerprint"
    case ratingModel = "rating_model"
    case provenance
    case policyVersions = "policy_versions"
    case signingKey = "signing_key"
    case filing
  }

  /// Sorted keys and stable formatting: the same manifest gives the same bytes.
  package func encoded() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(self) + Data("\n".utf8)
  }

  /// Why `directory` has no manifest to read, naming one spelt in another
  /// case (`MANIFEST.JSON`): a case-insensitive disk would read it, and
  /// doctor names it so (red-team L9).
  package static func missing(in directory: String) -> String {
    let path = (directory as NSString).appendingPathComponent(ReportPackage.manifestName)
    guard let spelling = PackageFolder.manifestSpelling(in: directory) else {
      return "\(path): no manifest here; is this a report package?"
    }
    return
      "\(path): no manifest here: the folder holds \(escapingControls(spelling)), \(otherCase)"
  }

  /// What a manifest spelt in another case is, and what to do.
  package static let otherCase =
    "which a case-insensitive disk (macOS's, Windows') reads as \(ReportPackage.manifestName) and this one does not: rename it \(ReportPackage.manifestName) to check it here"

  package static func read(from directory: String) throws -> Manifest {
    let path = (directory as NSString).appendingPathComponent(ReportPackage.manifestName)
    guard PackageFolder.exists(path) else { throw ReportError(message: missing(in: directory)) }
    switch PackageFolder.manifestBytes(in: directory) {
    case .success(let data): return try decode(data, path: path)
    case .failure(let why): throw ReportError(message: "\(path): \(why.message)")
    }
  }

  package static func decode(_ data: Data, path: String) throws -> Manifest {
    do {
      return try JSONDecoder().decode(Manifest.self, from: data)
    } catch {
      throw ReportError(message: "\(path): not a linkaudit manifest (\(error.localizedDescription))")
    }
  }

  /// "2021-Q4 (Asia/Shanghai), version 2 issued 2022-01-17T02:00:00.000Z": what a package is.
  public var identity: String {
    "\(quarter) (\(timeZone))"
      + (filing.map { ", version \($0.version) issued \($0.issuedAt)" } ?? ", no filed version")
  }
}

extension ReportData.Batch {
  package enum CodingKeys: String, CodingKey {
    case kind, sha256
    case batchID = "batch_id"
    case fileName = "file_name"
    case importedAt = "imported_at"
    case rowsRead = "rows_read"
    case rowsStored = "rows_stored"
    case rowsDuplicate = "rows_duplicate"
    case rowsRejected = "rows_rejected"
  }
}

extension ReportData.Policy {
  package enum CodingKeys: String, CodingKey {
    case version, title, sha256
    case effectiveFrom = "effective_from"
  }
}

extension ReportPackage {
  /// Every file the manifest lists against its SHA-256, and every entry there
  /// that it does not list, whatever its name (dot-files, folders, `render/`),
  /// besides the manifest and its signature. Only regular files are read; any
  /// other entry is named, and the other checks go on. Returns the problems
  /// and the names present.
  /// `filed` names the sizes the filed version's files are known to have
  /// (its metrics.csv, which the filings keep: `FiledPackage.filedSizes`):
  /// one of another size is a difference, not hashed (red-team I5).
  static func checkFiles(directory: String, manifest: Manifest, filed: [String: UInt64] = [:]) throws -> (
    problems: [String], present: [String]
  ) {
    var problems: [String] = []
    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
    let present = try PackageFolder.entries(of: directory)
    for (name, expected) in manifest.files.sorted(by: { $0.key < $1.key }) {
      guard present.contains(name) else {
        problems.append("\(name): missing")
        continue
      }
      if let why = PackageFolder.notARegularFile(path(name)) {
        problems.append("\(name): \(why)")
        continue
      }
      // Size-checked before hashing: no package file is that large (the archive's bound), so none is read (red-team H6).
      var info = stat()
      if stat(path(name), &info) == 0, UInt64(info.st_size) > PackageArchive.largestEntry {
        problems.append(
          "\(name): modified since it was written (\(Int(info.st_size).grouped) bytes, more than a package file holds: not hashed)"
        )
        continue
      }
      if let size = filed[name], UInt64(info.st_size) != size {
        problems.append(
          "\(name): modified since it was written (\(Int(info.st_size).grouped) bytes, the filed one \(Int(clamping: size).grouped): not hashed)"
        )
        continue
      }
      let actual = try FileHash.sha256(ofFile: path(name))
      if actual != expected {
        problems.append("\(name): modified since it was written (SHA-256 \(actual), manifest \(expected))")
      }
    }
    for name in present
    where name != manifestName && !(name == signatureName && manifest.signingKey != nil) && manifest.files[name] == nil
    {
      problems.append(
        name == renderFolder
          ? "\(name): not part of the signed package (make render now writes its pages beside the package, not in it)"
          : "\(name): not listed in the manifest")
    }
    return (problems, present)
  }

  /// The bytes `checkFiles` would hash in `directory`: each listed file there
  /// that is a regular file no larger than a package file and of its filed
  /// size where that is known (any other is named by its size, unread). Known before any is read, so doctor's
  /// copies share one bound, folders as zips (red-team I5).
  package static func bytesToHash(directory: String, manifest: Manifest, filed: [String: UInt64] = [:]) -> UInt64 {
    let present = (try? PackageFolder.entries(of: directory)) ?? []
    return manifest.files.keys.filter { present.contains($0) }.reduce(UInt64(0)) { total, name in
      let path = (directory as NSString).appendingPathComponent(name)
      var info = stat()
      guard PackageFolder.notARegularFile(path) == nil, stat(path, &info) == 0,
        UInt64(info.st_size) <= PackageArchive.largestEntry, filed[name].map({ $0 == UInt64(info.st_size) }) ?? true
      else { return total }
      return total + UInt64(info.st_size)
    }
  }

  /// Every file of a package just written against its manifest, and nothing beside them.
  public static func checkWritten(directory: String) throws -> [String] {
    try checkFiles(directory: directory, manifest: try Manifest.read(from: directory)).problems
  }

  /// Checks a package without the database, as a regulator holding the
  /// platform's public key can: the manifest's signature, then every file's
  /// hash against the manifest, and no entry beside them. Returns the
  /// manifest (nil when it does not read) and one line per problem; no
  /// problem when the package is what the key's holder signed.
  public static func verifySigned(directory: String, publicKey: PackagePublicKey) throws -> [String] {
    try examineSigned(directory: directory, publicKey: publicKey).problems
  }

  /// As `verifySigned`, with the manifest when it reads.
  public static func examineSigned(directory: String, publicKey: PackagePublicKey) throws -> (
    manifest: Manifest?, problems: [String]
  ) {
    let manifestPath = (directory as NSString).appendingPathComponent(manifestName)
    let bytes: Data
    switch PackageFolder.manifestBytes(in: directory) {
    case .success(let data): bytes = data
    case .failure(let why):
      guard PackageFolder.exists(manifestPath) else { throw ReportError(message: Manifest.missing(in: directory)) }
      throw ReportError(message: "\(manifestPath): \(why.message)")
    }
    var problems: [String] = []
    // The signature first, over the bytes as they are: a manifest altered so
    // far that it no longer reads is still named for what it is.
    if let problem = signatureProblem(
      directory: directory, manifestBytes: bytes, key: publicKey, whose: "the key given")
    {
      problems.append(problem)
    }
    guard let manifest = try? JSONDecoder().decode(Manifest.self, from: bytes) else {
      return (nil, problems + ["\(manifestName): not a linkaudit manifest: its files cannot be checked"])
    }
    if let named = manifest.signingKey?.publicKeySHA256, named != publicKey.fingerprint {
      problems.insert(
        "\(manifestName): names signing key \(named.prefix(16))…, not the key given (\(publicKey.fingerprint.prefix(16))…)",
        at: 0)
    }
    problems += try checkFiles(directory: directory, manifest: manifest).problems
    return (manifest, problems)
  }

  /// Checks a package against its manifest and against the database: every
  /// file's hash, then the whole package written again from the data now and
  /// compared byte for byte, the manifest among the files. What the manifest
  /// claims (its languages, its file list, its fingerprint) is checked, never
  /// trusted: a package is what the database gives, or it is not.
  /// Returns one line per difference; empty when the package stands.
  public static func verify(
    directory: String, database db: Database, templates: String, ratingModel: RatingModel? = nil
  ) throws -> [String] {
    try examine(directory: directory, database: db, templates: templates, ratingModel: ratingModel).problems
  }

  /// What verify found: the manifest, whether it is a filed version's bytes
  /// (the ledger's manifest SHA-256), a first line to lead with, and the differences.
  public struct Examination {
    public var manifest: Manifest
    /// "the filed version 2", "the filed version 1, superseded by version 2", nil when not filed.
    public var filed: String?
    /// "figures unchanged; provenance moved (…)" when only what the figures rest on moved.
    public var lead: String?
    public var problems: [String]
  }

  /// As `verify`, with what the package is.
  public static func examine(
    directory: String, database db: Database, templates: String, ratingModel: RatingModel? = nil
  ) throws -> Examination {
    let manifest = try Manifest.read(from: directory)
    let fm = FileManager.default
    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
    let (fileProblems, present) = try checkFiles(directory: directory, manifest: manifest)
    var problems = fileProblems

    guard let quarter = Quarter(manifest.quarter), let zone = TimeZone(identifier: manifest.timeZone) else {
      problems.append(
        "\(manifestName): quarter \"\(manifest.quarter)\" or time zone \"\(manifest.timeZone)\" unreadable")
      return Examination(manifest: manifest, filed: nil, lead: nil, problems: problems)
    }
    let (filed, ledgerProblem) = try ledgerStanding(of: directory, manifest: manifest, database: db)
    if let ledgerProblem { problems.append(ledgerProblem) }
    // Every language the package shows a trace of, whatever its manifest says.
    for code in manifest.languages where ReportLanguage(code: code) == nil {
      problems.append("\(manifestName): unknown language \"\(code)\"")
    }
    let names = Set(present).union(manifest.files.keys)
    let languages = ReportLanguage.allCases.filter { language in
      manifest.languages.contains(language.rawValue)
        || names.contains { $0.hasSuffix(".\(language.rawValue).md") || $0.hasSuffix(".\(language.rawValue).xlsx") }
    }
    PackageFolder.removeStaleScratch()
    let scratch = PackageFolder.scratchFolder(.verify)
    defer { try? fm.removeItem(atPath: scratch) }
    if manifest.ratingModel != nil, ratingModel == nil {
      problems.append("rating model: the package was rated with \(manifest.ratingModel!.name); pass its model file")
    }
    if let m = manifest.ratingModel, let model = ratingModel, m.sha256 != model.sha256 {
      problems.append(
        "rating model: \(model.name) (\(model.sha256.prefix(12))…) is not the model the package used (\(m.name), \(m.sha256.prefix(12))…)"
      )
    }
    var again = ReportPackage(
      quarter: quarter, timeZone: zone, languages: languages, templates: templates,
      ratingModel: manifest.ratingModel == nil ? nil : ratingModel, zoneName: manifest.timeZone)
    // The signer the package names is on its Cover: written again the same
    // (the signature itself is checked against a public key: verifySigned).
    again.namedSigner = manifest.signingKey?.publicKeySHA256
    // The filer the manifest names is on its Cover too, if it is one a filer.yaml could give.
    if let filer = manifest.filer {
      if let problem = filer.problem {
        problems.append("filer: the manifest's \(problem)")
      } else {
        again.filer = filer
      }
    }
    // The version the manifest names, with what it corrects from the ledger; nothing is recorded.
    again.filing =
      manifest.filing.map { .asFiled(version: $0.version, issuedAt: $0.issuedAt, reason: $0.reason) } ?? .none
    try again.write(database: db, to: scratch)
    let now = try Manifest.read(from: scratch)

    if now.batches != manifest.batches {
      let before = Set(manifest.batches.map(\.batchID))
      let after = Set(now.batches.map(\.batchID))
      let added = after.subtracting(before).sorted().map { "#\($0)" }
      let removed = before.subtracting(after).sorted().map { "#\($0)" }
      var detail: [String] = []
      if !added.isEmpty { detail.append("imported since: \(added.joined(separator: ", "))") }
      if !removed.isEmpty { detail.append("gone: \(removed.joined(separator: ", "))") }
      if detail.isEmpty { detail.append("their recorded rows or hashes differ") }
      problems.append("database: batches differ from the manifest (\(detail.joined(separator: "; ")))")
    }
    if now.policyVersions != manifest.policyVersions {
      problems.append("database: policy versions in force differ from the manifest")
    }
    if now.templatesSHA256 != manifest.templatesSHA256 {
      problems.append("templates: changed since the package was written (Markdown would be worded differently)")
    }
    if now.dataFingerprint != manifest.dataFingerprint {
      problems.append(
        "\(manifestName): data fingerprint \(manifest.dataFingerprint.prefix(12))… is not the database's (\(now.dataFingerprint.prefix(12))…)"
      )
    }
    if now.period != manifest.period {
      problems.append(
        "\(manifestName): period \(manifest.period.start) to \(manifest.period.end) is not the quarter's (\(now.period.start) to \(now.period.end))"
      )
    }
    if now.languages != manifest.languages {
      problems.append(
        "\(manifestName): languages \(manifest.languages.joined(separator: ",")) do not match the package's files (\(now.languages.joined(separator: ",")))"
      )
    }
    // Figure by figure, against the package's own metrics.csv.
    var figuresUnchanged = false
    if case .success(let old) = PackageFolder.contents(of: path("metrics.csv")),
      let new = fm.contents(atPath: (scratch as NSString).appendingPathComponent("metrics.csv"))
    {
      let figureProblems = compareMetrics(String(decoding: old, as: UTF8.self), String(decoding: new, as: UTF8.self))
      problems += figureProblems
      figuresUnchanged = figureProblems.isEmpty && old == new && manifest.files["metrics.csv"] == sha256(old)
    }
    // And byte for byte, every file either side holds, the manifest included.
    let regenerated = Set((try? fm.contentsOfDirectory(atPath: scratch)) ?? [])
    // The signature is checked against a public key (verifySigned), not written again.
    for name in regenerated.union(names).sorted() where name != signatureName || manifest.signingKey == nil {
      let mine = path(name)
      let theirs = (scratch as NSString).appendingPathComponent(name)
      guard regenerated.contains(name) else {
        // An entry the manifest does not list is named already (checkFiles).
        if manifest.files[name] != nil, PackageFolder.exists(mine) {
          problems.append("\(name): not part of the package the database gives")
        }
        continue
      }
      guard case .success(let bytes) = PackageFolder.contents(of: mine) else {
        if manifest.files[name] == nil && !PackageFolder.exists(mine) { problems.append("\(name): missing") }
        continue
      }
      if bytes != fm.contents(atPath: theirs) {
        problems.append("\(name): differs from what the database gives now")
      }
    }
    // Only what the figures rest on: an added entry or a bad signature is no provenance (red-team B10).
    let provenanceMoved =
      now.batches != manifest.batches || now.policyVersions != manifest.policyVersions
      || now.templatesSHA256 != manifest.templatesSHA256 || now.dataFingerprint != manifest.dataFingerprint
      || now.ratingModel != manifest.ratingModel
    var lead: String?
    if figuresUnchanged, provenanceMoved, !problems.isEmpty {
      let since = Set(now.batches.map(\.batchID)).subtracting(manifest.batches.map(\.batchID)).sorted()
      lead =
        "figures unchanged; provenance moved"
        + (since.isEmpty ? "" : " (batches imported since: \(since.map { "#\($0)" }.joined(separator: ", ")))")
    }
    return Examination(manifest: manifest, filed: filed, lead: lead, problems: problems)
  }

  /// Whether the package's manifest is the bytes the ledger filed for the
  /// version it names: "the filed version N" (and what superseded it), or the problem.
  static func ledgerStanding(of directory: String, manifest: Manifest, database db: Database) throws -> (
    filed: String?, problem: String?
  ) {
    guard let version = manifest.filing?.version else { return (nil, nil) }
    guard
      case .success(let bytes) = PackageFolder.contents(
        of: (directory as NSString).appendingPathComponent(manifestName))
    else { return (nil, nil) }
    let sha = sha256(bytes)
    let named = "\(manifest.quarter) version \(version)"
    guard
      try Filing.find(in: db, manifestSHA256: sha).contains(where: {
        $0.quarter == manifest.quarter && $0.version == version
      })
    else {
      guard let filed = try Filing.find(in: db, quarter: manifest.quarter, version: version) else {
        return (nil, "\(manifestName): names \(named), which the filings do not hold (linkaudit filings)")
      }
      return (
        nil,
        "\(manifestName): not the filed \(named) (its SHA-256 is \(sha.prefix(16))…, the filing's \(filed.manifestSHA256.prefix(16))…)"
      )
    }
    let latest = try Filing.find(in: db, quarter: manifest.quarter)
    return (
      "the filed version \(version)"
        + (latest.map { $0.version > version ? ", superseded by version \($0.version) (issued \($0.issuedAt))" : "" }
          ?? ""),
      nil
    )
  }

  package static func sha256(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

  /// metrics.csv's figures by `metric_id[dimension]`, each said as `value
  /// (numerator/denominator)`, and the keys that appear more than once.
  /// Verify and the corrections of a re-issue read figures by this one rule.
  package static func figures(of csv: String) -> (figures: [String: String], repeated: [String]) {
    var result: [String: String] = [:]
    var repeated: [String] = []
    for line in csv.split(separator: "\n").dropFirst() {
      // A dimension of two keys is quoted (`"decision=c1,action=open"`): fields as csvLine wrote them.
      let parts = csvFields(line)
      guard parts.count >= 3 else { continue }
      let key = parts[1].isEmpty ? parts[0] : "\(parts[0])[\(parts[1])]"
      // value,numerator,denominator, said as "value (numerator/denominator)".
      let fields = Array(parts[2...])
      var said = fields[0].isEmpty ? "(no value)" : fields[0]
      if fields.count == 3, !fields[2].isEmpty {
        said += fields[1].isEmpty ? " (n = \(fields[2]))" : " (\(fields[1])/\(fields[2]))"
      }
      if result[key] != nil { repeated.append(key) }
      result[key] = result[key].map { $0 == said ? $0 : "\($0) and \(said)" } ?? said
    }
    return (result, repeated)
  }

  /// "metric[dimension]: package X, database Y" for each figure that differs.
  package static func compareMetrics(_ package: String, _ database: String) -> [String] {
    let (mine, theirs) = (figures(of: package), figures(of: database))
    let twice =
      mine.repeated.map { "metric \($0): appears more than once in the package's metrics.csv" }
      + theirs.repeated.map { "metric \($0): appears more than once in the database's metrics.csv" }
    let (a, b) = (mine.figures, theirs.figures)
    return twice
      + Set(a.keys).union(b.keys).sorted().compactMap { key in
        let (x, y) = (a[key], b[key])
        guard x != y else { return nil }
        return
          "metric \(key): package \(x ?? "(absent)"), database now \(y ?? "(absent)")"
      }
  }
}
