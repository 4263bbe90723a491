import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the fifth attack's key finding (red-team E9): no secret key the
/// tool makes (the signing key, the pseudonym key) lies in a folder handed
/// over with packages, the folder itself or one of its immediate subfolders,
/// whichever comes first, and a filing's archive is told by what it holds,
/// whatever its name. Through the built binary.
/// Rows: docs/reliability.md.
@Suite struct FifthAttackKeyTests: BinaryQuarterSuite {
  let dir = TemporaryDirectory()
  var database: String { dir.file("p.db") }
  var reports: String { dir.file("reports") }
  var folder: String { reports + "/2021-Q4" }

  func run(_ arguments: [String]) throws -> LinkauditBinary.Run {
    try LinkauditBinary.run(arguments, database: database)
  }

  func makeFolder(_ path: String) throws {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  /// E9: a filing's archive renamed (`q4-filing.zip`) is still one: no key
  /// is made beside it. A zip that holds no package (a workbook) is no archive of a filing.
  @Test func e9_aKeyBesideARenamedArchiveIsRefused() throws {
    try seeded(archive: true)
    let h1 = dir.file("h1")
    try makeFolder(h1)
    try FileManager.default.copyItem(atPath: reports + "/linkaudit-2021-Q4-v1.zip", toPath: h1 + "/q4-filing.zip")
    let stored = bytes(database)
    let refused = try run(["keys", "new", "--signing-key", h1 + "/k.pem"])
    #expect(refused.status != 0)
    #expect(
      refused.stderr.contains(
        "--signing-key \(h1)/k.pem lies in \(FileIdentity(h1).canonical), where packages are written and handed over"),
      "\(refused.stderr)")
    #expect(listing(h1) == ["q4-filing.zip"])
    #expect(bytes(database) == stored)
    // A zip of something else (one of the package's own workbooks, a zip too) is no filing's archive.
    let workbook = try #require(listing(folder).first { $0.hasSuffix(".xlsx") })
    try FileManager.default.removeItem(atPath: h1 + "/q4-filing.zip")
    try FileManager.default.copyItem(atPath: folder + "/" + workbook, toPath: h1 + "/photos.zip")
    let other = try run(["keys", "new", "--signing-key", h1 + "/k.pem"])
    #expect(other.status == 0, "\(other.stderr)")
  }

  /// E9, attacking the fix: a big file that begins as a zip does (sparse,
  /// 3 GiB) is not read through to tell whether it is a filing's archive:
  /// keys new answers at once and makes the key.
  @Test func e9_aBigFileBeginningAsAZipDoesNotHoldKeysNewUp() throws {
    try seeded(filing: false)
    let g = dir.file("g")
    try makeFolder(g)
    let big = g + "/big.zip"
    try Data("PK\u{3}\u{4}".utf8).write(to: URL(fileURLWithPath: big))
    let handle = try #require(FileHandle(forWritingAtPath: big))
    try handle.truncate(atOffset: 3 << 30)
    try handle.close()
    let started = Date()
    let made = try run(["keys", "new", "--signing-key", g + "/k.pem"])
    #expect(made.status == 0, "\(made.stderr)")
    #expect(Date().timeIntervalSince(started) < 20)
  }

  /// E9: a package folder (or a filing's archive) one level down is handed
  /// over with the folder: no key is made there. Two levels down is not
  /// looked for: the rule looks at a folder and its immediate subfolders.
  @Test func e9_aKeyBesideAPackageOneLevelDownIsRefused() throws {
    try seeded(archive: true)
    let h2 = dir.file("h2")
    try makeFolder(h2 + "/sub")
    try FileManager.default.copyItem(atPath: folder, toPath: h2 + "/sub/2021-Q4")
    let stored = bytes(database)
    let refused = try run(["keys", "new", "--signing-key", h2 + "/k.pem"])
    #expect(refused.status != 0)
    #expect(
      refused.stderr.contains(
        "--signing-key \(h2)/k.pem lies in \(FileIdentity(h2).canonical), where packages are written and handed over"),
      "\(refused.stderr)")
    #expect(listing(h2) == ["sub"])
    #expect(bytes(database) == stored)
    // The archive, renamed, one level down.
    let h3 = dir.file("h3")
    try makeFolder(h3 + "/sub")
    try FileManager.default.copyItem(
      atPath: reports + "/linkaudit-2021-Q4-v1.zip", toPath: h3 + "/sub/handed-over.zip")
    #expect(try run(["keys", "new", "--signing-key", h3 + "/k.pem"]).status != 0)
    #expect(listing(h3) == ["sub"])
    // Two levels down: outside the rule's reach, by design.
    let h4 = dir.file("h4")
    try makeFolder(h4 + "/a/b")
    try FileManager.default.copyItem(atPath: folder, toPath: h4 + "/a/b/2021-Q4")
    let deeper = try run(["keys", "new", "--signing-key", h4 + "/k.pem"])
    #expect(deeper.status == 0, "\(deeper.stderr)")
  }

  /// E9: a package is not written beside the pseudonym key (a copy of
  /// `.linkaudit.key`, any name), by the dry run either: the message names
  /// it (as the database's own, by its fingerprint: F9); nothing is written or recorded.
  @Test func e9_aReportBesideThePseudonymKeyIsRefused() throws {
    try seeded(filing: false)
    let e = dir.file("e")
    try makeFolder(e)
    try FileManager.default.copyItem(atPath: dir.file(".linkaudit.key"), toPath: e + "/.linkaudit.key")
    let stored = bytes(database)
    for more in [["--dry-run"], []] {
      let refused = try run(["report", "--quarter", "2021-Q4", "--out", e + "/2021-Q4"] + more)
      #expect(refused.status != 0, "\(refused.stderr)")
      #expect(
        refused.stderr.contains(
          "--out \(e)/2021-Q4: its folder holds \(e)/.linkaudit.key (this database's pseudonym key), which would be handed over"
        ),
        "\(refused.stderr)")
      #expect(listing(e) == [".linkaudit.key"])
      #expect(bytes(database) == stored)
    }
    // Under another name too.
    try FileManager.default.moveItem(atPath: e + "/.linkaudit.key", toPath: e + "/notes.txt")
    let renamed = try run(["report", "--quarter", "2021-Q4", "--out", e + "/2021-Q4", "--dry-run"])
    #expect(
      renamed.stderr.contains("its folder holds \(e)/notes.txt (this database's pseudonym key)"), "\(renamed.stderr)")
    // A text of a few hex digits, or of words, is no key.
    try "cafe\n".write(toFile: e + "/notes.txt", atomically: false, encoding: .utf8)
    #expect(try run(["report", "--quarter", "2021-Q4", "--out", e + "/2021-Q4", "--dry-run"]).status == 0)
  }

  /// E9: a key in a subfolder of the package's folder is handed over with
  /// it: refused, by the dry run too, naming it. The database's own folder
  /// stays a working folder (C12, D11), its keys beside it.
  @Test func e9_aReportBesideAKeyInASubfolderIsRefused() throws {
    try seeded(filing: false)
    let d = dir.file("d")
    try makeFolder(d + "/sub")
    try FileManager.default.copyItem(atPath: dir.file(".linkaudit-signing-key.pem"), toPath: d + "/sub/k.pem")
    let stored = bytes(database)
    for more in [["--dry-run"], []] {
      let refused = try run(["report", "--quarter", "2021-Q4", "--out", d + "/2021-Q4"] + more)
      #expect(refused.status != 0, "\(refused.stderr)")
      #expect(
        refused.stderr.contains(
          "--out \(d)/2021-Q4: its folder holds \(d)/sub/k.pem (a PEM private key), which would be handed over"),
        "\(refused.stderr)")
      #expect(listing(d) == ["sub"] && listing(d + "/sub") == ["k.pem"])
      #expect(bytes(database) == stored)
    }
    let beside = try run(["report", "--quarter", "2021-Q4", "--out", dir.file("2021-Q4")])
    #expect(beside.status == 0, "\(beside.stderr)")
  }
}
