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

  @discardableResult
  func issue(
    _ store: TestStore, to name: String, reason: String? = nil, at time: Timestamp, quarter: Quarter = q4,
    zone: String = "Asia/Shanghai", allowEmpty: Bool = false, dryRun: Bool = false
  ) throws -> String {
    try issued(
      store, to: name, reason: reason, at: time, quarter: quarter, zone: zone, allowEmpty: allowEmpty, dryRun: dryRun
    )
    .path
  }

  func issued(
    _ store: TestStore, to name: String, reason: String? = nil, at time: Timestamp, quarter: Quarter = q4,
    zone: String = "Asia/Shanghai", allowEmpty: Bool = false, dryRun: Bool = false
  ) throws -> (path: String, issued: ReportPackage.Issued) {
    let out = store.dir.file(name)
    let db = try store.open()
    defer { db.close() }
    // As `report` does: one read snapshot, a write only for a new version.
    let issued = try db.transaction(.deferred) {
      var package = ReportPackage(
        quarter: quarter, timeZone: TimeZone(identifier: zone)!, languages: [.zh, .en], templates: Self.templates,
        zoneName: zone)
      package.filing = .issue(reason: reason, at: time, allowEmpty: allowEmpty, dryRun: dryRun)
      return try package.issue(database: db, to: out)
    }
    return (out, issued)
  }

  /// Every file of two package folders, byte for byte.
  func sameBytes(_ a: String, _ b: String) throws -> Bool {
    let fm = FileManager.default
    let names = try fm.contentsOfDirectory(atPath: a).sorted()
    guard names == (try fm.contentsOfDirectory(atPath: b).sorted()) else { return false }
    return names.allSatisfy { fm.contents(atPath: a + "/" + $0) == fm.contents(atPath: b + "/" + $0) }
  }

  /// A link log of 2022-05 only: nothing of 2021-Q4 moves.
  func importUnrelated(_ store: TestStore) throws {
    try store.load([
      (
        .links,
        try store.dir.write(
          "may.csv",
          "event_id,occurred_at,scene,user_id,url,action,reason\nm1,2022-05-03 10:00:00,search,u9,https://a.cn/,open,\n"
        )
      )
    ])
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
    // Version 1 gives no reason, and its summary says none (it said "Reason for this version:" with nothing after it).
    for (language, filed, reason) in [
      ("en", "Filed version 1", "Reason for this version"), ("zh", "报送版本：第1版", "重新报送原因"),
    ] {
      let summary = try String(contentsOfFile: v1 + "/summary.\(language).md", encoding: .utf8)
      #expect(summary.contains(filed) && !summary.contains(reason), "\(language)")
    }

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

  /// A version is one set of bytes (issue 30): the same figures after an
  /// unrelated import are not "version 1 again" with other bytes. The report
  /// is refused and told it is the next version; with a reason it is, and
  /// verify tells the old package's figures are unchanged, its provenance moved.
  @Test func theSameFiguresWithOtherProvenanceAreTheNextVersionNotTheFiledOneAgain() throws {
    let store = try MetricCatalogueTests.loaded()
    let v1 = try issue(store, to: "v1", at: Self.first)
    let v1Manifest = try Data(contentsOf: URL(fileURLWithPath: v1 + "/manifest.json"))
    try importUnrelated(store)
    let refused = #expect(throws: ReportError.self) { try issue(store, to: "again", at: Self.later) }
    #expect(
      refused?.message.contains("figures unchanged; provenance moved (batches imported since: #7)") == true,
      "\(String(describing: refused))")
    #expect(refused?.message.contains("a re-issue is version 2 and needs --reason") == true)
    #expect(!FileManager.default.fileExists(atPath: store.dir.file("again")))
    #expect(try ledger(store).map(\.version) == [1])
    #expect(try Data(contentsOf: URL(fileURLWithPath: v1 + "/manifest.json")) == v1Manifest)

    // verify leads with what happened, and says the package is still the filed version 1.
    let db = try store.open(.readOnly)
    let found = try ReportPackage.examine(directory: v1, database: db, templates: Self.templates)
    db.close()
    #expect(found.lead == "figures unchanged; provenance moved (batches imported since: #7)", "\(found)")
    #expect(found.filed == "the filed version 1", "\(found)")
    #expect(!found.problems.contains { $0.hasPrefix("metric ") }, "\(found.problems)")

    let v2 = try issued(store, to: "v2", reason: "the May log imported", at: Self.later)
    #expect(v2.issued.version?.version == 2 && v2.issued.version?.isNew == true)
    #expect(v2.issued.moved == ["batches imported since: #7"])
    #expect(v2.issued.corrections?.figures == [])
    let en = try String(contentsOfFile: v2.path + "/corrections.en.md", encoding: .utf8)
    #expect(en.contains("No figure changed.") && en.contains("may.csv"), "\(en)")
    // v1 is now superseded; v2 is the filed version 2, and written again it is the same bytes.
    let reader = try store.open(.readOnly)
    let old = try ReportPackage.examine(directory: v1, database: reader, templates: Self.templates)
    #expect(
      old.filed?.hasPrefix("the filed version 1, superseded by version 2") == true, "\(String(describing: old.filed))")
    reader.close()
    let again = try issued(store, to: "v2-again", reason: "the May log imported", at: Self.later)
    #expect(again.issued.version?.isNew == false)
    #expect(try sameBytes(v2.path, again.path))
    #expect(try ledger(store).map(\.version) == [1, 2])
  }

  /// N13: a quarter has one line of versions. Another zone with other figures
  /// is not a second version 1: it is version 2, needs a reason, and keeps the
  /// zone as the user named it (`UTC`, not Foundation's `GMT`).
  @Test func anotherZoneIsTheNextVersionAndKeepsItsName() throws {
    let store = try MetricCatalogueTests.loaded()
    try issue(store, to: "sh", at: Self.first)
    let refused = #expect(throws: ReportError.self) { try issue(store, to: "utc", at: Self.later, zone: "UTC") }
    #expect(refused?.message.contains("needs --reason") == true, "\(String(describing: refused))")
    #expect(try ledger(store).count == 1)
    let utc = try issue(store, to: "utc", reason: "cut in UTC for the auditor", at: Self.later, zone: "UTC")
    let filed = try ledger(store)
    #expect(filed.map(\.version) == [1, 2] && filed.map(\.timeZone) == ["Asia/Shanghai", "UTC"], "\(filed)")
    #expect(try Manifest.read(from: utc).timeZone == "UTC")
    #expect(try Manifest.read(from: utc).filing?.version == 2)
    let db = try store.open(.readOnly)
    defer { db.close() }
    #expect(try ReportPackage.verify(directory: utc, database: db, templates: Self.templates) == [])
  }

  /// N16: a reason for a package that is the filed version's bytes is not
  /// dropped without a word: refused, and the ledger keeps the first. The same
  /// reason again (the same command run twice) is that version again.
  @Test func anotherReasonForTheFiledBytesIsRefusedAndSaid() throws {
    let store = try MetricCatalogueTests.loaded()
    let v1 = try issue(store, to: "v1", reason: "first filing", at: Self.first)
    let refused = #expect(throws: ReportError.self) {
      try issue(store, to: "other", reason: "operator 2: the real reason", at: Self.later)
    }
    #expect(refused?.message.contains("is filed version 1 byte for byte") == true, "\(String(describing: refused))")
    #expect(refused?.message.contains("reason \"first filing\"") == true)
    #expect(refused?.message.contains("\"operator 2: the real reason\" is not recorded") == true)
    #expect(!FileManager.default.fileExists(atPath: store.dir.file("other")))
    let same = try issue(store, to: "same", reason: "first filing", at: Self.later)
    #expect(try sameBytes(v1, same))
    #expect(try ledger(store).map(\.reason) == ["first filing"])
  }

  /// A quarter with no event and no complaint is a mistyped year until said otherwise.
  @Test func anEmptyQuarterIsFiledOnlyWhenAllowed() throws {
    let store = try MetricCatalogueTests.loaded()
    let q = Quarter("2031-Q4")!
    let refused = #expect(throws: ReportError.self) { try issue(store, to: "empty", at: Self.first, quarter: q) }
    #expect(refused?.message.contains("2031-Q4 holds no link event and no complaint") == true)
    #expect(refused?.message.contains("--allow-empty") == true)
    #expect(!FileManager.default.fileExists(atPath: store.dir.file("empty")))
    #expect(try ledger(store).isEmpty)
    try issue(store, to: "empty", at: Self.first, quarter: q, allowEmpty: true)
    #expect(try ledger(store).map(\.quarter) == ["2031-Q4"])
  }

  /// `--dry-run`: the version and its corrections, nothing written where the package goes, nothing recorded.
  @Test func aDryRunShowsTheVersionAndRecordsNothing() throws {
    let store = try MetricCatalogueTests.loaded()
    try issue(store, to: "v1", at: Self.first)
    try importUnrelated(store)
    let before = try store.bytes()
    let shown = try issued(store, to: "v2", at: Self.later, dryRun: true)
    #expect(shown.issued.version?.version == 2 && shown.issued.needsReason)
    #expect(shown.issued.moved == ["batches imported since: #7"])
    #expect(shown.issued.paths.isEmpty)
    #expect(!FileManager.default.fileExists(atPath: shown.path))
    #expect(try ledger(store).count == 1)
    #expect(try store.bytes() == before)
  }

  /// The ledger keeps the signer: a re-run unsigned (the key forgotten) or with
  /// another key is not the filed bytes, and is told which key filed them.
  @Test func aReRunWithAnotherSignerIsToldWhichKeyFiledTheVersion() throws {
    let store = try MetricCatalogueTests.loaded()
    let key = try SigningKey.create(at: store.dir.file("issuer.pem"))
    let db = try store.open()
    defer { db.close() }
    func issue(_ name: String, signed: SigningKey?) throws {
      try db.transaction(.deferred) {
        var package = ReportPackage(
          quarter: Self.q4, timeZone: Self.shanghai, languages: [.en], templates: Self.templates, signingKey: signed)
        package.filing = .issue(reason: nil, at: Self.first)
        try package.write(database: db, to: store.dir.file(name))
      }
    }
    try issue("signed", signed: key)
    #expect(try Filing.all(in: db).map(\.signedBy) == [key.publicKey.fingerprint])
    let refused = #expect(throws: ReportError.self) { try issue("unsigned", signed: nil) }
    #expect(
      refused?.message.contains("signed: unsigned, filed: key \(key.publicKey.fingerprint.prefix(16))…") == true,
      "\(String(describing: refused))")
  }
}

/// B2: the CLI stages the package, commits the ledger, then puts the package
/// in place: until then the folder is untouched, so a kill in between leaves
/// no signed version the ledger does not hold.
@Suite struct StagedInstallTests {
  @Test func aStagedPackageTakesItsFolderOnlyWhenInstalled() throws {
    let store = try MetricCatalogueTests.loaded()
    let db = try store.open()
    defer { db.close() }
    let target = store.dir.file("reports/2021-Q4")
    let issued = try db.transaction(.deferred) { () -> ReportPackage.Issued in
      var package = ReportPackage(
        quarter: FilingTests.q4, timeZone: FilingTests.shanghai, languages: [.en], templates: FilingTests.templates)
      package.filing = .issue(reason: nil, at: FilingTests.first)
      return try package.issue(database: db, to: target, installing: false)
    }
    let staged = try #require(issued.staged)
    #expect(!FileManager.default.fileExists(atPath: target))
    #expect(FileManager.default.fileExists(atPath: staged + "/manifest.json"))
    #expect(try Filing.all(in: db).count == 1)
    try ReportPackage.install(staged, at: target)
    #expect(FileManager.default.fileExists(atPath: target + "/manifest.json"))
    #expect(!FileManager.default.fileExists(atPath: staged))
  }
}

/// A correction of a version filed before an id was retired names what to read instead.
@Suite struct RetiredFigureCorrectionTests {
  @Test func aRetiredIdIsNamedByWhatReplacesItAndARateStaysARate() {
    #expect(Corrections.retired("p2.within_sla_rate")?.id == "pN.within_sla_rate")
    #expect(Corrections.retired("overview.referrals")?.id == "overview.referrals")
    #expect(Corrections.retired("p2.upheld") == nil)
    #expect(Corrections.name(of: "p2.within_sla_rate", in: .en).contains("read pN.due_met_rate"))
    #expect(Corrections.name(of: "overview.referrals", in: .zh).contains("已停用的指标，改读 overview.referrals_received"))
    #expect(Corrections.display("0.5 (1/2)", of: "p3.within_sla_rate", in: .en) == "50.00% (1/2)")
    #expect(Corrections.display("7", of: "overview.referrals", in: .en) == "7")
  }
}

/// B3: a reason holds no invisible character that could split a number past the mask.
@Suite struct ReasonInvisibleCharacterTests {
  @Test func anInvisibleCharacterInAReasonIsRefused() {
    for c in ["\u{200B}", "\u{00AD}", "\u{2060}"] {
      let breach = FilingReason.breach("complainant 138\(c)1234\(c)5678 asked")
      #expect(breach?.contains("invisible characters are not allowed") == true, "\(c)")
    }
    #expect(FilingReason.breach("figures corrected after complaint C-12 was resolved") == nil)
    #expect(FilingReason.breach("更正：投诉 C-12 已办结") == nil)
  }

  /// C6: invisible characters outside the format category (U+034F, variation
  /// selectors, the Hangul fillers: Default_Ignorable_Code_Point) are refused
  /// as the format characters are; a line or paragraph separator as a control character.
  @Test func everyDefaultIgnorableAndLineSeparatorIsRefused() {
    for c in ["\u{034F}", "\u{FE0F}", "\u{FE00}", "\u{E0100}", "\u{180B}", "\u{3164}", "\u{115F}", "\u{FFA0}"] {
      let breach = FilingReason.breach("complainant 138\(c)1234\(c)5678 asked")
      #expect(
        breach
          == "--reason: invisible characters are not allowed (found \(TextRuleBreach.code(c.unicodeScalars.first!)))")
    }
    for c in ["\u{2028}", "\u{2029}"] {
      let breach = FilingReason.breach("complainant 138\(c)1234\(c)5678 asked")
      #expect(
        breach
          == "--reason: control characters or line separators are not allowed (found \(TextRuleBreach.code(c.unicodeScalars.first!)))"
      )
    }
    // Spaces of every width are text, not refused: the mask reads them as spaces.
    #expect(FilingReason.breach("complainant 138\u{2009}1234\u{2009}5678 asked") == nil)
  }
}
