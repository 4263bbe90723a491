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
    #expect(imported.stderr.contains("no pseudonym key is made in \(canonical)"), "\(imported.stderr)")
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
