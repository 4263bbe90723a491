import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the eighth attack's H6, H10 and H11: doctor checks every copy of
/// a filed version in sight under a name of its own as verify would (the copy
/// handed over may be the altered one); doctor says what report does with a
/// package folder whose manifest.json is gone; verify takes a package zipped
/// under its folder's name as the package, saying so. Rows: docs/reliability-round5-hdoc.md.
extension ThirdAttackPackageTests {
  /// The issuer's public key, written beside the database.
  func publicKeyFile() throws -> String {
    let key = try run(["keys", "public"])
    #expect(key.status == 0, "\(key.stderr)")
    return try dir.write("pub.pem", key.stdout)
  }

  /// H6: a copy of the filed version 1 in reports/handed/ (and a zip of it) with metrics.csv
  /// altered: doctor names each as not as filed, and says not "healthy"; an unaltered copy
  /// is named by no line; doctor writes nothing.
  @Test func h6_doctorChecksEveryCopyOfAFiledVersionInSight() throws {
    try seeded()
    try FileManager.default.createDirectory(atPath: reports + "/handed", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: reports + "/kept", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: folder, toPath: reports + "/handed/2021-Q4")
    try FileManager.default.copyItem(atPath: folder, toPath: reports + "/kept/2021-Q4")
    let metrics = reports + "/handed/2021-Q4/metrics.csv"
    var altered = try #require(bytes(metrics))
    altered[altered.count - 2] = altered[altered.count - 2] == 0x37 ? 0x38 : 0x37
    try altered.write(to: URL(fileURLWithPath: metrics))
    try shell("zip -q -r ../q4-sent.zip 2021-Q4", in: reports + "/handed")
    try shell("zip -q -r ../q4-kept.zip 2021-Q4", in: reports + "/kept")
    let before = snapshot(reports)
    let told = try doctor()
    #expect(told.status == 1, "\(told.stdout)")
    #expect(!told.stdout.contains("healthy"), "\(told.stdout)")
    for copy in [reports + "/handed/2021-Q4", reports + "/q4-sent.zip"] {
      #expect(
        told.stdout.contains(
          "\(copy): 2021-Q4 version 1 is not as filed, 1 difference(s): metrics.csv: modified since it was written"),
        "\(copy): \(told.stdout)")
    }
    // Unaltered copies, a folder and a zip of it under its folder's name (H11), pass unnamed.
    #expect(!told.stdout.contains(reports + "/kept"), "\(told.stdout)")
    #expect(!told.stdout.contains("q4-kept.zip"), "\(told.stdout)")
    #expect(snapshot(reports) == before, "doctor reads only")
    // The altered copies set aside: healthy again.
    try FileManager.default.removeItem(atPath: reports + "/handed")
    try FileManager.default.removeItem(atPath: reports + "/q4-sent.zip")
    let healthy = try doctor()
    #expect(healthy.status == 0, "\(healthy.stdout)")
    #expect(healthy.stdout.hasSuffix("healthy\n"), "\(healthy.stdout)")
  }

  /// H6: a copy whose listed file is larger than any package file is named without reading it
  /// (size-checked before hashing), by doctor and by verify alike.
  @Test func h6_aHugeFileInACopyIsNamedWithoutHashing() throws {
    try seeded()
    try FileManager.default.createDirectory(atPath: reports + "/handed", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: folder, toPath: reports + "/handed/2021-Q4")
    // Sparse: 600 MiB said, nothing written.
    try shell("truncate -s 600M metrics.csv", in: reports + "/handed/2021-Q4")
    let said =
      "metrics.csv: modified since it was written (629,145,600 bytes, more than a package file holds: not hashed)"
    let told = try doctor()
    #expect(
      told.stdout.contains("\(reports)/handed/2021-Q4: 2021-Q4 version 1 is not as filed, 1 difference(s): \(said)"),
      "\(told.stdout)")
    let verified = try run(["verify", reports + "/handed/2021-Q4", "--public-key", try publicKeyFile()])
    #expect(verified.status == 1)
    #expect(verified.stderr.contains(said), "\(verified.stderr)")
  }

  /// H6: a tar.gz copy of a filed version is named as not checked file by file (no reader of its files here).
  @Test func h6_aTarCopyOfAFiledVersionIsNamedAsNotChecked() throws {
    try seeded()
    try shell("tar czf q4-sent.tgz 2021-Q4", in: reports)
    let told = try doctor()
    #expect(
      told.stdout.contains(
        "\(reports)/q4-sent.tgz: holds 2021-Q4 version 1's manifest as filed, but its files are not checked"),
      "\(told.stdout)")
  }

  /// H10: the filed package folder without its manifest.json: doctor names the folder and says that
  /// report refuses to write there (as report does), not that report writes it again.
  @Test func h10_doctorSaysReportRefusesAFolderWithoutItsManifest() throws {
    try seeded()
    try FileManager.default.removeItem(atPath: folder + "/manifest.json")
    let before = snapshot(reports)
    let told = try doctor()
    #expect(
      told.stdout.contains(
        "holds 2021-Q4 version 1 as filed: \(folder) holds files but no manifest.json (a package's, its manifest gone?): report refuses to write there"
      ), "\(told.stdout)")
    #expect(told.stdout.contains("move \(folder) aside"), "\(told.stdout)")
    #expect(!told.stdout.contains("writes it again only while"), "\(told.stdout)")
    #expect(snapshot(reports) == before, "doctor reads only")
    let refused = try report(["--out", folder])
    #expect(refused.status != 0)
    #expect(refused.stderr.contains("holds files and no linkaudit package (no manifest.json)"), "\(refused.stderr)")
    // The advice works: moved aside, report writes the filed bytes and doctor is content.
    try FileManager.default.moveItem(atPath: folder, toPath: dir.file("aside"))
    let again = try report(["--out", folder])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(try doctor().stdout.hasSuffix("healthy\n"))
  }

  /// H10: a file where the quarter's folder was: doctor quotes report's own refusal, not a folder's.
  @Test func h10_aFileInTheFoldersPlaceIsQuotedAsReportRefusesIt() throws {
    try seeded()
    try FileManager.default.moveItem(atPath: folder, toPath: dir.file("aside"))
    try Data("hi\n".utf8).write(to: URL(fileURLWithPath: folder))
    let told = try doctor()
    #expect(
      told.stdout.contains(
        "\(folder): a report of 2021-Q4 version 1 into it is refused: --out \(folder) is a file, not a report folder"),
      "\(told.stdout)")
    #expect(!told.stdout.contains("no manifest.json"), "\(told.stdout)")
    #expect(!told.stdout.contains("writes it again only while"), "\(told.stdout)")
  }

  /// H11: the filed package zipped under its folder's name (`zip -r q4.zip 2021-Q4`) verifies, with a
  /// note of the folder's name; altered, or with a file added, it still fails by name.
  @Test func h11_aPackageZippedUnderItsFoldersNameVerifies() throws {
    try seeded()
    let key = try publicKeyFile()
    try shell("zip -q -r ../q4.zip 2021-Q4", in: reports)
    for check in [["--public-key", key], []] {
      let verified = try run(["verify", dir.file("q4.zip")] + check)
      #expect(verified.status == 0, "\(check): \(verified.stderr)")
      #expect(verified.stdout.contains("verified 2021-Q4"), "\(verified.stdout)")
      #expect(verified.stderr.contains("packed as 2021-Q4/, not linkaudit-2021-Q4-v1/"), "\(verified.stderr)")
    }
    // Under the tool's own archive name in reports/, doctor says report --archive refuses while it is there.
    try shell("zip -q -r linkaudit-2021-Q4-v1.zip 2021-Q4", in: reports)
    let told = try doctor()
    #expect(
      told.stdout.contains(
        "\(reports)/linkaudit-2021-Q4-v1.zip: 2021-Q4 version 1, every file as filed, packed as 2021-Q4/, not linkaudit-2021-Q4-v1/"
      ), "\(told.stdout)")
    let archived = try report(["--out", folder, "--archive"])
    #expect(archived.status != 0)
    #expect(archived.stderr.contains("is there already with other content"), "\(archived.stderr)")
    try FileManager.default.removeItem(atPath: reports + "/linkaudit-2021-Q4-v1.zip")
    // Every other check still applies: an altered file, a file added.
    try FileManager.default.createDirectory(atPath: dir.file("alt"), withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: folder, toPath: dir.file("alt/2021-Q4"))
    try Data("quarter,figure\n".utf8).write(to: URL(fileURLWithPath: dir.file("alt/2021-Q4/metrics.csv")))
    try Data("note\n".utf8).write(to: URL(fileURLWithPath: dir.file("alt/2021-Q4/notes.md")))
    try shell("zip -q -r ../alt.zip 2021-Q4", in: dir.file("alt"))
    let failed = try run(["verify", dir.file("alt.zip"), "--public-key", key])
    #expect(failed.status == 1)
    #expect(failed.stderr.contains("metrics.csv: modified since it was written"), "\(failed.stderr)")
    #expect(failed.stderr.contains("notes.md: not listed in the manifest"), "\(failed.stderr)")
    #expect(failed.stderr.contains("packed as 2021-Q4/"), "\(failed.stderr)")
    // A folder named for another version: no part of the package either, said plainly (red-team I8), and the
    // verdict names the version held; --filed-version is what holds a package to a version.
    try FileManager.default.createDirectory(atPath: dir.file("v2name"), withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: folder, toPath: dir.file("v2name/linkaudit-2021-Q4-v2"))
    try shell("zip -q -r ../v2name.zip linkaudit-2021-Q4-v2", in: dir.file("v2name"))
    let lying = try run(["verify", dir.file("v2name.zip"), "--public-key", key])
    #expect(lying.status == 0, "\(lying.stderr)")
    #expect(lying.stdout.contains("verified 2021-Q4"), "\(lying.stdout)")
    #expect(
      lying.stderr.contains(
        "packed as linkaudit-2021-Q4-v2/, not linkaudit-2021-Q4-v1/, named like 2021-Q4 version 2, but holds 2021-Q4 version 1"
      ), "\(lying.stderr)")
    let held = try run(["verify", dir.file("v2name.zip"), "--public-key", key, "--filed-version", "2"])
    #expect(held.status == 1, "\(held.stderr)")
  }
}
