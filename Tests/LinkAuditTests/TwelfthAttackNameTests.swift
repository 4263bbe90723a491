import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the twelfth attack's L3, L4 and L9 (a, c, d): every name a
/// case-insensitive disk reads as `manifest.json` (`Manifest.json`,
/// `manifeſt.json`, `manıfest.json`) is a manifest to report's claim check
/// and doctor, a folder holding two of them both; verify and report name
/// such a manifest and say what to do; with no --out, a `reports` that is a
/// file is refused with advice that fits. Rows: docs/reliability.md.
extension ThirdAttackPackageTests {
  /// A version 2 of 2021-Q4 filed by this database and then forgotten (the
  /// database restored from the backup taken before it): its package moved
  /// to `to`, out of reports/. Another database's version 2, to this one.
  func forgottenVersion2(to: String) throws {
    try backUp()
    let v2 = try report(["--out", folder, "--lang", "en", "--reason", "v2 handed over"])
    #expect(v2.status == 0, "\(v2.stderr)")
    try restore()
    try FileManager.default.moveItem(atPath: folder, toPath: to)
    try FileManager.default.moveItem(atPath: folder + "-v1", toPath: folder)
  }

  /// L3: a copy of version 1 in reports/handed/ that also holds another
  /// version 2's manifest as `Manifest.json`: report files no second version
  /// 2 (the dry run alike), naming the folder's claim; doctor names the claim
  /// and the copy's extra file; nothing is written or recorded.
  @Test func l3_aSecondManifestInAnotherCaseIsAClaim() throws {
    try seeded()
    let away = TemporaryDirectory()
    try forgottenVersion2(to: away.file("v2"))
    let copy = reports + "/handed/2021-Q4"
    try FileManager.default.createDirectory(atPath: reports + "/handed", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: folder, toPath: copy)
    try FileManager.default.copyItem(atPath: away.file("v2/manifest.json"), toPath: copy + "/Manifest.json")
    let before = snapshot(reports)
    for dry in [["--dry-run"], []] {
      let again = try reportHere(["--lang", "en", "--reason", "again"] + dry)
      #expect(again.status != 0, "\(dry): \(again.stdout)")
      #expect(
        again.stderr.contains(
          "refusing to file 2021-Q4 version 2: \(FileIdentity(copy).canonical) holds 2021-Q4 version 2, which this database's filings do not hold"
        ), "\(dry): \(again.stderr)")
    }
    #expect(try filings().map(\.version) == [1])
    #expect(snapshot(reports) == before)
    let told = try doctorFinds("\(copy): 2021-Q4 version 1 is not as filed, 1 difference(s): Manifest.json: not listed")
    #expect(told.contains("2021-Q4 version 2"), "\(told)")
  }

  /// L4: a copy of version 1 whose manifest is named `manifeſt.json` or
  /// `manıfest.json` (APFS folds ſ to s, NTFS upper-cases ı to I) and whose
  /// metrics.csv is altered: doctor names it as it names `MANIFEST.JSON`
  /// (K6), never "healthy".
  @Test(arguments: ["manifeſt.json", "manıfest.json", "MANIFEſT.JSON"])
  func l4_aManifestNamedByUnicodeCaseIsNamed(_ spelling: String) throws {
    try seeded()
    let copy = reports + "/handed/2021-Q4"
    try alteredCopy(copy)
    try FileManager.default.moveItem(atPath: copy + "/manifest.json", toPath: copy + "/" + spelling)
    try doctorFinds("problem  packages: \(copy): holds 2021-Q4 version 1's manifest as filed, named \(spelling):")
    #expect(!ReportPackage.isManifestName("manifest.jsonx"))
    #expect(!ReportPackage.isManifestName("manifest-json"))
  }

  /// L9 (c, d): verify of a folder holding `MANIFEST.JSON` and report's
  /// refusal of a quarter's folder so named both name the spelling and say
  /// to rename it, as doctor does; nothing is written.
  @Test func l9_aManifestInAnotherCaseIsNamedByVerifyAndReport() throws {
    try seeded()
    try FileManager.default.moveItem(atPath: folder + "/manifest.json", toPath: folder + "/MANIFEST.JSON")
    let before = snapshot(reports)
    let verified = try run(["verify", folder])
    #expect(verified.status != 0)
    #expect(
      verified.stderr.contains(
        "\(folder)/manifest.json: no manifest here: the folder holds MANIFEST.JSON, which a case-insensitive disk (macOS's, Windows') reads as manifest.json and this one does not: rename it manifest.json to check it here"
      ), "\(verified.stderr)")
    let refused = try reportHere(["--dry-run"])
    #expect(refused.status != 0)
    #expect(
      refused.stderr.contains(
        "reports/2021-Q4 (where report writes the quarter when no --out is given) holds files and no linkaudit package (no manifest.json: it holds MANIFEST.JSON, which a case-insensitive disk"
      ), "\(refused.stderr)")
    #expect(snapshot(reports) == before)
  }

  /// L9 (a): with no --out, a `reports` that is a file is refused with
  /// advice for a place the user did not name: move it, or name --out.
  @Test func l9_reportsAFileIsRefusedWithAdviceThatFits() throws {
    try seeded()
    try FileManager.default.removeItem(atPath: reports)
    try Data("x\n".utf8).write(to: URL(fileURLWithPath: reports))
    let refused = try reportHere(["--dry-run"])
    #expect(refused.status != 0)
    #expect(
      refused.stderr.contains(
        "reports/2021-Q4 (where report writes the quarter when no --out is given): reports is a file, not a folder: move it out of the way, or name --out a folder"
      ), "\(refused.stderr)")
    #expect(bytes(reports) == Data("x\n".utf8))
  }
}
