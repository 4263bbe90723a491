import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditImport
import LinkAuditStore
import Testing

/// Every issued version of a quarter is recorded; a re-issue with other
/// figures is the next version, says why, and lists what it corrects.
@Suite struct FilingTests {
  static let q4 = Quarter("2021-Q4")!
  static let shanghai = TimeZone(identifier: "Asia/Shanghai")!
  static let templates = ReportPackageTests.templates
  /// 2022-01-10 02:00:00 UTC and a week later: the two times a report is issued.
  static let first = Timestamp(milliseconds: 1_641_780_000_000)
  static let later = Timestamp(milliseconds: 1_642_384_800_000)

  func issue(_ store: TestStore, to name: String, reason: String? = nil, at time: Timestamp) throws -> String {
    let out = store.dir.file(name)
    let db = try store.open()
    defer { db.close() }
    // As `report` does: one read snapshot, a write only for a new version.
    try db.transaction(.deferred) {
      var package = ReportPackage(
        quarter: Self.q4, timeZone: Self.shanghai, languages: [.zh, .en], templates: Self.templates)
      package.filing = .issue(reason: reason, at: time)
      try package.write(database: db, to: out)
    }
    return out
  }

  func ledger(_ store: TestStore) throws -> [Filing] {
    let db = try store.open(.readOnly)
    defer { db.close() }
    return try Filing.all(in: db)
  }

  @Test func aReissueWithOtherFiguresIsTheNextVersionAndSaysWhatItCorrects() throws {
    let store = try MetricCatalogueTests.loaded()
    let v1 = try issue(store, to: "v1", at: Self.first)
    let manifest = try Manifest.read(from: v1)
    #expect(manifest.filing?.version == 1 && manifest.filing?.issuedAt == Self.first.iso)
    #expect(manifest.filing?.reason == nil)
    #expect(try ledger(store).map(\.version) == [1])
    #expect(!FileManager.default.fileExists(atPath: v1 + "/corrections.en.md"))
    // The Cover names the version and when it was issued (Beijing time).
    let cover = try XlsxReading.cells(v1 + "/linkaudit-2021-Q4.zh.xlsx")["封面"] ?? [:]
    #expect(cover.values.contains("第1版") && cover.values.contains("2022-01-10 10:00:00"), "\(cover)")

    // The same figures a week later: the same version, its first date, the same bytes.
    let again = try issue(store, to: "again", at: Self.later)
    for name in try FileManager.default.contentsOfDirectory(atPath: v1) {
      #expect(
        FileManager.default.contents(atPath: v1 + "/" + name)
          == FileManager.default.contents(atPath: again + "/" + name),
        "\(name)")
    }
    #expect(try ledger(store).count == 1)
    // The same version needs no write: it is issued while another process holds the write lock (an import).
    do {
      let writer = try store.open()
      defer { writer.close() }
      try writer.execute("BEGIN IMMEDIATE")
      defer { try? writer.execute("ROLLBACK") }
      _ = try issue(store, to: "during-import", at: Self.later)
    }

    // A late complaint of 2021-11-05 (principle 1): the figures move.
    try store.load([
      (
        .complaints,
        try store.dir.write(
          "late.csv",
          """
          complaint_id,received_at,reporter_id,url,category,channel,description,status,resolved_at,outcome,action_taken,updated_at
          c20,2021-11-05 10:00:00,r9,https://casino.example.com/b,gambling,,,resolved,2021-11-05 12:00:00,not_upheld,,2021-11-05 12:00:00

          """)
      )
    ])
    // Without a reason the re-issue is refused, and nothing is recorded.
    let refused = #expect(throws: ReportError.self) { try issue(store, to: "v2", at: Self.later) }
    #expect(refused?.message.contains("differ from its filed version 1") == true)
    #expect(refused?.message.contains("needs --reason") == true)
    #expect(try ledger(store).count == 1)

    let v2 = try issue(store, to: "v2", reason: "late complaint file", at: Self.later)
    let filed = try ledger(store)
    #expect(filed.map(\.version) == [1, 2])
    #expect(filed[1].reason == "late complaint file" && filed[1].issuedAt == Self.later.iso)
    #expect(filed[1].manifestSHA256 == (try FileHash.sha256(ofFile: v2 + "/manifest.json")))
    // What it corrects, by hand: 8 → 9 complaints in the quarter, 6 → 7 of principle 1; the late batch.
    let en = try String(contentsOfFile: v2 + "/corrections.en.md", encoding: .utf8)
    #expect(en.contains("| `overview.complaints` | Complaints | 8 | 9 |"), "\(en)")
    #expect(en.contains("| `p1.complaints` | Complaints | 6 | 7 |"))
    // A rate as a reader reads it, beside its counts: upheld 3 of 4 decided, then 3 of 5 (c20 not upheld).
    #expect(en.contains("| `p1.upheld_rate` | Upheld rate | 75.00% (3/4) | 60.00% (3/5) |"), "\(en)")
    #expect(en.contains("late.csv"))
    #expect(en.contains("Reason given: late complaint file"))
    #expect(!en.contains("`p2.complaints`"), "an unchanged figure is not listed")
    let zh = try String(contentsOfFile: v2 + "/corrections.zh.md", encoding: .utf8)
    #expect(zh.contains("| `overview.complaints` | 投诉数 | 8 | 9 |"), "\(zh)")
    let sheet = try XlsxReading.cells(v2 + "/linkaudit-2021-Q4.zh.xlsx")["更正说明"] ?? [:]
    #expect(sheet.values.contains("overview.complaints") && sheet.values.contains("late.csv"), "\(sheet)")
    #expect(try Manifest.read(from: v2).files["corrections.zh.md"] != nil)
    // The database's verify writes version 2 again, with its corrections, from the ledger.
    let db = try store.open(.readOnly)
    defer { db.close() }
    #expect(try ReportPackage.verify(directory: v2, database: db, templates: Self.templates) == [])
  }
}
