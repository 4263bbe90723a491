import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the fourth attack's package-folder findings (red-team D2, D4-D7):
/// a staging name is a run's own (its PID and a token) and a run at work is
/// told by its lock, never by its PID alone; the tool's own leftovers (an
/// empty `-vN` claim, a writer's temporary) are its own; doctor's advice
/// names the folder and the command that places it; a `--out` link is the
/// folder it leads to. Rows: docs/reliability.md.
extension ThirdAttackPackageTests {
  /// The state a report killed after its filing committed leaves: the filed
  /// version (the folder's now) under a staging name, the version before back in the folder.
  func stageFiled(_ folder: String, as staging: String) throws {
    let fm = FileManager.default
    try fm.moveItem(atPath: folder, toPath: staging)
    try fm.moveItem(atPath: folder + "-v1", toPath: folder)
  }

  // MARK: D2

  /// D2: a filed version a killed report staged under the PID this run has
  /// (a container's PID 1 again, another PID namespace) is put where it
  /// belongs, never removed as this run's own staging.
  @Test func d2_aFiledVersionStagedUnderThisRunsPIDIsPlacedNotRemoved() throws {
    let kept = KeptVersionTests()
    let store = try MetricCatalogueTests.loaded()
    let folder = try kept.filings.issue(store, to: "reports/2021-Q4", at: FilingTests.first)
    let v1 = try #require(bytes(folder + "/manifest.json"))
    try kept.filings.importUnrelated(store)
    let db = try store.open()
    defer { db.close() }
    let v2 = try kept.staged(db, to: folder, reason: "late log", at: FilingTests.later)
    let staging = try #require(v2.staged)
    // Killed after the commit, in a process whose PID this run has now (the name earlier versions gave).
    let left = store.dir.file("reports/.2021-Q4.writing-\(getpid())")
    try FileManager.default.moveItem(atPath: staging, toPath: left)
    PackageFolder.releaseStaging(staging)
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
    #expect(next.version?.version == 3, "\(next.notes)")
    #expect(!exists(left))
    #expect(try ReportPackage.sha256(#require(bytes(folder + "-v2/manifest.json"))) == v2.manifestSHA256)
    #expect(try ReportPackage.checkWritten(directory: folder + "-v2") == [])
    #expect(bytes(folder + "-v1/manifest.json") == v1)
  }

  /// D2: a staging folder is alive while its lock is held, whatever its PID
  /// says (a run in another PID namespace sharing reports/): left untouched;
  /// once the lock is free (the run killed), it is the tool's to clean.
  @Test func d2_aStagingFolderIsToldAliveByItsLockNotItsPID() throws {
    try seeded()
    let staging = reports + "/.2021-Q4.writing-\(Self.gone)-0badf00d"
    try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: false)
    try Data("metric_id\n".utf8).write(to: URL(fileURLWithPath: staging + "/metrics.csv"))
    let fd = open(staging, O_RDONLY | O_DIRECTORY)
    #expect(fd >= 0 && flock(fd, LOCK_EX) == 0)
    let folderBefore = snapshot(folder)
    let same = try report(["--out", folder])
    #expect(same.status == 0, "\(same.stderr)")
    #expect(snapshot(staging) == ["metrics.csv": Data("metric_id\n".utf8)], "a live run's staging was touched")
    #expect(snapshot(folder) == folderBefore)
    close(fd)
    let after = try report(["--out", folder])
    #expect(after.status == 0, "\(after.stderr)")
    #expect(!exists(staging), "a dead run's staging was left")
    // No run leaves its own staging name behind, and a name is a run's own.
    #expect(listing(reports).filter { $0.contains(".writing-") || $0.contains(".previous-") } == [])
  }

  // MARK: D4

  /// D4: the empty `-v1` a kill between claiming the name and the rename
  /// leaves is reused: the staged filed version is put in place, the version
  /// the folder held kept in `-v1`; doctor names the claim, and its advice works.
  @Test func d4_anEmptyKeptClaimIsReusedNotARefusal() throws {
    try seeded()
    let v1 = snapshot(folder)
    let v2 = try report(["--out", folder, "--lang", "en", "--reason", "English only"])
    #expect(v2.status == 0, "\(v2.stderr)")
    let filedV2 = snapshot(folder)
    let staging = reports + "/.2021-Q4.writing-\(Self.gone)"
    try stageFiled(folder, as: staging)
    #expect(mkdir(folder + "-v1", 0o700) == 0)
    let told = try doctor()
    #expect(
      told.stdout.contains(
        "\(folder)-v1: an empty folder, the claim of a report killed while keeping a version there: the next report reuses it"
      ), "\(told.stdout)")
    #expect(
      told.stdout.contains(
        "left staged by an earlier report: linkaudit report --quarter 2021-Q4 --out \(folder) puts it in place"),
      "\(told.stdout)")
    let dry = try report(["--out", folder, "--dry-run"])
    #expect(dry.status == 0, "\(dry.stdout)\(dry.stderr)")
    // The command doctor advises puts it in place (its package is English only: writing it again takes --lang en).
    let placed = try report(["--out", folder])
    #expect(
      placed.stderr.contains(
        "2021-Q4 version 2, left staged by an earlier report: put in place in \(folder); version 1 kept as filed in \(folder)-v1"
      ), "\(placed.stderr)")
    #expect(!exists(staging))
    #expect(snapshot(folder) == filedV2)
    #expect(snapshot(folder + "-v1") == v1)
    #expect(try filings().map(\.version) == [1, 2])
    let healthy = try doctor()
    #expect(!healthy.stdout.contains("warning") && !healthy.stdout.contains("problem"), "\(healthy.stdout)")
  }

  // MARK: D5

  /// D5: a staging folder a kill left mid-write, holding a writer's
  /// temporary (Foundation's `.dat.nosync…`), is the tool's own: removed,
  /// not called someone's.
  @Test func d5_aStagingFolderKilledMidWriteIsTheToolsOwn() throws {
    try seeded()
    // This version's staging name (hidden, token-named): only such is removed (red-team E2).
    let staging = reports + "/.2021-Q4.writing-\(Self.gone)-0badf00d"
    try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: false)
    try Data("metric_id\n".utf8).write(to: URL(fileURLWithPath: staging + "/metrics.csv"))
    #expect(FileManager.default.createFile(atPath: staging + "/.dat.nosync19BF.XGvb3B", contents: Data()))
    let next = try report(["--out", folder])
    #expect(next.status == 0, "\(next.stderr)")
    #expect(!next.stderr.contains("holds what no report writes"), "\(next.stderr)")
    #expect(!exists(staging))
  }

  // MARK: D6

  /// D6: doctor's advice for a filed version staged beside a dotted `--out`
  /// folder names that folder (not the name up to its first dot) and the
  /// `--out` that places it; the command it gives does.
  @Test func d6_doctorNamesTheDottedFolderAndItsOut() throws {
    try seeded(filing: false)
    let dotted = reports + "/2021-Q4.final"
    #expect(try report(["--out", dotted]).status == 0)
    let v1 = snapshot(dotted)
    #expect(try report(["--out", dotted, "--lang", "en", "--reason", "English only"]).status == 0)
    let filedV2 = snapshot(dotted)
    let staging = reports + "/.2021-Q4.final.writing-\(Self.gone)"
    try stageFiled(dotted, as: staging)
    let told = try doctor()
    #expect(
      told.stdout.contains(
        "\(staging): 2021-Q4 version 2, as filed, left staged by an earlier report: linkaudit report --quarter 2021-Q4 --out \(dotted) puts it in place (or move it to \(dotted))"
      ), "\(told.stdout)")
    let advised = try report(["--out", dotted])
    #expect(
      advised.stderr.contains("put in place in \(dotted); version 1 kept as filed in \(dotted)-v1"), "\(advised.stderr)"
    )
    #expect(snapshot(dotted) == filedV2)
    #expect(snapshot(dotted + "-v1") == v1)
    #expect(!exists(staging))
    #expect(!exists(folder))
    // The version kept beside the dotted folder is in its `-v1`, not "superseded" in the folder.
    let healthy = try doctor()
    #expect(!healthy.stdout.contains("warning") && !healthy.stdout.contains("problem"), "\(healthy.stdout)")
  }

  // MARK: D7

  /// D7: `--out` a link to the package folder is that folder: the dry run and
  /// the real run agree, the version the folder held is kept beside the
  /// folder itself, where doctor finds it; a link to nothing is refused, unchanged.
  @Test func d7_anOutLinkIsTheFolderItLeadsTo() throws {
    try seeded()
    let v1 = snapshot(folder)
    let link = dir.file("q4")
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: folder)
    let real = FileIdentity(folder).canonical
    let more = ["--out", link, "--lang", "en", "--reason", "English only"]
    let dry = try report(more + ["--dry-run"])
    #expect(dry.status == 0, "\(dry.stderr)")
    #expect(dry.stdout.contains("it would be kept as filed in \(real)-v1"), "\(dry.stdout)")
    let filed = try report(more)
    #expect(filed.status == 0, "\(filed.stderr)")
    #expect(filed.stderr.contains("kept as filed in \(real)-v1"), "\(filed.stderr)")
    #expect(snapshot(folder + "-v1") == v1)
    #expect(try filings().map(\.version) == [1, 2])
    #expect(try run(["verify", folder]).status == 0)
    #expect(!exists(dir.file("q4-v1")) && !exists(dir.file("q4-v2")))
    let healthy = try doctor()
    #expect(!healthy.stdout.contains("warning") && !healthy.stdout.contains("problem"), "\(healthy.stdout)")
    // A link to nothing: refused in the dry run and the real run alike, nothing filed or made.
    let nowhere = dir.file("q5")
    try FileManager.default.createSymbolicLink(atPath: nowhere, withDestinationPath: dir.file("missing"))
    let before = snapshot(reports)
    for dry in [true, false] {
      let refused = try report(
        ["--out", nowhere, "--lang", "zh", "--reason", "Chinese only"] + (dry ? ["--dry-run"] : []))
      #expect(refused.status != 0)
      #expect(refused.stderr.contains("is a symbolic link that leads nowhere"), "\(refused.stderr)")
      #expect(snapshot(reports) == before)
      #expect(!exists(dir.file("missing")))
      #expect(try filings().map(\.version) == [1, 2])
    }
  }
}
