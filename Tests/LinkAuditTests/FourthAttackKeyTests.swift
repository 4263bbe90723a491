import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the fourth attack's key findings (red-team D9, D11): a version
/// filed signed is never passed unless its signature is checked, with the key
/// it was filed with, after a key rotation too; and no key lies beside the
/// packages handed over, whichever comes first. Through the built binary.
/// Rows: docs/reliability.md.
@Suite struct FourthAttackKeyTests: BinaryQuarterSuite {
  let dir = TemporaryDirectory()
  var database: String { dir.file("p.db") }
  /// The signing key where report, verify and doctor look for it: beside the database.
  var signingKey: String { dir.file(".linkaudit-signing-key.pem") }
  var reports: String { dir.file("reports") }
  var folder: String { reports + "/2021-Q4" }

  func run(_ arguments: [String]) throws -> LinkauditBinary.Run { try run(arguments, database: nil) }
  func run(_ arguments: [String], database: String?) throws -> LinkauditBinary.Run {
    try LinkauditBinary.run(arguments, database: database ?? self.database)
  }

  /// The signing key replaced: the old one moved to old.pem (its public half
  /// in old.pub.pem), a new one made beside the database, and 2021-Q4 issued
  /// again with it as version 2; version 1 is kept in reports/2021-Q4-v1.
  func rotated() throws {
    let old = dir.file("old.pem")
    try FileManager.default.moveItem(atPath: signingKey, toPath: old)
    let pub = try run(["keys", "public", "--signing-key", old])
    try pub.stdout.write(toFile: dir.file("old.pub.pem"), atomically: true, encoding: .utf8)
    #expect(try run(["keys", "new"]).status == 0)
    let reissued = try run(["report", "--quarter", "2021-Q4", "--out", folder, "--lang", "en", "--reason", "new key"])
    #expect(reissued.status == 0, "\(reissued.stderr)")
    #expect(FileManager.default.fileExists(atPath: folder + "-v1/manifest.sig"))
  }

  func filings() throws -> [Filing] {
    let db = try Database(path: database, mode: .readOnly)
    defer { db.close() }
    return try Filing.all(in: db)
  }

  /// The ledger's public key of each version, by version.
  func ledgerKeys() throws -> [Int: Data?] {
    Dictionary(uniqueKeysWithValues: try filings().map { ($0.version, $0.signerPublicKey) })
  }

  /// The ledger as a database filed before it kept public keys (schema v16) has it.
  func forgetLedgerKeys() throws {
    let db = try Database.store(at: database)
    defer { db.close() }
    try db.execute("UPDATE filing SET signer_public_key = NULL")
  }

  // MARK: D9

  /// D9: after a key rotation, a kept version's signature is checked with
  /// the public key the ledger keeps with it: a garbage manifest.sig fails
  /// verify --db and is a doctor problem; the genuine one verifies. Neither
  /// writes the database.
  @Test func d9_aKeptVersionIsCheckedWithItsFilingKeyAfterARotation() throws {
    try seeded()
    let filedKey = try #require(try ledgerKeys()[1] ?? nil)
    #expect(filedKey.count == 32)
    try rotated()
    let copy = dir.file("p")
    try FileManager.default.copyItem(atPath: folder + "-v1", toPath: copy)
    let stored = bytes(database)
    // The rotation done, doctor is healthy: the kept version is checked with its own key, and the
    // key at hand is the latest version's, so a re-issue is signed by the same key.
    let healthy = try run(["doctor", "--reports", reports])
    #expect(healthy.status == 0, "\(healthy.stdout)")
    #expect(healthy.stdout.contains("signature included"), "\(healthy.stdout)")
    #expect(!healthy.stdout.contains("warning"), "\(healthy.stdout)")
    let genuine = try run(["verify", copy])
    #expect(genuine.status == 0, "\(genuine.stderr)")
    #expect(!genuine.stdout.contains("not checked") && !genuine.stderr.contains("not checked"), "\(genuine.stderr)")
    try Data(repeating: 7, count: 64).write(to: URL(fileURLWithPath: copy + "/manifest.sig"))
    let garbage = try run(["verify", copy])
    #expect(garbage.status == 1, "\(garbage.stdout)")
    #expect(
      garbage.stderr.contains("manifest.sig: not a signature of manifest.json by the key version 1 was filed with"),
      "\(garbage.stderr)")
    #expect(!garbage.stdout.contains("verified"), "\(garbage.stdout)")
    // doctor, with the garbage in the kept folder itself.
    try Data(repeating: 7, count: 64).write(to: URL(fileURLWithPath: folder + "-v1/manifest.sig"))
    let doctor = try run(["doctor", "--reports", reports])
    #expect(doctor.status == 1, "\(doctor.stdout)")
    #expect(
      doctor.stdout.contains(
        "problem  packages: \(folder)-v1: 2021-Q4 version 1 is not as filed, 1 difference(s): manifest.sig: not a signature"
      ), "\(doctor.stdout)")
    #expect(bytes(database) == stored)
  }

  /// D9: a version filed before the ledger kept public keys, whose key has
  /// since been replaced, is not passed: verify exits 1 naming the key it
  /// needs and how to check it, doctor says it is a problem; with the
  /// filing's public key (verify --public-key) it verifies.
  @Test func d9_aVersionWhoseKeyTheLedgerLacksIsNotPassed() throws {
    try seeded()
    try forgetLedgerKeys()
    let signer = try #require(try filings().first?.signedBy)
    let old = dir.file("old.pem")
    try FileManager.default.moveItem(atPath: signingKey, toPath: old)
    let pub = try run(["keys", "public", "--signing-key", old])
    try pub.stdout.write(toFile: dir.file("old.pub.pem"), atomically: true, encoding: .utf8)
    #expect(try run(["keys", "new"]).status == 0)
    let stored = bytes(database)
    let unchecked = try run(["verify", folder])
    #expect(unchecked.status == 1, "\(unchecked.stdout)")
    #expect(unchecked.stdout.isEmpty, "\(unchecked.stdout)")
    #expect(
      unchecked.stderr.contains("but the signature is not verified")
        && unchecked.stderr.contains(
          "manifest.sig: not checked: version 1 was filed signed by the key \(signer.prefix(16))…, whose public key the filings do not hold"
        )
        && unchecked.stderr.contains("is another (")
        && unchecked.stderr.contains("linkaudit verify \(folder) --public-key FILE"), "\(unchecked.stderr)")
    // Without any key at hand: the same, saying so.
    try FileManager.default.moveItem(atPath: signingKey, toPath: dir.file("new.pem"))
    let none = try run(["verify", folder])
    #expect(none.status == 1)
    #expect(none.stderr.contains("there is no signing key at \(signingKey)"), "\(none.stderr)")
    let doctor = try run(["doctor", "--reports", reports])
    #expect(doctor.status == 1, "\(doctor.stdout)")
    #expect(
      doctor.stdout.contains(
        "problem  packages: \(folder): 2021-Q4 version 1: every file as filed, but its signature is not verified: manifest.sig: not checked"
      ), "\(doctor.stdout)")
    #expect(!doctor.stdout.contains("signature included"), "\(doctor.stdout)")
    // The ledger's gap is said whatever is on disk.
    let ledger = try run(["doctor", "--reports", dir.file("absent")])
    #expect(
      ledger.stdout.contains(
        "warning  filings: 2021-Q4 version 1: filed signed by the key \(signer.prefix(16))… before the filings kept public keys, and that key is not at hand"
      ), "\(ledger.stdout)")
    // What the message advises works.
    let withKey = try run(["verify", folder, "--public-key", dir.file("old.pub.pem")])
    #expect(withKey.status == 0, "\(withKey.stderr)")
    #expect(bytes(database) == stored)
  }

  /// D9: a report run with the key a version's recorded signer names keeps
  /// that key's public half in the ledger (versions filed before schema v17),
  /// so a later rotation leaves them checkable; it fills only those.
  @Test func d9_aReportWithTheFilingKeyFillsTheLedgersKey() throws {
    try seeded()
    try forgetLedgerKeys()
    #expect(try ledgerKeys()[1] == .some(nil))
    // Another key at hand fills nothing.
    let other = dir.file("other.pem")
    #expect(try run(["keys", "new", "--signing-key", other]).status == 0)
    let dry = try run(["report", "--quarter", "2021-Q4", "--out", folder, "--signing-key", other, "--dry-run"])
    #expect(dry.status == 0, "\(dry.stderr)")
    #expect(try ledgerKeys()[1] == .some(nil))
    // The same bytes again, with the key that filed them: the key is kept.
    let again = try run(["report", "--quarter", "2021-Q4", "--out", folder])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stderr.contains("the same bytes written again"), "\(again.stderr)")
    let kept = try #require(try ledgerKeys()[1] ?? nil)
    #expect(kept.count == 32)
    try rotated()
    try Data(repeating: 7, count: 64).write(to: URL(fileURLWithPath: folder + "-v1/manifest.sig"))
    let garbage = try run(["verify", folder + "-v1"])
    #expect(garbage.status == 1)
    #expect(garbage.stderr.contains("manifest.sig: not a signature of manifest.json"), "\(garbage.stderr)")
  }

  // MARK: D11

  /// D11: a package folder is not written beside a PEM private key (the
  /// signing key above all), by the dry run either: the message names the
  /// key; nothing is written or recorded.
  @Test func d11_aReportBesideAPrivateKeyIsRefused() throws {
    try seeded(filing: false)
    let keys = dir.file("keys")
    try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: false)
    #expect(try run(["keys", "new", "--signing-key", keys + "/k.pem"]).status == 0)
    let stored = bytes(database)
    for more in [["--dry-run"], []] {
      let refused = try run(
        ["report", "--quarter", "2021-Q4", "--out", keys + "/2021-Q4", "--signing-key", keys + "/k.pem"] + more)
      #expect(refused.status != 0, "\(refused.stderr)")
      #expect(
        refused.stderr.contains(
          "--out \(keys)/2021-Q4: its folder holds \(keys)/k.pem (the signing key), which would be handed over"),
        "\(refused.stderr)")
      #expect(listing(keys) == ["k.pem"])
      #expect(bytes(database) == stored)
    }
    // Any PEM private key, hidden or not, signing or not.
    try FileManager.default.moveItem(atPath: keys + "/k.pem", toPath: keys + "/.spare")
    let spare = try run(["report", "--quarter", "2021-Q4", "--out", keys + "/2021-Q4"])
    #expect(spare.status != 0)
    #expect(spare.stderr.contains("its folder holds \(keys)/.spare (a PEM private key)"), "\(spare.stderr)")
    #expect(listing(keys) == [".spare"])
    // The database's own folder, the key's default place, stays a working folder (C12).
    let beside = try run(["report", "--quarter", "2021-Q4", "--out", dir.file("2021-Q4")])
    #expect(beside.status == 0, "\(beside.stderr)")
  }

  /// D11: a folder holding a filing's archive is one holding a package: no key is made there.
  @Test func d11_aKeyBesideAnArchiveIsRefused() throws {
    try seeded(archive: true)
    let handover = dir.file("handover")
    try FileManager.default.createDirectory(atPath: handover, withIntermediateDirectories: false)
    try FileManager.default.copyItem(
      atPath: reports + "/linkaudit-2021-Q4-v1.zip", toPath: handover + "/linkaudit-2021-Q4-v1.zip")
    let refused = try run(["keys", "new", "--signing-key", handover + "/k.pem"])
    #expect(refused.status != 0)
    #expect(
      refused.stderr.contains(
        "--signing-key \(handover)/k.pem lies in \(FileIdentity(handover).canonical), where packages are written and handed over"
      ), "\(refused.stderr)")
    #expect(listing(handover) == ["linkaudit-2021-Q4-v1.zip"])
    // Renamed, it is still a filing's archive (red-team E9): FifthAttackKeyTests.
    try FileManager.default.moveItem(
      atPath: handover + "/linkaudit-2021-Q4-v1.zip", toPath: handover + "/photos.zip")
    #expect(try run(["keys", "new", "--signing-key", handover + "/k.pem"]).status != 0)
  }

  /// D11: refusing the key's default place because the database lies in a
  /// reports folder, keys new does not recommend that default: it says what
  /// to do instead.
  @Test func d11_theRefusalDoesNotRecommendWhatItRefused() throws {
    try FileManager.default.createDirectory(atPath: reports, withIntermediateDirectories: false)
    let db = reports + "/d.db"
    let csv = try PackageFixture.links("seed.csv", PackageFixture.quarterRows, in: dir)
    #expect(try run(["import", "links", csv], database: db).status == 0)
    let before = listing(reports)
    let refused = try run(["keys", "new"], database: db)
    #expect(refused.status != 0)
    #expect(!refused.stderr.contains("keep the key beside the database (the default)"), "\(refused.stderr)")
    #expect(
      refused.stderr.contains("the database lies there too")
        && refused.stderr.contains("give --signing-key a path in a folder of its own")
        && refused.stderr.contains("or move the database"), "\(refused.stderr)")
    #expect(listing(reports) == before)
    // A key put there by hand: report refuses to write the package beside it, and says what to do instead.
    // Made in a folder of its own: one right under the temporary folder is one folder below whatever package
    // another user left there (red-team H9's rule).
    try FileManager.default.createDirectory(atPath: dir.file("own"), withIntermediateDirectories: false)
    #expect(try run(["keys", "new", "--signing-key", dir.file("own/spare.pem")], database: db).status == 0)
    try FileManager.default.moveItem(
      atPath: dir.file("own/spare.pem"), toPath: reports + "/.linkaudit-signing-key.pem")
    let stored = bytes(db)
    let beside = try run(
      ["report", "--quarter", "2021-Q4", "--out", reports + "/2021-Q4", "--dry-run"], database: db)
    #expect(beside.status != 0)
    #expect(
      beside.stderr.contains("(the signing key), which would be handed over")
        && beside.stderr.contains("the database lies there too: move the database")
        && !beside.stderr.contains("beside the database, the default"), "\(beside.stderr)")
    #expect(bytes(db) == stored)
    try FileManager.default.removeItem(atPath: reports + "/.linkaudit-signing-key.pem")
    // What it advises works.
    let own = dir.file("keys")
    try FileManager.default.createDirectory(atPath: own, withIntermediateDirectories: false)
    #expect(try run(["keys", "new", "--signing-key", own + "/k.pem"], database: db).status == 0)
  }
}
