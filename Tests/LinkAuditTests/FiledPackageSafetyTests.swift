import Foundation
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the second attack's findings on doctor, verify's verdict and
/// the keys (red-team B5, B8, B9, B10, B13, B14), through the built binary.
/// Each test names the finding it holds (docs/reliability-round3-guard.md).
@Suite struct FiledPackageSafetyTests {
  let dir = TemporaryDirectory()
  var database: String { dir.file("p.db") }
  /// The signing key where report, verify and doctor look for it: beside the database.
  var signingKey: String { dir.file(".linkaudit-signing-key.pem") }
  var reports: String { dir.file("reports") }

  func run(_ arguments: [String]) throws -> LinkauditBinary.Run {
    try LinkauditBinary.run(arguments, database: database)
  }

  /// Runs the binary under timeout(1); nil when it had to be killed (a hang).
  func run(_ arguments: [String], within seconds: Int) throws -> LinkauditBinary.Run? {
    try PackageFixture.run(arguments, database: database, within: seconds)
  }

  /// Every file under a folder, by relative path, with its bytes (what a read-only command must leave).
  func snapshot(_ folder: String) -> [String: Data] {
    var files: [String: Data] = [:]
    for name in FileManager.default.subpaths(atPath: folder) ?? [] {
      let path = (folder as NSString).appendingPathComponent(name)
      guard PackageFolderKind.isRegular(path) else { continue }
      files[name] = FileManager.default.contents(atPath: path) ?? Data()
    }
    return files
  }

  /// Five events of 2021-Q4, imported with the key beside the database, a
  /// signing key beside it, and 2021-Q4 filed signed into reports/2021-Q4
  /// with its archive beside it.
  func filed() throws {
    let csv = try PackageFixture.links("seed.csv", PackageFixture.quarterRows, in: dir)
    let imported = try run(["import", "links", csv])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(try run(["keys", "new"]).status == 0)
    let reported = try run(["report", "--quarter", "2021-Q4", "--out", reports + "/2021-Q4", "--archive"])
    #expect(reported.status == 0, "\(reported.stderr)")
    #expect(FileManager.default.fileExists(atPath: reports + "/linkaudit-2021-Q4-v1.zip"))
  }

  func doctor(_ more: [String] = []) throws -> LinkauditBinary.Run {
    try #require(try run(["doctor", "--reports", reports] + more, within: 60), "doctor hung")
  }

  func lines(_ out: String, containing text: String) -> [String] {
    out.split(separator: "\n").map(String.init).filter { $0.contains(text) }
  }

  // MARK: B5

  /// B5: "as filed" means the manifest is the filing's bytes, every file
  /// matches it, none is added and the signature holds; the archives
  /// beside the packages are checked the same way. Doctor writes nothing.
  @Test func b5_doctorChecksEveryFileTheSignatureAndTheArchivesOfAFiledVersion() throws {
    try filed()
    let healthy = try doctor()
    #expect(healthy.status == 0, "\(healthy.stdout)")
    #expect(
      healthy.stdout.contains("ok       filings: every quarter's filed version is in")
        && healthy.stdout.contains("signature included"), "\(healthy.stdout)")
    let package = reports + "/2021-Q4"
    // A signature that is not the one filed.
    let signature = try #require(FileManager.default.contents(atPath: package + "/manifest.sig"))
    try Data(repeating: 7, count: 64).write(to: URL(fileURLWithPath: package + "/manifest.sig"))
    let badSignature = try doctor()
    #expect(badSignature.status == 1)
    #expect(
      lines(
        badSignature.stdout,
        containing:
          "problem  packages: \(package): 2021-Q4 version 1 is not as filed, 1 difference(s): manifest.sig: not a signature"
      ).count == 1,
      "\(badSignature.stdout)")
    try signature.write(to: URL(fileURLWithPath: package + "/manifest.sig"))
    // A figure changed, a file deleted, a file added: the manifest's bytes are still the filed ones.
    let metrics = try String(contentsOfFile: package + "/metrics.csv", encoding: .utf8)
    try (metrics + "p9.extra,1,,,\n").write(toFile: package + "/metrics.csv", atomically: true, encoding: .utf8)
    try FileManager.default.removeItem(atPath: package + "/principle-1.en.md")
    try "x\n".write(toFile: package + "/.notes", atomically: true, encoding: .utf8)
    // The archive handed over is junk; another is a pipe (never read).
    try "junk\n".write(toFile: reports + "/linkaudit-2021-Q4-v1.zip", atomically: true, encoding: .utf8)
    #expect(mkfifo(reports + "/linkaudit-2021-Q4-v7.zip", 0o600) == 0)
    let (before, db) = (snapshot(reports), try Data(contentsOf: URL(fileURLWithPath: database)))
    let tampered = try doctor()
    #expect(tampered.status == 1)
    let line = lines(tampered.stdout, containing: "problem  packages: \(package): 2021-Q4 version 1 is not as filed")
    #expect(line.count == 1, "\(tampered.stdout)")
    #expect(
      line.first.map {
        $0.contains("3 difference(s)") && $0.contains("metrics.csv: modified")
          && $0.contains("principle-1.en.md: missing")
          && $0.contains(".notes: not listed in the manifest")
      } == true, "\(tampered.stdout)")
    #expect(
      lines(tampered.stdout, containing: "linkaudit-2021-Q4-v1.zip").contains {
        $0.hasPrefix("problem") && $0.contains("not a zip archive")
      },
      "\(tampered.stdout)")
    #expect(
      lines(tampered.stdout, containing: "linkaudit-2021-Q4-v7.zip").contains {
        $0.hasPrefix("problem") && $0.contains("not a regular file")
      },
      "\(tampered.stdout)")
    #expect(tampered.stdout.contains("no package or archive in"), "\(tampered.stdout)")
    #expect(!tampered.stdout.contains("as filed: its manifest"), "\(tampered.stdout)")
    // Read-only: nothing in the reports folder nor the database changed.
    #expect(snapshot(reports) == before)
    #expect(try Data(contentsOf: URL(fileURLWithPath: database)) == db)
  }

  /// B5: a superseded version kept as filed in its `-vN` folder (and its
  /// archive) is held, not warned about; the quarter's folder holds the latest.
  @Test func b5_aSupersededVersionInItsOwnFolderIsHeld() throws {
    try filed()
    try FileManager.default.copyItem(atPath: reports + "/2021-Q4", toPath: reports + "/2021-Q4-v1")
    let csv = try dir.write(
      "more.csv",
      "event_id,occurred_at,scene,user_id,url,action,reason\nm1,2021-10-09 10:00:00,group_chat,u,https://a.cn/,open,\n")
    #expect(try run(["import", "links", csv]).status == 0)
    let reissued = try run(["report", "--quarter", "2021-Q4", "--out", reports + "/2021-Q4", "--reason", "late batch"])
    #expect(reissued.status == 0, "\(reissued.stderr)")
    let kept = try doctor()
    #expect(kept.status == 0, "\(kept.stdout)")
    #expect(!kept.stdout.contains("superseded"), "\(kept.stdout)")
    #expect(kept.stdout.contains("ok       filings: every quarter's filed version is in"), "\(kept.stdout)")
  }

  // MARK: B10

  /// B10: with the database, verify knows from the ledger that the version
  /// was filed signed: a garbage or missing manifest.sig fails, and an
  /// added entry is not "provenance moved".
  @Test func b10_verifyWithTheDatabaseChecksTheSignatureTheLedgerRecorded() throws {
    try filed()
    let package = dir.file("copy")
    try FileManager.default.copyItem(atPath: reports + "/2021-Q4", toPath: package)
    let good = try run(["verify", package])
    #expect(good.status == 0, "\(good.stderr)")
    try Data(repeating: 7, count: 64).write(to: URL(fileURLWithPath: package + "/manifest.sig"))
    let garbage = try run(["verify", package])
    #expect(garbage.status == 1)
    #expect(
      garbage.stderr.contains("manifest.sig: not a signature of manifest.json by the key version 1 was filed with"),
      "\(garbage.stderr)")
    #expect(!garbage.stderr.contains("provenance moved"), "\(garbage.stderr)")
    try FileManager.default.createDirectory(atPath: package + "/.git", withIntermediateDirectories: false)
    let extra = try run(["verify", package])
    #expect(extra.status == 1)
    #expect(extra.stderr.contains(".git: not listed in the manifest"), "\(extra.stderr)")
    #expect(!extra.stderr.contains("provenance moved"), "\(extra.stderr)")
    try FileManager.default.removeItem(atPath: package + "/.git")
    try FileManager.default.removeItem(atPath: package + "/manifest.sig")
    let missing = try run(["verify", package])
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("manifest.sig: missing, but version 1 was filed signed"), "\(missing.stderr)")
    // Without the signing key beside the database: checked with the public key the ledger keeps (red-team D9).
    try FileManager.default.copyItem(atPath: reports + "/2021-Q4/manifest.sig", toPath: package + "/manifest.sig")
    try FileManager.default.moveItem(atPath: signingKey, toPath: dir.file("elsewhere.pem"))
    let keyless = try run(["verify", package])
    #expect(keyless.status == 0, "\(keyless.stderr)")
    #expect(!keyless.stderr.contains("not checked"), "\(keyless.stderr)")
    #expect(!keyless.stdout.contains("the signature not checked"), "\(keyless.stdout)")
  }

  // MARK: B13, B14

  /// B13: doctor checks the pseudonym key import will use (beside the
  /// database, or --key-file), and says where the database recorded it.
  @Test func b13_doctorChecksTheKeyImportWillUse() throws {
    try filed()
    let moved = dir.file("moved")
    try FileManager.default.createDirectory(atPath: moved, withIntermediateDirectories: false)
    try FileManager.default.copyItem(atPath: database, toPath: moved + "/p.db")
    let db = moved + "/p.db"
    let alone = try LinkauditBinary.run(["doctor", "--reports", reports], database: db)
    #expect(alone.status == 1)
    let line = lines(alone.stdout, containing: "pseudonym key:")
    #expect(line.count == 1 && line[0].hasPrefix("problem"), "\(alone.stdout)")
    #expect(
      line.first.map {
        $0.contains("\(moved)/.linkaudit.key is missing") && $0.contains("the key it recorded at")
          && $0.contains("--key-file")
      } == true, "\(alone.stdout)")
    // As import says: the same key decides both.
    let csv = try dir.write(
      "more.csv",
      "event_id,occurred_at,scene,user_id,url,action,reason\nm1,2021-10-09 10:00:00,group_chat,u,https://a.cn/,open,\n")
    let refused = try LinkauditBinary.run(["import", "links", csv], database: db)
    #expect(refused.status != 0, "\(refused.stderr)")
    // The key beside the database: ok, and the recorded path named.
    try FileManager.default.copyItem(atPath: dir.file(".linkaudit.key"), toPath: moved + "/.linkaudit.key")
    let beside = try LinkauditBinary.run(["doctor", "--reports", reports], database: db)
    #expect(
      lines(beside.stdout, containing: "pseudonym key:").first.map {
        $0.hasPrefix("ok") && $0.contains("the database recorded the key at")
      } == true, "\(beside.stdout)")
  }

  /// B14: one line for one signing key, whatever is wrong with it.
  @Test func b14_oneDoctorLinePerSigningKey() throws {
    try filed()
    chmod(signingKey, 0o644)
    let open = try doctor()
    let opened = lines(open.stdout, containing: "signing key:")
    #expect(opened.count == 1 && opened[0].hasPrefix("problem") && opened[0].contains("mode 644"), "\(open.stdout)")
    chmod(signingKey, 0o600)
    let original = try Data(contentsOf: URL(fileURLWithPath: signingKey))
    try "not a key\n".write(toFile: signingKey, atomically: false, encoding: .utf8)
    let garbage = try doctor()
    let garbled = lines(garbage.stdout, containing: "signing key:")
    #expect(garbled.count == 1 && garbled[0].hasPrefix("problem"), "\(garbage.stdout)")
    try original.write(to: URL(fileURLWithPath: signingKey))
  }

  // MARK: B9

  /// B9: a signing key directly in a reports folder is refused, as one in a folder inside it is.
  @Test func b9_aSigningKeyDirectlyInReportsIsRefused() throws {
    try FileManager.default.createDirectory(atPath: reports, withIntermediateDirectories: false)
    let made = try run(["keys", "new", "--signing-key", reports + "/k.pem"])
    #expect(made.status != 0)
    #expect(
      made.stderr.contains("lies in") && made.stderr.contains("where packages are written and handed over"),
      "\(made.stderr)")
    #expect(!FileManager.default.fileExists(atPath: reports + "/k.pem"))
  }

  // MARK: B8

  /// B8: one quarter parser for report and verify; a repeated --quarter is
  /// refused; --filed-version names the version, and the tool's own
  /// version is `linkaudit --version`, which no subcommand's help shadows.
  @Test func b8_verifyReadsQuartersAsReportDoesAndTheVersionFlagIsNotShadowed() throws {
    try filed()
    let package = reports + "/2021-Q4"
    let lower = try run(["verify", package, "--quarter", "2021-q4"])
    #expect(lower.status == 0, "\(lower.stderr)")
    let twice = try run(["verify", package, "--quarter", "2021-Q3", "--quarter", "2021-Q4"])
    #expect(twice.status != 0)
    #expect(twice.stderr.contains("--quarter is given 2 times"), "\(twice.stderr)")
    let version = try run(["verify", package, "--filed-version", "2"])
    #expect(version.status == 1)
    #expect(version.stderr.contains("the package is version 1, not version 2 as asked"), "\(version.stderr)")
    let tool = try run(["--version"])
    #expect(tool.status == 0 && !tool.stdout.isEmpty, "\(tool.stderr)")
    let help = try run(["verify", "--help"])
    #expect(!help.stdout.contains("Show the version"), "\(help.stdout)")
    #expect(help.stdout.contains("--filed-version"), "\(help.stdout)")
  }
}

/// The kind of a file without following a link (a snapshot reads regular files only).
enum PackageFolderKind {
  static func isRegular(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
  }
}
