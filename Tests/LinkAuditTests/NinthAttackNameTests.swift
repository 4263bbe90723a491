import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the ninth attack's key placement finding (red-team I7): a key is
/// refused wherever report's `--out` would be refused because of it (a
/// package right in the key's folder or in the folder above it, that folder
/// not the database's own): `work/proj/.linkaudit.key`, made for
/// `work/proj/n.db`, blocked `report --out work/2021-Q4`. One rule both ways.
/// Through the built binary. Rows: docs/reliability-round6-iname.md.
/// In FifthAttackKeyTests' suite, whose fixture it shares.
extension FifthAttackKeyTests {
  @Test func i7_aKeyBesideADatabaseOneFolderBelowPackagesIsRefusedAsReportRefusesIt() throws {
    try seeded(filing: false)
    let work = dir.file("work")
    let filed = try run(["report", "--quarter", "2021-Q4", "--out", work + "/2021-Q4"])
    #expect(filed.status == 0, "\(filed.stderr)")
    try makeFolder(work + "/proj")
    let canonical = FileIdentity(work).canonical
    let stored = bytes(database)
    let package = try snapshot(work + "/2021-Q4")

    // import's pseudonym key for a new database there, at its default place beside it.
    let csv = try PackageFixture.links("more.csv", PackageFixture.quarterRows, in: dir)
    let imported = try LinkauditBinary.run(["import", "links", csv], database: work + "/proj/n.db")
    #expect(imported.status != 0, "\(imported.stderr)")
    #expect(
      imported.stderr.contains("no pseudonym key is made in a folder right inside \(canonical)"), "\(imported.stderr)")
    #expect(imported.stderr.contains("(it holds \(canonical)/2021-Q4, "), "\(imported.stderr)")
    #expect(imported.stderr.contains("report refuses to write a package beside it"), "\(imported.stderr)")
    #expect(listing(work + "/proj") == [])

    // keys new's signing key at the default place of a database there.
    let signing = try LinkauditBinary.run(["keys", "new"], database: work + "/proj/n.db")
    #expect(signing.status == 1, "\(signing.stderr)")
    #expect(
      signing.stderr.contains("lies in a folder inside \(canonical), where packages are written and handed over"),
      "\(signing.stderr)")
    #expect(!signing.stderr.contains("Usage:"), "\(signing.stderr)")
    #expect(listing(work + "/proj") == [])
    #expect(listing(work) == ["2021-Q4", "proj"])
    #expect(bytes(database) == stored)
    #expect(try snapshot(work + "/2021-Q4") == package)

    // So report into that folder is not blocked by a key linkaudit made.
    let again = try run(["report", "--quarter", "2021-Q4", "--out", work + "/2021-Q4", "--dry-run"])
    #expect(again.status == 0, "\(again.stderr)")

    // A database in a folder of its own, nowhere near packages, makes both keys as before (C12).
    try makeFolder(dir.file("apart/proj"))
    let apart = try LinkauditBinary.run(["import", "links", csv], database: dir.file("apart/proj/n.db"))
    #expect(apart.status == 0, "\(apart.stderr)")
    let apartKey = try LinkauditBinary.run(["keys", "new"], database: dir.file("apart/proj/n.db"))
    #expect(apartKey.status == 0, "\(apartKey.stderr)")

    // That key copied where linkaudit refused to make one is what report refuses: the two rules are one.
    try FileManager.default.copyItem(
      atPath: dir.file("apart/proj/.linkaudit-signing-key.pem"), toPath: work + "/proj/.linkaudit-signing-key.pem")
    let blocked = try run(["report", "--quarter", "2021-Q4", "--out", work + "/2021-Q4", "--dry-run"])
    #expect(blocked.status != 0, "\(blocked.stderr)")
    #expect(blocked.stderr.contains("proj/.linkaudit-signing-key.pem"), "\(blocked.stderr)")
    // And doctor, looking at that folder of packages, names the key that blocks the quarter's next report.
    let stored2 = bytes(database)
    let told = try run(["doctor", "--reports", work])
    #expect(told.status != 0, "\(told.stdout)")
    #expect(
      told.stdout.contains("2021-Q4 version 1; the next report into it is refused: --out "),
      "\(told.stdout)")
    #expect(told.stdout.contains("proj/.linkaudit-signing-key.pem (a PEM private key)"), "\(told.stdout)")
    #expect(bytes(database) == stored2)
    try FileManager.default.removeItem(atPath: work + "/proj/.linkaudit-signing-key.pem")
    let healthy = try run(["doctor", "--reports", work])
    #expect(!healthy.stdout.contains("the next report into it is refused"), "\(healthy.stdout)")

    // A folder of one's own made writable by all and sticky (a team's drop folder) is judged as any folder:
    // only the system's temporary folders are exempt (red-team J5, TenthAttackNameTests).
  }

  /// Every file of a folder, by name, with its bytes.
  private func snapshot(_ folder: String) throws -> [String: Data] {
    var files: [String: Data] = [:]
    for name in listing(folder) {
      files[name] = try Data(contentsOf: URL(fileURLWithPath: (folder as NSString).appendingPathComponent(name)))
    }
    return files
  }
}

/// Issue 30, the ninth attack's name finding (red-team I8): a package's
/// folder name, or its archive's folder's, is no part of the package. verify
/// never fails a name, whatever its spelling, and says one that reads as
/// another quarter or version, for a folder as for a zip; an entry's name
/// stored without the zip's UTF-8 flag is read as UTF-8 when it is valid
/// UTF-8 (Info-ZIP on Linux), not as code page 437.
extension ThirdAttackPackageTests {
  @Test func i8_aPackagesNameIsSaidNeverFailedForAFolderAsForAZip() throws {
    try seeded()
    let key = try publicKeyFile()
    let names = dir.file("names")
    try FileManager.default.createDirectory(atPath: names, withIntermediateDirectories: true)
    // What each name reads as; nil: a name that reads as no quarter, said for a zip only.
    let cases: [(String, String?)] = [
      ("2021-Q4-v2", "2021-Q4 version 2"), ("2021-q4-v2", "2021-Q4 version 2"), ("2021Q4-v2", "2021-Q4 version 2"),
      ("2021-Q4-V2", "2021-Q4 version 2"), ("2021-Q4-v02 (1)", "2021-Q4 version 2"), ("2021-Q3", "2021-Q3"),
      ("linkaudit-2021-Q3-v1", "2021-Q3 version 1"),
      ("2021-Q4-v99999999999999999999999", "2021-Q4 version 99999999999999999999999"),
      ("2021-Q4-第2版", nil), ("Q3-2021", nil),
    ]
    // A name none of those linkaudit gives the package is said all the same, whatever its spelling (red-team J7).
    let none =
      "none of the names linkaudit gives the package it holds, 2021-Q4 version 1 (2021-Q4/, 2021-Q4-v1/, linkaudit-2021-Q4-v1/)"
    for (name, like) in cases {
      let copy = (names as NSString).appendingPathComponent(name)
      try FileManager.default.copyItem(atPath: folder, toPath: copy)
      let before = snapshot(copy)
      let said = like.map { "named like \($0), but holds 2021-Q4 version 1" }
      for check in [["--public-key", key], []] {
        let verified = try run(["verify", copy] + check)
        #expect(verified.status == 0, "\(name) \(check): \(verified.stderr)")
        #expect(verified.stdout.contains("verified 2021-Q4"), "\(name): \(verified.stdout)")
        if let said {
          #expect(
            verified.stderr.contains("the folder \(name)/ is \(said): a folder's name is no part of the package"),
            "\(name): \(verified.stderr)")
          #expect(verified.stderr.contains("--quarter and --filed-version"), "\(name): \(verified.stderr)")
        } else {
          #expect(
            verified.stderr.contains("the folder \(name)/ is \(none): a folder's name"), "\(name): \(verified.stderr)")
        }
      }
      #expect(snapshot(copy) == before, "verify reads only")
      try shell("zip -q -r '../\(name).zip' '\(name)'", in: names)
      let zipped = try run(["verify", dir.file("\(name).zip"), "--public-key", key])
      #expect(zipped.status == 0, "\(name).zip: \(zipped.stderr)")
      #expect(zipped.stdout.contains("verified 2021-Q4"), "\(name).zip: \(zipped.stdout)")
      // Info-ZIP stores the name without the UTF-8 flag: shown as written, never as code page 437.
      #expect(zipped.stderr.contains("packed as \(name)/, not linkaudit-2021-Q4-v1/"), "\(name).zip: \(zipped.stderr)")
      if let said { #expect(zipped.stderr.contains(said), "\(name).zip: \(zipped.stderr)") }
      // The version is held by --filed-version and --quarter, never by the name.
      let held = try run(["verify", dir.file("\(name).zip"), "--public-key", key, "--filed-version", "2"])
      #expect(held.status == 1, "\(name).zip: \(held.stderr)")
    }
    // The names linkaudit gives version 1 are said of no folder: j7_aFolderNameNoneOfThoseGivenIsSaidWhateverItsSpelling.
  }
}
