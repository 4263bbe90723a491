import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the seventh attack's output-path finding (red-team G1): one
/// rule every output path passes (`OutputPlacement`). No command but report
/// writes a file inside a package folder, at any depth; no output replaces a
/// file that holds a package (an archive, told by its name or its content);
/// import makes no database or pseudonym key inside a package, and no
/// pseudonym key where packages are handed over. Each refusal names the path
/// and why, and leaves every byte as it was. Through the built binary.
/// Rows: docs/reliability-round4-gout.md.
@Suite struct SeventhAttackOutputTests: BinaryQuarterSuite {
  let dir = TemporaryDirectory()
  var database: String { dir.file("p.db") }
  var reports: String { dir.file("reports") }
  var folder: String { reports + "/2021-Q4" }
  var archive: String { reports + "/linkaudit-2021-Q4-v1.zip" }

  func run(_ arguments: [String]) throws -> LinkauditBinary.Run {
    try LinkauditBinary.run(arguments, database: database)
  }

  /// Every file under `path`, by its path under it, with its bytes.
  func snapshot(_ path: String) -> [String: Data] {
    var files: [String: Data] = [:]
    let walker = FileManager.default.enumerator(atPath: path)
    // SQLite's -wal and -shm, which opening the database makes, aside: the database's own bytes are compared.
    while let name = walker?.nextObject() as? String {
      if name.hasSuffix("-wal") || name.hasSuffix("-shm") { continue }
      files[name] = bytes((path as NSString).appendingPathComponent(name)) ?? Data()
    }
    return files
  }

  /// A refusal: not run, its message on stderr, nothing under reports/ or in the database changed.
  func expectRefused(_ arguments: [String], saying words: [String]) throws {
    let before = snapshot(dir.path)
    let result = try run(arguments)
    #expect(result.status != 0, "\(arguments): \(result.stdout)")
    for w in words { #expect(result.stderr.contains(w), "\(arguments): \(result.stderr)") }
    #expect(snapshot(dir.path) == before, "\(arguments): something was written")
  }

  /// G1: query --out over a package's files (metrics.csv, a workbook,
  /// manifest.sig) or a new file inside the package, over the filed archive
  /// and over a copy of it under another name: refused, every byte kept,
  /// no partial file left. Another path is written as before.
  @Test func g1_queryOutNeverWritesIntoAPackageOrOverAnArchive() throws {
    try seeded(archive: true)
    try FileManager.default.copyItem(atPath: archive, toPath: reports + "/handed-over.zip")
    let workbook = try #require(listing(folder).first { $0.hasSuffix(".xlsx") })
    for name in ["metrics.csv", workbook, "manifest.sig", "notes.csv"] {
      try expectRefused(
        ["query", "--format", "csv", "--out", folder + "/" + name, "SELECT 1 AS x"],
        saying: ["--out \(folder)/\(name) lies inside the report package", "2021-Q4", "would make it fail verify"])
    }
    try expectRefused(
      ["query", "--format", "xlsx", "--out", folder + "/" + workbook, "SELECT 1 AS x"],
      saying: ["lies inside the report package"])
    try expectRefused(
      ["query", "--format", "csv", "--out", archive, "SELECT 1 AS x"],
      saying: ["--out \(archive) is named as a filing's archive: an archive handed over is never replaced"])
    try expectRefused(
      ["query", "--format", "csv", "--out", reports + "/handed-over.zip", "SELECT 1 AS x"],
      saying: [
        "--out \(reports)/handed-over.zip is a report package's archive (2021-Q4",
        "an archive handed over is never replaced",
      ])
    #expect(try run(["verify", folder]).status == 0)
    let elsewhere = try run(["query", "--format", "csv", "--out", reports + "/answer.csv", "SELECT 1 AS x"])
    #expect(elsewhere.status == 0, "\(elsewhere.stderr)")
    #expect(FileManager.default.fileExists(atPath: reports + "/answer.csv"))
  }

  /// G1: import --reject-file naming a package folder (or a file in one),
  /// --db inside a package (it would make the database and its pseudonym
  /// key there), --key-file beside the packages: refused before the
  /// database is opened, nothing made.
  @Test func g1_importMakesNothingInAPackageNorAKeyBesidePackages() throws {
    try seeded()
    let csv = try PackageFixture.links("more.csv", PackageFixture.quarterRows, in: dir)
    try expectRefused(
      ["import", "links", csv, "--reject-file", folder],
      saying: ["--reject-file \(folder) is the report package", "only linkaudit report writes there"])
    try expectRefused(
      ["import", "links", csv, "--reject-file", folder + "/rejected.csv"],
      saying: ["--reject-file \(folder)/rejected.csv lies inside the report package"])
    try expectRefused(
      ["import", "links", csv, "--db", folder + "/n.db"],
      saying: [
        "--db \(folder)/n.db lies inside the report package",
        "keep the database in a folder of its own, outside any package",
      ])
    try expectRefused(
      ["import", "links", csv, "--db", dir.file("n2.db"), "--key-file", reports + "/pseudo.key"],
      saying: [
        "--key-file \(reports)/pseudo.key: no pseudonym key is made in", "where packages are written and handed over",
        "keep the key beside the database (the default)",
      ])
    try expectRefused(
      ["import", "links", csv, "--db", reports + "/n3.db"],
      saying: ["no pseudonym key is made in", "the database lies there too"])
    #expect(try run(["verify", folder]).status == 0)
    // Outside the packages' folders, as before.
    let made = try run(["import", "links", csv, "--db", dir.file("n4.db")])
    #expect(made.status == 0, "\(made.stderr)")
  }

  /// G1: a new folder inside a package is no place for a reference or a demo inbox.
  @Test func g1_noNewFolderInsideAPackage() throws {
    try seeded()
    try expectRefused(
      ["export", "reference", folder + "/ref", "--quarter", "2021-Q4"],
      saying: ["FOLDER \(folder)/ref lies inside the report package"])
    try expectRefused(
      ["demo", folder + "/inbox", "--events", "10"], saying: ["DIR \(folder)/inbox lies inside the report package"])
  }
}
