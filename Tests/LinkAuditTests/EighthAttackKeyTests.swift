import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the eighth attack's key findings (red-team H9, H12b): a key is
/// refused in a folder packages are written in (one holding a package folder
/// or a filing's archive itself), whatever its name, and one folder below
/// such a folder: the rule report's `--out` keeps the other way round (no
/// package beside a key in its folder or one folder down). Signing key,
/// pseudonym key and the database import makes alike. A refusal of a path is
/// a runtime error (exit 1), with no usage hint. Through the built binary.
/// Rows: docs/reliability-round5-hmask.md.
/// In FifthAttackKeyTests' suite, whose fixture it shares.
extension FifthAttackKeyTests {
  @Test func h9_aKeyOneFolderBelowPackagesIsRefusedWhateverTheFolderIsCalled() throws {
    try seeded(filing: false)
    let filings = dir.file("filings")
    let filed = try run(["report", "--quarter", "2021-Q4", "--out", filings + "/2021-Q4", "--archive"])
    #expect(filed.status == 0, "\(filed.stderr)")
    try makeFolder(filings + "/keys")
    let canonical = FileIdentity(filings).canonical
    let stored = bytes(database)

    let signing = try run(["keys", "new", "--signing-key", filings + "/keys/k.pem"])
    #expect(signing.status == 1, "\(signing.stderr)")
    #expect(
      signing.stderr.contains(
        "--signing-key \(filings)/keys/k.pem lies in a folder inside \(canonical), where packages are written and handed over"
      ), "\(signing.stderr)")
    #expect(!signing.stderr.contains("Usage:"), "H12: a path refused is no usage error: \(signing.stderr)")

    // import's pseudonym key made there, and a database made beside the packages (its key beside it).
    let csv = try PackageFixture.links("more.csv", PackageFixture.quarterRows, in: dir)
    let pseudonym = try LinkauditBinary.run(
      ["import", "links", csv, "--key-file", filings + "/keys/p.key"], database: dir.file("o.db"))
    #expect(pseudonym.status != 0, "\(pseudonym.stderr)")
    #expect(
      pseudonym.stderr.contains("no pseudonym key is made in a folder right inside \(canonical)"), "\(pseudonym.stderr)"
    )
    let beside = try LinkauditBinary.run(["import", "links", csv], database: filings + "/n.db")
    #expect(beside.status != 0, "\(beside.stderr)")
    #expect(beside.stderr.contains("no pseudonym key is made in \(canonical)"), "\(beside.stderr)")
    #expect(beside.stderr.contains("the database lies there too"), "\(beside.stderr)")
    #expect(listing(filings + "/keys") == [])
    #expect(listing(filings) == ["2021-Q4", "keys", "linkaudit-2021-Q4-v1.zip"])
    #expect(bytes(database) == stored)

    // A copy of the package in a folder of any name makes it one too.
    try makeFolder(dir.file("hand/keys"))
    try FileManager.default.copyItem(atPath: filings + "/2021-Q4", toPath: dir.file("hand/2021-Q4"))
    let hand = try run(["keys", "new", "--signing-key", dir.file("hand/keys/k.pem")])
    #expect(hand.status == 1, "\(hand.stderr)")
    #expect(listing(dir.file("hand/keys")) == [])

    // So report into that folder is not blocked by a key keys new made, and a key kept apart is made.
    #expect(try run(["report", "--quarter", "2021-Q4", "--out", filings + "/2021-Q4", "--dry-run"]).status == 0)
    try makeFolder(dir.file("keys"))
    let apart = try run(["keys", "new", "--signing-key", dir.file("keys/k.pem")])
    #expect(apart.status == 0, "\(apart.stderr)")
  }

  /// H12: every path refusal of keys new exits 1 with its one-line cause, no usage hint (the README's exit codes).
  @Test func h12_aKeyPathRefusedIsNoUsageError() throws {
    try seeded(archive: true)
    for place in [folder + "/k.pem", reports + "/k.pem", database] {
      let refused = try run(["keys", "new", "--signing-key", place])
      #expect(refused.status == 1, "\(place): \(refused.stderr)")
      #expect(!refused.stderr.contains("Usage:") && !refused.stderr.contains("--help"), "\(refused.stderr)")
      #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
    }
  }
}
