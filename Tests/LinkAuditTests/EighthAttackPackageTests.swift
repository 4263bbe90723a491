import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the eighth attack's claim-check findings (red-team H2, H3, H4,
/// H5, H8): version 2 filed and handed over, the database restored from the
/// backup taken before it. A split or damaged zip crashes nothing; an
/// archive the reader cannot open is "not read through" (no new version
/// past it), never "no package"; every manifest in an archive is a claim;
/// a copy at any depth in reports/ is seen; the archives in sight share one
/// budget. Rows: docs/reliability-round5-hsight.md.
extension ThirdAttackPackageTests {
  /// Writes `out` as `archive` with its end record rewritten (the shapes of
  /// the attacker's fuzz crashes and of a split archive's last piece):
  /// `split` another disk and a directory past the end; `counts` on-disk and
  /// total counts that differ, a directory of 0 bytes past the end; `under`
  /// one entry counted of many.
  func rewriteEndRecord(_ archive: String, _ out: String, _ how: String) throws {
    try PackageFixture.python(
      """
      import sys, struct
      b = bytearray(open(sys.argv[1], 'rb').read()); e = b.rfind(b'PK\\x05\\x06'); n = struct.unpack_from('<H', b, e + 10)[0]
      how = sys.argv[3]
      if how == 'split': struct.pack_into('<HH', b, e + 4, 3, 2); struct.pack_into('<I', b, e + 16, len(b) + 75000)
      if how == 'counts': struct.pack_into('<HHII', b, e + 8, n, n - 1, 0, len(b) + 1000)
      if how == 'under': struct.pack_into('<HH', b, e + 8, 1, 1)
      open(sys.argv[2], 'wb').write(b)
      """, [archive, out, how])
  }

  /// The restored database refuses version 2 (dry run too) because the
  /// check was cut short at `path`, saying `why`; nothing is written or
  /// recorded; doctor names it.
  func expectNotReadThrough(
    _ path: String, _ why: String, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let before = snapshot(reports)
    for dry in [["--dry-run"], []] {
      let again = try report(["--out", folder, "--lang", "en", "--reason", "again"] + dry)
      #expect(again.status == 1, "\(again.stdout)\(again.stderr)", sourceLocation: sourceLocation)
      #expect(
        again.stderr.contains(
          "refusing to file 2021-Q4 version 2: the check for a package handed over is cut short: \(FileIdentity(path).canonical) was not read through ("
        ) && again.stderr.contains(why), "\(again.stderr)", sourceLocation: sourceLocation)
    }
    #expect(try filings().map(\.version) == [1], sourceLocation: sourceLocation)
    #expect(snapshot(reports) == before, sourceLocation: sourceLocation)
    let told = try doctor()
    #expect(told.status == 1 || told.status == 0, "\(told.stderr)", sourceLocation: sourceLocation)
    #expect(
      // Beside a copy doctor checks in the same archive, the line is a problem that says so (red-team M4).
      (told.stdout.contains("\((path as NSString).lastPathComponent): not read through for a package (")
        || told.stdout.contains(
          "problem  packages: \(path): holds a copy of a filed version, and is not read through for a package ("))
        && told.stdout.contains(why),
      "\(told.stdout)", sourceLocation: sourceLocation)
    #expect(
      !told.stdout.contains("a zip holding no linkaudit package"), "\(told.stdout)", sourceLocation: sourceLocation)
  }

  // MARK: H2

  /// H2: a split archive's last piece, and the attacker's fuzz crashes (an
  /// end record naming another disk, or counts that differ, with the
  /// directory past the end), crashed report, doctor, keys new and query
  /// --out inside ZIPFoundation; each is now "a split or damaged zip: not
  /// read through", and blocks a new version.
  @Test func h2_aSplitOrDamagedZipCrashesNothing() throws {
    let (elsewhere, _) = try v2ArchiveAside()
    for how in ["split", "counts"] {
      let piece = reports + "/q4-part-\(how).zip"
      try rewriteEndRecord(elsewhere.file("v2.zip"), piece, how)
      try expectNotReadThrough(piece, "a split or damaged zip: not read through")
      // query --out onto such a zip: refused, the zip kept.
      try FileManager.default.copyItem(atPath: piece, toPath: dir.file("x-\(how).zip"))
      let before = try Data(contentsOf: URL(fileURLWithPath: dir.file("x-\(how).zip")))
      let query = try run(["query", "--format", "csv", "--out", dir.file("x-\(how).zip"), "SELECT 1 AS x"])
      #expect(query.status != 0 && query.status != 132, "\(query.stdout)")
      #expect(query.stderr.contains("an archive not read through (a split or damaged zip"), "\(query.stderr)")
      #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("x-\(how).zip"))) == before)
      // keys new beside one: refused.
      try FileManager.default.createDirectory(atPath: dir.file("h-\(how)"), withIntermediateDirectories: false)
      try FileManager.default.copyItem(atPath: piece, toPath: dir.file("h-\(how)/q4.zip"))
      let key = try run(["keys", "new", "--signing-key", dir.file("h-\(how)/k.pem")])
      #expect(key.status == 1, "\(key.stdout)\(key.stderr)")
      #expect(key.stderr.contains("an archive not read through (a split or damaged zip"), "\(key.stderr)")
      #expect(!exists(dir.file("h-\(how)/k.pem")))
      try FileManager.default.removeItem(atPath: piece)
    }
  }

  /// H2: a few hundred mutations (fixed seed) of a real package archive's
  /// end record and central directory, read in process as the claim check
  /// reads them: none traps (a trap ends this test run).
  @Test func h2_mutatedArchivesCrashNothing() throws {
    let (elsewhere, _) = try v2ArchiveAside()
    let archive = try [UInt8](Data(contentsOf: URL(fileURLWithPath: elsewhere.file("v2.zip"))))
    let end = try #require(
      (0...(archive.count - 22)).reversed().first { archive[$0..<($0 + 4)] == [0x50, 0x4B, 5, 6] })
    let directory =
      Int(archive[end + 16]) | Int(archive[end + 17]) << 8 | Int(archive[end + 18]) << 16
      | Int(archive[end + 19]) << 24
    var seed: UInt64 = 0x4838_2026_1207
    func next(_ bound: Int) -> Int {
      seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((seed >> 33) % UInt64(bound))
    }
    let started = Date()
    var outcomes: [String: Int] = [:]
    for _ in 0..<300 {
      var bytes = archive
      for _ in 0..<(1 + next(4)) {
        // Most in the end record (its 22 bytes), the rest in the central directory.
        let at = next(3) == 0 ? directory + next(end - directory) : end + next(22)
        switch next(4) {
        case 0: bytes[at] = UInt8(next(256))
        case 1: bytes[at] = 0xFF
        case 2: bytes[at] = 0
        default: bytes[at] ^= UInt8(1 << next(8))
        }
      }
      let content = PackageFolder.zipContent(Data(bytes), nested: false, budget: PackageFolder.UnpackBudget())
      switch content {
      case .manifests: outcomes["manifests", default: 0] += 1
      case .notRead: outcomes["notRead", default: 0] += 1
      case .notAnArchive: outcomes["notAnArchive", default: 0] += 1
      case .unread: outcomes["unread", default: 0] += 1
      }
    }
    // About 3 s alone on the shared machine; the bound leaves room for a full parallel test run.
    #expect(Date().timeIntervalSince(started) < 30, "\(outcomes)")
    #expect(outcomes["notRead", default: 0] > 0, "\(outcomes)")
  }

  // MARK: H4

  /// H4: zips the reader cannot open (encrypted, bzip2, a self-extracting
  /// stub before the zip, an end record counting one entry of many) and a
  /// two-member gzip of the tar are "not read through": no second version 2.
  @Test func h4_anArchiveTheReaderCannotOpenIsNotReadThrough() throws {
    let (elsewhere, handed) = try v2ArchiveAside()
    let hand = elsewhere.file("hand")
    try FileManager.default.createDirectory(atPath: hand, withIntermediateDirectories: false)
    try FileManager.default.copyItem(atPath: handed, toPath: hand + "/2021-Q4")
    // zip stores a file bzip2 cannot shrink: the count is zip's, not the package's.
    let sealed =
      " entries encrypted or compressed with a method this reader cannot unpack (bzip2, LZMA…), not read (2021-Q4/"
    let cases: [(String, String, String)] = [
      ("zip -q -r -P 密码123 \(reports)/已报送-第2版.zip 2021-Q4", "已报送-第2版.zip", sealed),
      ("zip -q -r -Z bzip2 \(reports)/已报送-第2版.zip 2021-Q4", "已报送-第2版.zip", sealed),
      (
        "printf MZstub > stub && head -c 5000 /dev/zero >> stub && zip -q -r ../q.zip 2021-Q4 && cat stub ../q.zip > \(reports)/已报送-第2版.exe",
        "已报送-第2版.exe", "a zip after other bytes (a self-extracting archive?): not read through"
      ),
      (
        "head -c 3000 /dev/zero | tr '\\0' x > letter.txt && tar cf ../x.tar letter.txt 2021-Q4 && (head -c 4096 ../x.tar | gzip; tail -c +4097 ../x.tar | gzip) > \(reports)/已报送-第2版.tgz",
        "已报送-第2版.tgz", "its gzip stream ends before its tar does"
      ),
    ]
    for (line, name, why) in cases {
      try shell(line, in: hand)
      try expectNotReadThrough(reports + "/" + name, why)
      try FileManager.default.removeItem(atPath: reports + "/" + name)
    }
    try rewriteEndRecord(elsewhere.file("v2.zip"), reports + "/q4-v2.zip", "under")
    try expectNotReadThrough(reports + "/q4-v2.zip", "a split or damaged zip: not read through")
  }

  /// I1: an archive holding the filed version 1 readable and version 2
  /// sealed beside it (a password-protected v2 zip inside, v2's entries
  /// added with bzip2) is a claim of version 1 AND not read through: no
  /// second version 2 (the unread part was dropped once a manifest was read).
  @Test func i1_aReadableV1DoesNotHideASealedV2() throws {
    let (elsewhere, handed) = try v2ArchiveAside()
    let hand = elsewhere.file("hand")
    try FileManager.default.createDirectory(atPath: hand, withIntermediateDirectories: false)
    try FileManager.default.copyItem(atPath: reports + "/2021-Q4-v1", toPath: hand + "/2021-Q4-v1")
    try FileManager.default.copyItem(atPath: handed, toPath: hand + "/2021-Q4")
    let cases: [(String, String, String)] = [
      (
        "zip -q -r -P 密码123 ../v2-sealed.zip 2021-Q4 && cp ../v2-sealed.zip . && zip -q -r \(reports)/全部.zip 2021-Q4-v1 v2-sealed.zip",
        "全部.zip", "v2-sealed.zip: "
      ),
      (
        "zip -q -r \(reports)/全部.zip 2021-Q4-v1 && zip -q -r -Z bzip2 \(reports)/全部.zip 2021-Q4", "全部.zip",
        "encrypted or compressed with a method this reader cannot unpack"
      ),
    ]
    for (line, name, why) in cases {
      try shell(line, in: hand)
      try expectNotReadThrough(reports + "/" + name, why)
      try FileManager.default.removeItem(atPath: reports + "/" + name)
    }
  }

  /// H4: a password-protected v2 under the tool's own name is never "a zip
  /// holding no linkaudit package … remove it"; query --out does not
  /// replace a password-protected handover zip; keys new refuses beside one.
  @Test func h4_aPasswordProtectedHandoverIsHeld() throws {
    let (elsewhere, handed) = try v2ArchiveAside()
    let hand = elsewhere.file("hand")
    try FileManager.default.createDirectory(atPath: hand, withIntermediateDirectories: false)
    try FileManager.default.copyItem(atPath: handed, toPath: hand + "/linkaudit-2021-Q4-v2")
    try shell("zip -q -r -P 密码123 \(reports)/linkaudit-2021-Q4-v2.zip linkaudit-2021-Q4-v2", in: hand)
    let again = try report(["--out", folder, "--lang", "en", "--reason", "again", "--dry-run"])
    #expect(again.status == 1, "\(again.stdout)")
    #expect(again.stderr.contains("encrypted or compressed with a method this reader cannot unpack"), "\(again.stderr)")
    let told = try doctor()
    #expect(!told.stdout.contains("a zip holding no linkaudit package"), "\(told.stdout)")
    #expect(!told.stdout.contains("healthy"), "\(told.stdout)")
    try shell("zip -q -r -P 密码123 \(dir.path)/handover-enc.zip linkaudit-2021-Q4-v2", in: hand)
    let before = try Data(contentsOf: URL(fileURLWithPath: dir.file("handover-enc.zip")))
    let query = try run(["query", "--format", "csv", "--out", dir.file("handover-enc.zip"), "SELECT 1 AS x"])
    #expect(query.status != 0, "\(query.stdout)")
    #expect(query.stderr.contains("an archive not read through"), "\(query.stderr)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("handover-enc.zip"))) == before)
    try FileManager.default.createDirectory(atPath: dir.file("h"), withIntermediateDirectories: false)
    try FileManager.default.copyItem(atPath: dir.file("handover-enc.zip"), toPath: dir.file("h/q4.zip"))
    let key = try run(["keys", "new", "--signing-key", dir.file("h/k.pem")])
    #expect(key.status == 1, "\(key.stdout)\(key.stderr)")
    #expect(key.stderr.contains("an archive not read through"), "\(key.stderr)")
    #expect(!exists(dir.file("h/k.pem")))
  }

  /// H4: a zip whose entries are named with `\` (PowerShell 5.1's
  /// Compress-Archive) holds the package: its manifest is a claim.
  @Test func h4_aBackslashManifestIsAClaim() throws {
    let (elsewhere, handed) = try v2ArchiveAside()
    let zipped = reports + "/已报送-第2版.zip"
    try PackageFixture.python(
      """
      import sys, os, zipfile
      with zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_DEFLATED) as z:
        [z.write(os.path.join(sys.argv[1], f), '2021-Q4\\\\' + f) for f in sorted(os.listdir(sys.argv[1]))]
      """, [handed, zipped])
    try expectRefused(naming: FileIdentity(zipped).canonical, "is an archive of")
    withExtendedLifetime(elsewhere) {}
  }

  // MARK: H3

  /// H3: a zip, a tar.gz, of `2021-Q4-v1/` then `2021-Q4/` (v2), and a
  /// bundle of the v1 archive then the v2 archive: the second manifest is a
  /// claim too, not only the first.
  @Test func h3_everyManifestInAnArchiveIsAClaim() throws {
    let (elsewhere, handed) = try v2ArchiveAside()
    let both = elsewhere.file("both")
    try FileManager.default.createDirectory(atPath: both, withIntermediateDirectories: false)
    try FileManager.default.copyItem(atPath: reports + "/2021-Q4-v1", toPath: both + "/2021-Q4-v1")
    try FileManager.default.copyItem(atPath: handed, toPath: both + "/2021-Q4")
    for (line, name) in [
      ("zip -q -r \(reports)/全部报送材料.zip 2021-Q4-v1 2021-Q4", "全部报送材料.zip"),
      ("tar czf \(reports)/全部报送材料.tgz 2021-Q4-v1 2021-Q4", "全部报送材料.tgz"),
      ("zip -q -r ../v1.zip 2021-Q4-v1 && zip -qj \(reports)/bundle.zip ../v1.zip ../v2.zip", "bundle.zip"),
    ] {
      try shell(line, in: both)
      try expectRefused(naming: FileIdentity(reports + "/" + name).canonical, "is an archive of")
      try FileManager.default.removeItem(atPath: reports + "/" + name)
    }
  }

  // MARK: H5

  /// H5: a copy two or three folders down in reports/ (a `YEAR/QUARTER/`
  /// layout) is in sight: an archive and a folder.
  @Test func h5_aCopyDeeperInReportsIsSeen() throws {
    let (elsewhere, handed) = try v2ArchiveAside()
    try FileManager.default.createDirectory(atPath: reports + "/2021/Q4", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: elsewhere.file("v2.zip"), toPath: reports + "/2021/Q4/第2版.zip")
    try expectRefused(naming: FileIdentity(reports + "/2021/Q4/第2版.zip").canonical, "is an archive of")
    try FileManager.default.removeItem(atPath: reports + "/2021")
    try FileManager.default.createDirectory(atPath: reports + "/handed/2021/Q4", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: handed, toPath: reports + "/handed/2021/Q4/2021-Q4")
    try expectRefused(naming: FileIdentity(reports + "/handed/2021/Q4/2021-Q4").canonical)
  }

  // MARK: H8

  /// H8: the archives in sight share one budget: past it, the rest are not
  /// opened, and named (`SightBudget.skipped`).
  @Test func h8_theArchivesInSightShareOneBudget() throws {
    let place = TemporaryDirectory()
    try shell(
      "mkdir t && head -c 3000000 /dev/zero > t/z.bin && tar czf a.tgz -C t z.bin && cp a.tgz b.tgz && cp a.tgz c.tgz && rm -r t",
      in: place.path)
    let budget = PackageFolder.SightBudget()
    budget.bytes = 1
    let sight = PackageFolder.packagesInSight(place.path, budget: budget)
    #expect(sight.found.isEmpty)
    #expect(budget.skipped == [place.file("b.tgz"), place.file("c.tgz")], "\(budget.skipped)")
    let whole = PackageFolder.SightBudget()
    _ = PackageFolder.packagesInSight(place.path, budget: whole)
    #expect(whole.skipped.isEmpty)
  }
}
