import Foundation
import LinkAuditCore
import LinkAuditStore
import Testing

@testable import LinkAudit

/// Red-team E3 and E10 (in the filer suite: its quarter, its runs), as a user runs the built binary: text stored under the
/// older ID mask shows only the last four on every output, and a filer.yaml
/// is its values (a comment files nothing new; a forgotten or other filer is named).
extension FilerPackageTests {
  /// Every cell of both workbooks' sheets and of both annexes (the Complaints register is the annex's).
  func cells(_ out: String) throws -> [String] {
    try ["en", "zh"].flatMap { language in
      try ["linkaudit-2021-Q4.\(language).xlsx", "annex.\(language).xlsx"].flatMap { name in
        try XlsxReading.cells(out + "/" + name).values.flatMap { Array($0.values) }
      }
    }
  }

  /// E3: a description, a rejected row's error and a filed reason stored under the older mask (as a
  /// database imported and filed by the build before issue 32 holds them) show no region code.
  @Test func textStoredUnderTheOlderMaskShowsOnlyTheLastFour() throws {
    try imported(rejectedRow: true)
    do {
      let db = try Database(path: database)
      try db.execute("UPDATE complaint_state SET description = 'A 110105 ******** 1234 a' WHERE complaint_id = 'c1'")
      try db.execute(
        "UPDATE rejected_row SET error = 'column description: value \"id １１０１０５********１２３４\" is refused'")
      db.close()
    }
    let (r, out) = try report()
    #expect(r.status == 0, "\(r.stderr)")
    let shown = try cells(out)
    #expect(shown.contains("A ****** ******** 1234 a"), "the description, masked the new way")
    #expect(shown.contains { $0.contains("id **************１２３４") }, "the rejected row's error, masked the new way")
    #expect(!shown.contains { $0.contains("110105") || $0.contains("１１０１０５") }, "no region code on any sheet")

    do {
      let db = try Database(path: database)
      try db.execute("UPDATE filing SET reason = 'caller id 110105-********-123X complained' WHERE version = 1")
      db.close()
    }
    let before = try Data(contentsOf: URL(fileURLWithPath: database))
    let filings = try run(["filings"])
    #expect(filings.status == 0)
    #expect(filings.stdout.contains("caller id ******-********-123X complained"), "\(filings.stdout)")
    #expect(!filings.stdout.contains("110105"))
    #expect(try Data(contentsOf: URL(fileURLWithPath: database)) == before, "filings reads only")
  }

  /// G10: text an older mask stored whole (an x right after the number) is
  /// masked in every file of the package; `query` shows it as stored, as its help says.
  @Test func g10_textAnOlderMaskMissedIsMaskedInThePackage() throws {
    try imported(rejectedRow: true)
    do {
      let db = try Database(path: database)
      try db.execute(
        "UPDATE complaint_state SET description = '联系人13812345678x801 身份证110105199001011234X' WHERE complaint_id = 'c1'"
      )
      db.close()
    }
    let (r, out) = try report()
    #expect(r.status == 0, "\(r.stderr)")
    #expect(try cells(out).contains("联系人138****5678x801 身份证**************1234X"), "the description, masked")
    for (name, texts) in try XlsxReading.texts(ofPackage: out) {
      #expect(!texts.contains { $0.contains("13812345678") || $0.contains("110105199001011234") }, "\(name)")
    }
    let help = try run(["query", "--help"])
    #expect(help.stdout.contains("Text is shown as stored"), "\(help.stdout)")
  }

  /// E10: a comment added to filer.yaml files nothing new; a filer forgotten, or another filer,
  /// is named as such, and nothing is filed.
  @Test func theFilerIsItsValuesNotItsBytes() throws {
    try imported(rejectedRow: true)
    let filer = dir.file("filer.yaml")
    try FilerTests.valid.write(toFile: filer, atomically: false, encoding: .utf8)
    let (first, out) = try report()
    #expect(first.status == 0, "\(first.stderr)")
    try (FilerTests.valid + "# checked by 李四 on 2022-01-10\n").write(toFile: filer, atomically: false, encoding: .utf8)
    let (commented, _) = try report()
    #expect(commented.status == 0, "\(commented.stderr)")
    #expect(!commented.stderr.contains("provenance moved"), "\(commented.stderr)")
    #expect(try run(["filings"]).stdout.split(separator: "\n").count == 2, "still version 1 alone")

    let manifest = try Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))
    try FileManager.default.moveItem(atPath: filer, toPath: dir.file("kept.yaml"))
    let (forgotten, _) = try report()
    #expect(forgotten.status != 0)
    #expect(
      forgotten.stderr.contains("no filer given: version 1 was filed with one (示例网络科技有限公司)"), "\(forgotten.stderr)")
    #expect(!forgotten.stderr.contains("filer (filer.yaml), templates"), "\(forgotten.stderr)")

    try FilerTests.valid.replacingOccurrences(of: "李四", with: "王五").write(
      toFile: filer, atomically: false, encoding: .utf8)
    let (other, _) = try report()
    #expect(other.status != 0)
    #expect(other.stderr.contains("another filer: filer.yaml's values differ from version 1's"), "\(other.stderr)")
    #expect(try run(["filings"]).stdout.split(separator: "\n").count == 2, "nothing filed")
    #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json")) == manifest, "version 1 in place")
  }
}
