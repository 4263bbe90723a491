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
  @Test func j5_aFolderOfOnesOwnMadeWritableByAllAndStickyIsNoSharedScratch() throws {
    try seeded(filing: false)
    let drop = dir.file("handover")
    try makeFolder(drop + "/proj")
    #expect(chmod(drop, 0o1777) == 0)
    #expect(!PackageFolder.isSharedScratch(drop))
    // The system's own temporary folders are (when sticky and writable by all, as a system keeps them).
    for system in ["/tmp", NSTemporaryDirectory()] {
      var info = stat()
      guard stat(system, &info) == 0, info.st_mode & 0o1002 == 0o1002 else { continue }
      #expect(PackageFolder.isSharedScratch(system), "\(system)")
    }
    let filed = try run(["report", "--quarter", "2021-Q4", "--out", drop + "/2021-Q4"])
    #expect(filed.status == 0, "\(filed.stderr)")
    let package = listing(drop + "/2021-Q4")
    let stored = bytes(database)

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

  /// Runs a shell line in `folder` (zip: what a user packs with).
  private func sh(_ line: String, in folder: String) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", line]
    p.currentDirectoryURL = URL(fileURLWithPath: folder)
    try p.run()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0, "\(line)")
  }
}
