import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the sixth attack's findings on where report may write, staging
/// names and messages (red-team F6, F7, F8, F10, F11, F12, F14): no `--out`
/// inside a package; a user's dated hidden copy is never taken for staging;
/// an altered manifest is called altered; a name alone is no archive; the dry
/// run and the run agree; a huge manifest is never read; a `-vN` name never
/// takes another version. Rows: docs/reliability.md.
extension ThirdAttackPackageTests {
  // MARK: F6

  /// F6: an `--out` inside a package folder (a kept version's, the current
  /// one's, at any depth) is refused, dry run too, saying why; nothing is
  /// written or recorded and every package still verifies.
  @Test func f6_anOutInsideAPackageFolderIsRefused() throws {
    try seeded()
    #expect(try report(["--out", folder, "--lang", "en", "--reason", "v2"]).status == 0)
    let before = snapshot(reports)
    for out in [folder + "-v1/2021-Q4", folder + "/copy", folder + "/a/b/2021-Q4"] {
      for dry in [["--dry-run"], []] {
        let refused = try report(["--out", out, "--lang", "en"] + dry)
        #expect(refused.status != 0, "\(out) \(dry): \(refused.stdout)")
        #expect(refused.stderr.contains("--out \(out) lies inside the report package"), "\(refused.stderr)")
        #expect(refused.stderr.contains("a folder written into it would make it fail verify"), "\(refused.stderr)")
      }
    }
    #expect(snapshot(reports) == before)
    #expect(!exists(folder + "/copy") && !exists(folder + "/a") && !exists(folder + "-v1/2021-Q4"))
    #expect(try filings().map(\.version) == [1, 2])
    for package in [folder, folder + "-v1"] { #expect(try run(["verify", package]).status == 0) }
  }

  /// F6: a folder an earlier version let report write into a package is not
  /// called one "report did not write": it is named as unlisted.
  @Test func f6_aFolderInsideAPackageIsNamedAsUnlistedNotAsNeverWritten() throws {
    try seeded()
    try FileManager.default.createDirectory(atPath: folder + "/copy", withIntermediateDirectories: false)
    let before = snapshot(reports)
    let refused = try report(["--out", folder])
    #expect(refused.status != 0)
    #expect(
      refused.stderr.contains("holds copy (not part of the package), which its manifest does not list"),
      "\(refused.stderr)")
    #expect(!refused.stderr.contains("which report did not write"), "\(refused.stderr)")
    #expect(snapshot(reports) == before && exists(folder + "/copy"))
  }

  // MARK: F7

  /// F7: a hidden copy whose name ends in a date (`.2021-Q4.previous-2023-20231201`)
  /// is no run's staging: never removed, and named by the run and by doctor.
  /// This version's tokens always carry a letter, so no date is one.
  @Test func f7_aDatedHiddenCopyIsNeverTakenForStaging() throws {
    try seeded(archive: true)
    let copy = reports + "/.2021-Q4.previous-2023-20231201"
    let archiveCopy = reports + "/.linkaudit-2021-Q4-v1.zip.previous-2023-20231201"
    try FileManager.default.copyItem(atPath: folder, toPath: copy)
    try Data("my note\n".utf8).write(to: URL(fileURLWithPath: copy + "/notes.md"))
    try FileManager.default.copyItem(atPath: reports + "/linkaudit-2021-Q4-v1.zip", toPath: archiveCopy)
    let kept = snapshot(copy)
    let told = try doctor()
    for path in [copy, archiveCopy] {
      #expect(told.stdout.contains("warning  packages: \(path): named like a report's staging"), "\(told.stdout)")
    }
    let again = try report(["--out", folder, "--archive"])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stderr.contains("\(copy): named like a report's staging"), "\(again.stderr)")
    #expect(snapshot(copy) == kept && exists(archiveCopy))
    #expect(PackageFolder.runToken.contains { ("a"..."f").contains($0) })
    #expect(PackageFolder.stagedFor(".2021-Q4.writing-12-20231201") == nil)
    #expect(PackageFolder.stagedFor(".2021-Q4.writing-12-2023e201")?.folder == "2021-Q4")
  }

  /// F7: a folder under this version's own staging name that holds a file
  /// its manifest does not list (`notes.md`) is someone's: left, named.
  @Test func f7_aStagingNamedCopyHoldingANoteIsLeft() throws {
    try seeded()
    let staged = reports + "/.2021-Q4.previous-\(Self.gone)-0badf00d"
    try FileManager.default.copyItem(atPath: folder, toPath: staged)
    try Data("my note\n".utf8).write(to: URL(fileURLWithPath: staged + "/notes.md"))
    let kept = snapshot(staged)
    let again = try report(["--out", folder])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stderr.contains("\(staged): named as a report's staging folder but holds what no report writes"))
    #expect(snapshot(staged) == kept)
  }

  // MARK: F8

  /// F8: a held version's manifest altered (CRLF line ends, an edited
  /// reason) is called altered, with what differs, not blamed on a restore;
  /// doctor's advice is the report's, and following it works.
  @Test func f8_anAlteredManifestIsCalledAlteredAndTheAdviceWorks() throws {
    try seeded()
    let manifest = folder + "/manifest.json"
    let filed = try #require(bytes(manifest))
    let crlf = Data(String(decoding: filed, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8)
    try crlf.write(to: URL(fileURLWithPath: manifest))
    let before = snapshot(reports)
    for dry in [["--dry-run"], []] {
      let refused = try report(["--out", folder] + dry)
      #expect(refused.status != 0)
      #expect(
        refused.stderr.contains(
          "\(folder) holds 2021-Q4 version 1, issued"),
        "\(refused.stderr)")
      #expect(
        refused.stderr.contains(
          "which this database filed, altered since: manifest.json: only its layout differs from the filed bytes (its line ends hold carriage returns"
        ), "\(refused.stderr)")
      #expect(refused.stderr.contains("move \(folder) aside"), "\(refused.stderr)")
      #expect(!refused.stderr.contains("restore"), "\(refused.stderr)")
    }
    #expect(snapshot(reports) == before)
    let told = try doctor()
    #expect(
      told.stdout.contains("manifest.json: altered since it was filed: only its layout differs"), "\(told.stdout)")
    #expect(
      told.stdout.contains(
        "holds 2021-Q4 version 1 as filed: the one there is altered (named above): move \(folder) aside"),
      "\(told.stdout)")
    #expect(!told.stdout.contains("writes it again only while"), "\(told.stdout)")
    // The advice: moved aside, the filed bytes are written again.
    try FileManager.default.moveItem(atPath: folder, toPath: dir.file("altered"))
    let again = try report(["--out", folder])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(bytes(manifest) == filed)
    // An edited reason is named as such.
    #expect(try report(["--out", folder, "--lang", "en", "--reason", "v2 reason"]).status == 0)
    let v2 = try #require(bytes(manifest))
    try Data(String(decoding: v2, as: UTF8.self).replacingOccurrences(of: "v2 reason", with: "v2 edited").utf8)
      .write(to: URL(fileURLWithPath: manifest))
    let edited = try report(["--out", folder, "--lang", "en"])
    #expect(edited.status != 0)
    #expect(
      edited.stderr.contains(
        "which this database filed, altered since: manifest.json: its bytes are not the filed ones"),
      "\(edited.stderr)")
    #expect(edited.stderr.contains("): filing.reason differ"), "\(edited.stderr)")
  }

  // MARK: F10

  /// F10: a file named as a filing's archive that is not one (empty, junk,
  /// a pipe, never read) blocks nothing: named as no archive by report and doctor.
  @Test func f10_aNameAloneIsNoArchive() throws {
    try seeded()
    let archive = reports + "/linkaudit-2021-Q4-v2.zip"
    for (kind, make) in [
      ("an empty file", { FileManager.default.createFile(atPath: archive, contents: Data()) }),
      ("not a zip", { FileManager.default.createFile(atPath: archive, contents: Data("<html>".utf8)) }),
      ("a pipe", { mkfifo(archive, 0o600) == 0 }),
    ] as [(String, () -> Bool)] {
      #expect(make())
      let dry = try report(["--out", folder, "--lang", "en", "--reason", "x", "--dry-run"])
      #expect(dry.status == 0, "\(kind): \(dry.stderr)")
      // Told by content (FiledPackage.claims, red-team F1): a name alone claims nothing; doctor names it.
      #expect(dry.stdout.contains("would be version 2, new"), "\(dry.stdout)")
      #expect(!dry.stderr.contains("restored"), "\(dry.stderr)")
      let told = try PackageFixture.run(["doctor", "--reports", reports], database: database, within: 20)
      #expect(
        told?.stdout.contains("\(archive): named as a filing's archive, but not an archive") == true,
        "\(kind): \(told?.stdout ?? "hung")")
      try FileManager.default.removeItem(atPath: archive)
    }
  }

  // MARK: F11

  /// F11: a hidden earlier-version `.previous` folder holding a version this
  /// ledger lacks is not moved into the quarter's folder by the run: the dry
  /// run and the run say the same, and the run names it.
  @Test func f11_theRunDoesNotMoveAnUnfiledPreviousFolder() throws {
    try seeded()
    try backUp()
    #expect(try report(["--out", folder, "--lang", "en", "--reason", "v2 handed over"]).status == 0)
    try restore()
    let hidden = reports + "/.2021-Q4.previous-\(Self.gone)"
    try FileManager.default.moveItem(atPath: folder, toPath: hidden)
    let v2 = snapshot(hidden)
    let dryRun = try report(["--out", folder, "--dry-run"])
    #expect(dryRun.status == 0, "\(dryRun.stderr)")
    #expect(dryRun.stdout.contains("would be the filed version 1"), "\(dryRun.stdout)")
    let real = try report(["--out", folder])
    #expect(real.status == 0, "\(real.stderr)")
    #expect(
      real.stderr.contains("\(hidden): 2021-Q4 version 2, left staged by a report of another database"),
      "\(real.stderr)")
    #expect(real.stderr.contains("the filed version 1"), "\(real.stderr)")
    #expect(snapshot(hidden) == v2)
    #expect(try filings().map(\.version) == [1])
  }

  // MARK: F12

  /// F12: a huge manifest.json in sight (1 GiB, sparse) is never read: report
  /// and doctor check its size first, and doctor names it by its size (no
  /// timing asserted: the machine is shared; the message says it was not read).
  @Test func f12_aHugeManifestIsNotRead() throws {
    try seeded()
    let huge = reports + "/export/manifest.json"
    try FileManager.default.createDirectory(atPath: reports + "/export", withIntermediateDirectories: false)
    #expect(FileManager.default.createFile(atPath: huge, contents: Data()))
    #expect(truncate(huge, 1 << 30) == 0)
    guard case .failure(let why) = PackageFolder.manifestBytes(in: reports + "/export") else {
      Issue.record("read")
      return
    }
    #expect(why.message.contains("is 1,073,741,824 bytes, more than a manifest holds"), "\(why.message)")
    let dry = try report(["--out", folder, "--lang", "en", "--reason", "x", "--dry-run"])
    #expect(dry.status == 0, "\(dry.stderr)")
    let told = try doctor()
    #expect(told.stdout.contains("manifest.json: is 1,073,741,824 bytes, more than a manifest holds"), "\(told.stdout)")
  }

  // MARK: F14

  /// F14: an `--out` named for another version (`2021-Q4-v7` for version 2)
  /// is refused, dry run too: nothing filed, no folder made.
  @Test func f14_anOutNamedForAnotherVersionIsRefused() throws {
    try seeded()
    let v7 = folder + "-v7"
    for dry in [["--dry-run"], []] {
      let refused = try report(["--out", v7, "--lang", "en", "--reason", "into -v7"] + dry)
      #expect(refused.status != 0)
      #expect(
        refused.stderr.contains("--out \(v7) is named for version 7, but this report is 2021-Q4 version 2"),
        "\(refused.stderr)")
    }
    #expect(!exists(v7))
    #expect(try filings().map(\.version) == [1])
    // Named for the version it holds: accepted.
    let v2 = try report(["--out", folder + "-v2", "--lang", "en", "--reason", "into -v2"])
    #expect(v2.status == 0, "\(v2.stderr)")
  }
}
