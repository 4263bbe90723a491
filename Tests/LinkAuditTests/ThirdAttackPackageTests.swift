import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the third attack's package findings (red-team C1-C4, C8-C10,
/// C12): a filed version is never put under its name before the ledger holds
/// it, never deleted, and every filed version is found or named by doctor.
/// Through the built binary, and at the library's seam between staging and
/// install where a kill is simulated. Rows: docs/reliability.md.
@Suite struct ThirdAttackPackageTests: BinaryQuarterSuite {
  let dir = TemporaryDirectory()
  var database: String { dir.file("p.db") }
  var reports: String { dir.file("reports") }
  var folder: String { reports + "/2021-Q4" }
  /// A process id no process has (above the kernel's largest): a report that was killed.
  static let gone = 4_194_304 + 11

  func run(_ arguments: [String]) throws -> LinkauditBinary.Run {
    try LinkauditBinary.run(arguments, database: database)
  }

  func exists(_ path: String) -> Bool { PackageFolder.exists(path) }

  /// Every file under a folder, by relative path, with its bytes.
  func snapshot(_ folder: String) -> [String: Data] {
    var files: [String: Data] = [:]
    for name in FileManager.default.subpaths(atPath: folder) ?? [] {
      let path = (folder as NSString).appendingPathComponent(name)
      guard PackageFolder.notARegularFile(path) == nil else { continue }
      files[name] = bytes(path) ?? Data()
    }
    return files
  }

  func report(_ more: [String]) throws -> LinkauditBinary.Run {
    try run(["report", "--quarter", "2021-Q4"] + more)
  }

  func filings() throws -> [Filing] {
    let db = try Database(path: database, mode: .readOnly)
    defer { db.close() }
    return try Filing.all(in: db)
  }

  func doctor() throws -> LinkauditBinary.Run { try run(["doctor", "--reports", reports]) }

  // MARK: C1

  /// C1: the archive is written under its hidden name inside the filing's
  /// transaction and takes its name only once the ledger holds the version:
  /// a COMMIT that fails (a deferred constraint here; a kill or a full disk
  /// alike) leaves no signed `linkaudit-2021-Q4-v1.zip` of a version never filed.
  @Test func c1_noArchiveTakesItsNameBeforeTheLedgerHoldsItsVersion() throws {
    try seeded(filing: false)
    do {
      let db = try Database.store(at: database)
      defer { db.close() }
      try db.execute(
        """
        CREATE TABLE nowhere (id INTEGER PRIMARY KEY);
        CREATE TABLE commit_trap (v INTEGER REFERENCES nowhere(id) DEFERRABLE INITIALLY DEFERRED);
        CREATE TRIGGER commit_trap_on_filing AFTER INSERT ON filing BEGIN INSERT INTO commit_trap VALUES (1); END;
        """)
    }
    let failed = try report(["--out", folder, "--archive"])
    #expect(failed.status != 0, "\(failed.stderr)")
    #expect(failed.stderr.contains("FOREIGN KEY"), "\(failed.stderr)")
    #expect(try filings().isEmpty)
    #expect(listing(reports).filter { !$0.hasPrefix(".") } == [], "\(listing(reports))")
    #expect(!listing(reports).contains { $0.hasSuffix(".zip") || $0.contains(".zip.") }, "\(listing(reports))")
    do {
      let db = try Database.store(at: database)
      defer { db.close() }
      try db.execute("DROP TRIGGER commit_trap_on_filing; DROP TABLE commit_trap; DROP TABLE nowhere;")
    }
    let filed = try report(["--out", folder, "--archive"])
    #expect(filed.status == 0, "\(filed.stderr)")
    #expect(try filings().map(\.version) == [1])
    #expect(listing(reports).filter { !$0.hasPrefix(".") } == ["2021-Q4", "linkaudit-2021-Q4-v1.zip"])
    // Nothing hidden is left beside it either.
    #expect(listing(reports).filter { $0.hasPrefix(".") && !$0.hasSuffix(".lock") } == [], "\(listing(reports))")
  }

  // MARK: C2

  /// C2: a filed version a killed report staged while the folder still held
  /// the version before is put where it belongs (the folder, the one before
  /// kept in `-v1`), never removed, and said; the same for an older version
  /// (kept in its `-vN`).
  @Test func c2_aFiledVersionStagedByAKilledReportIsNeverRemoved() throws {
    let kept = KeptVersionTests()
    let store = try MetricCatalogueTests.loaded()
    let folder = try kept.filings.issue(store, to: "reports/2021-Q4", at: FilingTests.first)
    let v1 = try #require(bytes(folder + "/manifest.json"))
    try kept.filings.importUnrelated(store)
    let db = try store.open()
    defer { db.close() }
    let v2 = try kept.staged(db, to: folder, reason: "late log", at: FilingTests.later)
    let staging = try #require(v2.staged)
    // Killed after the ledger committed version 2, before it took the folder: the folder still holds version 1.
    let left = store.dir.file("reports/.2021-Q4.writing-\(Self.gone)")
    try FileManager.default.moveItem(atPath: staging, toPath: left)
    // A batch imported since: version 2 can never be written again, and the next run is version 3.
    try store.load([
      (
        .links,
        try store.dir.write(
          "june.csv",
          "event_id,occurred_at,scene,user_id,url,action,reason\nj1,2022-06-03 10:00:00,search,u9,https://a.cn/,open,\n"
        )
      )
    ])
    let (_, next) = try kept.filings.issued(store, to: "reports/2021-Q4", reason: "June", at: FilingTests.later)
    #expect(next.version?.version == 3 && next.version?.isNew == true)
    #expect(!exists(left))
    #expect(try ReportPackage.sha256(#require(bytes(folder + "-v2/manifest.json"))) == v2.manifestSHA256)
    #expect(try ReportPackage.checkWritten(directory: folder + "-v2") == [])
    #expect(bytes(folder + "-v1/manifest.json") == v1)
    #expect(
      try ReportPackage.sha256(#require(bytes(folder + "/manifest.json")))
        == kept.filings.ledger(store)[2].manifestSHA256)
    #expect(
      next.notes.contains { $0.contains("2021-Q4 version 2, left staged by an earlier report: put in place") },
      "\(next.notes)")
    // An older filed version staged by a killed report: kept in its own -vN, not removed.
    try FileManager.default.moveItem(
      atPath: folder + "-v1", toPath: store.dir.file("reports/.2021-Q4.writing-\(Self.gone)"))
    let (_, third) = try kept.filings.issued(store, to: "reports/2021-Q4", at: FilingTests.later)
    #expect(bytes(folder + "-v1/manifest.json") == v1, "\(third.notes)")
    #expect(third.notes.contains { $0.contains("kept as filed in \(folder)-v1") }, "\(third.notes)")
    #expect(
      listing(store.dir.file("reports")).filter { !$0.hasPrefix(".") } == ["2021-Q4", "2021-Q4-v1", "2021-Q4-v2"])
  }

  // MARK: C3

  /// C3: a `-v1` copy without the signature (or with another) is not version 1
  /// as filed: refused, named, and the folder's signed copy stays.
  @Test func c3_aKeptCopyWithoutTheSignatureIsNotThatVersion() throws {
    try seeded()
    let signed = snapshot(folder)
    #expect(signed["manifest.sig"] != nil)
    try FileManager.default.copyItem(atPath: folder, toPath: folder + "-v1")
    for damage in [nil, Data(repeating: 7, count: 64)] as [Data?] {
      try? FileManager.default.removeItem(atPath: folder + "-v1/manifest.sig")
      if let damage { try damage.write(to: URL(fileURLWithPath: folder + "-v1/manifest.sig")) }
      let copy = snapshot(folder + "-v1")
      for dry in [true, false] {
        let refused = try report(
          ["--out", folder, "--lang", "en", "--reason", "English only"] + (dry ? ["--dry-run"] : []))
        #expect(refused.status != 0, "\(refused.stdout)\(refused.stderr)")
        #expect(
          refused.stderr.contains("\(folder)-v1 is there already and is not 2021-Q4 version 1 as filed"),
          "\(refused.stderr)")
        #expect(snapshot(folder) == signed)
        #expect(snapshot(folder + "-v1") == copy)
        #expect(try filings().map(\.version) == [1])
      }
    }
  }

  /// D8: a filed folder altered since (metrics.csv edited, its signature deleted) is kept aside by
  /// a re-issue, since it may be the only copy, but as found, never "as filed": the dry run and the
  /// real run name what differs.
  @Test func d8_anAlteredFolderIsKeptAsFoundNotAsFiled() throws {
    try seeded()
    let metrics = folder + "/metrics.csv"
    let text = try String(contentsOfFile: metrics, encoding: .utf8)
    try (text + "overview.forged,1\n").write(toFile: metrics, atomically: true, encoding: .utf8)
    try FileManager.default.removeItem(atPath: folder + "/manifest.sig")
    for dry in [true, false] {
      let run = try report(["--out", folder, "--lang", "en", "--reason", "English only"] + (dry ? ["--dry-run"] : []))
      #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
      let said = run.stdout + run.stderr
      #expect(
        said.contains("holds version 1, altered since it was filed")
          || said.contains("held version 1, altered since it was filed"), "\(said)")
      #expect(said.contains("metrics.csv") && said.contains("not as filed"), "\(said)")
      #expect(!said.contains("kept as filed"), "\(said)")
    }
    #expect(FileManager.default.fileExists(atPath: folder + "-v1/metrics.csv"))
  }

  // MARK: C4

  /// C4: a `.2021-Q4.previous-PID` folder holding a manifest and what no
  /// report writes (notes, a subfolder, a private key) is never moved into the
  /// package's name (then replaced and deleted): left, and said. A file of
  /// someone's named `.2021-Q4.lock` is left too.
  @Test func c4_aStagingNamedFolderOfSomeonesIsLeftAndALockFileOfSomeonesToo() throws {
    try seeded()
    let manifest = try #require(bytes(folder + "/manifest.json"))
    try FileManager.default.removeItem(atPath: folder)
    let previous = reports + "/.2021-Q4.previous-\(Self.gone)"
    try FileManager.default.createDirectory(atPath: previous + "/sub", withIntermediateDirectories: true)
    try manifest.write(to: URL(fileURLWithPath: previous + "/manifest.json"))
    try Data("my notes".utf8).write(to: URL(fileURLWithPath: previous + "/notes.txt"))
    try FileManager.default.copyItem(
      atPath: dir.file(".linkaudit-signing-key.pem"), toPath: previous + "/sub/only-key.pem")
    let before = snapshot(previous)
    let reported = try report(["--out", folder])
    #expect(reported.status == 0, "\(reported.stderr)")
    #expect(snapshot(previous) == before)
    #expect(
      reported.stderr.contains(
        "\(previous): named as a report's staging folder but holds what no report writes: left as it is"),
      "\(reported.stderr)")
    #expect(try ReportPackage.checkWritten(directory: folder) == [])
    // A same-bytes re-run with someone's file at the lock's name.
    try Data("my notes".utf8).write(to: URL(fileURLWithPath: reports + "/.2021-Q4.lock"))
    let again = try report(["--out", folder])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(bytes(reports + "/.2021-Q4.lock") == Data("my notes".utf8))
  }

  // MARK: C8

  /// C8: `--out reports/2021-Q4/.` (and `..` spellings) is the folder
  /// reports/2021-Q4: the version it held is kept in reports/2021-Q4-v1,
  /// nothing lands inside the package.
  @Test func c8_aDotSpelledOutIsTheFolderItNames() throws {
    try seeded()
    let v1 = snapshot(folder)
    let dry = try report(["--out", folder + "/.", "--lang", "en", "--reason", "x", "--dry-run"])
    #expect(dry.status == 0, "\(dry.stderr)")
    // Named as the folder it is (the suite's temporary folder is spelt with a `//`).
    let canonical = FileIdentity(folder).canonical
    #expect(
      dry.stdout.contains("\(canonical) holds the filed version 1: it would be kept as filed in \(canonical)-v1"),
      "\(dry.stdout)")
    let reported = try report(["--out", folder + "/../2021-Q4/.", "--lang", "en", "--reason", "x"])
    #expect(reported.status == 0, "\(reported.stderr)")
    #expect(snapshot(folder + "-v1") == v1)
    #expect(!listing(folder).contains { $0.hasPrefix(".") }, "\(listing(folder))")
    #expect(listing(reports).filter { !$0.hasPrefix(".") } == ["2021-Q4", "2021-Q4-v1"])
    let pub = try run(["keys", "public"])
    try pub.stdout.write(toFile: dir.file("pub.pem"), atomically: true, encoding: .utf8)
    for kept in [folder, folder + "-v1"] {
      #expect(try run(["verify", kept, "--public-key", dir.file("pub.pem")]).status == 0, "\(kept)")
    }
  }

  // MARK: C9

  /// C9: doctor finds every filed version (a superseded one too) or names it;
  /// names a filed version staged under a dot-name with what to do; and checks
  /// what is in reports/ before any filing.
  @Test func c9_doctorFindsOrNamesEveryFiledVersion() throws {
    try seeded(archive: true)
    let reissued = try report(["--out", folder, "--lang", "en", "--reason", "English only"])
    #expect(reissued.status == 0, "\(reissued.stderr)")
    #expect(try doctor().stdout.hasSuffix("healthy\n"))
    // Version 1, superseded, gone from its -v1 folder and its archive.
    let archive = reports + "/linkaudit-2021-Q4-v1.zip"
    try FileManager.default.moveItem(atPath: archive, toPath: dir.file("elsewhere.zip"))
    try FileManager.default.moveItem(atPath: folder + "-v1", toPath: dir.file("elsewhere-v1"))
    let gone = try doctor()
    #expect(
      gone.stdout.contains(
        "warning  filings: no package or archive in \(reports)/ holds 2021-Q4 version 1 (superseded by version 2) as filed"
      ),
      "\(gone.stdout)")
    #expect(!gone.stdout.contains("healthy"))
    // Version 2 staged by a killed report: named, with where it belongs.
    try FileManager.default.moveItem(atPath: dir.file("elsewhere-v1"), toPath: folder + "-v1")
    let staged = reports + "/.2021-Q4.writing-\(Self.gone)"
    try FileManager.default.moveItem(atPath: folder, toPath: staged)
    let stagedRun = try doctor()
    #expect(
      stagedRun.stdout.contains(
        "warning  packages: \(staged): 2021-Q4 version 2, as filed, left staged by an earlier report: linkaudit report --quarter 2021-Q4 --out \(folder) puts it in place (or move it to \(folder))"
      ), "\(stagedRun.stdout)")
    // No filing yet: the stray archive of a version never filed is a problem all the same.
    let db = try Database.store(at: database)
    try db.execute("DELETE FROM filing")
    db.close()
    try FileManager.default.moveItem(atPath: dir.file("elsewhere.zip"), toPath: archive)
    let stray = try doctor()
    #expect(stray.status == 1, "\(stray.stdout)")
    #expect(
      stray.stdout.split(separator: "\n").contains {
        $0.hasPrefix("problem  packages: \(archive): 2021-Q4 version 1 is not as filed")
          && $0.contains("names 2021-Q4 version 1, which the filings do not hold")
      }, "\(stray.stdout)")
    #expect(!stray.stdout.contains("no report filed yet"), "\(stray.stdout)")
  }

  // MARK: C10

  /// C10: the package is read back where it was put while the folder's lock
  /// is still held: no other run can move it aside in between.
  @Test func c10_thePackageIsReadBackUnderTheFoldersLock() throws {
    let kept = KeptVersionTests()
    let store = try MetricCatalogueTests.loaded()
    let folder = try kept.filings.issue(store, to: "reports/2021-Q4", at: FilingTests.first)
    let db = try store.open()
    defer { db.close() }
    let rerun = try kept.staged(db, to: folder, at: FilingTests.later)
    var readAt: String?
    var lockedMeanwhile = false
    _ = try ReportPackage.install(
      rerun, quarter: FilingTests.q4, at: folder, database: db,
      readingBack: { written in
        readAt = written
        // Another process's attempt at the lock fails while the package is read.
        let fd = open(store.dir.file("reports/.2021-Q4.lock"), O_RDWR | O_CLOEXEC)
        defer { if fd >= 0 { close(fd) } }
        lockedMeanwhile = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK
        let problems = try ReportPackage.checkWritten(directory: written)
        #expect(problems == [])
      })
    #expect(readAt == folder)
    #expect(lockedMeanwhile)
  }

  // MARK: C12

  /// C12: a signing key is refused in any folder that holds a package folder, whatever its name.
  @Test func c12_aKeyBesideAPackageFolderIsRefusedWhateverTheFoldersName() throws {
    try seeded(filing: false)
    let out = dir.file("out")
    let reported = try report(["--out", out + "/2021-Q4"])
    #expect(reported.status == 0, "\(reported.stderr)")
    let before = listing(out)
    let refused = try run(["keys", "new", "--signing-key", out + "/k2.pem"])
    #expect(refused.status != 0)
    #expect(
      refused.stderr.contains(
        "--signing-key \(out)/k2.pem lies in \(FileIdentity(out).canonical), where packages are written and handed over"
      ),
      "\(refused.stderr)")
    #expect(listing(out) == before)
    // A folder of its own is fine; so is the database's own folder, the key's default place, whatever else it holds.
    #expect(try run(["keys", "new", "--signing-key", dir.file("k3.pem")]).status == 0)
    let besideTheDatabase = try report(["--out", dir.file("2021-Q4")])
    #expect(besideTheDatabase.status == 0, "\(besideTheDatabase.stderr)")
    #expect(try run(["keys", "new", "--signing-key", dir.file("k4.pem")]).status == 0)
  }

  // MARK: D1 (the fourth attack)

  /// D1 (a): the database restored from a backup taken before version 2 was
  /// filed. The folder holds the signed version 2 handed over, which this
  /// ledger does not hold: a same-bytes re-run of version 1, its dry run and a
  /// re-issue (which would sign a second, different "version 2") are all
  /// refused before anything is written, naming the folder and the version.
  @Test func d1a_aVersionFiledAfterTheRestoredBackupIsNeverReplaced() throws {
    try seeded()
    let backup = dir.file("backup.db")
    try FileManager.default.copyItem(atPath: database, toPath: backup)
    let v2 = try report(["--out", folder, "--lang", "en", "--reason", "v2 handed over"])
    #expect(v2.status == 0, "\(v2.stderr)")
    #expect(try filings().map(\.version) == [1, 2])
    // The disk lost: the backup restored.
    for suffix in ["", "-wal", "-shm", "-journal"] where exists(database + suffix) {
      try FileManager.default.removeItem(atPath: database + suffix)
    }
    try FileManager.default.copyItem(atPath: backup, toPath: database)
    #expect(try filings().map(\.version) == [1])
    let before = snapshot(reports)
    let stored = bytes(database)
    for attempt in [
      ["--dry-run"], [], ["--lang", "en", "--reason", "again"], ["--lang", "en", "--reason", "again", "--dry-run"],
    ] {
      let refused = try report(["--out", folder] + attempt)
      #expect(refused.status != 0, "\(attempt): \(refused.stdout)")
      #expect(refused.stderr.contains("\(folder) holds 2021-Q4 version 2, issued "), "\(attempt): \(refused.stderr)")
      #expect(refused.stderr.contains("which this database's filings do not hold"), "\(refused.stderr)")
      #expect(
        refused.stderr.contains("report from the database that filed it, or restore that database"),
        "\(refused.stderr)")
      // Moving it away is no way forward: the next version would be a second one of its number (red-team E1).
      #expect(!refused.stderr.contains("away"), "\(refused.stderr)")
      #expect(snapshot(reports) == before, "\(attempt): \(listing(reports))")
      // The store's bytes as they were (its -wal/-shm are SQLite's own, come and gone with a reader).
      #expect(bytes(database) == stored, "\(attempt)")
    }
    #expect(try filings().map(\.version) == [1])
  }

  /// D1 (b): another database (a test copy, a mistyped `--db`) reports into
  /// the same folder: this database's filed, signed version 1 there is
  /// refused, not replaced, and the other database files nothing.
  @Test func d1b_anotherDatabasesFiledVersionIsNeverReplaced() throws {
    try seeded()
    let before = snapshot(reports)
    try FileManager.default.createDirectory(atPath: dir.file("other"), withIntermediateDirectories: true)
    let other = dir.file("other/o.db")
    func runOther(_ arguments: [String]) throws -> LinkauditBinary.Run {
      try LinkauditBinary.run(arguments, database: other)
    }
    let csv = try PackageFixture.links("other.csv", Array(PackageFixture.quarterRows.prefix(3)), in: dir)
    let imported = try runOther(["import", "links", csv])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(try runOther(["keys", "new"]).status == 0)
    for attempt in [["--dry-run"], []] {
      let refused = try runOther(["report", "--quarter", "2021-Q4", "--out", folder] + attempt)
      #expect(refused.status != 0, "\(attempt): \(refused.stdout)")
      #expect(refused.stderr.contains("\(folder) holds 2021-Q4 version 1, issued "), "\(attempt): \(refused.stderr)")
      #expect(
        refused.stderr.contains("report from the database that filed it, or restore that database"),
        "\(refused.stderr)")
      // Moving it away is no way forward: the next version would be a second one of its number (red-team E1).
      #expect(!refused.stderr.contains("away"), "\(refused.stderr)")
      #expect(snapshot(reports) == before, "\(attempt): \(listing(reports))")
    }
    let db = try Database(path: other, mode: .readOnly)
    defer { db.close() }
    #expect(try Filing.all(in: db).isEmpty)
    // This database's own re-run of the same bytes still goes ahead.
    let again = try report(["--out", folder])
    #expect(again.status == 0, "\(again.stderr)")
  }
}
