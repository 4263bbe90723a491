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
      tampered file, a changed row, a new batch) by file or metric, and whether the package \
      is the filed version its manifest names (its manifest's SHA-256 against the filings). \
      With --public-key it needs no database, as a regulator holding the issuer's public key \
      runs it: the signature (manifest.sig) of manifest.json, every file's SHA-256, and no \
      entry added (dot-files and folders included). PACKAGE is the folder or the archive \
      handed over (linkaudit-YYYY-Qn-vN.zip, or a zip of the package's folder under another \
      name, such as zip -r q4.zip 2021-Q4). A folder's name, or an archive's folder's, is no part \
      of the package: never failed, it is said when it reads as another quarter or version than \
      the one held (and an archive's folder when it is not the one report --archive writes). It \
      says which quarter, zone, version and issue time it verified; --quarter and --filed-version \
      refuse any other (the tool's own version is linkaudit --version). Only regular files are \
      read. With the database, the signature of a version filed signed is checked with the \
      public key the filings keep with it (or the signing key at hand, when it is the one \
      that filed it); one that cannot be checked is not a pass. Exits 0 when the package \
      stands, 1 otherwise.
      """)
  @OptionGroup var database: DatabaseOptions
  @OptionGroup var report: ReportOptions
  @Argument(help: "The report folder (e.g. reports/2021-Q4) or its archive (linkaudit-2021-Q4-v1.zip).")
  var directory: String
  @Option(
    help: ArgumentHelp(
      "The issuer's public key (PEM): check the package without the database.",
      discussion:
        "Checks manifest.sig against manifest.json and the key, every file's SHA-256 against the manifest, and that no entry was added; the database is not opened."
    ))
  var publicKey: String?
  // Arrays, so a second --quarter is refused rather than silently winning (red-team B8).
  @Option(
    name: .customLong("quarter"), parsing: .singleValue,
    help: ArgumentHelp("Refuse a package of any other quarter (YYYY-Qn, as report reads it).", valueName: "quarter"))
  var expectedQuarters: [String] = []
  // --filed-version: the tool's version is `linkaudit --version`; --version N is kept for the scripts that use it.
  @Option(
    name: [.customLong("filed-version"), .customLong("version")], parsing: .singleValue,
    help: ArgumentHelp("Refuse a package of any other filed version.", valueName: "n"))
  var expectedVersions: [Int] = []
  @OptionGroup var signing: SigningKeyOptions

  /// The quarter asked for, read as report reads one (2021-q4 is 2021-Q4).
  var expectedQuarter: Quarter? { expectedQuarters.first.flatMap(Quarter.init) }
  var expectedVersion: Int? { expectedVersions.first }

  func validate() throws {
    if expectedQuarters.count > 1 {
      throw ValidationError("--quarter is given \(expectedQuarters.count) times: name one quarter")
    }
    if expectedVersions.count > 1 {
      throw ValidationError("--filed-version is given \(expectedVersions.count) times: name one version")
    }
    if let text = expectedQuarters.first, Quarter(text) == nil {
      throw ValidationError(
        "quarter \"\(displayable(text))\" is not YYYY-Qn, four digits from \(Quarter.earliestYear) (for example 2021-Q4)"
      )
    }
    if let expectedVersion, expectedVersion < 1 { throw ValidationError("--filed-version must be 1 or more") }
  }

  func run() throws {
    let fm = FileManager.default
    var isFolder: ObjCBool = false
    var folder = directory
    var archiveProblems: [String] = []
    var unread = Set<String>()
    var archiveNotes: [String] = []
    // Named by process: a killed verify's copy is removed by the next one (red-team B17).
    PackageFolder.removeStaleScratch()
    let scratch = PackageFolder.scratchFolder(.unpack)
    defer { try? fm.removeItem(atPath: scratch) }
    if fm.fileExists(atPath: directory, isDirectory: &isFolder), !isFolder.boolValue {
      // The archive as handed over: unpacked aside, checked as its folder.
      (folder, archiveProblems, unread, archiveNotes) = try PackageArchive.unpack(directory, into: scratch)
      // Said, never a difference: the verdict stands on the files (red-team H11).
      for note in archiveNotes {
        FileHandle.standardError.write(Data("verify: \(escapingControls(directory)): \(escapingControls(note))\n".utf8))
      }
      // Every problem names its entry, never the scratch folder (red-team B11).
      let manifest = (folder as NSString).appendingPathComponent(ReportPackage.manifestName)
      if !PackageFolder.exists(manifest) {
        // A key that is no public key is refused first, as for any package.
        if let publicKey { _ = try PackagePublicKey(path: publicKey) }
        try conclude(
          nil,
          archiveProblems + [
            "\(ReportPackage.manifestName): not in the archive's package folder: no file can be checked"
          ]
        ) { "" }
        return
      }
    } else if let manifest = try? Manifest.read(from: directory),
      let note = PackageArchive.nameNote(folderName, of: manifest, packed: false)
    {
      // A folder's name is said as an archive's folder is, never failed (red-team I8).
      FileHandle.standardError.write(Data("verify: \(escapingControls(directory)): \(escapingControls(note))\n".utf8))
    }
    /// A file the archive could not give is named there once, not again as missing.
    func named(_ problems: [String]) -> [String] {
      problems.filter { p in !unread.contains { p == "\($0): missing" } }
    }
    if let publicKey {
      let key = try PackagePublicKey(path: publicKey)
      let (manifest, problems) = try ReportPackage.examineSigned(directory: folder, publicKey: key)
      try conclude(manifest, archiveProblems + named(problems) + expectation(manifest)) {
        "signed by the key \(key.fingerprint.prefix(16))… and every file matches the manifest"
      }
      return
    }
    let db = try database.openForReading()
    let key = signing.path(database: database)
    let (found, signature) = try db.transaction(.deferred) {
      let found = try ReportPackage.examine(
        directory: folder, database: db, templates: try report.templateFolder(), ratingModel: try report.model())
      // The ledger knows whether the version was filed signed, and by which key (red-team B10).
      let signature = try FiledPackage.signature(
        directory: folder, manifest: found.manifest, database: db, key: SigningKey.publicKey(at: key.path),
        keyPath: key.path, shown: directory)
      return (found, signature)
    }
    if let lead = found.lead {
      FileHandle.standardError.write(Data("verify: \(escapingControls(directory)): \(lead)\n".utf8))
    }
    if let note = signature.note {
      FileHandle.standardError.write(Data("verify: \(escapingControls(directory)): \(TableSink.flat(note))\n".utf8))
    }
    let signatureProblem = signature.problem.map { [$0] } ?? []
    let problems = archiveProblems + named(found.problems) + signatureProblem + expectation(found.manifest)
    // A version filed signed whose signature cannot be checked here is not a pass (red-team D9).
    if let unchecked = signature.unchecked {
      guard problems.isEmpty else {
        try conclude(found.manifest, problems + [unchecked], standing: found.filed) { "" }
        return
      }
      let what = TableSink.flat(found.manifest.identity)
      FileHandle.standardError.write(
        Data(
          "verify: \(escapingControls(directory)) (\(what)\(found.filed.map { "; \($0)" } ?? "")): every file and figure matches the manifest and the database, but the signature is not verified:\nverify: \(escapingControls(unchecked))\n"
            .utf8))
      throw ExitCode(1)
    }
    try conclude(found.manifest, problems, standing: found.filed) {
      (found.filed.map { "\($0); " } ?? "") + "every file and figure matches the manifest and the database"
        + (signature.note == nil ? "" : " (the signature not checked: see above)")
    }
  }

  /// The folder's own name as given (`reports/2021-Q3/`), or as it is for `.` and `..`.
  var folderName: String {
    let given = (directory as NSString).lastPathComponent
    return ["", ".", "..", "/"].contains(given)
      ? (FileIdentity(directory).canonical as NSString).lastPathComponent : given
  }

  /// The quarter and version asked for, against what the manifest says.
  func expectation(_ manifest: Manifest?) -> [String] {
    var problems: [String] = []
    if let expectedQuarter, manifest.flatMap({ Quarter($0.quarter) }) != expectedQuarter {
      problems.append(
        "manifest.json: the package is of \(manifest.map { TableSink.flat($0.quarter) } ?? "no readable quarter"), not \(expectedQuarter) as asked"
      )
    }
    if let expectedVersion, manifest?.filing?.version != expectedVersion {
      problems.append(
        "manifest.json: the package is \(manifest?.filing.map { "version \($0.version)" } ?? "no filed version"), not version \(expectedVersion) as asked"
      )
    }
    return problems
  }

  /// Prints what was verified when there is no problem, else each problem, and exits 1.
  /// `standing` (the filed version, superseded or not) heads the differences too:
  /// a kept older version fails against today's data, and is still the filed one.
  private func conclude(_ manifest: Manifest?, _ problems: [String], standing: String? = nil, verified: () -> String)
    throws
  {
    let what = manifest.map { TableSink.flat($0.identity) } ?? "no readable manifest"
    if problems.isEmpty {
      print("\(escapingControls(directory)): verified \(what): \(verified())")
      return
    }
    // The count first, then each difference: the last line names a file or a figure.
    FileHandle.standardError.write(
      Data(
        "verify: \(escapingControls(directory)) (\(what)\(standing.map { "; \($0)" } ?? "")): \(problems.count) difference(s) found:\n"
          .utf8))
    // Each on one line, a newline in a name shown as \u{A} (a space would pass for another name: red-team B11).
    for p in problems { FileHandle.standardError.write(Data("verify: \(escapingControls(p))\n".utf8)) }
    throw ExitCode(1)
  }
}
