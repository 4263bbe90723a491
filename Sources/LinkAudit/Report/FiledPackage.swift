import Foundation
import LinkAuditCore
import LinkAuditStore

/// A package on disk against the ledger: is it the version it names, as
/// filed? Its manifest's bytes are the filing's (SHA-256), every file matches
/// the manifest and none is added (verify's rule, `checkFiles`), and it
/// carries the signature the version was filed with. Doctor and verify ask
/// this one question the same way.
public enum FiledPackage {
  /// The signature of a package against what the ledger says of its version:
  /// `problem` when it is missing or does not verify with the key that filed
  /// it; `unchecked` when the version was filed signed but the key it was
  /// filed with is not known here (not a pass: red-team D9); `note` when a
  /// package of no filed version could not be checked (no key, another key).
  public struct SignatureStanding: Equatable {
    public var problem: String?
    public var note: String?
    public var unchecked: String?
  }

  /// The key that filed `filing` (its fingerprint), "" when it was filed
  /// unsigned; before the ledger kept it (schema v13), what the manifest names.
  static func signer(of filing: Filing?, manifest: Manifest) -> String {
    filing?.signedBy ?? manifest.signingKey?.publicKeySHA256 ?? ""
  }

  /// manifest.sig of the package in `directory` against the key that filed
  /// its version: the public key the ledger keeps with the version (schema
  /// v17), else the signing key beside the database when it is that key.
  /// `key` is that signing key (its public half), nil when there is none;
  /// `keyPath` is where it was looked for, and `shown` is how the package is
  /// named in the advice (the folder or archive given).
  public static func signature(
    directory: String, manifest: Manifest, database db: Database, key: Result<PackagePublicKey, Error>?,
    keyPath: String, shown: String
  ) throws -> SignatureStanding {
    let filing = try manifest.filing.flatMap { try Filing.find(in: db, quarter: manifest.quarter, version: $0.version) }
    let signer = signer(of: filing, manifest: manifest)
    guard !signer.isEmpty else { return SignatureStanding() }
    let version = manifest.filing.map { "version \($0.version)" } ?? "the package"
    let signaturePath = (directory as NSString).appendingPathComponent(ReportPackage.signatureName)
    guard PackageFolder.exists(signaturePath) else {
      return SignatureStanding(
        problem:
          "\(ReportPackage.signatureName): missing, but \(version) was filed signed (key \(signer.prefix(16))…): this is not the package handed over"
      )
    }
    let advice =
      "check it with linkaudit verify \(escapingControls(shown)) --public-key FILE, FILE the public key \(signer.prefix(16))… (the one handed to the regulator; linkaudit keys public --signing-key KEY prints it from its private key)"
    let publicKey: PackagePublicKey
    if let raw = filing?.signerPublicKey {
      // The ledger's key names itself: one whose SHA-256 is not the recorded signer's is no key of this filing.
      guard let filed = PackagePublicKey(raw: raw), filed.fingerprint == signer else {
        return SignatureStanding(
          problem:
            "\(ReportPackage.signatureName): not checked: the filings keep a public key for \(version) that is not the key they name as its signer (\(signer.prefix(16))…): the database is damaged; \(advice)"
        )
      }
      publicKey = filed
    } else if case .success(let atHand) = key, atHand.fingerprint == signer {
      publicKey = atHand
    } else {
      let atHand: String
      switch key {
      case nil: atHand = "there is no signing key at \(escapingControls(keyPath))"
      case .failure(let error):
        atHand =
          "the key at \(escapingControls(keyPath)) cannot be read (\(escapingControls(error.localizedDescription)))"
      case .success(let other):
        atHand = "the key at \(escapingControls(keyPath)) is another (\(other.fingerprint.prefix(16))…)"
      }
      let why =
        "\(ReportPackage.signatureName): not checked: \(version) was filed signed by the key \(signer.prefix(16))…, whose public key the filings do not hold (filed before linkaudit kept it), and \(atHand); \(advice)"
      // A package of no filed version is told, not failed: nothing says it was issued signed.
      return filing == nil ? SignatureStanding(note: why) : SignatureStanding(unchecked: why)
    }
    guard case .success(let bytes) = PackageFolder.manifestBytes(in: directory) else { return SignatureStanding() }  // named by the manifest's own check
    return SignatureStanding(
      problem: ReportPackage.signatureProblem(
        directory: directory, manifestBytes: bytes, key: publicKey, whose: "the key \(version) was filed with"))
  }

  /// What a package on disk holds and how it differs from its filed version.
  public struct Standing {
    public var manifest: Manifest?
    /// The ledger's line for the version the manifest names.
    public var filing: Filing?
    public var problems: [String]
    public var notes: [String]
    /// Why the signature of a version filed signed could not be checked: not a pass (red-team D9).
    public var unchecked: String?
  }

  /// The package in `directory` against the ledger: the manifest's bytes
  /// against the filing of the version it names, every file against the
  /// manifest (none missing, changed or added), and the signature.
  public static func standing(
    of directory: String, database db: Database, key: Result<PackagePublicKey, Error>?, keyPath: String,
    shown: String
  ) throws -> Standing {
    let manifestPath = (directory as NSString).appendingPathComponent(ReportPackage.manifestName)
    let bytes: Data
    switch PackageFolder.manifestBytes(in: directory) {
    case .success(let data): bytes = data
    case .failure(let why):
      return Standing(
        manifest: nil, filing: nil, problems: ["\(ReportPackage.manifestName): \(why.message)"], notes: [])
    }
    guard let manifest = try? Manifest.decode(bytes, path: manifestPath) else {
      return Standing(
        manifest: nil, filing: nil, problems: ["\(ReportPackage.manifestName): not a linkaudit manifest"], notes: [])
    }
    var problems: [String] = []
    let filing = try manifest.filing.flatMap {
      try Filing.find(in: db, quarter: manifest.quarter, version: $0.version)
    }
    if let unfiled = try unfiledClaim(bytes, manifest: manifest, database: db) { problems.append(unfiled) }
    problems += try ReportPackage.checkFiles(
      directory: directory, manifest: manifest, filed: filedSizes(manifest, filing: filing)
    ).problems
    let signature = try self.signature(
      directory: directory, manifest: manifest, database: db, key: key, keyPath: keyPath, shown: shown)
    if let problem = signature.problem { problems.append(problem) }
    return Standing(
      manifest: manifest, filing: filing, problems: problems, notes: signature.note.map { [$0] } ?? [],
      unchecked: signature.unchecked)
  }

  /// The sizes of a filed version's files the filings know: its metrics.csv,
  /// which they keep whole, when the manifest lists those very bytes. The
  /// manifest lists no sizes, only SHA-256: a copy's metrics.csv of another
  /// size is named without hashing it (red-team I5: a sparse 500 MiB one).
  package static func filedSizes(_ manifest: Manifest, filing: Filing?) -> [String: UInt64] {
    guard let filing else { return [:] }
    let metrics = Data(filing.metricsCSV.utf8)
    guard manifest.files["metrics.csv"] == ReportPackage.sha256(metrics) else { return [:] }
    return ["metrics.csv": UInt64(metrics.count)]
  }

  /// Why a manifest's claim to a filed version is not this ledger's: it names
  /// a version the filings do not hold, or one they hold with other bytes;
  /// nil when the ledger holds those very bytes, or it names no version. One
  /// question, asked by doctor and verify of a package, and by report of every
  /// package it can see before it files a version (red-team D1, E1).
  public static func unfiledClaim(_ bytes: Data, manifest: Manifest, database db: Database) throws -> String? {
    guard let version = manifest.filing?.version else { return nil }
    guard let filing = try Filing.find(in: db, quarter: manifest.quarter, version: version) else {
      return
        "\(ReportPackage.manifestName): names \(escapingControls(manifest.quarter)) version \(version), which the filings do not hold"
    }
    let sha = ReportPackage.sha256(bytes)
    guard filing.manifestSHA256 != sha else { return nil }
    // The version this ledger filed, altered since: said as such, with what differs (red-team F8).
    if let filed = try alteredFiling(bytes, manifest: manifest, database: db) {
      return "\(alteredManifest): \(alteration(of: bytes, manifest: manifest, filing: filed))"
    }
    return
      "\(ReportPackage.manifestName): not the filed bytes (SHA-256 \(sha.prefix(16))…, the filing's \(filing.manifestSHA256.prefix(16))…)"
  }

  /// The folders given, each once (by where it leads), those that are folders.
  static func places(_ folders: [String]) -> [String] {
    var seen = Set<String>()
    return folders.compactMap { folder in
      let name = folder.isEmpty ? "." : folder
      var info = stat()
      guard stat(name, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, seen.insert(FileIdentity(name).canonical).inserted
      else { return nil }
      return name
    }
  }

  /// A package in sight whose manifest claims a filed version this ledger
  /// does not hold with those bytes (`unfiledClaim`: `why`).
  public struct Claim {
    public var path: String
    public var manifest: Manifest
    public var isArchive: Bool
    /// Under a staging name (`.2021-Q4.writing-…`): a report's, killed or at work.
    public var isStaged: Bool
    public var why: String
  }

  /// Every package in sight in `folders` (each with its immediate subfolders,
  /// hidden names included; folders and archives told by content:
  /// `PackageFolder.packagesInSight`) that claims a filed version this ledger
  /// does not hold with those bytes (red-team E1, F1). Not a claim: what
  /// this process holds (its own staging) or `excluding` names, and a killed
  /// report's staging of a version this database wrote and never filed
  /// (`ReportPackage.stagedStanding`), which the next report removes. `cut`
  /// names the folders holding more entries than were looked at
  /// (`PackageFolder.sightLimit`), `unread` the archives not read through
  /// (a bound: red-team G3, G4). One question, asked by report before it
  /// files a version and by doctor of the folders it looks in.
  /// A folder named `reports`, one in `whole` (report's `--out` parent) and
  /// a package parent (`packageParents`: one holding this database's filed
  /// packages, as `filings/` does after `--out filings/2021-Q4`: red-team
  /// G5) are looked at whole; any other (the database's, the current one)
  /// for the names report gives packages and archives
  /// (`PackageFolder.isToolNamed`, with `named`): a working folder may hold
  /// other databases' packages under names of their own. `held` hears each
  /// package in sight whose manifest is a filed version's very bytes (no
  /// claim), for doctor to check its files as filed (red-team H6).
  package static func claims(
    in folders: [String], database db: Database, excluding: [String] = [], named: [String] = [],
    whole: [String] = [], held: ((PackageFolder.InSight) -> Void)? = nil
  ) throws -> (claims: [Claim], cut: [String], unread: [PackageFolder.NotRead]) {
    let excluded = Set(excluding.map { FileIdentity($0).canonical })
    func isReports(_ folder: String) -> Bool {
      (FileIdentity(folder).canonical as NSString).lastPathComponent == "reports"
    }
    let given = places(folders)
    let parents = try packageParents(around: given.filter { !isReports($0) }, database: db)
    let seenWhole = Set((whole + parents).map { FileIdentity($0).canonical })
    var seen = Set<String>()
    var claims: [Claim] = []
    var cut: [String] = []
    var unread: [PackageFolder.NotRead] = []
    // One budget for all the archives in sight, not one each (red-team H8).
    let budget = PackageFolder.SightBudget()
    for folder in places(given + parents) {
      let isWhole = isReports(folder) || seenWhole.contains(FileIdentity(folder).canonical)
      let sight = PackageFolder.packagesInSight(
        folder, named: isWhole ? nil : { PackageFolder.isToolNamed($0, also: named) }, budget: budget)
      if sight.cut { cut.append(folder) }
      // This run's own (its staging, `excluding`) is no archive handed over, read through or not.
      unread += sight.unread.filter {
        let canonical = FileIdentity($0.path).canonical
        return !excluded.contains(canonical) && !PackageFolder.isHeldHere($0.path) && seen.insert(canonical).inserted
      }
      for package in sight.found {
        let canonical = FileIdentity(package.path).canonical
        // One archive may hold several packages (both versions of a quarter): each is a claim (red-team H3).
        // A folder may hold two, one spelt in another case (red-team L3): each is a claim too.
        let whose = canonical + "\u{0}" + ReportPackage.sha256(package.manifest)
        guard seen.insert(whose).inserted, !excluded.contains(canonical),
          !PackageFolder.isHeldHere(package.path),
          let manifest = try? Manifest.decode(package.manifest, path: package.path)
        else { continue }
        guard let why = try unfiledClaim(package.manifest, manifest: manifest, database: db) else {
          if manifest.filing != nil { held?(package) }
          continue
        }
        let name = (package.path as NSString).lastPathComponent
        let staged = PackageFolder.stagedFor(name) != nil && name.hasPrefix(".")
        // A killed run of this database left it before its commit: not a claim, the next report removes it.
        if staged, PackageFolder.stagedFor(name)?.kind == .writing, !PackageFolder.isInUse(package.path),
          ReportPackage.stagedStanding(package.manifest, database: db) == .unfiled
        {
          continue
        }
        claims.append(
          Claim(path: package.path, manifest: manifest, isArchive: package.isArchive, isStaged: staged, why: why))
      }
    }
    let skipped = budget.skipped.filter {
      let canonical = FileIdentity($0).canonical
      return !excluded.contains(canonical) && !PackageFolder.isHeldHere($0) && seen.insert(canonical).inserted
    }
    if !skipped.isEmpty {
      unread.append(
        PackageFolder.NotRead(
          path: PackageFolder.listed(skipped) + " (\(skipped.count) archive(s))",
          why: PackageFolder.skippedWhy))
    }
    return (claims, cut, unread)
  }

  /// The immediate subfolders of the working folders given that hold a
  /// package or an archive of a version this ledger filed, under a name
  /// report gives (`2021-Q4`, `2021-Q4-v1`, `linkaudit-2021-Q4-v2.zip`): a
  /// folder report has used as a package folder's parent, so what else it
  /// holds is this database's handing over too, whatever its name (red-team
  /// G5). The ledger keeps no package's folder, so this is what tells them.
  /// The working folders themselves stay so (F1's kept choice: the red-team
  /// runner's cases share one, each database's packages in a folder of its own).
  static func packageParents(around folders: [String], database db: Database) throws -> [String] {
    var parents: [String] = []
    for folder in folders {
      let subfolders = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        .prefix(PackageFolder.sightLimit).map { folder == "." ? $0 : (folder as NSString).appendingPathComponent($0) }
        .filter {
          var info = stat()
          return lstat($0, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
        }
      for candidate in subfolders {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: candidate)) ?? [])
          .filter { !$0.hasPrefix(".") && PackageFolder.isToolNamed($0) }.sorted().prefix(PackageFolder.sightLimit)
        for name in names {
          let path = candidate == "." ? name : (candidate as NSString).appendingPathComponent(name)
          let bytes =
            name.hasSuffix(".zip")
            ? PackageFolder.archiveManifest(path) : (try? PackageFolder.manifestBytes(in: path).get())
          guard let bytes, try !Filing.find(in: db, manifestSHA256: ReportPackage.sha256(bytes)).isEmpty else {
            continue
          }
          parents.append(candidate)
          break
        }
      }
    }
    return parents
  }

  /// The names the reports folder gives an archive of a filed version:
  /// `linkaudit-2021-Q4-v1.zip`, `linkaudit-2021-Q4-UTC-v2.zip`.
  public static func isArchiveName(_ name: String) -> Bool { archiveClaim(name) != nil }

  /// The quarter and version an archive's name gives (`linkaudit-2021-Q4-UTC-v2.zip`: 2021-Q4, 2).
  static func archiveClaim(_ name: String) -> (quarter: String, version: Int)? {
    guard name.hasPrefix("linkaudit-"), name.hasSuffix(".zip") else { return nil }
    let stem = name.dropFirst("linkaudit-".count).dropLast(".zip".count)
    guard let v = stem.range(of: "-v", options: .backwards), let n = Int(stem[v.upperBound...]), n > 0,
      let q = Quarter(String(stem.prefix(7)))
    else { return nil }
    return (q.description, n)
  }
}

extension ReportPackage {
  /// manifest.sig against the manifest's bytes and `key`: nil when it is
  /// that key's signature, else why not. One rule for verify
  /// --public-key, verify with the database, and doctor.
  static func signatureProblem(directory: String, manifestBytes: Data, key: PackagePublicKey, whose: String)
    -> String?
  {
    let signaturePath = (directory as NSString).appendingPathComponent(signatureName)
    switch PackageFolder.contents(of: signaturePath) {
    case .success(let signature):
      return key.isValidSignature(signature, for: manifestBytes)
        ? nil
        : "\(signatureName): not a signature of \(manifestName) by \(whose) (\(key.fingerprint.prefix(16))…): the manifest, the signature or the key is not the one issued"
    case .failure(let why):
      return PackageFolder.exists(signaturePath)
        ? "\(signatureName): \(why.message)" : "\(signatureName): missing: the package is not signed"
    }
  }
}

extension SigningKey {
  /// The public half of the signing key at `path`: nil when nothing is
  /// there, else the key or why it cannot be read (its mode, not a key).
  public static func publicKey(at path: String) -> Result<PackagePublicKey, Error>? {
    guard PackageFolder.exists(path) else { return nil }
    return Result { try SigningKey(path: path).publicKey }
  }
}
