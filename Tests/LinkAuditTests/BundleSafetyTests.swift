import Foundation
import Testing

/// Issue 30, the warehouse path through the built binary: `export reference`
/// writes only where it owns the folder; `import rollups` says what it needs.
extension SafetyTests {
  /// Every file under `folder`, by relative name, with its bytes (the
  /// database's journal files aside: SQLite keeps them for a reader too).
  func tree(_ folder: String) -> [String: Data] {
    var out: [String: Data] = [:]
    for name in FileManager.default.subpaths(atPath: folder) ?? [] where !name.hasPrefix("s.db-") {
      let path = (folder as NSString).appendingPathComponent(name)
      out[name] = FileManager.default.contents(atPath: path) ?? Data()
    }
    return out
  }

  @Test func findingN8andN17_exportReferenceRefusesAnInboxAPackageAndALink() throws {
    try seeded()
    try dir.write("inbox/links/l.csv", Self.header + row(1) + "\n")
    try dir.write("inbox/complaints/c.csv", "complaint_id\n")
    let package = dir.file("pkg")
    let report = try run(["report", "--quarter", "2021-Q4", "--out", package])
    #expect(report.status == 0, "\(report.stderr)")
    try dir.write("victim.txt", "precious\n")
    try FileManager.default.createDirectory(atPath: dir.file("linked"), withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: dir.file("linked/segments.csv"), withDestinationPath: dir.file("victim.txt"))
    let before = tree(dir.path)
    for (folder, expected) in [
      ("inbox", "is an inbox"), ("inbox/complaints", "is in an inbox's complaints/ folder"),
      ("inbox/links/ref", "is in an inbox's links/ folder"), ("pkg", "holds a linkaudit report package"),
      ("linked", "holds segments.csv as a link"),
    ] {
      let result = try run(["export", "reference", dir.file(folder), "--quarter", "2021-Q4"])
      #expect(result.status != 0, "\(folder)")
      #expect(result.stderr.contains(expected), "\(folder): \(result.stderr)")
      #expect(result.stderr.split(separator: "\n").count == 1, "\(folder): \(result.stderr)")
    }
    #expect(tree(dir.path) == before)
    let ok = try run(["export", "reference", dir.file("ref"), "--quarter", "2021-Q4"])
    #expect(ok.status == 0, "\(ok.stderr)")
    let again = try run(["export", "reference", dir.file("ref"), "--quarter", "2021-Q4"])
    #expect(again.status == 0, "\(again.stderr)")
  }

  @Test func findingN2andN4_importRollupsOptionsAreChecked() throws {
    for (option, expected) in [
      (["--replace-newer", "2021Q4"], "--replace-newer \"2021Q4\" is not a quarter"),
      (["--max-events", "0"], "--max-events must be a positive number"),
      (["--max-events", "99999999999999999999"], "max-events"),
    ] {
      let result = try run(["import", "rollups", dir.file("bundle")] + option + key)
      #expect(result.status != 0)
      #expect(result.stderr.contains(expected), "\(option): \(result.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: database))
  }
}
