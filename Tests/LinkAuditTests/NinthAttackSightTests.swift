import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the ninth attack's sight findings (red-team I2, I6): a link in
/// reports/ is read through to the folder or file it leads to, for reading
/// only (a link to the handed-over v2 claims version 2; a link to what is in
/// sight already claims nothing; a loop, a FIFO, a dangling link never
/// block; a link to a folder holding reports/ is named); an archive not
/// read through says plainly what to do. Rows: docs/reliability-round6-isight.md.
extension ThirdAttackPackageTests {
  /// `reports/handed/NAME`, as report names what it finds there (its folder canonical, the link as it is).
  func handedPath(_ name: String) -> String { FileIdentity(reports).canonical + "/handed/" + name }

  func link(_ path: String, to target: String) throws {
    try FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
  }

  // MARK: I2

  /// I2: a link in reports/ to the handed-over v2 folder (on a USB stick,
  /// a share) claims version 2: report refuses it naming the link, doctor
  /// names it as a problem.
  @Test func i2_aLinkToTheHandedOverFolderClaimsItsVersion() throws {
    let (elsewhere, handed) = try v2ArchiveAside()
    try FileManager.default.removeItem(atPath: elsewhere.file("v2.zip"))
    try link(reports + "/handed/2021-Q4", to: handed)
    try expectRefused(naming: handedPath("2021-Q4"))
  }

  /// I2: a link in reports/ to the handed-over v2 archive, under any name, claims version 2.
  @Test func i2_aLinkToTheHandedOverArchiveClaimsItsVersion() throws {
    let (elsewhere, handed) = try v2ArchiveAside()
    try FileManager.default.removeItem(atPath: handed)
    try link(reports + "/handed/q4-sent.zip", to: elsewhere.file("v2.zip"))
    try expectRefused(naming: handedPath("q4-sent.zip"), "is an archive of")
  }

  /// I2: a link to a folder is walked as a folder: the v2 archive one folder down the link is seen.
  @Test func i2_whatALinkedFolderHoldsIsWalked() throws {
    let (elsewhere, handed) = try v2ArchiveAside()
    try FileManager.default.removeItem(atPath: handed)
    try FileManager.default.createDirectory(atPath: elsewhere.file("usb/2021"), withIntermediateDirectories: true)
    try FileManager.default.moveItem(atPath: elsewhere.file("v2.zip"), toPath: elsewhere.file("usb/2021/q4.zip"))
    try link(reports + "/handed/usb", to: elsewhere.file("usb"))
    try expectRefused(naming: handedPath("usb/2021/q4.zip"), "is an archive of")
  }

  /// I2: links to what is in sight already (the quarter's own folder, its
  /// archive), a link loop, a dangling link, a link to a FIFO, a device or
  /// a kernel file block nothing and hang nothing: version 2 is filed, and
  /// doctor (before it) finds nothing wrong. Each is never opened.
  @Test func i2_linksToWhatIsInSightOrToNothingBlockNothing() throws {
    try seeded(archive: true)
    try link(reports + "/latest", to: "2021-Q4")
    try link(reports + "/0-first", to: "2021-Q4")
    try link(reports + "/handed/v1.zip", to: "../linkaudit-2021-Q4-v1.zip")
    try link(reports + "/handed/loop", to: ".")
    try link(reports + "/handed/a/up", to: "..")
    try link(reports + "/zero.zip", to: "/dev/zero")
    try link(reports + "/kmsg.zip", to: "/proc/kmsg")
    try link(reports + "/sys", to: "/sys/kernel")
    #expect(mkfifo(dir.file("pipe.zip"), 0o600) == 0)
    try link(reports + "/handed/pipe.zip", to: dir.file("pipe.zip"))
    let told = try #require(try PackageFixture.run(["doctor", "--reports", reports], database: database, within: 60))
    #expect(told.status == 0, "\(told.stdout)\(told.stderr)")
    #expect(!told.stdout.contains("not as filed") && !told.stdout.contains("not read through"), "\(told.stdout)")
    let started = Date()
    let again = try #require(
      try PackageFixture.run(
        ["report", "--quarter", "2021-Q4", "--out", folder, "--lang", "en", "--reason", "again"], database: database,
        within: 60))
    #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
    #expect(Date().timeIntervalSince(started) < 30)
    #expect(try filings().map(\.version) == [1, 2])
  }

  /// The link `handed/NAME` cuts report's claim check short, saying `why`
  /// (dry run: nothing written), and doctor names it as not read through.
  func expectCutShort(by name: String, saying why: String) throws {
    let before = snapshot(reports)
    let again = try #require(
      try PackageFixture.run(
        ["report", "--quarter", "2021-Q4", "--out", folder, "--lang", "en", "--reason", "again", "--dry-run"],
        database: database, within: 60))
    #expect(again.status == 1, "\(again.stdout)")
    #expect(
      again.stderr.contains(
        "the check for a package handed over is cut short: \(handedPath(name)) was not read through (\(why)"),
      "\(again.stderr)")
    #expect(snapshot(reports) == before)
    let told = try doctor()
    #expect(told.stdout.contains("\(name): not read through for a package (\(why)"), "\(told.stdout)")
  }

  /// I2: a link to what is not there (the stick the handed-over copy lies
  /// on, not mounted) may lead to a claim: named, and report files no new
  /// version past it (dry run alike); gone, version 2 is filed.
  @Test func i2_aLinkToWhatIsNotThereIsNamed() throws {
    try seeded()
    let gone = dir.file("usb/2021-Q4")
    try link(reports + "/handed/2021-Q4", to: gone)
    try expectCutShort(by: "2021-Q4", saying: "a link to \(gone), which is not there (a drive not mounted")
    try FileManager.default.removeItem(atPath: reports + "/handed/2021-Q4")
    let filed = try #require(
      try PackageFixture.run(
        ["report", "--quarter", "2021-Q4", "--out", folder, "--lang", "en", "--reason", "again"], database: database,
        within: 60))
    #expect(filed.status == 0, "\(filed.stderr)")
    #expect(try filings().map(\.version) == [1, 2])
  }

  /// I2: a link to a folder holding reports/ (`/`, the project's folder)
  /// is not walked (it holds everything around), but named: report files
  /// no new version past it, doctor warns, nothing hangs or is written.
  @Test func i2_aLinkToAFolderHoldingReportsIsNamed() throws {
    try seeded()
    for target in ["/", dir.path] {
      try link(reports + "/handed/root", to: target)
      try expectCutShort(by: "root", saying: "a link to \(FileIdentity(target).canonical), a folder holding")
      try FileManager.default.removeItem(atPath: reports + "/handed/root")
    }
    #expect(try filings().map(\.version) == [1])
  }

  /// I2: the sight follows links to folders within its bounds, each folder
  /// once: a copy outside reached through a link is seen, under the link's
  /// name; a loop of folder links (through a folder outside) ends; a link to
  /// a folder already seen is no second package.
  @Test func i2_theSightReadsEachFolderOnce() throws {
    try seeded()
    let elsewhere = TemporaryDirectory()
    try FileManager.default.createDirectory(atPath: elsewhere.file("out"), withIntermediateDirectories: false)
    try FileManager.default.copyItem(atPath: folder, toPath: elsewhere.file("out/copy"))
    try link(elsewhere.file("out/back"), to: reports + "/a")
    try link(reports + "/a/to-out", to: elsewhere.file("out"))
    try link(reports + "/a/to-b", to: reports + "/b")
    try link(reports + "/b/to-a", to: reports + "/a")
    try link(reports + "/b/again", to: "../2021-Q4")
    let sight = PackageFolder.packagesInSight(reports)
    #expect(sight.found.map(\.path) == [reports + "/2021-Q4", reports + "/a/to-out/copy"])
    #expect(sight.unread.isEmpty && !sight.cut)
  }

  // MARK: I6

  /// I6 (a kept choice): a password-protected zip of one's own in reports/
  /// still blocks a new version (what an entry hides cannot be told by its
  /// name), and report, doctor and keys new say plainly what to do.
  @Test func i6_anArchiveNotReadThroughSaysWhatToDo() throws {
    try seeded()
    try FileManager.default.createDirectory(atPath: dir.file("own"), withIntermediateDirectories: false)
    try shell(
      "echo tax > tax.txt && head -c 2000 /dev/urandom > scan.pdf && zip -q -P secret \(reports)/my-private-papers.zip tax.txt scan.pdf",
      in: dir.file("own"))
    let before = snapshot(reports)
    let again = try report(["--out", folder, "--lang", "en", "--reason", "again", "--dry-run"])
    #expect(again.status == 1, "\(again.stdout)")
    #expect(
      again.stderr.contains("my-private-papers.zip was not read through (2 entries encrypted")
        && again.stderr.contains(
          "what is not read may hold one under any name, so no new version is filed past it); if it is your own archive (or link) and holds no linkaudit package, move what is not a package out of that folder; if it may hold one, unpack it and run linkaudit verify on it first"
        ), "\(again.stderr)")
    #expect(snapshot(reports) == before)
    let told = try doctor()
    #expect(
      told.stdout.contains(
        "report files no new version, of any quarter, while it is in sight (what is not read may hold a package under any name): if it is your own archive (or link) and holds no linkaudit package, move it out of that folder"
      ), "\(told.stdout)")
    // In the key's own folder (one folder up, only what report writes there counts: red-team J4).
    try FileManager.default.createDirectory(atPath: dir.file("enc"), withIntermediateDirectories: true)
    try shell("zip -qj -P pw private.zip ../own/tax.txt", in: dir.file("enc"))
    let key = try run(["keys", "new", "--signing-key", dir.file("enc/k.pem")])
    #expect(key.status != 0, "\(key.stdout)")
    #expect(
      key.stderr.contains("if it is your own and holds no linkaudit package, move the archive out of that folder"),
      "\(key.stderr)")
    #expect(!exists(dir.file("enc/k.pem")))
  }
}
