import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the thirteenth attack's M1–M3 and M8–M11: a version handed over
/// in a format linkaudit does not unpack (xz, bzip2, a gzip'd zip, a
/// self-extracting zip inside a bundle), under a manifest name Windows reads
/// as manifest.json, or whose manifest is a link, is a claim or named as not
/// read through, never passed over so that a second, different version is
/// filed; doctor names every staging-named copy it does not check; report
/// removes no staging altered since its run; a drive-relative name lands in
/// the package's folder. Rows: docs/reliability.md.
extension ThirdAttackPackageTests {
  /// The dry run of a new version 2 (no --out), refused with `why`; nothing written or filed.
  func secondVersion2Refused(_ why: String) throws {
    let before = snapshot(reports)
    let again = try reportHere(["--lang", "en", "--reason", "again", "--dry-run"])
    #expect(again.status != 0, "\(again.stdout)")
    #expect(again.stderr.contains(why), "\(again.stderr)")
    #expect(try filings().map(\.version) == [1])
    #expect(snapshot(reports) == before)
  }

  /// M1: another database's version 2 handed over as `.tar.xz`, `.tar.bz2`,
  /// `.zip.gz`, or a bundle holding it so or as a self-extracting `.exe`:
  /// each is named as not read through, and no second version 2 is filed.
  @Test(arguments: [
    ("tar cJf handed/q4.tar.xz v2", "q4.tar.xz", "an xz-compressed file, which linkaudit does not unpack"),
    ("tar cjf handed/q4.tar.bz2 v2", "q4.tar.bz2", "a bzip2-compressed file, which linkaudit does not unpack"),
    (
      "zip -q -r v2.zip v2 && gzip -c v2.zip > handed/q4.zip.gz", "q4.zip.gz",
      "a zip, gzip'd (no tar): not read through"
    ),
    (
      "tar cJf q4.tar.xz v2 && echo Dear > letter.txt && zip -q handed/h.zip q4.tar.xz letter.txt", "h.zip",
      "q4.tar.xz: an xz-compressed file, which linkaudit does not unpack"
    ),
    (
      "zip -q -r v2.zip v2 && (head -c 4096 /dev/zero; cat v2.zip) > v2.exe && zip -q -A v2.exe && zip -q handed/h.zip v2.exe",
      "h.zip", "v2.exe: a program that may be a self-extracting zip: not read through"
    ),
  ])
  func m1_aVersionInAFormatNotUnpackedIsNamedNotPassedOver(_ make: (String, String, String)) throws {
    try seeded()
    let away = TemporaryDirectory()
    try forgottenVersion2(to: away.file("v2"))
    try FileManager.default.createDirectory(atPath: away.file("handed"), withIntermediateDirectories: true)
    try runShell(make.0, in: away.path)
    try FileManager.default.createDirectory(atPath: reports + "/handed", withIntermediateDirectories: true)
    try FileManager.default.moveItem(atPath: away.file("handed/" + make.1), toPath: reports + "/handed/" + make.1)
    try secondVersion2Refused(make.2)
    let told = try doctor()
    #expect(told.status != 0 || told.stdout.contains("warning"), "\(told.stdout)")
    #expect(told.stdout.contains(make.2), "\(told.stdout)")
    #expect(!told.stdout.hasSuffix("healthy\n"), "\(told.stdout)")
  }

  /// M2: a version 2 whose manifest is named `manifest.json.`, `manifest.json `
  /// or `manifest.json::$DATA` (Windows opens each as manifest.json) is a claim.
  @Test(arguments: ["manifest.json.", "manifest.json ", "manifest.json::$DATA", "Manifest.Json. ."])
  func m2_aManifestNameWindowsNormalisesIsAClaim(_ spelling: String) throws {
    try seeded()
    let away = TemporaryDirectory()
    try forgottenVersion2(to: away.file("v2"))
    try FileManager.default.createDirectory(atPath: reports + "/handed", withIntermediateDirectories: true)
    try FileManager.default.moveItem(atPath: away.file("v2"), toPath: reports + "/handed/2021-Q4")
    try FileManager.default.moveItem(
      atPath: reports + "/handed/2021-Q4/manifest.json", toPath: reports + "/handed/2021-Q4/" + spelling)
    try secondVersion2Refused("holds 2021-Q4 version 2, which this database's filings do not hold")
    #expect(!ReportPackage.isManifestName("manifest.json:stream"))
    #expect(!ReportPackage.isManifestName("manifest.jsonx."))
  }

  /// M9: a version 2 folder whose manifest.json is a link to its manifest
  /// (kept elsewhere) is a claim: a zip of the folder holds what it leads to.
  @Test func m9_aManifestThatIsALinkIsAClaim() throws {
    try seeded()
    let away = TemporaryDirectory()
    try forgottenVersion2(to: away.file("v2"))
    try FileManager.default.moveItem(atPath: away.file("v2/manifest.json"), toPath: away.file("kept.json"))
    try FileManager.default.createSymbolicLink(
      atPath: away.file("v2/manifest.json"), withDestinationPath: away.file("kept.json"))
    try FileManager.default.createDirectory(atPath: reports + "/handed", withIntermediateDirectories: true)
    try FileManager.default.moveItem(atPath: away.file("v2"), toPath: reports + "/handed/2021-Q4")
    try secondVersion2Refused("holds 2021-Q4 version 2, which this database's filings do not hold")
  }

  /// M3: an altered copy zipped under a staging name with PID 1 (always
  /// running) and no lock is checked, not passed over as a run at work.
  @Test func m3_aStagingNamedZipWithoutItsLockIsChecked() throws {
    try seeded()
    let (away, hand) = try handOut(["2021-Q4-v1"])
    try Data("altered\n".utf8).write(to: URL(fileURLWithPath: hand + "/2021-Q4-v1/metrics.csv"))
    try runShell("zip -q -r '\(reports)/.2021-Q4.writing-1-0000000a' 2021-Q4-v1", in: hand)
    try doctorFinds("problem  packages: \(reports)/.2021-Q4.writing-1-0000000a")
    withExtendedLifetime(away) {}
  }

  /// M10: a folder under a dead run's `.previous` name whose files are not
  /// as its manifest lists was altered after any run: the next report keeps
  /// it and says so (it had deleted it silently).
  @Test func m10_anAlteredStagingIsNeverRemoved() throws {
    try seeded()
    let staged = reports + "/.2021-Q4.previous-999999-0000000a"
    try FileManager.default.copyItem(atPath: folder, toPath: staged)
    try Data("altered\n".utf8).write(to: URL(fileURLWithPath: staged + "/metrics.csv"))
    let again = try reportHere([])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(bytes(staged + "/metrics.csv") == Data("altered\n".utf8))
    #expect(
      (again.stdout + again.stderr).contains(
        "named as a report's staging, but its files are not as its manifest lists (altered since?): never removed"),
      "\(again.stdout)\(again.stderr)")
  }

  /// M8: a killed doctor's scratch (a zip inside a bundle written aside) is
  /// removed by the next doctor, as verify removes its own; a live one's, or
  /// a folder holding anything else, is left.
  @Test func m8_aKilledDoctorsScratchIsRemoved() throws {
    try seeded()
    let temporary = TemporaryDirectory()
    let stale = temporary.file("linkaudit-unpack-\(Self.gone)-\(UUID().uuidString)")
    let other = temporary.file("linkaudit-unpack-\(Self.gone)-\(UUID().uuidString)")
    for folder in [stale, other] {
      try FileManager.default.createDirectory(atPath: folder + "/package", withIntermediateDirectories: true)
      try Data("PK".utf8).write(to: URL(fileURLWithPath: folder + "/inner.zip"))
    }
    try Data("mine\n".utf8).write(to: URL(fileURLWithPath: other + "/notes.txt"))
    _ = try LinkauditBinary.run(
      ["TMPDIR=\(temporary.path)/", LinkauditBinary.path, "doctor", "--reports", reports], database: database,
      executable: "/usr/bin/env")
    #expect(!exists(stale))
    #expect(exists(other + "/notes.txt"))
  }

  /// M11: a drive-relative name (`C:2021-Q4-v1\metrics.csv`) lands in the package's folder.
  @Test func m11_aDriveRelativeNameLandsInThePackagesFolder() {
    #expect(PackageArchive.otherSpelling(of: "C:2021-Q4-v1\\metrics.csv", under: "2021-Q4-v1/") != nil)
    #expect(PackageArchive.otherSpelling(of: "C:docs\\metrics.csv", under: "2021-Q4-v1/") == nil)
    #expect(PackageArchive.otherSpelling(of: "2021-Q4-v1:metrics.csv", under: "2021-Q4-v1/") == nil)
  }

  /// M6 (a): a bundle's altered folder is told to be unpacked and verified,
  /// not "linkaudit verify X.zip (2021-Q4-v1/)", which verify cannot run.
  @Test func m6_theAdviceForABundlesFolderCanBeRun() throws {
    try seeded()
    let handed = reports + "/handed"
    try FileManager.default.createDirectory(atPath: handed, withIntermediateDirectories: true)
    try bundle(handed + "/bundle.zip", entry: "./2021-Q4-v1/metrics.csv", extra: Data("altered\n".utf8))
    let told = try doctorFinds(
      "unpack \(handed)/bundle.zip and run linkaudit verify on its 2021-Q4-v1/ for more)")
    #expect(!told.contains("linkaudit verify \(handed)/bundle.zip (2021-Q4-v1/)"), "\(told)")
  }

  /// M6 (e): `--reports reports/` is the same place as `--reports reports`:
  /// a link there is named either way, not read through for the slash.
  @Test func m6_aTrailingSlashDoesNotHideTheDefaultPlacesLink() throws {
    try seeded()
    let stick = dir.file("stick")
    try FileManager.default.moveItem(atPath: reports, toPath: stick)
    try FileManager.default.createSymbolicLink(atPath: reports, withDestinationPath: stick)
    for named in ["reports", "reports/", "reports//", "reports/.", "reports/./"] {
      let told = try LinkauditBinary.run(
        ["doctor", "--reports", named], database: database, in: URL(fileURLWithPath: dir.path))
      #expect(told.status == 1, "\(named): \(told.stdout)")
      #expect(told.stdout.contains("problem  packages: reports is a link to"), "\(named): \(told.stdout)")
    }
  }

  /// M4: beside the genuine folder in a bundle, an altered copy doctor does
  /// not read (two zips down, a program that may be a self-extracting zip,
  /// `\` names inside an inner zip) was "ok" and at most a warning: unpacking
  /// it in place writes it over the folder vouched for. Now a problem.
  @Test(arguments: [
    "cd alt && zip -q -r ../b.zip 2021-Q4-v1 && cd .. && zip -q a.zip b.zip && zip -q -r bundle.zip 2021-Q4-v1 a.zip",
    "cd alt && zip -q -r ../c.zip 2021-Q4-v1 && cd .. && (head -c 4096 /dev/zero; cat c.zip) > v1.exe && zip -q -A v1.exe && zip -q -r bundle.zip 2021-Q4-v1 v1.exe",
    "python3 -c \"import zipfile,os\nz=zipfile.ZipFile('inner.zip','w')\nfor f in sorted(os.listdir('2021-Q4-v1')): z.write('2021-Q4-v1/'+f)\nfor f in sorted(os.listdir('alt/2021-Q4-v1')): z.write('alt/2021-Q4-v1/'+f, 'zz'+chr(92)+'2021-Q4-v1'+chr(92)+f)\nz.close()\" && zip -q -r bundle.zip 2021-Q4-v1 inner.zip",
  ])
  func m4_aCopyDoctorDoesNotReadBesideOneItVouchesForIsAProblem(_ make: String) throws {
    try seeded()
    let (away, hand) = try handOut(["2021-Q4-v1", "alt/2021-Q4-v1"])
    try Data("altered\n".utf8).write(to: URL(fileURLWithPath: hand + "/alt/2021-Q4-v1/metrics.csv"))
    try runShell(make, in: hand)
    try FileManager.default.createDirectory(atPath: reports + "/handed", withIntermediateDirectories: true)
    try FileManager.default.moveItem(atPath: hand + "/bundle.zip", toPath: reports + "/handed/bundle.zip")
    let told = try doctorFinds("problem  packages: \(reports)/handed/bundle.zip")
    #expect(!told.hasSuffix("healthy\n"), "\(told)")
    withExtendedLifetime(away) {}
  }
}

extension ThirdAttackPackageTests {
  /// M6 (c): a named pipe where the quarter's folder should be is called one
  /// by report, never opened, and left as it is.
  @Test func m6_aPipeWhereTheFolderShouldBeIsCalledOne() throws {
    try seeded()
    try FileManager.default.removeItem(atPath: folder)
    #expect(mkfifo(folder, 0o600) == 0)
    let refused = try reportHere(["--dry-run"])
    #expect(refused.status != 0)
    #expect(
      refused.stderr.contains(
        "reports/2021-Q4 (where report writes the quarter when no --out is given) is a FIFO (a named pipe), not a report folder"
      ),
      "\(refused.stderr)")
    #expect(PackageFolder.notAFolder(folder) == "a FIFO (a named pipe)")
  }
}

extension ThirdAttackPackageTests {
  /// M6 (d): the quarter's folder holding its manifest as `MANIFEST.JSON`:
  /// doctor's filings line names the spelling and gives the advice its
  /// other lines give (rename it), not "its manifest gone? move it aside".
  @Test func m6_aManifestInAnotherCaseGetsOneAdvice() throws {
    try seeded()
    try FileManager.default.moveItem(atPath: folder + "/manifest.json", toPath: folder + "/MANIFEST.JSON")
    let told = try doctorFinds(
      "\(folder) holds MANIFEST.JSON, which a case-insensitive disk (macOS's, Windows') reads as manifest.json and this one does not: rename it manifest.json to check it here"
    )
    #expect(!told.contains("its manifest gone?"), "\(told)")
  }
}

extension ThirdAttackPackageTests {
  /// M6 (f): a zip of the package's files alone (`zip -j`, as Finder's
  /// "Compress N items" makes one), which doctor checks as the package,
  /// verifies too; the same with a file added is a difference, as ever (N9).
  @Test func m6_aFlatZipOfThePackageVerifies() throws {
    try seeded()
    let away = TemporaryDirectory()
    try runShell("zip -q -j \(away.file("flat.zip")) \(folder)/*", in: away.path)
    let key = try publicKeyFile()
    let verified = try run(["verify", away.file("flat.zip"), "--public-key", key])
    #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
    try Data("Dear\n".utf8).write(to: URL(fileURLWithPath: away.file("letter.txt")))
    try runShell("zip -q -j \(away.file("flat.zip")) \(away.file("letter.txt"))", in: away.path)
    let added = try run(["verify", away.file("flat.zip"), "--public-key", key])
    #expect(added.status == 1, "\(added.stdout)")
    #expect((added.stdout + added.stderr).contains("letter.txt"), "\(added.stdout)\(added.stderr)")
  }
}

extension ThirdAttackPackageTests {
  /// Q3 (the fourteenth attack): an altered copy whose manifest.json is a
  /// link to the filed manifest was passed by doctor with no line (its
  /// claim read through the link, its check not): now a problem.
  @Test func q3_aCopyWhoseManifestIsALinkIsNamed() throws {
    try seeded()
    let copy = reports + "/handed/2021-Q4"
    try alteredCopy(copy)
    try FileManager.default.removeItem(atPath: copy + "/manifest.json")
    try FileManager.default.createSymbolicLink(
      atPath: copy + "/manifest.json", withDestinationPath: "../../2021-Q4/manifest.json")
    try doctorFinds("problem  packages: \(copy):")
  }
}

extension ThirdAttackPackageTests {
  /// Q9 (the fourteenth attack): a copy whose own name ends in parentheses
  /// (`2021-Q4 (2)`, as a file manager names a second copy) is told to be
  /// verified by that name, not taken for a bundle's folder.
  @Test func q9_theAdviceForACopyNamedWithParenthesesCanBeRun() throws {
    try seeded()
    let copy = reports + "/handed/2021-Q4 (2)"
    try alteredCopy(copy)
    let told = try doctorFinds("linkaudit verify \(copy) says more)")
    #expect(!told.contains("unpack \(reports)/handed/2021-Q4"), "\(told)")
  }
}
