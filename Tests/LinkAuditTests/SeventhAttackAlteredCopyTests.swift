import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the seventh attack's G8: a copy of the held version altered in a
/// file or its signature (the manifest unchanged) is refused as an altered
/// manifest is (F8), by name and with the advice that works, in the dry run
/// too; never written over without a word. A copy that only lacks a file
/// loses nothing: written again, and said. Rows: docs/reliability-round4-galt.md.
extension ThirdAttackPackageTests {
  /// The package's workbook (the first `.xlsx` the folder holds).
  func workbook() throws -> String {
    try #require(listing(folder).first { $0.hasSuffix(".xlsx") })
  }

  /// G8: metrics.csv, a workbook or manifest.sig altered: refused by name (dry run and run), every byte kept,
  /// doctor gives the same advice; moved aside, the filed bytes are written again.
  @Test func g8_anAlteredFileOfTheHeldVersionIsRefusedByNameAndKept() throws {
    try seeded()
    let filed = snapshot(folder)
    let book = try workbook()
    for (name, said) in [
      ("metrics.csv", "metrics.csv: modified since it was written"),
      (book, "\(book): modified since it was written"),
      ("manifest.sig", "manifest.sig: not the filed signature of manifest.json"),
    ] {
      let path = folder + "/" + name
      var altered = try #require(bytes(path))
      altered[altered.count / 2] ^= 0x01
      try altered.write(to: URL(fileURLWithPath: path))
      let before = snapshot(reports)
      for dry in [["--dry-run"], []] {
        let refused = try report(["--out", folder] + dry)
        #expect(refused.status != 0, "\(name) \(dry): \(refused.stdout)")
        #expect(
          refused.stderr.contains(
            "\(folder) holds 2021-Q4 version 1, which this database filed, and is not as filed: \(said)"),
          "\(name) \(dry): \(refused.stderr)")
        #expect(refused.stderr.contains("refusing to write the filed bytes over it"), "\(refused.stderr)")
        #expect(refused.stderr.contains("move \(folder) aside"), "\(refused.stderr)")
        #expect(!refused.stdout.contains("the same bytes"), "\(refused.stdout)")
      }
      #expect(snapshot(reports) == before, "\(name): the altered copy is kept as found")
      let told = try doctor()
      #expect(
        told.stdout.contains("a report into \(folder) refuses to write the filed bytes over it: move \(folder) aside"),
        "\(told.stdout)")
      #expect(
        told.stdout.contains(
          "holds 2021-Q4 version 1 as filed: the one there is altered (named above): move \(folder) aside"),
        "\(told.stdout)")
      #expect(!told.stdout.contains("writes it again only while"), "\(told.stdout)")
      try #require(filed[name]).write(to: URL(fileURLWithPath: path))
    }
    // The advice works: moved aside, the filed bytes are written again; the altered copy stays where it was put.
    let metrics = folder + "/metrics.csv"
    try Data("quarter,figure\n".utf8).write(to: URL(fileURLWithPath: metrics))
    try FileManager.default.moveItem(atPath: folder, toPath: dir.file("aside"))
    let again = try report(["--out", folder])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(snapshot(folder) == filed)
    #expect(bytes(dir.file("aside/metrics.csv")) == Data("quarter,figure\n".utf8))
    #expect(try filings().map(\.version) == [1])
  }

  /// G8: a copy that only lacks a file (or its signature) loses nothing by the filed bytes: written again,
  /// and the dry run and the run say it was not as filed.
  @Test func g8_aCopyLackingAFileIsWrittenAgainAndSaidSo() throws {
    try seeded()
    let filed = snapshot(folder)
    let book = try workbook()
    for name in [book, "manifest.sig"] {
      try FileManager.default.removeItem(atPath: folder + "/" + name)
      let dry = try report(["--out", folder, "--dry-run"])
      #expect(dry.status == 0, "\(dry.stderr)")
      #expect(
        dry.stdout.contains("\(folder) is not as filed (\(name): missing): the filed bytes would be written again"),
        "\(dry.stdout)")
      #expect(dry.stdout.contains("would be the filed version 1"), "\(dry.stdout)")
      #expect(!exists(folder + "/" + name), "a dry run writes nothing")
      let told = try doctor()
      #expect(told.stdout.contains("a report into \(folder) writes the missing files again"), "\(told.stdout)")
      let run = try report(["--out", folder])
      #expect(run.status == 0, "\(run.stderr)")
      #expect(
        (run.stdout + run.stderr).contains(
          "\(folder) was not as filed (\(name): missing): the filed bytes written again"),
        "\(run.stdout)\n\(run.stderr)")
      #expect(snapshot(folder) == filed)
    }
    #expect(try filings().map(\.version) == [1])
    #expect(try run(["verify", folder]).status == 0)
  }

  /// G8: an unaltered copy is written again as before, with no word of alteration.
  @Test func g8_anUnalteredCopyIsWrittenAgainSilently() throws {
    try seeded()
    let filed = snapshot(folder)
    let run = try report(["--out", folder])
    #expect(run.status == 0, "\(run.stderr)")
    #expect((run.stdout + run.stderr).contains("the same bytes written again"), "\(run.stderr)")
    #expect(!(run.stdout + run.stderr).contains("not as filed"), "\(run.stdout)\n\(run.stderr)")
    #expect(snapshot(folder) == filed)
  }
}

extension KeptVersionTests {
  /// G8: the copy is compared again under the folder's lock: one altered between the run's staging and its
  /// install is refused there, every byte kept, and the staged package removed.
  @Test func g8_aCopyAlteredBeforeTheInstallIsNeverWrittenOver() throws {
    let store = try MetricCatalogueTests.loaded()
    let folder = try filings.issue(store, to: "reports/2021-Q4", at: FilingTests.first)
    let db = try store.open()
    defer { db.close() }
    let rerun = try staged(db, to: folder, at: FilingTests.later)
    #expect(rerun.version?.version == 1 && rerun.version?.isNew == false)
    let staging = try #require(rerun.staged)
    let metrics = folder + "/metrics.csv"
    let edited = Data("quarter,figure,value\n2021-Q4,edited,7\n".utf8)
    let refused = #expect(throws: OutputPathError.self) {
      _ = try ReportPackage.install(rerun, quarter: FilingTests.q4, at: folder, database: db) {
        try edited.write(to: URL(fileURLWithPath: metrics))
      }
    }
    #expect(
      refused?.message.contains("\(folder) holds 2021-Q4 version 1, which this database filed, and is not as filed")
        == true, "\(String(describing: refused))")
    #expect(FileManager.default.contents(atPath: metrics) == edited)
    #expect(!FileManager.default.fileExists(atPath: staging))
  }
}
