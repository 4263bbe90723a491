import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditQuery
import LinkAuditStore
import LinkAuditXlsx
import Testing

/// Issue 30: the red team's old findings that still reproduced on 0ed252e
/// (S1, W7, C7, P2, P3, P5, K1, K2, K4) and the new ones about what the
/// package and the notices show (N11, N12, N19), through the built binary.
/// Each test names its finding (docs/reliability.md lists them all).
@Suite struct RedTeamOldFindingsTests {
  let dir = TemporaryDirectory()
  var database: String { dir.file("r.db") }
  var key: [String] { ["--key-file", dir.file("r.key")] }

  func run(_ arguments: [String], in folder: URL = LinkauditBinary.packageRoot) throws -> LinkauditBinary.Run {
    try LinkauditBinary.run(arguments, database: database, in: folder)
  }

  func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

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

  func scalar(_ sql: String) throws -> SQLValue {
    let db = try Database(path: database, mode: .readOnly)
    defer { db.close() }
    return try db.scalar(sql)
  }

  // MARK: S1: a user id that looks like a code

  @Test func s1_aUserIDInACodeColumnIsShownNowhereNotEvenInTheRejectFile() throws {
    let file = try links(
      "swapped.csv",
      [
        "sw1,2021-10-01 10:00:00,wx_alice_secret,group_chat,https://a.cn/,open,",
        // A typo of a code is still shown: the reader needs it to mend the file.
        "sw2,2021-10-01 10:00:00,grup_chat,u2,https://a.cn/,open,",
        "sw3,2021-10-01 10:00:00,group_chat,u3,https://a.cn/,opened,",
      ])
    let rejects = dir.file("swapped.rejected.csv")
    let result = try run(["import", "links", file, "--reject-file", rejects] + key)
    #expect(result.status == 0, "\(result.stderr)")
    let stored = try run(["query", "SELECT group_concat(error, ' | ') FROM rejected_row"])
    let rejected = try String(contentsOfFile: rejects, encoding: .utf8)
    for place in [result.stderr, result.stdout, stored.stdout, rejected] {
      #expect(!place.contains("wx_alice_secret"), "\(place)")
    }
    #expect(stored.stdout.contains("column scene: value not shown (it may be personal data): expected one of"))
    // (query's CSV doubles the quotes)
    #expect(stored.stdout.contains("column scene: value \"\"grup_chat\"\": expected one of"), "\(stored.stdout)")
    #expect(stored.stdout.contains("column action: value \"\"opened\"\": expected one of"), "\(stored.stdout)")
    #expect(rejected.contains("sw1,2021-10-01 10:00:00,,,https://a.cn/,open,,"), "\(rejected)")
    #expect(rejected.contains("(scene, user_id withheld: take it from line 2 of the input)"), "\(rejected)")
  }

  // MARK: W7: a zone's summer time before its last transition

  @Test func w7_shanghaiSummerTimeBefore1992IsKept() {
    let parser = TimestampParser(timeZone: TimeZone(identifier: "Asia/Shanghai")!)
    // China kept summer time (UTC+9) from 1986 to 1991.
    #expect(parser.parse("1988-07-01 12:00:00")?.iso == "1988-07-01T03:00:00.000Z")
    #expect(parser.parse("1988-01-01 12:00:00")?.iso == "1988-01-01T04:00:00.000Z")
    #expect(parser.parse("2021-07-01 12:00:00")?.iso == "2021-07-01T04:00:00.000Z")
    let summer = Timestamp(milliseconds: parser.parse("1988-07-01 12:00:00")!.milliseconds)
    #expect(parser.localText(of: summer) == "1988-07-01 12:00:00")
  }

  // MARK: C7: a query that makes a huge value

  @Test func c7_aHugeValueIsRefusedNotAllocated() throws {
    try seeded()
    let result = try run(["query", "SELECT zeroblob(500000000) AS z", "--format", "csv"])
    #expect(result.status == 1, "\(result.status) \(result.stderr)")
    #expect(result.stderr.contains("at most 64 MiB"), "\(result.stderr)")
  }

  // MARK: P2: messages

  @Test func p2_aBadValueReadsValueThenExpected() throws {
    let file = try links("p2.csv", ["p1,2021-10-01 10:00:00,group_chat,u1,https://a.cn/,block,scam"])
    let result = try run(["import", "links", file] + key)
    #expect(result.status != 0)
    #expect(
      result.stderr.contains("p2.csv:2: column reason: value \"scam\": expected one of pornography,"),
      "\(result.stderr)")
  }

  @Test func p2_aConditionalRuleNamesItsCondition() throws {
    let file = try dir.write(
      "c.csv",
      Self.complaintHeader + "c1,2021-10-02 10:00:00,r1,https://a.cn/,fraud,,,resolved,,,,\n")
    let result = try run(["import", "complaints", file] + key)
    #expect(result.status != 0)
    #expect(
      result.stderr.contains("column resolved_at: expected a value (required when status is resolved)"),
      "\(result.stderr)")
  }

  @Test func p2_aRepeatedKeyInAPolicyIsOneLine() throws {
    let policy = try dir.write(
      "p.md",
      """
      ---
      version: v1
      version: v2
      title: t
      effective_from: 2021-01-01T00:00:00+08:00
      ---
      body

      """)
    let result = try run(["import", "policies", policy] + key)
    #expect(result.status != 0)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 1, "\(result.stderr)")
    #expect(result.stderr.contains("p.md:3: front matter gives the key \"version\" more than once"), "\(result.stderr)")
  }

  // MARK: P3: misleading causes

  @Test func p3_utf16IsNamedAsSuch() throws {
    let text = Self.header + row(1) + "\n"
    var data = Data([0xFF, 0xFE])
    data.append(text.data(using: .utf16LittleEndian)!)
    let withBOM = dir.file("u16.csv")
    try data.write(to: URL(fileURLWithPath: withBOM))
    let noBOM = dir.file("u16-plain.csv")
    try text.data(using: .utf16BigEndian)!.write(to: URL(fileURLWithPath: noBOM))
    for (file, what) in [(withBOM, "UTF-16 (little-endian, with a byte-order mark)"), (noBOM, "UTF-16 (big-endian)")] {
      let result = try run(["import", "links", file] + key)
      #expect(result.status != 0)
      #expect(result.stderr.contains("the file is \(what)"), "\(result.stderr)")
      #expect(!result.stderr.contains("GB18030?"))
    }
  }

  @Test func p3_twoByteOrderMarksAreBothDropped() throws {
    let file = dir.file("bom2.csv")
    try Data([0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + Array((Self.header + row(1) + "\n").utf8)).write(
      to: URL(fileURLWithPath: file))
    let result = try run(["import", "links", file] + key)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("1 stored"))
  }

  @Test func p3_aFolderAsTheKeyFileIsNamedAFolder() throws {
    try FileManager.default.createDirectory(atPath: dir.file("keydir"), withIntermediateDirectories: true)
    let result = try run(["import", "links", try links("k.csv", [row(1)]), "--key-file", dir.file("keydir")])
    #expect(result.status != 0)
    #expect(result.stderr.contains("is a folder, not a key file"), "\(result.stderr)")
    #expect(!result.stderr.contains("readable by other users"))
  }

  // MARK: P5: a refused import changes no byte

  @Test func p5_aRefusedImportLeavesARollbackJournalDatabaseAndStaleRollupsAsTheyWere() throws {
    try seeded()
    do {
      let db = try Database(path: database)
      try db.execute("PRAGMA journal_mode = DELETE")
      // A hand edit marks the rollups stale (a trigger).
      try db.execute("UPDATE link_event SET action = 'block', reason = 'fraud', principle = 1 WHERE event_id = 'e1'")
      db.close()
    }
    let before = try #require(bytes(database))
    let bad = try links("bad.csv", ["b1,2021-10-01 10:00:00,nowhere,u1,https://a.cn/,open,"])
    let result = try run(["import", "links", bad] + key)
    #expect(result.status != 0)
    #expect(bytes(database) == before, "a refused import changed the database's bytes")
    #expect(!FileManager.default.fileExists(atPath: database + "-wal"))
    #expect(try scalar("SELECT count(*) FROM setting WHERE name = 'rollups_stale'").integer == 1)
    // A good file then commits with the upkeep, and the store is WAL again.
    let good = try run(["import", "links", try links("good.csv", [row(9)])] + key)
    #expect(good.status == 0, "\(good.stderr)")
    #expect(try scalar("PRAGMA journal_mode").text == "wal")
    #expect(try scalar("SELECT count(*) FROM setting WHERE name = 'rollups_stale'").integer == 0)
  }

  // MARK: K1, K4: what reaches the terminal

  @Test func k1_aNewlineInAFileNameForgesNoLine() throws {
    let name = "b\ninjected: 999 read, 999 stored.csv"
    let file = try links(name, [row(1)])
    let result = try run(["import", "links", file] + key)
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == 1, "\(result.stdout)")
    #expect(result.stdout.contains("b\\u{A}injected"), "\(result.stdout)")
    // An error naming the file too.
    let bad = try links("e\u{1B}[2J.csv", ["x,2021-10-01 10:00:00,nowhere,u,https://a.cn/,open,"])
    let failed = try run(["import", "links", bad] + key)
    #expect(failed.status != 0 && !failed.stderr.contains("\u{1B}"), "\(failed.stderr)")
    #expect(failed.stderr.contains("e\\u{1B}[2J.csv:2:"), "\(failed.stderr)")
  }

  @Test func k4_tenThousandUnknownColumnsMakeOneShortWarning() throws {
    let extra = (0..<10_000).map { "c\($0)" }
    let header = "event_id,occurred_at,scene,user_id,url,action,reason," + extra.joined(separator: ",")
    let line = row(1) + String(repeating: ",", count: extra.count)
    let file = try dir.write("wide.csv", header + "\n" + line + "\n")
    let result = try run(["import", "links", file] + key)
    #expect(result.status == 0, "\(result.stderr)")
    let warning = try #require(result.stderr.split(separator: "\n").first { $0.contains("unknown column") })
    #expect(warning.count < 300, "\(warning.count) characters")
    #expect(warning.contains("10,000 unknown column(s) ignored: \"c0\""), "\(warning)")
    #expect(warning.hasSuffix("and 9,990 more"), "\(warning)")
  }

  // MARK: K2: _xHHHH_ in workbooks

  @Test func k2_aLiteralEscapeInACellIsEscaped() throws {
    #expect(Workbook.escapingOOXML("_x0041_") == "_x005F_x0041_")
    #expect(Workbook.escapingOOXML("a_x00e9_b _x12_ _xZZZZ_") == "a_x005F_x00e9_b _x12_ _xZZZZ_")
    #expect(Workbook.escapingOOXML("plain") == "plain")
    try seeded()
    let out = dir.file("k2.xlsx")
    let result = try run(["query", "SELECT '_x0041_' AS v, 'x' || '_x0042_' AS w", "--format", "xlsx", "--out", out])
    #expect(result.status == 0, "\(result.stderr)")
    let sheet = try unzip(out, "xl/worksheets/sheet1.xml")
    #expect(sheet.contains("_x005F_x0041_") && sheet.contains("x_x005F_x0042_"), "\(sheet)")
  }

  func unzip(_ archive: String, _ member: String) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/unzip")
    p.arguments = ["-p", archive, member]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
  }

  // MARK: N11, N12: what the package shows of a complaint

  @Test func n11_n12_complaintIDsThatAreFormulasOrPersonalNumbersAreRefused() throws {
    for id in [
      "\"=HYPERLINK(\"\"http://evil.example/\"\",\"\"x\"\")\"", "@SUM(1+1)", "13812345678", "T-110105199001011234",
    ] {
      let file = try dir.write(
        "c-\(abs(id.hashValue)).csv",
        Self.complaintHeader
          + "\(id),2021-11-03T10:00:00+08:00,r1,https://jd.com/p,fraud,hotline,x,resolved,2021-11-04T10:00:00+08:00,upheld,warn_url,\n"
      )
      let result = try run(["import", "complaints", file] + key)
      #expect(result.status != 0, "\(id)")
      #expect(result.stderr.contains("column complaint_id"), "\(result.stderr)")
      #expect(!result.stderr.contains("13812345678") && !result.stderr.contains("110105199001011234"))
    }
  }

  @Test func n12_phoneAndIDNumbersInAComplaintURLAreMaskedInThePackage() throws {
    try seeded()
    let file = try dir.write(
      "pii.csv",
      Self.complaintHeader
        + "pii1,2021-11-03T10:00:00+08:00,r2,https://item.taobao.com/item?tel=13912345678&idno=110105199001011234,fraud,hotline,\"call 13912345678\",resolved,2021-11-04T10:00:00+08:00,upheld,block_url,\n"
    )
    #expect(try run(["import", "complaints", file] + key).status == 0)
    let out = dir.file("pkg")
    let report = try run(["report", "--quarter", "2021-Q4", "--out", out])
    #expect(report.status == 0, "\(report.stderr)")
    let decisions = try String(contentsOfFile: out + "/decisions.csv", encoding: .utf8)
    #expect(decisions.contains("tel=139****5678&idno=**************1234"), "\(decisions)")
    for name in try FileManager.default.contentsOfDirectory(atPath: out) {
      let path = out + "/" + name
      let text =
        name.hasSuffix(".xlsx")
        ? try unzip(path, "xl/sharedStrings.xml") : String(decoding: bytes(path) ?? Data(), as: UTF8.self)
      #expect(!text.contains("13912345678") && !text.contains("110105199001011234"), "\(name)")
    }
  }

  @Test func n11_decisionsCSVNeutralisesFormulasLeftInAnOlderDatabase() {
    #expect(spreadsheetText("=HYPERLINK(1)") == "'=HYPERLINK(1)")
    #expect(spreadsheetText("@SUM(1)") == "'@SUM(1)")
    #expect(spreadsheetText("c-1") == "c-1")
  }

  // MARK: N17: notices only where they are the only files

  @Test func n17_noticesGoNeitherIntoAnInboxNorAmongOtherFiles() throws {
    try seeded()
    try dir.write("inbox/links/l.csv", Self.header + row(7) + "\n")
    try FileManager.default.createDirectory(atPath: dir.file("inbox/policies"), withIntermediateDirectories: true)
    for target in [dir.file("inbox/policies"), dir.file("inbox"), dir.file("inbox/links/sub")] {
      let result = try run(["ratings", "--quarter", "2021-Q4", "--notices", target, "--lang", "en"])
      #expect(result.status != 0, "\(target)")
      #expect(result.stderr.contains("would be imported next time"), "\(result.stderr)")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("inbox/policies")).isEmpty)
    let mine = try dir.write("mine/plan.txt", "a user's own file")
    let among = try run(["ratings", "--quarter", "2021-Q4", "--notices", dir.file("mine"), "--lang", "en"])
    #expect(among.status != 0 && among.stderr.contains("holds plan.txt, which is not a notice"), "\(among.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("mine")) == ["plan.txt"])
    #expect(bytes(mine) == Data("a user's own file".utf8))
    // An empty folder, then the same folder again: the notices are theirs.
    for _ in 0..<2 {
      let ok = try run(["ratings", "--quarter", "2021-Q4", "--notices", dir.file("notices"), "--lang", "en"])
      #expect(ok.status == 0, "\(ok.stderr)")
    }
  }

  // MARK: N19: the current folder's templates

  @Test func n19_aCopyOfTheShippedModelUnderItsNameIsRefusedAndTheFolderIsNamed() throws {
    try seeded()
    let folder = dir.file("elsewhere")
    let templates = folder + "/templates"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      atPath: LinkauditBinary.packageRoot.appendingPathComponent("templates").path, toPath: templates)
    let here = URL(fileURLWithPath: folder)
    // Unchanged, the copy is the shipped model: used, and said to be this folder's.
    let same = try run(["ratings", "--quarter", "2021-Q4"], in: here)
    #expect(same.status == 0, "\(same.stderr)")
    #expect(same.stderr.contains("note: using the templates and rating model in"), "\(same.stderr)")
    // Edited under the shipped name: refused.
    let model = templates + "/rating-model.yaml"
    let text = try String(contentsOfFile: model, encoding: .utf8)
    try text.replacingOccurrences(of: "weight: 40", with: "weight: 0").write(
      toFile: model, atomically: true, encoding: .utf8)
    let edited = try run(["ratings", "--quarter", "2021-Q4"], in: here)
    #expect(edited.status != 0)
    #expect(edited.stderr.contains("a model shipped with linkaudit, but is not that model"), "\(edited.stderr)")
    // From the project's own folder, nothing to say.
    let own = try run(["ratings", "--quarter", "2021-Q4"])
    #expect(own.status == 0 && !own.stderr.contains("note: using"), "\(own.stderr)")
  }

  @Test func n19_theShippedModelsAreTheFilesInTemplates() throws {
    for (file, name) in [
      ("rating-model.yaml", "linkaudit-default-2026"), ("rating-model-2021.yaml", "linkaudit-default-2021"),
    ] {
      let path = LinkauditBinary.packageRoot.appendingPathComponent("templates/" + file).path
      #expect(RatingModel.shippedModels[name] == (try FileHash.sha256(ofFile: path)), "\(file)")
    }
  }
}
