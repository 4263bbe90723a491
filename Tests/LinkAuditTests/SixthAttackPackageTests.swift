import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the sixth attack's package findings (red-team F1, F2, F3): the
/// claim check sees a version handed over wherever a report can see it (an
/// archive under any name, one folder down, a hidden name, the database's
/// folder, the current folder), and doctor names it; the check and the
/// filing are one step against another database reporting into the same
/// reports/; another database's filed version left staged is never deleted.
/// Rows: docs/reliability.md.
extension ThirdAttackPackageTests {
  /// Version 2 filed (with its archive) and handed over, then the database
  /// restored from the backup taken before it: reports/ keeps `2021-Q4-v1`;
  /// the v2 folder is returned (moved out of `reports/2021-Q4`), the archive left at its name.
  func handedOverV2(_ elsewhere: TemporaryDirectory) throws -> (folder: String, archive: String) {
    try seeded()
    try backUp()
    let v2 = try report(["--out", folder, "--lang", "en", "--reason", "v2 handed over", "--archive"])
    #expect(v2.status == 0, "\(v2.stderr)")
    let away = elsewhere.file("v2-handed")
    try FileManager.default.moveItem(atPath: folder, toPath: away)
    try restore()
    return (away, reports + "/linkaudit-2021-Q4-v2.zip")
  }

  /// The restored database refuses version 2 (dry run too) naming `claim`,
  /// records nothing and changes nothing in reports/; doctor names it as a problem.
  func expectRefused(naming claim: String, _ what: String = "holds", sourceLocation: SourceLocation = #_sourceLocation)
    throws
  {
    let before = snapshot(reports)
    for dry in [["--dry-run"], []] {
      let again = try report(["--out", folder, "--lang", "en", "--reason", "again"] + dry)
      #expect(again.status != 0, "\(again.stdout)", sourceLocation: sourceLocation)
      #expect(
        again.stderr.contains("refusing to file 2021-Q4 version 2: \(claim) \(what) 2021-Q4 version 2"),
        "\(again.stderr)", sourceLocation: sourceLocation)
    }
    #expect(try filings().map(\.version) == [1], sourceLocation: sourceLocation)
    #expect(snapshot(reports) == before, sourceLocation: sourceLocation)
    let told = try doctor()
    #expect(told.status == 1, "\(told.stdout)", sourceLocation: sourceLocation)
    #expect(
      told.stdout.contains("2021-Q4 version 2: manifest.json: names 2021-Q4 version 2, which the filings do not hold"),
      "\(told.stdout)", sourceLocation: sourceLocation)
  }

  // MARK: F1

  /// F1 (a): the archive handed over, under a browser's second-download
  /// name or any other, is told by its content: no second version 2.
  @Test func f1_anArchiveUnderAnyNameClaimsItsVersion() throws {
    let (_, archive) = try handedOverV2(TemporaryDirectory())
    for name in ["linkaudit-2021-Q4-v2 (1).zip", "q4-v2-handed.zip"] {
      let renamed = reports + "/" + name
      try FileManager.default.moveItem(atPath: archive, toPath: renamed)
      try expectRefused(naming: FileIdentity(renamed).canonical, "is an archive of")
      try FileManager.default.moveItem(atPath: renamed, toPath: archive)
    }
  }

  /// F1 (b): a copy of the v2 folder (or of its archive) one folder down in
  /// reports/, or under a hidden name there, claims it too.
  @Test func f1_aCopyOneFolderDownOrHiddenClaimsItsVersion() throws {
    // A folder out of every report's sight (not beside the database, not the current folder).
    let elsewhere = TemporaryDirectory()
    let (handed, archive) = try handedOverV2(elsewhere)
    try FileManager.default.moveItem(atPath: archive, toPath: elsewhere.file("v2.zip"))
    try FileManager.default.createDirectory(atPath: reports + "/handed", withIntermediateDirectories: false)
    for (path, what) in [
      (reports + "/handed/2021-Q4", "holds"), (reports + "/.2021-Q4-handed", "holds"),
      (reports + "/handed/q4.zip", "is an archive of"),
    ] {
      if what == "holds" {
        try FileManager.default.copyItem(atPath: handed, toPath: path)
      } else {
        try FileManager.default.copyItem(atPath: elsewhere.file("v2.zip"), toPath: path)
      }
      try expectRefused(naming: FileIdentity(path).canonical, what)
      try FileManager.default.removeItem(atPath: path)
    }
    // Two folders down, it claims too: reports/ is seen at any depth within its 4096 entries (red-team H5).
    try FileManager.default.createDirectory(atPath: reports + "/a/b", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: handed, toPath: reports + "/a/b/2021-Q4")
    try expectRefused(naming: FileIdentity(reports + "/a/b/2021-Q4").canonical)
  }

  /// F1 (c): the v2 folder and its archive, under the tool's own names, in
  /// the database's folder, and in the current folder, claim it too.
  @Test func f1_theDatabasesFolderAndTheCurrentFolderAreInSight() throws {
    // A folder out of every report's sight (not beside the database, not the current folder).
    let elsewhere = TemporaryDirectory()
    let (handed, archive) = try handedOverV2(elsewhere)
    try FileManager.default.moveItem(atPath: archive, toPath: dir.file("linkaudit-2021-Q4-v2.zip"))
    try expectRefused(naming: FileIdentity(dir.file("linkaudit-2021-Q4-v2.zip")).canonical, "is an archive of")
    try FileManager.default.moveItem(atPath: dir.file("linkaudit-2021-Q4-v2.zip"), toPath: elsewhere.file("v2.zip"))
    try FileManager.default.copyItem(atPath: handed, toPath: dir.file("2021-Q4"))
    try expectRefused(naming: FileIdentity(dir.file("2021-Q4")).canonical)
    try FileManager.default.removeItem(atPath: dir.file("2021-Q4"))
    // The current folder: the copy where the command runs, not beside the database.
    let here = TemporaryDirectory()
    try FileManager.default.copyItem(atPath: handed, toPath: here.file("2021-Q4"))
    for dry in [["--dry-run"], []] {
      let again = try LinkauditBinary.run(
        ["report", "--quarter", "2021-Q4", "--out", folder, "--lang", "en", "--reason", "again"] + dry,
        database: database, in: URL(fileURLWithPath: here.path))
      #expect(again.status != 0, "\(again.stdout)")
      #expect(
        again.stderr.contains("refusing to file 2021-Q4 version 2: 2021-Q4 holds 2021-Q4 version 2"), "\(again.stderr)")
    }
    let told = try LinkauditBinary.run(
      ["doctor", "--reports", reports], database: database, in: URL(fileURLWithPath: here.path))
    #expect(told.status == 1)
    #expect(
      told.stdout.contains("2021-Q4: 2021-Q4 version 2: manifest.json: names 2021-Q4 version 2"), "\(told.stdout)")
    #expect(try filings().map(\.version) == [1])
  }

  /// F3 with F1: the version 2 handed over, under a moved-aside staging name
  /// (`.2021-Q4.previous-PID-TOKEN`, its run gone), is a claim and is never
  /// put back nor removed by the restored database, though it could have written it.
  @Test func f3_aMovedAsideVersionTheLedgerLacksIsNeitherPutBackNorRemoved() throws {
    let elsewhere = TemporaryDirectory()
    let (handed, _) = try handedOverV2(elsewhere)
    let previous = reports + "/.2021-Q4.previous-\(Self.gone)-0badf00d"
    try FileManager.default.moveItem(atPath: handed, toPath: previous)
    let before = snapshot(previous)
    try expectRefused(naming: FileIdentity(previous).canonical)
    let again = try report(["--out", folder])
    #expect(
      again.stderr.contains("\(previous): 2021-Q4 version 2, left staged by a report of another database"),
      "\(again.stderr)")
    #expect(snapshot(previous) == before)
    #expect(try Manifest.read(from: folder).filing?.version == 1)
  }

  // MARK: F2

  /// F2: two databases reporting into one reports/ at once: the second waits
  /// for the first's filing to be committed and in place, then sees its
  /// version 1 and is refused. One version 1 is filed, and nothing is kept
  /// in a `-v1` folder it never held. The first run holds its window open
  /// (the seam after its claim check) until the second is waiting, or done.
  @Test func f2_twoDatabasesReportingAtOnceFileOneVersion1() throws {
    let csv = try PackageFixture.links("seed.csv", PackageFixture.quarterRows, in: dir)
    let (a, b) = (dir.file("a.db"), dir.file("b.db"))
    for db in [a, b] { #expect(try LinkauditBinary.run(["import", "links", csv], database: db).status == 0) }
    let out = reports + "/2021-Q4"
    let templates = LinkauditBinary.packageRoot.appendingPathComponent("templates").path
    @Sendable func reportRun(_ db: String) throws -> ReportRun {
      ReportRun(
        databasePath: db, quarter: .named(Quarter("2021-Q4")!), out: out, languages: [.en],
        timeZone: TimeZone(identifier: "Asia/Shanghai")!, zoneName: "Asia/Shanghai", templates: templates,
        ratingModel: try RatingModel.load(path: templates + "/rating-model.yaml"), ratingModelPath: nil,
        signingKey: nil, signingKeyPath: dir.file("no-key.pem"), filer: nil, filerPath: nil, reason: nil,
        protected: ProtectedFiles())
    }
    let waitingOrDone = DispatchSemaphore(value: 0)
    let finished = DispatchSemaphore(value: 0)
    let second = LockBox<String?>(nil)
    var first = try reportRun(a)
    first.beforeFiling = {
      Thread.detachNewThread {
        do {
          _ = try reportRun(b).run { line in
            if line.contains("another report is filing into") { waitingOrDone.signal() }
          }
          second.withLock { $0 = "filed" }
        } catch {
          second.withLock { $0 = "\(error)" }
        }
        waitingOrDone.signal()
        finished.signal()
      }
      waitingOrDone.wait()
    }
    _ = try first.run { _ in }
    finished.wait()
    let refusal = second.withLock { $0 } ?? ""
    #expect(refusal.contains("refusing to file 2021-Q4 version 1:"), "\(refusal)")
    var filedV1 = 0
    for path in [a, b] {
      let db = try Database(path: path, mode: .readOnly)
      defer { db.close() }
      filedV1 += try Filing.all(in: db).filter { $0.quarter == "2021-Q4" && $0.version == 1 }.count
    }
    #expect(filedV1 == 1)
    #expect(listing(reports) == ["2021-Q4"])
  }

  // MARK: F3

  /// F3: this database's filed version 2, left staged by a re-issue killed
  /// after its commit (folder and archive), is never deleted by another
  /// database's report, which is refused: named, and kept byte for byte.
  @Test func f3_anotherDatabasesReportLeavesAStagedFiledVersion() throws {
    try seeded(archive: true)
    #expect(try report(["--out", folder, "--lang", "en", "--reason", "r2", "--archive"]).status == 0)
    let staged = reports + "/.2021-Q4.writing-\(Self.gone)-0badf00d"
    let stagedArchive = reports + "/.linkaudit-2021-Q4-v2.zip.writing-\(Self.gone)-0badf00d"
    try FileManager.default.moveItem(atPath: folder, toPath: staged)
    try FileManager.default.moveItem(atPath: reports + "/linkaudit-2021-Q4-v2.zip", toPath: stagedArchive)
    let other = dir.file("other.db")
    let csv = try PackageFixture.links("other.csv", Array(PackageFixture.quarterRows.prefix(3)), in: dir)
    #expect(try LinkauditBinary.run(["import", "links", csv], database: other).status == 0)
    let before = (snapshot(staged), bytes(stagedArchive))
    for dry in [["--dry-run"], []] {
      let refused = try LinkauditBinary.run(
        ["report", "--quarter", "2021-Q4", "--out", folder, "--archive"] + dry, database: other)
      #expect(refused.status != 0, "\(refused.stdout)")
      #expect(refused.stderr.contains("refusing to file 2021-Q4 version 1:"), "\(refused.stderr)")
      #expect(snapshot(staged) == before.0)
      #expect(bytes(stagedArchive) == before.1)
    }
    // The cleanup alone (a run whose checks pass) leaves them too, named.
    let cleaned = PackageFolder.removeStaleSiblings(of: folder) { _ in .foreign("2021-Q4 version 2") }
    #expect(
      cleaned.notes.contains {
        $0.hasPrefix("\(staged): 2021-Q4 version 2, left staged by a report of another database")
      })
    let archiveNotes = PackageFolder.removeStaleSiblings(of: reports + "/linkaudit-2021-Q4-v2.zip")
    #expect(archiveNotes.notes.contains { $0.hasPrefix("\(stagedArchive): 2021-Q4 version 2") }, "\(archiveNotes)")
    #expect(snapshot(staged) == before.0)
    #expect(bytes(stagedArchive) == before.1)
    // Its own database still puts it in place.
    let placed = try report(["--out", folder, "--lang", "en"])
    #expect(placed.status == 0, "\(placed.stderr)")
    #expect(placed.stderr.contains("left staged by an earlier report: put in place in"), "\(placed.stderr)")
    #expect(try filings().map(\.version) == [1, 2])
  }
}
