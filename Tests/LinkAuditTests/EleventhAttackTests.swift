import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the eleventh attack's K5–K7: a bundle's entry under a Windows
/// spelling (the 8.3 short name, the `\\?\` long-path prefix) lands in the
/// package's folder as the other spellings do (J1); a copy holding its
/// manifest as `MANIFEST.JSON` is that version to a case-insensitive disk and
/// is named, never passed over; with no `--out`, report's refusals name its
/// own place, not an option the user never wrote, and doctor promises no
/// report through a link it refuses. Rows: docs/reliability.md.
extension ThirdAttackPackageTests {
  /// doctor on the reports folder: exit 1, `line` among its findings,
  /// nothing under reports/ changed. Its output.
  @discardableResult func doctorFinds(_ line: String) throws -> String {
    let before = snapshot(reports)
    let told = try doctor()
    #expect(told.status == 1, "\(told.stdout)")
    #expect(told.stdout.contains(line), "\(told.stdout)")
    #expect(snapshot(reports) == before, "doctor reads only")
    return told.stdout
  }

  /// A folder out of doctor's sight (the database's folder is in it) holding
  /// a copy of the filed version 1 at each of `copies`: what a sender zips.
  func handOut(_ copies: [String]) throws -> (away: TemporaryDirectory, hand: String) {
    let away = TemporaryDirectory()
    let hand = away.file("hand")
    for copy in copies {
      let path = (hand as NSString).appendingPathComponent(copy)
      try FileManager.default.createDirectory(atPath: parentPath(path), withIntermediateDirectories: true)
      try FileManager.default.copyItem(atPath: folder, toPath: path)
    }
    return (away, hand)
  }

  // MARK: K5

  /// K5 at the library: the 8.3 short name of the package's folder and the
  /// long-path and device prefixes land in it; another folder's short name,
  /// a share's path and a name with a tilde that is no short name do not.
  @Test func k5_windowsSpellingsLandInThePackagesFolder() {
    let under = "2021-Q4-v1/"
    for lands in [
      "2021-Q~1/metrics.csv", "2021-~12/metrics.csv", "\\\\?\\C:\\2021-Q4-v1\\metrics.csv",
      "//?/C:/2021-Q4-v1/metrics.csv", "\\\\.\\C:\\2021-Q4-v1\\metrics.csv", "\\\\?\\C:\\2021-Q~1\\metrics.csv", "\\??\\C:\\2021-Q4-v1\\metrics.csv",
    ] {
      #expect(PackageArchive.otherSpelling(of: lands, under: under) != nil, "\(lands)")
    }
    for other in [
      "2022-Q~1/metrics.csv", "2021-Q4~1/metrics.csv", "2021-Q~/metrics.csv", "2021-Q~1.CSV/metrics.csv",
      "\\\\?\\UNC\\server\\share\\2021-Q4-v1\\metrics.csv", "~1/metrics.csv",
    ] {
      #expect(PackageArchive.otherSpelling(of: other, under: under) == nil, "\(other)")
    }
    #expect(PackageArchive.isShortName("MANIFE~1.JSO", of: "manifest.json"))
    #expect(PackageArchive.isShortName("metric~1.csv", of: "metrics.csv"))
    #expect(PackageArchive.isShortName("2021-Q~1", of: "2021-Q4-v1"))
    #expect(!PackageArchive.isShortName("MANIFE~1.JSN", of: "manifest.json"))
    #expect(!PackageArchive.isShortName("2021-Q~1.V1", of: "2021-Q4-v1"))
  }

  /// K5 through doctor: beside the genuine `2021-Q4-v1/`, an altered
  /// metrics.csv under the folder's 8.3 name or the long-path prefix is a
  /// difference of that copy (a Windows extractor writes it over the
  /// genuine file); doctor reads only.
  @Test(arguments: ["2021-Q~1/metrics.csv", "\\\\?\\C:\\2021-Q4-v1\\metrics.csv"])
  func k5_aWindowsSpellingInABundleIsADifference(_ entry: String) throws {
    try seeded()
    let handed = reports + "/handed"
    try FileManager.default.createDirectory(atPath: handed, withIntermediateDirectories: true)
    try bundle(handed + "/bundle.zip", entry: entry, extra: Data("altered\n".utf8))
    try doctorFinds(
      "problem  packages: \(handed)/bundle.zip (2021-Q4-v1/): 2021-Q4 version 1 is not as filed, 1 difference(s): \(entry): another spelling of a path in the package's folder"
    )
  }

  // MARK: K6

  /// K6, a folder: a copy in reports/handed/ holding the filed manifest as
  /// `MANIFEST.JSON` and an altered metrics.csv was no copy to doctor
  /// ("healthy"); on a case-insensitive disk it is version 1, altered. Now a
  /// problem naming the spelling and what to do; nothing written.
  @Test func k6_aFolderCopyWithTheManifestInAnotherCaseIsNamed() throws {
    try seeded()
    let copy = reports + "/handed/2021-Q4"
    try alteredCopy(copy)
    try FileManager.default.moveItem(atPath: copy + "/manifest.json", toPath: copy + "/MANIFEST.JSON")
    try doctorFinds(
      "problem  packages: \(copy): holds 2021-Q4 version 1's manifest as filed, named MANIFEST.JSON: a case-insensitive disk (macOS's, Windows') reads it as manifest.json and takes the folder for that version; its files are not checked here: rename it manifest.json, then run linkaudit verify \(copy)"
    )
  }

  /// K6, a bundle: the genuine `2021-Q4-v1/` and `zz/2021-Q4-v1/` holding
  /// `MANIFEST.JSON` and an altered metrics.csv: the second copy is checked
  /// as a case-insensitive disk reads it, its manifest's spelling and its
  /// metrics.csv each a difference; verify of the zip of that copy alone
  /// fails it the same way.
  @Test func k6_aBundledCopyWithTheManifestInAnotherCaseIsChecked() throws {
    try seeded()
    let (away, hand) = try handOut(["2021-Q4-v1", "zz/2021-Q4-v1"])
    try FileManager.default.moveItem(
      atPath: hand + "/zz/2021-Q4-v1/manifest.json", toPath: hand + "/zz/2021-Q4-v1/MANIFEST.JSON")
    try Data("altered\n".utf8).write(to: URL(fileURLWithPath: hand + "/zz/2021-Q4-v1/metrics.csv"))
    try FileManager.default.createDirectory(atPath: reports + "/handed", withIntermediateDirectories: true)
    try runShell("zip -q -r \(reports)/handed/bundle.zip 2021-Q4-v1 zz", in: hand)
    try runShell("zip -q -r \(hand)/alone.zip 2021-Q4-v1", in: hand + "/zz")
    let told = try doctorFinds(
      "problem  packages: \(reports)/handed/bundle.zip (zz/2021-Q4-v1/): 2021-Q4 version 1 is not as filed, 2 difference(s): zz/2021-Q4-v1/MANIFEST.JSON: manifest.json spelt in another case (a case-insensitive disk, macOS's or Windows', reads it as manifest.json; this name is no package's)"
    )
    // The genuine copy beside it is no difference (a copy as filed has no line of its own).
    #expect(!told.contains("bundle.zip (2021-Q4-v1/)"), "\(told)")
    let verified = try run(["verify", hand + "/alone.zip"])
    #expect(verified.status == 1, "\(verified.stdout)\(verified.stderr)")
    #expect(
      (verified.stdout + verified.stderr).contains("2021-Q4-v1/MANIFEST.JSON: manifest.json spelt in another case"),
      "\(verified.stdout)\(verified.stderr)")
    withExtendedLifetime(away) {}
  }

  // MARK: K7

  /// K7 (a): with no --out, a quarter's folder holding a stray file is
  /// refused in the words of report's own place (the user named no --out),
  /// the dry run alike; with --out, the option is named as before.
  @Test func k7_aRefusalOfTheDefaultPlaceNamesNoOptionTheUserDidNotGive() throws {
    try seeded()
    try FileManager.default.removeItem(atPath: folder)
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try Data("x\n".utf8).write(to: URL(fileURLWithPath: folder + "/notes.txt"))
    let before = snapshot(reports)
    for more in [[], ["--dry-run"]] {
      let refused = try reportHere(more)
      #expect(refused.status != 0, "\(more)")
      #expect(
        refused.stderr.contains(
          "reports/2021-Q4 (where report writes the quarter when no --out is given) holds files and no linkaudit package (no manifest.json): refusing to replace it; move its files out, or name --out a new or empty folder"
        ), "\(more): \(refused.stderr)")
      #expect(!refused.stderr.contains("--out reports/2021-Q4"), "\(refused.stderr)")
    }
    let named = try reportHere(["--out", "reports/2021-Q4"])
    #expect(named.stderr.contains("--out reports/2021-Q4 holds files and no linkaudit package"), "\(named.stderr)")
    #expect(snapshot(reports) == before)
  }
}
