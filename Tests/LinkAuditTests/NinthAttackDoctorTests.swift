import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the ninth attack's I3, I5 and I9: doctor checks the package
/// folder inside a bundle whose manifest is the filed one, not the bundle as
/// one package; folder copies share the one bound zip copies had; past it, a
/// copy is named as not checked because the copies before it spent the
/// bound, not as too large. Rows: docs/reliability-round6-idoc.md.
extension ThirdAttackPackageTests {
  /// Every file under a folder, by relative path, with its size and time:
  /// what doctor must not change, read without reading sparse GiBs.
  func sizesAndTimes(_ folder: String) -> [String] {
    (FileManager.default.subpaths(atPath: folder) ?? []).sorted().map { name in
      let info = try? FileManager.default.attributesOfItem(atPath: (folder as NSString).appendingPathComponent(name))
      return "\(name) \(info?[.size] ?? "") \(info?[.modificationDate] ?? "")"
    }
  }

  /// I3: a bundle holding the filed version 1's folder unaltered beside a
  /// cover letter, and a zip of its files alone (zip -j: F13), are as filed:
  /// doctor checks the folder whose manifest is the filed one, says the
  /// bundle's other file is no part of it, and stays healthy; the same bundle
  /// with the package's metrics.csv altered names that difference only, and
  /// an unaltered copy of it in the same bundle is checked and said as filed.
  /// verify still takes a bundle handed to it as one package (N9's rule).
  @Test func i3_aBundleHoldingTheFiledVersionIsCheckedAtItsFolder() throws {
    try seeded()
    let (elsewhere, hand) = try handOut(["2021-Q4-v1", "docs/2021-Q4-v1"])
    try Data("cover letter\n".utf8).write(to: URL(fileURLWithPath: hand + "/letter.txt"))
    let handed = reports + "/handed"
    try FileManager.default.createDirectory(atPath: handed, withIntermediateDirectories: true)
    try shell("zip -q -r \(handed)/bundle.zip 2021-Q4-v1 letter.txt", in: hand)
    try shell("zip -q -r \(handed)/deep.zip docs letter.txt", in: hand)
    try shell("zip -q -j \(handed)/flat.zip 2021-Q4-v1/*", in: hand)
    let before = sizesAndTimes(reports)
    let told = try doctor()
    #expect(told.status == 0, "\(told.stdout)")
    #expect(told.stdout.hasSuffix("healthy\n"), "\(told.stdout)")
    #expect(!told.stdout.contains("not as filed"), "\(told.stdout)")
    #expect(
      told.stdout.contains(
        "\(handed)/bundle.zip (2021-Q4-v1/): 2021-Q4 version 1 as filed (every file, nothing added, the signature); the archive's 1 other file(s) are no part of that package and not checked here"
      ), "\(told.stdout)")
    #expect(told.stdout.contains("\(handed)/deep.zip (docs/2021-Q4-v1/): 2021-Q4 version 1 as filed"), "\(told.stdout)")
    // A zip of the package's files alone is the package: no line.
    #expect(!told.stdout.contains("flat.zip"), "\(told.stdout)")
    #expect(sizesAndTimes(reports) == before, "doctor reads only")

    // The package in the bundle altered: that difference, not the letter.
    let metrics = hand + "/2021-Q4-v1/metrics.csv"
    var altered = try #require(bytes(metrics))
    altered[altered.count - 2] = altered[altered.count - 2] == 0x37 ? 0x38 : 0x37
    try altered.write(to: URL(fileURLWithPath: metrics))
    // Beside an unaltered copy of it in the same bundle: each folder is checked, each said.
    try shell("zip -q -r \(handed)/altered.zip 2021-Q4-v1 docs letter.txt", in: hand)
    let named = try doctor()
    #expect(named.status == 1, "\(named.stdout)")
    #expect(
      named.stdout.contains(
        "\(handed)/altered.zip (2021-Q4-v1/): 2021-Q4 version 1 is not as filed, 1 difference(s): metrics.csv: modified since it was written"
      ), "\(named.stdout)")
    #expect(!named.stdout.contains("letter.txt"), "\(named.stdout)")
    #expect(
      named.stdout.contains("\(handed)/altered.zip (docs/2021-Q4-v1/): 2021-Q4 version 1 as filed"), "\(named.stdout)")

    // verify of the bundle as one package: its letter is named (N9), as before.
    let verified = try run(["verify", handed + "/bundle.zip", "--public-key", try publicKeyFile()])
    #expect(verified.status == 1, "\(verified.stderr)")
    #expect(verified.stderr.contains("letter.txt"), "\(verified.stderr)")
    withExtendedLifetime(elsewhere) {}
  }

  /// I5, I9: folder copies share the copies' one bound with zip copies (bytes
  /// hashed, known by size before any is read). Two copies with a sparse
  /// 500 MiB listed file are hashed and named; a copy whose metrics.csv is
  /// not the filed size is named by it unhashed; the third folder and a zip
  /// after them are named as not checked because the copies before them
  /// spent the bound, not hashed, and not as "too large" for an archive's
  /// size; a first copy whose listed files exceed the bound alone says so.
  @Test func i5_i9_folderCopiesShareOneBoundAndPastItSaySo() throws {
    try seeded()
    let handed = reports + "/handed"
    let names = try Manifest.read(from: folder).files.keys.sorted()
    // a0: three listed files of 400 MiB each (sparse), 1.2 GiB in all: past the bound alone, not read.
    try FileManager.default.createDirectory(atPath: handed + "/a0", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: folder, toPath: handed + "/a0/2021-Q4")
    for name in names.prefix(3) { try shell("truncate -s 400M '\(name)'", in: handed + "/a0/2021-Q4") }
    // c1-c3: a listed file whose filed size is not known (the filings keep metrics.csv only) at 500 MiB.
    let other = try #require(names.first { $0 != "metrics.csv" && $0 != "manifest.sig" })
    for copy in ["c1", "c2", "c3"] {
      try FileManager.default.createDirectory(atPath: handed + "/" + copy, withIntermediateDirectories: true)
      try FileManager.default.copyItem(atPath: folder, toPath: handed + "/\(copy)/2021-Q4")
      try shell("truncate -s 500M '\(other)'", in: handed + "/\(copy)/2021-Q4")
    }
    // m1, after the bound is spent: metrics.csv at 500 MiB, named by its filed size, not hashed.
    try FileManager.default.createDirectory(atPath: handed + "/m1", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: folder, toPath: handed + "/m1/2021-Q4")
    let filedMetrics = try #require(bytes(folder + "/metrics.csv")).count
    try shell("truncate -s 500M metrics.csv", in: handed + "/m1/2021-Q4")
    // z: a zip whose metrics.csv unpacks to 100 MiB, more than the copies before it left.
    let elsewhere = TemporaryDirectory()
    try FileManager.default.copyItem(atPath: folder, toPath: elsewhere.file("2021-Q4"))
    try shell("head -c 100M /dev/zero > 2021-Q4/metrics.csv && zip -q -r q4.zip 2021-Q4", in: elsewhere.path)
    try FileManager.default.createDirectory(atPath: handed + "/z", withIntermediateDirectories: true)
    try FileManager.default.moveItem(atPath: elsewhere.file("q4.zip"), toPath: handed + "/z/q4.zip")
    let before = sizesAndTimes(reports)
    let told = try doctor()
    #expect(told.status == 1, "\(told.stdout)")
    #expect(
      told.stdout.contains(
        "\(handed)/a0/2021-Q4: holds 2021-Q4 version 1's manifest as filed, but its files are not checked: its listed files are 1,25"
      ), "\(told.stdout)")
    #expect(
      told.stdout.contains(
        " bytes in all, more than the 1 GiB doctor reads of copies in all (a package is a few MiB); run linkaudit verify \(handed)/a0/2021-Q4"
      ), "\(told.stdout)")
    for copy in ["c1", "c2"] {
      #expect(
        told.stdout.contains(
          "\(handed)/\(copy)/2021-Q4: 2021-Q4 version 1 is not as filed, 1 difference(s): \(other): modified since it was written (SHA-256 "
        ), "\(copy): \(told.stdout)")
    }
    #expect(
      told.stdout.contains(
        "\(handed)/m1/2021-Q4: 2021-Q4 version 1 is not as filed, 1 difference(s): metrics.csv: modified since it was written (524,288,000 bytes, the filed one \(filedMetrics.grouped): not hashed)"
      ), "\(told.stdout)")
    for copy in ["c3/2021-Q4", "z/q4.zip"] {
      #expect(
        told.stdout.contains(
          "\(handed)/\(copy): holds 2021-Q4 version 1's manifest as filed, but its files are not checked: doctor's 1 GiB for copies was spent on the copies before it; run linkaudit verify \(handed)/\(copy)"
        ), "\(copy): \(told.stdout)")
    }
    #expect(!told.stdout.contains("MiB, unpacked"), "\(told.stdout)")
    #expect(sizesAndTimes(reports) == before, "doctor reads only")
  }

  /// I9: a bound lowered by the copies before it, once spent, is said as such
  /// (`CopiesBoundSpent`), not as the archive's size; verify's own bound, the
  /// archive's, keeps its message.
  @Test func i9_aLoweredBoundSpentIsNotTheArchivesSize() throws {
    try seeded(archive: true)
    let archive = reports + "/linkaudit-2021-Q4-v1.zip"
    let scratch = TemporaryDirectory()
    let spent = #expect(throws: PackageArchive.CopiesBoundSpent.self) {
      _ = try PackageArchive.unpack(archive, into: scratch.file("a"), budget: 1000)
    }
    #expect(spent?.left == 1000)
    // The whole bound: unpacked as verify unpacks it.
    let whole = try PackageArchive.unpack(archive, into: scratch.file("b"))
    #expect(whole.problems.isEmpty, "\(whole.problems)")
  }

  /// I3: where a zip holds the package whose manifest is given: its folder at
  /// any depth, "" when zipped flat, and how many files lie outside them.
  @Test func i3_theFoldersInAZipHoldingAManifest() throws {
    try seeded()
    let manifest = try #require(bytes(folder + "/manifest.json"))
    let hand = TemporaryDirectory()
    try FileManager.default.createDirectory(atPath: hand.file("docs"), withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: folder, toPath: hand.file("docs/2021-Q4-v1"))
    try Data("cover letter\n".utf8).write(to: URL(fileURLWithPath: hand.file("letter.txt")))
    try shell("zip -q -r bundle.zip docs letter.txt && zip -q -j flat.zip docs/2021-Q4-v1/*", in: hand.path)
    let bundle = try #require(PackageArchive.folders(holding: manifest, in: hand.file("bundle.zip")))
    #expect(bundle.folders == ["docs/2021-Q4-v1/"])
    #expect(bundle.outside == 1)
    let flat = try #require(PackageArchive.folders(holding: manifest, in: hand.file("flat.zip")))
    #expect(flat.folders == [""])
    #expect(flat.outside == 0)
    // Another manifest's bytes: no folder; a file that is no zip: nil.
    #expect(PackageArchive.folders(holding: Data("{}".utf8), in: hand.file("bundle.zip"))?.folders == [])
    #expect(PackageArchive.folders(holding: manifest, in: hand.file("letter.txt")) == nil)
  }
}
