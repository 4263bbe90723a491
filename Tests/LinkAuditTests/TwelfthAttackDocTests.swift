import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the twelfth attack's doctor findings (L1, L2, L5, L6, L9b,
/// L9e, L11): a copy a bundle holds where doctor's folder check does not
/// reach (an archive inside it, names with `\`) is never folded into an
/// "as filed" line; a copy under a staging-shaped name is checked unless a
/// run holds it now; a zip of one copy per recipient is checked in full;
/// another database's package is named before the first filing too; a
/// folder named with --reports is the user's own, a link included; reports/
/// a link, a file or a pipe is said as report says it. Rows:
/// docs/reliability-round8-ldoc.md.
extension ThirdAttackPackageTests {
  /// doctor run in the test's folder with no --reports, as a user runs it.
  func doctorHere(_ more: [String] = []) throws -> LinkauditBinary.Run {
    try LinkauditBinary.run(["doctor"] + more, database: database, in: URL(fileURLWithPath: dir.path))
  }

  /// A copy of the filed version 1 with an altered metrics.csv at `copy`.
  func alteredCopy(_ copy: String) throws {
    try FileManager.default.createDirectory(atPath: parentPath(copy), withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: folder, toPath: copy)
    try Data("altered\n".utf8).write(to: URL(fileURLWithPath: copy + "/metrics.csv"))
  }

  // MARK: L1

  /// L1: beside the genuine `2021-Q4-v1/`, an altered copy packed in a tgz
  /// or a zip inside the bundle, or stored under `\` names (PowerShell
  /// 5.1): doctor said "as filed … other file(s) not checked", healthy;
  /// unpacking it writes the altered file over the one checked. Now the zip
  /// inside is checked as a zip in sight is (not as filed, named), and what
  /// doctor cannot check is a problem naming where; nothing written.
  @Test(arguments: ["tgz", "zip", "backslash"])
  func l1_aCopyInsideABundleBesideAGenuineOneIsAProblem(_ kind: String) throws {
    try seeded()
    let (away, hand) = try handOut(["2021-Q4-v1"])
    try alteredCopy(away.file("alt/2021-Q4-v1"))
    let handed = reports + "/handed"
    try FileManager.default.createDirectory(atPath: handed, withIntermediateDirectories: true)
    let zip = handed + "/bundle.zip"
    try runShell("zip -q -r \(zip) 2021-Q4-v1", in: hand)
    let named: String
    switch kind {
    case "tgz":
      try runShell("tar czf \(hand)/old-copy.tgz 2021-Q4-v1", in: away.file("alt"))
      try runShell("zip -q \(zip) old-copy.tgz", in: hand)
      named = "old-copy.tgz (a gzip'd tar inside it)"
    case "zip":
      try runShell("zip -q -r \(hand)/linkaudit-2021-Q4-v1.zip 2021-Q4-v1", in: away.file("alt"))
      try runShell("zip -q \(zip) linkaudit-2021-Q4-v1.zip", in: hand)
      named = ""
    default:
      try PackageFixture.python(
        "import os, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1], 'a')\nfor f in sorted(os.listdir(sys.argv[2])):\n    z.writestr('copy2\\\\2021-Q4-v1\\\\' + f, open(os.path.join(sys.argv[2], f), 'rb').read())\nz.close()",
        [zip, away.file("alt/2021-Q4-v1")])
      named = "copy2\\2021-Q4-v1\\ (names with `\\`)"
    }
    let told = try doctorFinds(
      named.isEmpty
        ? "problem  packages: \(zip) (linkaudit-2021-Q4-v1.zip): 2021-Q4 version 1 is not as filed, 1 difference(s): metrics.csv: modified"
        : "problem  packages: \(zip): holds 2021-Q4 version 1's manifest as filed 1 more time(s) where doctor does not check the files: \(named): unpacking them writes their files out too"
    )
    #expect(!told.contains("healthy"), "\(told)")
    withExtendedLifetime(away) {}
  }

  /// L1, legitimate bundles: the package's folder beside its own archive,
  /// and a zip of the archive alone, are checked in full: healthy.
  /// The kept choice: a zip holding only a tar of the package (no folder
  /// doctor checks, nothing vouched for) stays a warning, as a tar copy is,
  /// now naming where the copy is.
  @Test func l1_aZipInsideIsCheckedATarInsideStaysAWarning() throws {
    try seeded()
    let (away, hand) = try handOut(["2021-Q4-v1"])
    try runShell(
      "zip -q -r inner.zip 2021-Q4-v1 && zip -q outer.zip inner.zip && zip -q -r both.zip 2021-Q4-v1 inner.zip && tar cf q4.tar 2021-Q4-v1 && zip -q tarred.zip q4.tar",
      in: hand)
    let handed = reports + "/handed"
    try FileManager.default.createDirectory(atPath: handed, withIntermediateDirectories: true)
    for zip in ["outer.zip", "both.zip"] {
      try FileManager.default.copyItem(atPath: hand + "/" + zip, toPath: handed + "/" + zip)
    }
    let checked = try doctor()
    #expect(checked.status == 0, "\(checked.stdout)")
    #expect(!checked.stdout.contains("warning  packages"), "\(checked.stdout)")
    try FileManager.default.copyItem(atPath: hand + "/tarred.zip", toPath: handed + "/tarred.zip")
    let told = try doctor()
    #expect(told.status == 0, "\(told.stdout)")
    #expect(
      told.stdout.contains(
        "warning  packages: \(handed)/tarred.zip: holds 2021-Q4 version 1's manifest as filed, but its files are not checked (its manifest is in no folder of this zip as verify reads one: q4.tar (a tar inside it))"
      ), "\(told.stdout)")
    withExtendedLifetime(away) {}
  }

  // MARK: L2

  /// L2: an altered copy under a staging-shaped hidden name (a live PID's in
  /// handed/, a dead run's in reports/, an archive so named) was skipped
  /// silently; only a staging a run holds now is. Each is now checked.
  @Test func l2_aCopyUnderAStagingNameIsChecked() throws {
    try seeded()
    let handed = reports + "/handed"
    try alteredCopy(handed + "/.2021-Q4.previous-1")
    try doctorFinds("problem  packages: \(handed)/.2021-Q4.previous-1: 2021-Q4 version 1 is not as filed")
    try FileManager.default.removeItem(atPath: handed + "/.2021-Q4.previous-1")
    let dead = reports + "/.2021-Q4.previous-\(Self.gone)-\(PackageFolder.runToken)"
    try alteredCopy(dead)
    let left = try doctorFinds("problem  packages: \(dead): 2021-Q4 version 1 is not as filed")
    #expect(left.contains("(a report's staging left by a killed run"), "\(left)")
    try FileManager.default.removeItem(atPath: dead)
    // A link under a live-looking staging name (no lock can be taken on a link) leads to a copy: checked.
    let elsewhere = TemporaryDirectory()
    try alteredCopy(elsewhere.file("2021-Q4"))
    let link = reports + "/.2021-Q4.writing-1-\(PackageFolder.runToken)"
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: elsewhere.file("2021-Q4"))
    try doctorFinds("problem  packages: \(link): 2021-Q4 version 1 is not as filed")
    try FileManager.default.removeItem(atPath: link)
    withExtendedLifetime(elsewhere) {}
    let (away, hand) = try handOut(["2021-Q4-v1"])
    try Data("altered\n".utf8).write(to: URL(fileURLWithPath: hand + "/2021-Q4-v1/metrics.csv"))
    try runShell("zip -q -r \(handed)/.handover.writing-1 2021-Q4-v1", in: hand)
    try doctorFinds("problem  packages: \(handed)/.handover.writing-1: 2021-Q4 version 1 is not as filed")
    withExtendedLifetime(away) {}
  }

  // MARK: L5

  /// L5: a handover zip of 9 genuine copies, one folder per recipient, was a
  /// problem for good (8 folders checked); now up to 64 are checked in full
  /// (past them the rest stay a problem: `k1_aCopyPastTheFoldersCheckedIsAProblem`).
  @Test func l5_aZipOfOneCopyPerRecipientIsCheckedInFull() throws {
    try seeded()
    let (away, hand) = try handOut((1...9).map { "r\($0)/2021-Q4-v1" })
    let handed = reports + "/handed"
    try FileManager.default.createDirectory(atPath: handed, withIntermediateDirectories: true)
    try runShell("zip -q -r \(handed)/all.zip \((1...9).map { "r\($0)" }.joined(separator: " "))", in: hand)
    let nine = try doctor()
    #expect(nine.status == 0, "\(nine.stdout)")
    #expect(!nine.stdout.contains("more copies"), "\(nine.stdout)")
    // The ninth is checked: altered, it is named.
    try alteredCopy(away.file("r9b/2021-Q4-v1"))
    try FileManager.default.removeItem(atPath: hand + "/r9/2021-Q4-v1")
    try FileManager.default.moveItem(atPath: away.file("r9b/2021-Q4-v1"), toPath: hand + "/r9/2021-Q4-v1")
    try FileManager.default.removeItem(atPath: handed + "/all.zip")
    try runShell("zip -q -r \(handed)/all.zip \((1...9).map { "r\($0)" }.joined(separator: " "))", in: hand)
    try doctorFinds("problem  packages: \(handed)/all.zip (r9/2021-Q4-v1/): 2021-Q4 version 1 is not as filed")
    withExtendedLifetime(away) {}
  }

  // MARK: L6

  /// L6: a database that has filed nothing yet, another database's 2021-Q4
  /// version 1 in reports/handed/: report refuses, and doctor, which said
  /// healthy, names the claim as it does once something is filed.
  @Test func l6_anotherDatabasesPackageIsNamedBeforeTheFirstFiling() throws {
    try seeded(filing: false)
    let other = dir.file("o.db")
    try FileManager.default.copyItem(atPath: database, toPath: other)
    let copy = reports + "/handed/2021-Q4"
    try FileManager.default.createDirectory(atPath: reports + "/handed", withIntermediateDirectories: true)
    let filed = try LinkauditBinary.run(["report", "--quarter", "2021-Q4", "--out", copy], database: other)
    #expect(filed.status == 0, "\(filed.stderr)")
    let refused = try run(["report", "--quarter", "2021-Q4", "--out", folder, "--dry-run"])
    #expect(refused.status != 0, "\(refused.stderr)")
    let told = try doctorFinds(
      "problem  packages: \(copy): 2021-Q4 version 1: ")
    #expect(told.contains("report refuses to file that version from this database"), "\(told)")
    #expect(try filings().isEmpty)
  }

  // MARK: L11

  /// L11: `doctor --reports filings`, `filings` a link the user files into
  /// with `--out filings/2021-Q4` (accepted): no problem, and a missing
  /// version's advice is that --out, not "report without --out".
  @Test func l11_aReportsFolderNamedThroughALinkIsTheUsersOwn() throws {
    try seeded(filing: false)
    let stick = dir.file("stick/filings")
    try FileManager.default.createDirectory(atPath: stick, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: dir.file("filings"), withDestinationPath: stick)
    let filed = try LinkauditBinary.run(
      ["report", "--quarter", "2021-Q4", "--out", "filings/2021-Q4"], database: database,
      in: URL(fileURLWithPath: dir.path))
    #expect(filed.status == 0, "\(filed.stderr)")
    let told = try doctorHere(["--reports", "filings"])
    #expect(told.status == 0, "\(told.stdout)")
    #expect(!told.stdout.contains("is a link"), "\(told.stdout)")
    try FileManager.default.removeItem(atPath: stick + "/2021-Q4")
    let gone = try doctorHere(["--reports", "filings"])
    #expect(!gone.stdout.contains("is a link"), "\(gone.stdout)")
    #expect(
      gone.stdout.contains(
        "no package or archive in filings/ holds 2021-Q4 version 1 as filed (linkaudit report --quarter 2021-Q4 --out filings/2021-Q4 writes it again only while its bytes are the same)"
      ), "\(gone.stdout)")
  }

  // MARK: L9

  /// L9 (b): reports/ itself a link, the filed package there missing a file:
  /// doctor's package line no longer promises that a report into
  /// reports/2021-Q4 writes it again (a report without --out is refused).
  @Test func l9b_reportsALinkPromisesNoReportThroughIt() throws {
    try seeded()
    let stick = dir.file("stick")
    try FileManager.default.createDirectory(atPath: stick, withIntermediateDirectories: true)
    try FileManager.default.moveItem(atPath: reports, toPath: stick + "/reports")
    try FileManager.default.createSymbolicLink(atPath: reports, withDestinationPath: stick + "/reports")
    try FileManager.default.removeItem(atPath: stick + "/reports/2021-Q4/metrics.csv")
    let told = try doctorHere()
    #expect(told.status == 1, "\(told.stdout)")
    #expect(!told.stdout.contains("writes the missing files again"), "\(told.stdout)")
    #expect(
      told.stdout.contains("; reports is a link, which report without --out does not write through (named below)"),
      "\(told.stdout)")
    // `--reports reports` names the default place itself: its link rule holds (L11 is for other folders).
    let named = try doctorHere(["--reports", "reports"])
    #expect(named.stdout.contains("problem  packages: reports is a link to"), "\(named.stdout)")
    #expect(!named.stdout.contains("writes the missing files again"), "\(named.stdout)")
  }

  /// L9 (e): reports a regular file or a FIFO: every report without --out is
  /// refused, and doctor, which said healthy, names it; nothing written, and
  /// the FIFO is never opened (doctor ends).
  @Test(arguments: [false, true])
  func l9e_reportsAFileOrAPipeIsNamed(_ pipe: Bool) throws {
    try seeded(filing: false)
    let place = dir.file("reports")
    if pipe {
      #expect(mkfifo(place, 0o644) == 0)
    } else {
      try Data("x\n".utf8).write(to: URL(fileURLWithPath: place))
    }
    let refused = try reportHere([])
    #expect(refused.status != 0, "\(refused.stderr)")
    let told = try doctorHere()
    #expect(told.status == 1, "\(told.stdout)")
    #expect(
      told.stdout.contains(
        "problem  packages: reports is \(pipe ? "a FIFO (a named pipe)" : "a file"), not a folder: a report without --out writes the quarter's folder in reports/ and is refused"
      ), "\(told.stdout)")
    #expect(listing(dir.path).filter { $0.hasPrefix("reports") } == ["reports"])
    // Named with --reports, a file or a pipe is said too, not passed as a folder with nothing in it.
    try FileManager.default.moveItem(atPath: place, toPath: dir.file("filings"))
    let named = try doctorHere(["--reports", "filings"])
    #expect(named.status == 1, "\(named.stdout)")
    #expect(
      named.stdout.contains("problem  packages: filings (named with --reports) is \(pipe ? "a FIFO" : "a file")"),
      "\(named.stdout)")
  }
}
