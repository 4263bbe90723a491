import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the seventh attack's claim-check findings (red-team G3, G4, G5,
/// G6): version 2 filed and handed over, the database restored from the
/// backup taken before it; the restored database files no second version 2
/// whether the archive handed over lies inside a bundle (zip or tgz), in a
/// zip too large for a whole-file read, renamed in the `--out` parent, or past
/// the 4096 entries looked at. Rows: docs/reliability.md (G3-G6).
extension ThirdAttackPackageTests {
  /// Runs a shell line in `folder` (zip, tar: what a user bundles with).
  func shell(_ line: String, in folder: String) throws { try runShell(line, in: folder) }

  /// Version 2 filed and handed over (`handedOverV2`), its archive moved to
  /// `v2.zip` in a folder outside the reports folder, ready to be bundled.
  func v2ArchiveAside() throws -> (elsewhere: TemporaryDirectory, handed: String) {
    let elsewhere = TemporaryDirectory()
    let (handed, archive) = try handedOverV2(elsewhere)
    try FileManager.default.moveItem(atPath: archive, toPath: elsewhere.file("v2.zip"))
    return (elsewhere, handed)
  }

  // MARK: G3

  /// G3: the tool's v2 archive inside a handover zip beside a letter, or
  /// inside a tgz, is read (one level down) and claims version 2; doctor names it.
  @Test func g3_anArchiveInsideAnArchiveClaimsItsVersion() throws {
    let (elsewhere, _) = try v2ArchiveAside()
    try Data("cover letter\n".utf8).write(to: URL(fileURLWithPath: elsewhere.file("letter.txt")))
    try shell("zip -qj \(reports)/handover-2021-Q4.zip v2.zip letter.txt", in: elsewhere.path)
    try expectRefused(naming: FileIdentity(reports + "/handover-2021-Q4.zip").canonical, "is an archive of")
    try FileManager.default.removeItem(atPath: reports + "/handover-2021-Q4.zip")
    try shell("tar czf \(reports)/handover.tgz v2.zip letter.txt", in: elsewhere.path)
    try expectRefused(naming: FileIdentity(reports + "/handover.tgz").canonical, "is an archive of")
    // keys new's placement rule reads with the same sight (E9).
    try FileManager.default.createDirectory(atPath: dir.file("h"), withIntermediateDirectories: false)
    try FileManager.default.copyItem(atPath: reports + "/handover.tgz", toPath: dir.file("h/handover.tgz"))
    let key = try run(["keys", "new", "--signing-key", dir.file("h/k.pem")])
    #expect(key.status != 0, "\(key.stdout)")
    #expect(key.stderr.contains("a report package's archive (tar)"), "\(key.stderr)")
    #expect(!exists(dir.file("h/k.pem")))
  }

  /// G3: an archive two levels down (a zip inside a zip inside a tgz) is
  /// not read, but named: report refuses a new version, doctor warns.
  @Test func g3_deeperNestingIsNamedNotPassed() throws {
    let (elsewhere, _) = try v2ArchiveAside()
    try shell("zip -qj inner.zip v2.zip && tar czf \(reports)/deep.tgz inner.zip", in: elsewhere.path)
    let before = snapshot(reports)
    for dry in [["--dry-run"], []] {
      let again = try report(["--out", folder, "--lang", "en", "--reason", "again"] + dry)
      #expect(again.status != 0, "\(again.stdout)")
      #expect(
        again.stderr.contains(
          "refusing to file 2021-Q4 version 2: the check for a package handed over is cut short: \(FileIdentity(reports + "/deep.tgz").canonical) was not read through (inner.zip: v2.zip: a zip inside an archive inside it: not looked into (one level deep))"
        ), "\(again.stderr)")
    }
    #expect(try filings().map(\.version) == [1])
    #expect(snapshot(reports) == before)
    let told = try doctor()
    #expect(
      told.stdout.contains("deep.tgz: not read through for a package (inner.zip: v2.zip: a zip inside"),
      "\(told.stdout)")
  }

  /// G3: many archives too deep are named in one line: the first three, and how many more.
  @Test func g3_manyArchivesTooDeepAreNamedInOneLine() throws {
    let (elsewhere, _) = try v2ArchiveAside()
    try shell(
      "for n in a b c d e; do cp v2.zip $n.zip; done && zip -q0 inner.zip a.zip b.zip c.zip d.zip e.zip && tar cf \(reports)/many.tar inner.zip",
      in: elsewhere.path)
    let again = try report(["--out", folder, "--lang", "en", "--reason", "again", "--dry-run"])
    #expect(again.status != 0, "\(again.stdout)")
    #expect(
      again.stderr.contains(
        "many.tar was not read through (inner.zip: a.zip: a zip inside an archive inside it: not looked into (one level deep); b.zip: a zip inside an archive inside it: not looked into (one level deep); c.zip: a zip inside an archive inside it: not looked into (one level deep); and 2 more)"
      ), "\(again.stderr)")
    #expect(try filings().map(\.version) == [1])
  }

  /// G3: the archives inside one share one bound (256 MiB unpacked, all
  /// told): a bundle of two tgz of 200 MB each is named, not read twice over.
  @Test func g3_theArchivesInsideOneShareItsBound() throws {
    let (elsewhere, _) = try v2ArchiveAside()
    try shell(
      "head -c 200000000 /dev/zero > z.bin && tar czf a.tgz z.bin && cp a.tgz b.tgz && zip -q0 \(reports)/bundle.zip a.tgz b.tgz && rm z.bin",
      in: elsewhere.path)
    let again = try report(["--out", folder, "--lang", "en", "--reason", "again", "--dry-run"])
    #expect(again.status != 0, "\(again.stdout)")
    #expect(
      again.stderr.contains(
        "\(FileIdentity(reports + "/bundle.zip").canonical) was not read through (b.tgz: more than 256 MiB unpacked: not read past them)"
      ), "\(again.stderr)")
    #expect(try filings().map(\.version) == [1])
  }

  // MARK: G4

  /// G4: a handover zip of the v2 folder beside a 70 MiB scan (over the
  /// old 64 MiB whole-file bound) is read through its central directory.
  @Test func g4_aLargeZipIsReadForItsManifest() throws {
    let (elsewhere, handed) = try v2ArchiveAside()
    try FileManager.default.createDirectory(atPath: elsewhere.file("hand"), withIntermediateDirectories: false)
    try FileManager.default.copyItem(atPath: handed, toPath: elsewhere.file("hand/2021-Q4"))
    try shell(
      "head -c 73400320 /dev/urandom > cover-letter-scan.pdf && zip -q -r -0 \(reports)/q4-handover.zip 2021-Q4 cover-letter-scan.pdf",
      in: elsewhere.file("hand"))
    let started = Date()
    try expectRefused(naming: FileIdentity(reports + "/q4-handover.zip").canonical, "is an archive of")
    #expect(Date().timeIntervalSince(started) < 60)
  }

  /// G4: a gzip'd tar past the bound it is read to is named, and report
  /// files no new version beside it; the filed version's bytes again go ahead, with a warning.
  @Test func g4_aTarballPastItsBoundIsNamed() throws {
    let (elsewhere, _) = try v2ArchiveAside()
    try shell(
      "head -c 270000000 /dev/zero > big.bin && tar czf \(reports)/backup.tgz big.bin v2.zip && rm big.bin",
      in: elsewhere.path)
    let shown = FileIdentity(reports + "/backup.tgz").canonical
    let before = snapshot(reports)
    for dry in [["--dry-run"], []] {
      let again = try report(["--out", folder, "--lang", "en", "--reason", "again"] + dry)
      #expect(again.status != 0, "\(again.stdout)")
      #expect(
        again.stderr.contains(
          "refusing to file 2021-Q4 version 2: the check for a package handed over is cut short: \(shown) was not read through (more than 256 MiB unpacked: not read past them)"
        ), "\(again.stderr)")
    }
    #expect(try filings().map(\.version) == [1])
    #expect(snapshot(reports) == before)
    let told = try doctor()
    #expect(
      told.stdout.contains("backup.tgz: not read through for a package (more than 256 MiB unpacked"), "\(told.stdout)")
    // Version 1's bytes again: written, with the word.
    let same = try report(["--out", folder, "--dry-run"])
    #expect(same.status == 0, "\(same.stderr)")
    #expect(same.stderr.contains("warning: the check for a package handed over is cut short"), "\(same.stderr)")
  }

  // MARK: G5

  /// G5: with `--out filings/2021-Q4`, the v2 archive renamed in `filings/`
  /// (the --out parent, holding this database's kept v1) is a claim; doctor names it too.
  @Test func g5_theOutParentIsLookedAtWhole() throws {
    let out = dir.file("filings/2021-Q4")
    let csv = try PackageFixture.links("seed.csv", PackageFixture.quarterRows, in: dir)
    #expect(try run(["import", "links", csv]).status == 0)
    #expect(try run(["keys", "new"]).status == 0)
    #expect(try report(["--out", out]).status == 0)
    try backUp()
    let v2 = try report(["--out", out, "--lang", "en", "--reason", "v2 handed", "--archive"])
    #expect(v2.status == 0, "\(v2.stderr)")
    let renamed = dir.file("filings/已报送-第2版.zip")
    try FileManager.default.moveItem(atPath: dir.file("filings/linkaudit-2021-Q4-v2.zip"), toPath: renamed)
    let elsewhere = TemporaryDirectory()
    try FileManager.default.moveItem(atPath: out, toPath: elsewhere.file("v2"))
    try restore()
    let before = snapshot(dir.file("filings"))
    for dry in [["--dry-run"], []] {
      let again = try report(["--out", out, "--lang", "en", "--reason", "again"] + dry)
      #expect(again.status != 0, "\(again.stdout)")
      #expect(
        again.stderr.contains(
          "refusing to file 2021-Q4 version 2: \(renamed) is an archive of 2021-Q4 version 2"),
        "\(again.stderr)")
    }
    #expect(try filings().map(\.version) == [1])
    #expect(snapshot(dir.file("filings")) == before)
    let told = try run(["doctor"])
    #expect(told.status == 1, "\(told.stdout)")
    #expect(told.stdout.contains("已报送-第2版.zip: an archive of 2021-Q4 version 2"), "\(told.stdout)")
  }

  /// G5, F1's kept choice: the database's folder as the `--out` parent
  /// stays a working folder: another database's package in a folder of its
  /// own there (`n7p/`, as the red-team runner's cases share one folder) is theirs.
  @Test func g5_theDatabasesFolderStaysAWorkingFolder() throws {
    // The folder the handed-over copy lies in lives until it is copied (its deinit removes it).
    let (elsewhere, handed) = try v2ArchiveAside()
    try FileManager.default.createDirectory(atPath: dir.file("n7p"), withIntermediateDirectories: false)
    try withExtendedLifetime(elsewhere) {
      try FileManager.default.copyItem(atPath: handed, toPath: dir.file("n7p/theirs"))
    }
    let again = try report(["--out", dir.file("n8rep"), "--lang", "en", "--reason", "again", "--dry-run"])
    #expect(again.status == 0, "\(again.stderr)")
  }

  // MARK: G6

  /// G6: past 4096 entries, report refuses a new version (dry run too),
  /// naming the folder and the bound; version 1's bytes again go ahead with a warning.
  @Test func g6_aCheckCutShortFilesNoNewVersion() throws {
    let elsewhere = TemporaryDirectory()
    let (_, archive) = try handedOverV2(elsewhere)
    let notices = reports + "/notices"
    try FileManager.default.createDirectory(atPath: notices, withIntermediateDirectories: false)
    for i in 1...4100 { _ = FileManager.default.createFile(atPath: notices + "/n-\(i).txt", contents: Data()) }
    try FileManager.default.moveItem(atPath: archive, toPath: notices + "/zz-q4-v2.zip")
    let before = snapshot(reports)
    for dry in [["--dry-run"], []] {
      let again = try report(["--out", folder, "--lang", "en", "--reason", "again"] + dry)
      #expect(again.status != 0, "\(again.stdout)")
      #expect(
        again.stderr.contains(
          "refusing to file 2021-Q4 version 2: the check for a package handed over is cut short: \(FileIdentity(reports).canonical) holds more than 4096 entries with its subfolders (only the first 4096 were looked at)"
        ), "\(again.stderr)")
      #expect(again.stderr.contains("move what is not a package out of that folder"), "\(again.stderr)")
    }
    #expect(try filings().map(\.version) == [1])
    #expect(snapshot(reports) == before)
    let same = try report(["--out", folder])
    #expect(same.status == 0, "\(same.stderr)")
    #expect(same.stderr.contains("warning: the check for a package handed over is cut short"), "\(same.stderr)")
    #expect(try filings().map(\.version) == [1])
  }
}
