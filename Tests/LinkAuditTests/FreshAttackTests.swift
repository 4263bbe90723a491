import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditQuery
import LinkAuditStore
import Testing

/// Issue 30: the fresh attack on the round's own changes (its findings A1-A23),
/// the ones about outputs, messages and personal data, through the built binary.
@Suite struct FreshAttackTests {
  let dir = TemporaryDirectory()
  var database: String { dir.file("f.db") }
  var key: [String] { ["--key-file", dir.file("f.key")] }

  func run(_ arguments: [String]) throws -> LinkauditBinary.Run {
    try LinkauditBinary.run(arguments, database: database)
  }

  static let header = "event_id,occurred_at,scene,user_id,url,action,reason\n"
  static let complaintHeader =
    "complaint_id,received_at,reporter_id,url,category,channel,description,status,resolved_at,outcome,action_taken,updated_at\n"

  func links(_ name: String, _ rows: [String]) throws -> String {
    try dir.write(name, Self.header + rows.joined(separator: "\n") + "\n")
  }

  func row(_ i: Int) -> String { "e\(i),2021-10-01 10:00:00,group_chat,user\(i),https://item.taobao.com/\(i),open," }

  func seeded() throws {
    let result = try run(["import", "links", try links("seed.csv", (0..<5).map { row($0) })] + key)
    #expect(result.status == 0, "\(result.stderr)")
  }

  func complaint(_ id: String, url: String = "https://jd.com/p", action: String = "warn_url") -> String {
    "\(id),2021-11-03T10:00:00+08:00,r1,\(url),fraud,hotline,x,resolved,2021-11-04T10:00:00+08:00,upheld,\(action),"
  }

  /// A2: no output of any command lands in an inbox's folders.
  @Test func a2_noOutputLandsInAnInbox() throws {
    try seeded()
    try dir.write("inbox/links/l.csv", Self.header + row(7) + "\n")
    try FileManager.default.createDirectory(atPath: dir.file("inbox/complaints"), withIntermediateDirectories: true)
    let bad = try links("bad.csv", ["b1,2021-10-01 10:00:00,grup_chat,u1,https://a.cn/,open,"])
    for arguments in [
      ["query", "SELECT 1", "--out", dir.file("inbox/links/top.csv")],
      ["import", "links", bad, "--reject-file", dir.file("inbox/links/bad.rejected.csv")] + key,
      ["report", "--quarter", "2021-Q4", "--out", dir.file("inbox/complaints")],
    ] {
      let result = try run(arguments)
      #expect(result.status != 0, "\(arguments)")
      #expect(result.stderr.contains("would be imported next time"), "\(arguments): \(result.stderr)")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("inbox/links")) == ["l.csv"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("inbox/complaints")).isEmpty)
  }

  /// A4: numbers written the way URLs encode them are masked too.
  @Test func a4_urlEncodedPhoneAndIDNumbersAreMasked() throws {
    #expect(PersonalNumberMask.maskURL("https://a.cn/?tel=%2B8613912345678") == "https://a.cn/?tel=+86139****5678")
    #expect(PersonalNumberMask.maskURL("https://a.cn/u?mobile=139+1234+5678") == "https://a.cn/u?mobile=139 **** 5678")
    #expect(PersonalNumberMask.maskURL("https://a.cn/u?m=139%201234%205678") == "https://a.cn/u?m=139 **** 5678")
    #expect(
      PersonalNumberMask.maskURL("https://a.cn/u?sfz=110105%2019900101%201234")
        == "https://a.cn/u?sfz=****** ******** 1234")
    #expect(PersonalNumberMask.maskURL("https://a.cn/?tel=8613912345678") == "https://a.cn/?tel=86139****5678")
    // Nothing to mask: the URL as written, escapes and all.
    #expect(PersonalNumberMask.maskURL("https://a.cn/a%20b?q=1+2") == "https://a.cn/a%20b?q=1+2")
    try seeded()
    let file = try dir.write(
      "pn.csv",
      Self.complaintHeader
        + [
          complaint("pn1", url: "https://item.taobao.com/item?tel=%2B8613912345678", action: "block_url"),
          complaint("pn2", url: "https://item.jd.com/u?mobile=139+1234+5678", action: "block_url"),
          complaint("pn3", url: "https://item.jd.com/u?sfz=110105%2019900101%201234", action: "block_url"),
        ].joined(separator: "\n") + "\n")
    let imported = try run(["import", "complaints", file] + key)
    #expect(imported.status == 0, "\(imported.stderr)")
    let out = dir.file("pkg")
    #expect(try run(["report", "--quarter", "2021-Q4", "--out", out]).status == 0)
    let decisions = try String(contentsOfFile: out + "/decisions.csv", encoding: .utf8)
    for secret in ["8613912345678", "139+1234+5678", "1234+5678", "19900101%201234"] {
      #expect(!decisions.contains(secret), "\(secret): \(decisions)")
      #expect(!(try String(contentsOfFile: out + "/summary.en.md", encoding: .utf8)).contains(secret))
    }
  }

  /// A5: an id carrying a number, whatever is joined to it, is refused.
  @Test func a5_complaintIDsCarryingANumberWithASuffixAreRefused() throws {
    #expect(PersonalNumberMask.carriesPersonalNumber("13812345678-01"))
    #expect(PersonalNumberMask.carriesPersonalNumber("13812345678a"))
    #expect(PersonalNumberMask.carriesPersonalNumber("110105199001011234-2"))
    #expect(PersonalNumberMask.carriesPersonalNumber("T-11010519900101123X"))
    #expect(!PersonalNumberMask.carriesPersonalNumber("C2021-000123"))
    #expect(!PersonalNumberMask.carriesPersonalNumber("1234567890123456789012"))  // an order number's run of 22
    for id in ["13812345678-01", "13812345678a", "110105199001011234-2"] {
      let file = try dir.write("c-\(id).csv", Self.complaintHeader + complaint(id) + "\n")
      let result = try run(["import", "complaints", file] + key)
      #expect(result.status != 0 && result.stderr.contains("column complaint_id"), "\(id): \(result.stderr)")
    }
  }

  /// A6: a reject file leaves out what the contract does not know and what is not a plain value.
  @Test func a6_rejectFilesLeaveOutUnknownColumnsAndNestedValues() throws {
    let csv = try dir.write(
      "uc.csv",
      "event_id,occurred_at,scene,user_id,url,action,reason,phone,nickname\n"
        + "u1,2021-10-01 10:00:00,grup_chat,wx_1,https://a.cn/,open,,13812345678,Alice Wang\n")
    let jsonl = try dir.write(
      "nested.jsonl",
      #"{"event_id":"j1","occurred_at":"2021-10-01 10:00:00","scene":{"user":"wx_alice_secret"},"user_id":"u","url":"https://a.cn/","action":"open","openid":"oX9_secret"}"#
        + "\n")
    try FileManager.default.createDirectory(atPath: dir.file("rejects"), withIntermediateDirectories: true)
    let result = try run(["import", "links", csv, jsonl, "--reject-file", dir.file("rejects")] + key)
    #expect(result.status == 0, "\(result.stderr)")
    let text = try FileManager.default.contentsOfDirectory(atPath: dir.file("rejects")).map {
      try String(contentsOfFile: dir.file("rejects/" + $0), encoding: .utf8)
    }.joined()
    for secret in ["13812345678", "Alice Wang", "wx_alice_secret", "oX9_secret"] {
      #expect(!text.contains(secret), "\(secret) in \(text)")
    }
    #expect(text.contains("field(s) outside the data contract left out"), "\(text)")
    #expect(text.contains("scene, user_id withheld") || text.contains("scene withheld"), "\(text)")
  }

  /// A11: a model's name may hold no invisible character (it would print as a shipped name).
  @Test func a11_aModelNameWithAnInvisibleCharacterIsRefused() throws {
    let shipped = LinkauditBinary.packageRoot.appendingPathComponent("templates/rating-model.yaml").path
    let text = try String(contentsOfFile: shipped, encoding: .utf8)
    let model = try dir.write(
      "m.yaml",
      text.replacingOccurrences(of: "name: linkaudit-default-2026", with: "name: linkaudit-default-2026\u{200B}"))
    let error = try #require(throws: ReportError.self) { try RatingModel.load(path: model) }
    #expect(error.message.contains("invisible"), "\(error.message)")
  }

  /// A13: a table holds no huge value for its first rows.
  @Test func a13_aTableCutsHugeValues() throws {
    // What the table holds of its first rows, not only what it prints.
    guard case .text(let held) = TableSink.shortened(.blob([UInt8](repeating: 0, count: 40_000_000))) else {
      Issue.record("a blob is held as its shortened text")
      return
    }
    #expect(held.utf8.count < 5_000 && held.hasSuffix("40,000,000 bytes; --format csv shows it whole]"))
    guard case .text(let text) = TableSink.shortened(.text(String(repeating: "x", count: 1_000_000))) else { return }
    #expect(text.utf8.count < 5_000)
    try seeded()
    let result = try run(["query", "--format", "table", "SELECT zeroblob(40000000) AS z, 1 AS n"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.utf8.count < 20_000, "\(result.stdout.utf8.count) bytes")
  }

  /// A17: a file name's control or bidirectional characters are stored escaped.
  @Test func a17_aFileNameIsStoredAsOutputsMayShowIt() throws {
    let file = try links("gnp\u{202E}.csv", [row(1)])
    #expect(try run(["import", "links", file] + key).status == 0)
    let db = try Database(path: database, mode: .readOnly)
    defer { db.close() }
    let name = try db.scalar("SELECT file_name FROM batch WHERE kind = 'links'").text ?? ""
    #expect(name == "gnp\\u{202E}.csv", "\(name)")
  }

  /// A18: UTF-32, and UTF-16 behind a UTF-8 mark, are named.
  @Test func a18_utf32AndUTF16BehindAUTF8MarkAreNamed() throws {
    let text = Self.header + row(1) + "\n"
    let u32 = dir.file("u32.csv")
    var data = Data([0xFF, 0xFE, 0, 0])
    data.append(text.data(using: .utf32LittleEndian)!)
    try data.write(to: URL(fileURLWithPath: u32))
    let behind = dir.file("behind.csv")
    var d2 = Data([0xEF, 0xBB, 0xBF, 0xFF, 0xFE])
    d2.append(text.data(using: .utf16LittleEndian)!)
    try d2.write(to: URL(fileURLWithPath: behind))
    for (file, what) in [(u32, "UTF-32 (little-endian)"), (behind, "UTF-16 (little-endian, with a byte-order mark)")] {
      let result = try run(["import", "links", file] + key)
      #expect(result.status != 0 && result.stderr.contains("the file is \(what)"), "\(result.stderr)")
    }
  }

  /// A19: only a web address is shown from the url column.
  @Test func a19_aURLColumnShowsOnlyWebAddresses() throws {
    let file = try links("m.csv", ["m1,2021-10-01 10:00:00,group_chat,u1,mailto:alice.wang@corp.cn,open,"])
    let rejects = dir.file("m.rejected.csv")
    let result = try run(["import", "links", file, "--reject-file", rejects] + key)
    #expect(result.status == 0, "\(result.stderr)")
    let rejected = try String(contentsOfFile: rejects, encoding: .utf8)
    let stored = try run(["query", "SELECT group_concat(error) FROM rejected_row"])
    for place in [result.stderr, rejected, stored.stdout] { #expect(!place.contains("alice.wang"), "\(place)") }
    #expect(stored.stdout.contains("column url: value not shown"), "\(stored.stdout)")
  }
}

/// The second attack (B findings), on the package: what this session mended.
@Suite struct SecondAttackTests {
  let dir = TemporaryDirectory()
  var database: String { dir.file("b.db") }

  func run(_ arguments: [String]) throws -> LinkauditBinary.Run {
    try LinkauditBinary.run(arguments, database: database)
  }

  /// B1: an archive name taken by other bytes refuses the report before the
  /// folder is replaced, and nothing is filed.
  @Test func b1_aTakenArchiveNameRefusesTheReportWithTheFolderUntouched() throws {
    let inbox = dir.file("inbox")
    #expect(try run(["demo", inbox, "--events", "8000", "--seed", "3"]).status == 0)
    #expect(try run(["import", "inbox", inbox, "--key-file", dir.file("b.key")]).status == 0)
    let out = dir.file("reports/2021-Q4")
    try dir.write("reports/linkaudit-2021-Q4-v1.zip", "junk")
    let refused = try run(["report", "--quarter", "2021-Q4", "--out", out, "--archive"])
    #expect(refused.status != 0, "\(refused.stderr)")
    #expect(!FileManager.default.fileExists(atPath: out), "the package folder was written")
    #expect(try String(contentsOfFile: dir.file("reports/linkaudit-2021-Q4-v1.zip"), encoding: .utf8) == "junk")
    #expect(try run(["filings"]).stdout.contains("no report issued yet"))
    // With the name free, the package and its archive are written and filed.
    try FileManager.default.removeItem(atPath: dir.file("reports/linkaudit-2021-Q4-v1.zip"))
    let issued = try run(["report", "--quarter", "2021-Q4", "--out", out, "--archive"])
    #expect(issued.status == 0, "\(issued.stderr)")
    #expect(FileManager.default.fileExists(atPath: dir.file("reports/linkaudit-2021-Q4-v1.zip")))
    #expect(try run(["verify", dir.file("reports/linkaudit-2021-Q4-v1.zip")]).status == 0)
  }

  /// B6: a folder named like a killed report's staging folder, holding what a
  /// report never writes, is left alone; a real leftover is still removed.
  @Test func b6_onlyWhatAReportCouldHaveLeftIsCleanedAway() throws {
    let inbox = dir.file("inbox")
    #expect(try run(["demo", inbox, "--events", "8000", "--seed", "3"]).status == 0)
    #expect(try run(["import", "inbox", inbox, "--key-file", dir.file("b.key")]).status == 0)
    let mine = try dir.write("reports/.2021-Q4.previous-999999/notes.txt", "precious")
    try dir.write("reports/.2021-Q4.previous-999999/sub/keep.md", "kept")
    try dir.write("reports/.2021-Q4.writing-999998-0badf00d/metrics.csv", "metric_id\n")
    let report = try run(["report", "--quarter", "2021-Q4", "--out", dir.file("reports/2021-Q4")])
    #expect(report.status == 0, "\(report.stderr)")
    #expect(try String(contentsOfFile: mine, encoding: .utf8) == "precious")
    #expect(!FileManager.default.fileExists(atPath: dir.file("reports/.2021-Q4.writing-999998-0badf00d")))
  }

  /// B7: a dry run on a database that does not exist creates none.
  @Test func b7_aDryRunCreatesNoDatabase() throws {
    let result = try run(["report", "--dry-run", "--quarter", "2021-Q4", "--db", dir.file("missing.db")])
    #expect(result.status != 0 && result.stderr.contains("no database at"), "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.file("missing.db")))
  }

  /// B12: `--out` naming another quarter's package folder never replaces it.
  @Test func b12_anotherQuartersPackageIsNeverReplaced() throws {
    let inbox = dir.file("inbox")
    #expect(try run(["demo", inbox, "--events", "8000", "--seed", "3"]).status == 0)
    #expect(try run(["import", "inbox", inbox, "--key-file", dir.file("b.key")]).status == 0)
    let out = dir.file("reports/2021-Q4")
    #expect(try run(["report", "--quarter", "2021-Q4", "--out", out]).status == 0)
    let manifest = try Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))
    let other = try run(["report", "--quarter", "2022-Q1", "--out", out])
    #expect(other.status != 0)
    #expect(other.stderr.contains("holds the package of 2021-Q4"), "\(other.stderr)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json")) == manifest)
    #expect(try run(["verify", out]).status == 0)
  }
}
