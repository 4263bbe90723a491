import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the twelfth attack's L7, L10 and L12, on how a bundle's entries
/// land: only the 8.3 short names Windows makes (six characters, or two and
/// a hash) are the package's folder, and one that adds a file is said to add
/// it, not to write over one; `\` is a separator beside a flat package as `/`
/// is (K2); the AppleDouble metadata macOS's Finder zips beside a package is
/// said by verify, not failed, as doctor passes it. Rows:
/// docs/reliability-round8-larc.md.
extension ThirdAttackPackageTests {
  /// Appends `entries` (name, bytes) to the zip at `zip`, as Python's zipfile writes them.
  func append(_ zip: String, _ entries: [(String, Data)]) throws {
    let hand = TemporaryDirectory()
    var arguments = [zip]
    for (n, (name, data)) in entries.enumerated() {
      try data.write(to: URL(fileURLWithPath: hand.file("e\(n)")))
      arguments += [name, hand.file("e\(n)")]
    }
    try PackageFixture.python(
      "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1], 'a')\nfor i in range(2, len(sys.argv), 2):\n  z.writestr(zipfile.ZipInfo(sys.argv[i]), open(sys.argv[i + 1], 'rb').read())\nz.close()",
      arguments)
  }

  /// The filed version 1 as macOS's Finder zips it (`2021-Q4-v1/`, then
  /// `__MACOSX/` and an AppleDouble `._NAME` for each file), and `more`.
  func finderZip(_ zip: String, more: [(String, Data)] = []) throws {
    let hand = TemporaryDirectory()
    try FileManager.default.copyItem(atPath: folder, toPath: hand.file("2021-Q4-v1"))
    try runShell("zip -q -r \(zip) 2021-Q4-v1", in: hand.path)
    let appleDouble = Data([0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00] + [UInt8](repeating: 0, count: 74))
    let metadata = listing(folder).map { ("__MACOSX/2021-Q4-v1/._\($0)", appleDouble) }
    try append(
      zip,
      [("__MACOSX/", Data()), ("__MACOSX/2021-Q4-v1/", Data()), ("__MACOSX/._2021-Q4-v1", appleDouble)] + metadata
        + more)
  }

  // MARK: L7

  /// L7 at the library: a name with a `~` is the folder's short name only in
  /// the forms Windows makes: its first six characters (fewer when the number
  /// has more digits) or its first two and four hex digits, then `~N`.
  @Test func l7_onlyTheShortNamesWindowsMakesLandInThePackagesFolder() {
    let under = "2021-Q4-v1/"
    for lands in [
      "2021-Q~1/metrics.csv", "2021-q~4/metrics.csv", "2021-~12/metrics.csv", "20D4F3~1/metrics.csv",
      "20d4f3~1/metrics.csv", "20FFFF~9/x.txt",
    ] {
      #expect(PackageArchive.otherSpelling(of: lands, under: under) != nil, "\(lands)")
    }
    for other in [
      "2~1/notes.txt", "2021~1/notes.txt", "2021-~1/notes.txt", "20~1/notes.txt", "2021-Q4~1/notes.txt",
      "20D4FG~1/metrics.csv", "20Ｄ4F3~1/metrics.csv", "21D4F3~1/metrics.csv", "20D4F~1/metrics.csv",
      "20D4F3~12/metrics.csv",
      "2021-Q~0/metrics.csv", "REPORT~1/notes.txt",
    ] {
      #expect(PackageArchive.otherSpelling(of: other, under: under) == nil, "\(other)")
    }
    #expect(PackageArchive.isShortName("AB~1.HTM", of: "ab.html"))
    #expect(PackageArchive.isShortName("A_BCDE~1", of: "a+b c d e f"))
    #expect(PackageArchive.isShortName("_BERGA~1", of: "Übergabe-2021"))
    #expect(PackageArchive.isShortName("ÜBERGA~1", of: "Übergabe-2021"))
    #expect(!PackageArchive.isShortName("ÜBER~1", of: "Übergabe-2021"))
    #expect(!PackageArchive.isShortName("MANIFE~1.JS", of: "manifest.json"))
  }

  /// L7 at the library: where an entry lands in the package's folder, over
  /// one of the package's files or as a file added, is said so.
  @Test func l7_whatAnEntryDoesInThePackagesFolderIsSaid() {
    let files: Set<String> = ["manifest.json", "metrics.csv"]
    let over = "another spelling of a path in the package's folder (an extractor writes it over the package's file)"
    let adds =
      "another spelling of the package's folder (an extractor writes it there: a file added to the package's folder)"
    for (entry, under, said) in [
      ("2021-Q~1/metrics.csv", "2021-Q4-v1/", over), ("2021-Q~1/METRIC~1.CSV", "2021-Q4-v1/", over),
      ("./2021-Q4-v1/Metrics.csv.", "2021-Q4-v1/", over), ("2021-Q~1/cover-letter.txt", "2021-Q4-v1/", adds),
      ("2021-q4-v1/notes.txt", "2021-Q4-v1/", adds), ("2021-Q4-v1/docs\\letter.txt", "2021-Q4-v1/", adds),
      ("\\metrics.csv", "", over), ("./notes.txt", "", adds),
    ] {
      #expect(PackageArchive.otherSpelling(of: entry, under: under, files: files) == said, "\(entry)")
    }
  }

  /// L7 through doctor: beside the genuine `2021-Q4-v1/`, a letter under a
  /// name no short name of it (`2~1/`, `2021~1/`) is another entry of the
  /// bundle (healthy, it was "not as filed"); a letter under its short name
  /// is a file added to its folder, not one written over; an altered
  /// metrics.csv under the hashed short name is a difference (it was passed
  /// over). Doctor reads only.
  @Test(arguments: [
    ("2~1/notes.txt", ""), ("2021~1/notes.txt", ""),
    (
      "2021-Q~1/cover-letter.txt",
      "another spelling of the package's folder (an extractor writes it there: a file added to the package's folder)"
    ),
    (
      "20D4F3~1/metrics.csv",
      "another spelling of a path in the package's folder (an extractor writes it over the package's file)"
    ),
  ])
  func l7_aBundlesEntryUnderATildeIsReadAsWindowsNamesIt(_ entry: String, _ said: String) throws {
    try seeded()
    let handed = reports + "/handed"
    try FileManager.default.createDirectory(atPath: handed, withIntermediateDirectories: true)
    try bundle(handed + "/bundle.zip", entry: entry, extra: Data("altered\n".utf8))
    guard !said.isEmpty else {
      let before = snapshot(reports)
      let told = try doctor()
      #expect(told.status == 0, "\(told.stdout)")
      #expect(
        told.stdout.contains(
          "ok       packages: \(handed)/bundle.zip (2021-Q4-v1/): 2021-Q4 version 1 as filed (every file, nothing added, the signature); the archive's 1 other file(s) are no part of that package"
        ), "\(told.stdout)")
      #expect(snapshot(reports) == before, "doctor reads only")
      return
    }
    try doctorFinds(
      "problem  packages: \(handed)/bundle.zip (2021-Q4-v1/): 2021-Q4 version 1 is not as filed, 1 difference(s): \(entry): \(said) ("
    )
  }

  // MARK: L10

  /// L10: a flat package zip (its files at the top) with a letter in a
  /// subfolder written with `\` (`docs\letter.txt`, as PowerShell 5.1's
  /// Compress-Archive writes it) is the package and another entry, as with
  /// `docs/letter.txt` (K2): doctor says as filed, one other file, where it
  /// said "not as filed … not listed in the manifest"; `\metrics.csv` at the
  /// top stays a difference (J1). Doctor reads only.
  @Test func l10_aBackslashSubfolderBesideAFlatPackageIsAnotherEntry() throws {
    try seeded()
    let handed = reports + "/handed"
    try FileManager.default.createDirectory(atPath: handed, withIntermediateDirectories: true)
    try bundle(handed + "/ps51.zip", entry: "docs\\letter.txt", extra: Data("Dear auditor\n".utf8), flat: true)
    let manifest = try #require(bytes(folder + "/manifest.json"))
    let place = try #require(PackageArchive.folders(holding: manifest, in: handed + "/ps51.zip"))
    #expect(place.folders == [""])
    #expect(place.outside == 1, "docs\\letter.txt is outside the flat package")
    let before = snapshot(reports)
    let told = try doctor()
    #expect(told.status == 0, "\(told.stdout)")
    #expect(
      told.stdout.contains(
        "ok       packages: \(handed)/ps51.zip (its top): 2021-Q4 version 1 as filed (every file, nothing added, the signature); the archive's 1 other file(s) are no part of that package"
      ), "\(told.stdout)")
    #expect(snapshot(reports) == before, "doctor reads only")
    try append(handed + "/ps51.zip", [("\\metrics.csv", Data("altered\n".utf8))])
    try doctorFinds(
      "(its top): 2021-Q4 version 1 is not as filed, 1 difference(s): \\metrics.csv: another spelling of a path in the package's folder (an extractor writes it over the package's file)"
    )
  }

  // MARK: L12

  /// L12: the genuine version 1 zipped by macOS's Finder (its `__MACOSX/`
  /// AppleDouble entries beside the package's folder) is verified, the
  /// metadata said in a note (it was "30 difference(s) found"), and doctor
  /// says as filed of the same zip: the two agree. Nothing is written.
  @Test func l12_aZipFinderMadeIsVerifiedWithANote() throws {
    try seeded()
    let handed = reports + "/handed"
    try FileManager.default.createDirectory(atPath: handed, withIntermediateDirectories: true)
    try finderZip(handed + "/mac.zip")
    let before = snapshot(reports)
    let verified = try run(["verify", handed + "/mac.zip"])
    #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
    // A `._NAME` for each file, one for the folder, and the two folder entries.
    #expect(
      verified.stderr.contains(
        "verify: \(handed)/mac.zip: __MACOSX/: \(listing(folder).count + 3) entries of macOS metadata (the AppleDouble files Finder adds to a zip; an extractor writes them, if at all, into a __MACOSX folder beside the package's, never into it): no part of the package, not checked"
      ), "\(verified.stderr)")
    #expect(!(verified.stdout + verified.stderr).contains("difference"), "\(verified.stdout)\(verified.stderr)")
    let told = try doctor()
    #expect(told.status == 0, "\(told.stdout)")
    #expect(told.stdout.contains("ok       packages: \(handed)/mac.zip (2021-Q4-v1/): 2021-Q4 version 1 as filed"))
    #expect(snapshot(reports) == before, "verify and doctor read only")
  }

  /// L12, attacking the fix: under `__MACOSX/`, only AppleDouble metadata is
  /// said and passed; an entry that leads out (`..`, dots and spaces Windows
  /// reads as `..`, `\`), a `._` file that is no AppleDouble (an archive
  /// hidden there) or any other file stays a difference for verify; doctor
  /// fails what lands in the package's folder.
  @Test(arguments: [
    "__MACOSX/../2021-Q4-v1/metrics.csv", "__MACOSX/.. /2021-Q4-v1/metrics.csv",
    "__MACOSX\\..\\2021-Q4-v1\\metrics.csv", "__MACOSX/2021-Q4-v1/._copy.zip", "__MACOSX/2021-Q4-v1/metrics.csv",
  ])
  func l12_otherEntriesUnderMACOSXAreDifferences(_ entry: String) throws {
    try seeded()
    let handed = reports + "/handed"
    try FileManager.default.createDirectory(atPath: handed, withIntermediateDirectories: true)
    try finderZip(handed + "/mac.zip", more: [(entry, Data("altered\n".utf8))])
    let verified = try run(["verify", handed + "/mac.zip"])
    #expect(verified.status == 1, "\(verified.stdout)\(verified.stderr)")
    #expect(
      (verified.stdout + verified.stderr).contains("1 difference(s) found"), "\(verified.stdout)\(verified.stderr)")
    #expect((verified.stdout + verified.stderr).contains(entry), "\(verified.stdout)\(verified.stderr)")
    guard entry.contains("..") else { return }
    try doctorFinds("(2021-Q4-v1/): 2021-Q4 version 1 is not as filed, 1 difference(s): \(entry): ")
  }

  /// L12, attacking the fix: Finder writes the metadata of what it zips
  /// only; an AppleDouble `._NAME` of no entry of the zip (an archive behind
  /// the header) is another entry, a difference for verify, not a note.
  @Test func l12_metadataOfNoEntryIsADifference() throws {
    try seeded()
    let hand = TemporaryDirectory()
    let appleDouble = Data([0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00])
    try finderZip(hand.file("mac.zip"), more: [("__MACOSX/2021-Q4-v1/._old.zip", appleDouble + Data("PK".utf8))])
    let verified = try run(["verify", hand.file("mac.zip")])
    #expect(verified.status == 1, "\(verified.stdout)\(verified.stderr)")
    #expect(
      (verified.stdout + verified.stderr).contains(
        "1 difference(s) found:\nverify: __MACOSX/2021-Q4-v1/._old.zip: outside the package's folder 2021-Q4-v1/"),
      "\(verified.stdout)\(verified.stderr)")
    #expect(verified.stderr.contains("__MACOSX/: \(listing(folder).count + 3) entries of macOS metadata"))
  }

  /// L12, attacking the fix: a package zipped under a folder named
  /// `__MACOSX` holds its metadata-shaped entries in the package's own
  /// folder, where an extractor writes them: verify names each, not a note.
  @Test func l12_metadataInAPackageFolderNamedMACOSXIsADifference() throws {
    try seeded()
    let hand = TemporaryDirectory()
    try FileManager.default.copyItem(atPath: folder, toPath: hand.file("__MACOSX"))
    try runShell("zip -q -r \(hand.file("odd.zip")) __MACOSX", in: hand.path)
    try append(hand.file("odd.zip"), [("__MACOSX/._notes", Data([0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00]))])
    let verified = try run(["verify", hand.file("odd.zip")])
    #expect(verified.status == 1, "\(verified.stdout)\(verified.stderr)")
    #expect(
      (verified.stdout + verified.stderr).contains(
        "__MACOSX/._notes: in the package's folder, __MACOSX/ (macOS metadata, no package's file)"),
      "\(verified.stdout)\(verified.stderr)")
    #expect(!verified.stderr.contains("entries of macOS metadata"), "\(verified.stderr)")
  }
}
