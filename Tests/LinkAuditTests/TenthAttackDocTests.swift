import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the tenth attack's J1 and J2, regressions of I3's bundle check:
/// an entry of a bundle spelt another way that an extractor writes into the
/// package's folder is a difference of that copy, as verify names it, never
/// another entry passed over; a zip of thousands of folders holding the
/// filed manifest costs one pass and a few checks, the rest said in one
/// line. Rows: docs/reliability-round7-idoc.md.
extension ThirdAttackPackageTests {
  /// The filed version 1's folder zipped as `2021-Q4-v1/` (or its files
  /// flat), with `extra` added under the name `entry`: the bundle a sender
  /// makes with zip and then Python's zipfile.
  func bundle(_ zip: String, entry: String, extra: Data, flat: Bool = false) throws {
    let hand = TemporaryDirectory()
    try FileManager.default.copyItem(atPath: folder, toPath: hand.file("2021-Q4-v1"))
    try shell(
      flat ? "zip -q -j \(zip) 2021-Q4-v1/*" : "zip -q -r \(zip) 2021-Q4-v1", in: hand.path)
    try extra.write(to: URL(fileURLWithPath: hand.file("extra")))
    try PackageFixture.python(
      "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1], 'a')\nz.writestr(zipfile.ZipInfo(sys.argv[2]), open(sys.argv[3], 'rb').read())\nz.close()",
      [zip, entry, hand.file("extra")])
  }

  /// J1: the genuine `2021-Q4-v1/` plus an altered metrics.csv under another
  /// spelling of its path (`./`, a leading `/`, `\`, another case; `..`
  /// leading back), which unzip, extractall or a Windows or macOS extractor
  /// writes over the genuine file: doctor names it as a difference of that
  /// copy and never says "as filed" or "healthy"; nothing is written. The
  /// same for a flat package's top-level file. A cover letter beside the
  /// folder stays no part of the package (I3).
  @Test(arguments: [
    "./2021-Q4-v1/metrics.csv", "/2021-Q4-v1/metrics.csv", "2021-Q4-v1\\metrics.csv", "2021-q4-v1/metrics.csv",
    "x/../2021-Q4-v1/metrics.csv",
  ])
  func j1_anotherSpellingOfThePackagesPathIsADifference(_ entry: String) throws {
    try seeded()
    let handed = reports + "/handed"
    try FileManager.default.createDirectory(atPath: handed, withIntermediateDirectories: true)
    var altered = try #require(bytes(folder + "/metrics.csv"))
    altered[altered.count - 2] = altered[altered.count - 2] == 0x37 ? 0x38 : 0x37
    try bundle(handed + "/bundle.zip", entry: entry, extra: altered)
    let before = sizesAndTimes(reports)
    let told = try doctor()
    #expect(told.status == 1, "\(told.stdout)")
    #expect(!told.stdout.contains("as filed (every file"), "\(told.stdout)")
    #expect(!told.stdout.hasSuffix("healthy\n"), "\(told.stdout)")
    let why =
      entry.contains("..")
      ? "an entry with `..` in its path (an extractor may write it anywhere, into the package's folder too)"
      : "another spelling of a path in the package's folder (an extractor writes it over the package's file)"
    #expect(
      told.stdout.contains(
        "problem  packages: \(handed)/bundle.zip (2021-Q4-v1/): 2021-Q4 version 1 is not as filed, 1 difference(s): \(entry): \(why)"
      ), "\(told.stdout)")
    #expect(sizesAndTimes(reports) == before, "doctor reads only")
  }

  /// J1, a flat package (zip -j): a top-level file spelt `./metrics.csv`,
  /// `/metrics.csv` or `\metrics.csv` lands over its metrics.csv: named.
  @Test(arguments: ["./metrics.csv", "/metrics.csv", "\\metrics.csv"])
  func j1_aFlatPackagesFileSpeltAnotherWayIsADifference(_ entry: String) throws {
    try seeded()
    let handed = reports + "/handed"
    try FileManager.default.createDirectory(atPath: handed, withIntermediateDirectories: true)
    try bundle(handed + "/flat.zip", entry: entry, extra: Data("altered\n".utf8), flat: true)
    let told = try doctor()
    #expect(told.status == 1, "\(told.stdout)")
    #expect(
      told.stdout.contains(
        "2021-Q4 version 1 is not as filed, 1 difference(s): \(entry): another spelling of a path in the package's folder (an extractor writes it over the package's file)"
      ), "\(told.stdout)")
  }

  /// J1 at the library: which names land in the package's folder. Another
  /// folder, a cover letter, a copy deeper down: none (another entry of the
  /// bundle, I3); any other spelling of the folder's path: a difference.
  @Test func j1_whichEntriesLandInThePackagesFolder() {
    let under = "2021-Q4-v1/"
    for other in ["letter.txt", "docs/2021-Q4-v1/metrics.csv", "2021-Q4-v2/metrics.csv", "2021-Q4-v1", "./2021-Q4-v1/"]
    {
      #expect(PackageArchive.otherSpelling(of: other, under: under) == nil, "\(other)")
    }
    for lands in [
      "./2021-Q4-v1/metrics.csv", "//2021-Q4-v1//metrics.csv", "2021-Q4-V1\\a\\b", "./2021-q4-v1/./x",
      "2021-Q4-v1. /metrics.csv", "C:\\2021-Q4-v1\\metrics.csv",
    ] {
      #expect(PackageArchive.otherSpelling(of: lands, under: under) != nil, "\(lands)")
    }
    #expect(PackageArchive.otherSpelling(of: "../letter.txt", under: under) != nil)
    #expect(PackageArchive.otherSpelling(of: "./letter.txt", under: "") != nil)
    #expect(PackageArchive.otherSpelling(of: "docs/letter.txt", under: "") == nil)
    // K2: a folder entry beside a flat package's files is another entry of the bundle, however it is spelt.
    for folder in ["docs/", "2021-Q4-v1/", "./docs/", "docs\\"] {
      #expect(PackageArchive.otherSpelling(of: folder, under: "") == nil, "\(folder)")
    }
    #expect(PackageArchive.otherSpelling(of: "\\metrics.csv", under: "") != nil)
  }

  /// K1: nine genuine copies of version 1 in one zip: the ninth is past the
  /// folders doctor checks, so doctor cannot vouch for it, a problem whatever
  /// the zip's order (an altered copy placed last had left doctor at exit 0).
  @Test func k1_aCopyPastTheFoldersCheckedIsAProblem() throws {
    try seeded()
    let bundled = dir.file("bundled")
    // Past the 64 folders of one zip doctor checks (red-team L5: 9 recipients' copies are checked in full).
    for n in 1...65 {
      try FileManager.default.createDirectory(atPath: bundled + "/c\(n)", withIntermediateDirectories: true)
      try FileManager.default.copyItem(atPath: folder, toPath: bundled + "/c\(n)/2021-Q4-v1")
    }
    try FileManager.default.createDirectory(atPath: reports + "/handed", withIntermediateDirectories: true)
    try runShell(
      "zip -q -r \(reports)/handed/bundle.zip \((1...65).map { "c\($0)" }.joined(separator: " "))", in: bundled)
    let before = snapshot(reports)
    let told = try doctor()
    #expect(told.status == 1, "\(told.stdout)")
    #expect(
      told.stdout.contains(
        "problem  packages: \(reports)/handed/bundle.zip: and 1 more copies of 2021-Q4 version 1 in it, not checked"),
      "\(told.stdout)")
    #expect(snapshot(reports) == before)
  }

  /// J2: a zip of 3000 folders each holding only the filed manifest.json:
  /// doctor checks the first 8 (each a difference: its files missing), says
  /// the rest in one line, and takes a few seconds, not minutes (it walked
  /// the whole zip once per folder). The folders found in one pass.
  @Test func j2_aZipOfThousandsOfFoldersIsCheckedAFewAndTheRestSaid() throws {
    try seeded()
    let handed = reports + "/handed"
    try FileManager.default.createDirectory(atPath: handed, withIntermediateDirectories: true)
    try PackageFixture.python(
      "import sys, zipfile\nm = open(sys.argv[2], 'rb').read()\nwith zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:\n    [z.writestr('c%05d/manifest.json' % i, m) for i in range(3000)]",
      [handed + "/many.zip", folder + "/manifest.json"])
    let manifest = try #require(bytes(folder + "/manifest.json"))
    let place = try #require(PackageArchive.folders(holding: manifest, in: handed + "/many.zip"))
    #expect(place.folders.count == 3000)
    #expect(place.outside == 0)
    #expect(place.entries == 3000)
    let start = Date()
    let told = try doctor()
    let took = Date().timeIntervalSince(start)
    #expect(took < 20, "took \(took) s")
    #expect(told.status == 1, "\(told.stdout)")
    let lines = told.stdout.split(separator: "\n").filter { $0.contains("many.zip") }
    #expect(lines.count == 9, "\(lines)")
    #expect(told.stdout.contains("\(handed)/many.zip (c00007/): 2021-Q4 version 1 is not as filed"), "\(told.stdout)")
    #expect(!told.stdout.contains("c00008/"), "\(told.stdout)")
    #expect(
      told.stdout.contains(
        "problem  packages: \(handed)/many.zip: and 2,992 more copies of 2021-Q4 version 1 in it, not checked (doctor checks up to 64 folders of one zip, and stops at 8 not as filed): run linkaudit verify on each"
      ), "\(told.stdout)")
  }
}
