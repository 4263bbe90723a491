import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the tenth attack's sight findings (red-team J3, J6): report
/// without `--out` writes through no link on its default place (the
/// quarter's folder, reports/ itself, the `-vN` folder it keeps a version
/// in), refusing before anything is written, and doctor names such a link; a
/// link named as `--out` stays the folder it leads to (D7). The apostrophe
/// and the wave dash 〜 separate a number's groups. Rows: docs/reliability-round7-isight.md.
extension ThirdAttackPackageTests {
  /// The report run in the test's folder, as a user runs it: no `--out`, the default `reports/2021-Q4`.
  func reportHere(_ more: [String]) throws -> LinkauditBinary.Run {
    try LinkauditBinary.run(
      ["report", "--quarter", "2021-Q4"] + more, database: database, in: URL(fileURLWithPath: dir.path))
  }

  /// Every name and file's bytes under `folder` (a stick's), links as links.
  func stickState(_ folder: String) -> ([String], [String: Data]) {
    ((FileManager.default.subpaths(atPath: folder) ?? []).sorted(), snapshot(folder))
  }

  // MARK: J3

  /// J3: reports/2021-Q4 a link to the copy on a USB stick, a file missing
  /// there: the dry run, the report of the same version and a re-issue with
  /// its archive are all refused naming the link, and nothing on the stick
  /// changes; doctor names the link, and no longer promises that a report
  /// writes the missing files again.
  @Test func j3_theQuarterFolderAsALinkIsRefusedNotWrittenThrough() throws {
    try seeded()
    let stick = dir.file("stick")
    try FileManager.default.createDirectory(atPath: stick, withIntermediateDirectories: true)
    try FileManager.default.moveItem(atPath: folder, toPath: stick + "/2021-Q4")
    try FileManager.default.createSymbolicLink(atPath: folder, withDestinationPath: stick + "/2021-Q4")
    try FileManager.default.removeItem(atPath: stick + "/2021-Q4/metrics.csv")
    let before = stickState(stick)
    let reportsBefore = listing(reports)
    let target = FileIdentity(stick + "/2021-Q4").canonical
    for more in [
      ["--dry-run"], [], ["--lang", "en", "--reason", "v2", "--dry-run"],
      ["--lang", "en", "--reason", "v2", "--archive"],
    ] {
      let refused = try reportHere(more)
      #expect(refused.status == 1, "\(more): \(refused.stderr)")
      #expect(
        refused.stderr.contains(
          "reports/2021-Q4 is a link to \(target): report writes no package through a link it was not given; name --out \(target) to write there, or remove the link"
        ), "\(more): \(refused.stderr)")
      #expect(stickState(stick) == before, "\(more)")
      #expect(listing(reports) == reportsBefore, "\(more)")
      #expect(try filings().map(\.version) == [1])
    }
    let doctor = try LinkauditBinary.run(["doctor"], database: database, in: URL(fileURLWithPath: dir.path))
    #expect(doctor.status == 1)
    #expect(
      doctor.stdout.contains(
        "problem  packages: reports/2021-Q4 is a link to \(target): report writes no package through a link it was not given"
      ), "\(doctor.stdout)")
    #expect(!doctor.stdout.contains("writes the missing files again"), "\(doctor.stdout)")
    #expect(doctor.stdout.contains("the folder is a link, which report without --out does not write through"))
    // K7 (b): the filings line promises no report through the link it refuses.
    #expect(!doctor.stdout.contains("only while its bytes are the same"), "\(doctor.stdout)")
    #expect(
      doctor.stdout.contains(
        "no package or archive in reports/ holds 2021-Q4 version 1 as filed: reports/2021-Q4 is a link (named above), so linkaudit report without --out does not write 2021-Q4 version 1 again there"
      ), "\(doctor.stdout)")
    // Named as --out, the link is the folder it leads to (D7): the missing file is written there.
    let named = try reportHere(["--out", "reports/2021-Q4"])
    #expect(named.status == 0, "\(named.stderr)")
    #expect(exists(stick + "/2021-Q4/metrics.csv"))
  }

  /// J3: reports/ itself a link, and the `-vN` folder a re-issue would keep
  /// the filed version in a link: refused alike, the dry run too, nothing
  /// changed where they lead; doctor names each.
  @Test func j3_reportsOrTheKeptFolderAsALinkIsRefused() throws {
    try seeded()
    let stick = dir.file("stick")
    try FileManager.default.createDirectory(atPath: stick + "/v1", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: folder + "-v1", withDestinationPath: stick + "/v1")
    let before = stickState(stick)
    let package = snapshot(folder)
    let kept = FileIdentity(stick + "/v1").canonical
    for dry in [true, false] {
      let refused = try reportHere(["--lang", "en", "--reason", "v2"] + (dry ? ["--dry-run"] : []))
      #expect(refused.status == 1, "\(refused.stderr)")
      #expect(
        refused.stderr.contains(
          "reports/2021-Q4-v1 is a link to \(kept): report writes no package through a link it was not given; remove the link"
        ), "\(refused.stderr)")
      #expect(stickState(stick) == before)
      #expect(snapshot(folder) == package)
      #expect(try filings().map(\.version) == [1])
    }
    let here = try LinkauditBinary.run(["doctor"], database: database, in: URL(fileURLWithPath: dir.path))
    #expect(here.stdout.contains("problem  packages: reports/2021-Q4-v1 is a link to \(kept)"), "\(here.stdout)")
    try FileManager.default.removeItem(atPath: folder + "-v1")
    // reports/ itself a link to the stick's folder of packages.
    try FileManager.default.moveItem(atPath: reports, toPath: stick + "/reports")
    try FileManager.default.createSymbolicLink(atPath: reports, withDestinationPath: stick + "/reports")
    let moved = stickState(stick)
    let target = FileIdentity(stick + "/reports").canonical
    for dry in [true, false] {
      let refused = try reportHere(["--lang", "en", "--reason", "v2", "--archive"] + (dry ? ["--dry-run"] : []))
      #expect(refused.status == 1, "\(refused.stderr)")
      #expect(
        refused.stderr.contains(
          "reports is a link to \(target): report writes no package through a link it was not given; name --out \(target)/2021-Q4 to write there, or remove the link"
        ), "\(refused.stderr)")
      #expect(stickState(stick) == moved)
      #expect(try filings().map(\.version) == [1])
    }
    let doctorLinked = try LinkauditBinary.run(["doctor"], database: database, in: URL(fileURLWithPath: dir.path))
    #expect(doctorLinked.stdout.contains("problem  packages: reports is a link to \(target)"), "\(doctorLinked.stdout)")
  }

  /// J3: a link in reports/ that is not on the default place (`latest -> 2021-Q4`) blocks nothing, is not
  /// named, and a re-issue without --out goes on as before.
  @Test func j3_aLinkBesideTheDefaultPlaceBlocksNothing() throws {
    try seeded()
    try FileManager.default.createSymbolicLink(atPath: reports + "/latest", withDestinationPath: "2021-Q4")
    let v1 = snapshot(folder)
    let reissued = try reportHere(["--lang", "en", "--reason", "v2", "--archive"])
    #expect(reissued.status == 0, "\(reissued.stderr)")
    #expect(snapshot(folder + "-v1") == v1)
    #expect(exists(reports + "/linkaudit-2021-Q4-v2.zip"))
    let doctor = try LinkauditBinary.run(["doctor"], database: database, in: URL(fileURLWithPath: dir.path))
    #expect(!doctor.stdout.contains("is a link to"), "\(doctor.stdout)")
  }

  // MARK: J6

  /// J6: the ASCII apostrophe quotes a group as `"` does, and the wave dash 〜 (U+301C, Pd) is a dash:
  /// both separate a number's groups in `--reason`, masked in the dry run; `~` and `～` stay range marks.
  @Test func j6_theApostropheAndTheWaveDashSeparateGroups() throws {
    #expect(PersonalNumberMask.mask("x '138'12345678 y") == "x '138'****5678 y")
    #expect(PersonalNumberMask.mask("x 138〜12345678 y") == "x 138〜****5678 y")
    #expect(PersonalNumberMask.mask("138~12345678") == "138~12345678")
    #expect(PersonalNumberMask.mask("don't '2021'12 rock'n'roll") == "don't '2021'12 rock'n'roll")
    try seeded()
    for (reason, masked) in [("x '138'12345678 y", "x '138'****5678 y"), ("x 138〜12345678 y", "x 138〜****5678 y")] {
      let dry = try report(["--out", folder, "--lang", "zh", "--reason", reason, "--dry-run"])
      #expect(dry.status == 0, "\(dry.stderr)")
      #expect(dry.stderr.contains("personal numbers masked as filed: \(masked)"), "\(dry.stderr)")
      #expect(!(dry.stdout + dry.stderr).contains("12345678"), "\(dry.stdout)\(dry.stderr)")
    }
  }
}
