import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the tenth attack's key placement findings (red-team J4, J5).
/// J4: one folder above a key's, only what report writes there counts (a
/// package folder, an archive by the name report gives one), the mirror of
/// report's `--out` rule; a sealed zip or a zip of another name in a home
/// folder no longer refuses every project's key under it, and the refusal
/// that stays says what lies where and what to do (never "the database lies
/// there too" of a database in a folder of its own). J5: only the system's
/// temporary folders are shared scratch; a folder of one's own made
/// `chmod 1777` (a team's drop folder) is judged as any folder.
/// Through the built binary. Rows: docs/reliability-round7-iname.md.
/// In FifthAttackKeyTests' suite, whose fixture it shares.
extension FifthAttackKeyTests {
  @Test func j4_onlyWhatReportWritesOneFolderUpRefusesAKeyAndTheAdviceFitsTheCase() throws {
    try seeded(filing: false)
    let csv = try PackageFixture.links("more.csv", PackageFixture.quarterRows, in: dir)

    // A package copy one folder up (`~/2021-Q4`): still refused (report refuses it beside a key one folder down),
    // with advice that fits: move the copy out, or keep the key apart; the database does not lie there.
    let home = dir.file("home")
    let filed = try run(["report", "--quarter", "2021-Q4", "--out", home + "/2021-Q4"])
    #expect(filed.status == 0, "\(filed.stderr)")
    try makeFolder(home + "/proj")
    let canonical = FileIdentity(home).canonical
    let stored = bytes(database)
    let imported = try LinkauditBinary.run(["import", "links", csv], database: home + "/proj/n.db")
    #expect(imported.status == 1, "\(imported.stderr)")
    #expect(
      imported.stderr.contains(
        "no pseudonym key is made in a folder right inside \(canonical), where packages are written and handed over (it holds \(canonical)/2021-Q4, a report package)"
      ), "\(imported.stderr)")
    #expect(
      imported.stderr.contains(
        "move \(canonical)/2021-Q4 out of \(canonical), or keep the key apart: --key-file in a folder of its own"),
      "\(imported.stderr)")
    #expect(!imported.stderr.contains("the database lies there too"), "\(imported.stderr)")
    let signing = try LinkauditBinary.run(["keys", "new"], database: home + "/proj/n.db")
    #expect(signing.status == 1, "\(signing.stderr)")
    #expect(
      signing.stderr.contains(
        "move \(canonical)/2021-Q4 out of \(canonical), or keep the key apart: give --signing-key a path in a folder of its own"
      ), "\(signing.stderr)")
    #expect(!signing.stderr.contains("the database lies there too"), "\(signing.stderr)")
    #expect(listing(home + "/proj") == [])
    #expect(bytes(database) == stored)

    // An archive by the name report gives one, one folder up: refused alike, named.
    let named = dir.file("named")
    try makeFolder(named + "/proj")
    try FileManager.default.copyItem(atPath: csv, toPath: named + "/linkaudit-2021-Q4-v1.zip")
    let byName = try LinkauditBinary.run(["keys", "new"], database: named + "/proj/n.db")
    #expect(byName.status == 1, "\(byName.stderr)")
    #expect(byName.stderr.contains("/linkaudit-2021-Q4-v1.zip, a filing's archive)"), "\(byName.stderr)")
    #expect(listing(named + "/proj") == [])

    // A password-protected zip and a zip of a package under another name, one folder up: no refusal.
    // Report never writes them there, and a key one folder down never blocks a report of them.
    let sealed = dir.file("home2")
    try makeFolder(sealed + "/proj")
    try runShell("echo tax > x.txt && zip -q -P pw tax-2021.zip x.txt && rm x.txt", in: sealed)
    try runShell("zip -q -r '\(sealed)/handed.zip' 2021-Q4", in: home)
    let first = try LinkauditBinary.run(["import", "links", csv], database: sealed + "/proj/n.db")
    #expect(first.status == 0, "\(first.stderr)")
    let key = try LinkauditBinary.run(["keys", "new"], database: sealed + "/proj/n.db")
    #expect(key.status == 0, "\(key.stderr)")
    #expect(listing(sealed + "/proj").contains(".linkaudit-signing-key.pem"))
    #expect(listing(sealed + "/proj").contains(".linkaudit.key"))

    // In the key's own folder they still count (H9, I6): a zip of a package there, whatever its name,
    // refuses a key made beside it (a sealed one alike: NinthAttackSightTests' i6).
    let own = try run(["keys", "new", "--signing-key", sealed + "/k.pem"])
    #expect(own.status == 1, "\(own.stderr)")
    #expect(own.stderr.contains("handed.zip, a report package's archive (zip))"), "\(own.stderr)")
    #expect(!FileManager.default.fileExists(atPath: sealed + "/k.pem"))
  }

  @Test func j5_aFolderOfOnesOwnMadeWritableByAllAndStickyIsNoSharedScratch() throws {
    try seeded(filing: false)
    let drop = dir.file("handover")
    try makeFolder(drop + "/proj")
    #expect(chmod(drop, 0o1777) == 0)
    #expect(!PackageFolder.isSharedScratch(drop))
    // The system's own temporary folders are (when sticky and writable by all, as a system keeps them).
    for system in ["/tmp", "/var/tmp"] {
      var info = stat()
      guard stat(system, &info) == 0, info.st_mode & 0o1002 == 0o1002 else { continue }
      #expect(PackageFolder.isSharedScratch(system), "\(system)")
    }
    let filed = try run(["report", "--quarter", "2021-Q4", "--out", drop + "/2021-Q4"])
    #expect(filed.status == 0, "\(filed.stderr)")
    let package = listing(drop + "/2021-Q4")
    let stored = bytes(database)

    // K4: TMPDIR pointed at the drop folder makes it no scratch: anyone may set it.
    let pointed = try LinkauditBinary.run(
      ["TMPDIR=" + drop, LinkauditBinary.path, "keys", "new", "--signing-key", drop + "/k.pem"], database: database,
      executable: "/usr/bin/env")
    #expect(pointed.status == 1, "\(pointed.stderr)")
    #expect(pointed.stderr.contains("where packages are written and handed over"), "\(pointed.stderr)")

    // No key is made beside the package in the drop folder, nor one folder down from it.
    let signing = try run(["keys", "new", "--signing-key", drop + "/k.pem"])
    #expect(signing.status == 1, "\(signing.stderr)")
    #expect(signing.stderr.contains("where packages are written and handed over"), "\(signing.stderr)")
    let csv = try PackageFixture.links("more.csv", PackageFixture.quarterRows, in: dir)
    let imported = try LinkauditBinary.run(["import", "links", csv], database: drop + "/n.db")
    #expect(imported.status == 1, "\(imported.stderr)")
    let below = try LinkauditBinary.run(["import", "links", csv], database: drop + "/proj/n.db")
    #expect(below.status == 1, "\(below.stderr)")
    #expect(listing(drop) == ["2021-Q4", "proj"])
    #expect(listing(drop + "/proj") == [])

    // A key put there by hand blocks the next report into the drop folder, and doctor names it.
    try FileManager.default.copyItem(
      atPath: dir.file(".linkaudit-signing-key.pem"), toPath: drop + "/proj/.linkaudit-signing-key.pem")
    let blocked = try run(["report", "--quarter", "2021-Q4", "--out", drop + "/2021-Q4", "--dry-run"])
    #expect(blocked.status == 1, "\(blocked.stderr)")
    #expect(blocked.stderr.contains("proj/.linkaudit-signing-key.pem"), "\(blocked.stderr)")
    let told = try run(["doctor", "--reports", drop])
    #expect(told.stdout.contains("proj/.linkaudit-signing-key.pem (a PEM private key)"), "\(told.stdout)")
    #expect(listing(drop + "/2021-Q4") == package)
    #expect(bytes(database) == stored)
  }

}

/// Issue 30, the tenth attack's name finding (red-team J7): verify notes a
/// package's folder name whenever it is none of the names linkaudit gives
/// that package, whatever its spelling, saying what it holds and that
/// `--quarter`/`--filed-version` hold it to one; never fails on it. The names
/// given (the quarter's folder, its `-vN` folder, the archive's folder) are
/// said of no folder; a zip packed under the quarter's folder keeps doctor's
/// H11 line ("packed as 2021-Q4/, not linkaudit-2021-Q4-v1/").
extension ThirdAttackPackageTests {
  @Test func j7_aFolderNameNoneOfThoseGivenIsSaidWhateverItsSpelling() throws {
    try seeded()
    let key = try publicKeyFile()
    let names = dir.file("j7")
    try FileManager.default.createDirectory(atPath: names, withIntermediateDirectories: true)
    let none =
      "none of the names linkaudit gives the package it holds, 2021-Q4 version 1 (2021-Q4/, 2021-Q4-v1/, linkaudit-2021-Q4-v1/)"
    for name in [
      "2021-Q4-第2版", "2021-Q4-version2", "2021-Q4 (v2)", "2021-Q4-rev2", "Q4-2021-v2", "2021年第四季度第2版",
      "2021-Q4-v1 (1)", "2021-q4",
    ] {
      let copy = (names as NSString).appendingPathComponent(name)
      try FileManager.default.copyItem(atPath: folder, toPath: copy)
      let before = snapshot(copy)
      let verified = try run(["verify", copy, "--public-key", key])
      #expect(verified.status == 0, "\(name): \(verified.stderr)")
      #expect(verified.stdout.contains("verified 2021-Q4 (Asia/Shanghai), version 1"), "\(name): \(verified.stdout)")
      #expect(
        verified.stderr.contains(
          "the folder \(name)/ is \(none): a folder's name is no part of the package (its files, their SHA-256 and the signature are checked all the same); give verify --quarter and --filed-version to hold a package to a quarter and version"
        ), "\(name): \(verified.stderr)")
      #expect(snapshot(copy) == before, "verify reads only")
      try shell("zip -q -r '../\(name).zip' '\(name)'", in: names)
      let zipped = try run(["verify", dir.file("\(name).zip"), "--public-key", key])
      #expect(zipped.status == 0, "\(name).zip: \(zipped.stderr)")
      #expect(
        zipped.stderr.contains("packed as \(name)/, not linkaudit-2021-Q4-v1/, \(none): a folder's name"),
        "\(name).zip: \(zipped.stderr)")
      #expect(zipped.stderr.contains("--quarter and --filed-version"), "\(name).zip: \(zipped.stderr)")
    }
    // The names linkaudit gives version 1: no note for a folder; a zip of the quarter's folder is said
    // packed under another name (doctor's H11 line), with no word of what it holds.
    for name in ["2021-Q4", "2021-Q4-v1", "linkaudit-2021-Q4-v1"] {
      let copy = (names as NSString).appendingPathComponent("given/\(name)")
      try FileManager.default.createDirectory(
        atPath: (copy as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try FileManager.default.copyItem(atPath: folder, toPath: copy)
      let verified = try run(["verify", copy, "--public-key", key])
      #expect(verified.status == 0 && verified.stderr.isEmpty, "\(name): \(verified.stderr)")
    }
    try shell("zip -q -r ../../q4.zip 2021-Q4", in: names + "/given")
    let packed = try run(["verify", dir.file("q4.zip"), "--public-key", key])
    #expect(packed.status == 0, "\(packed.stderr)")
    #expect(
      packed.stderr.contains("packed as 2021-Q4/, not linkaudit-2021-Q4-v1/: a folder's name is no part"),
      "\(packed.stderr)")
    #expect(!packed.stderr.contains("none of the names"), "\(packed.stderr)")
  }
}
