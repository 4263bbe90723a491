import Foundation
import LinkAuditStore
import Testing

/// Faults a compliance record must survive: a killed import, imports and a
/// report racing, and personal data or formulas leaking into any output.
/// `make stress` runs the long versions (scripts/stress.sh).
@Suite struct ReliabilityTests {
  let dir = TemporaryDirectory()
  var database: String { dir.file("r.db") }

  /// Imports take the test's key file, and doctor checks the key import uses; other commands take none.
  func withKey(_ arguments: [String]) -> [String] {
    ["import", "doctor"].contains(arguments.first) ? arguments + ["--key-file", dir.file("r.key")] : arguments
  }

  func run(_ arguments: [String]) throws -> LinkauditBinary.Run {
    try LinkauditBinary.run(withKey(arguments), database: database)
  }

  func links(_ name: String, rows: Int, prefix: String) throws -> String {
    var csv = "event_id,occurred_at,scene,user_id,url,action,reason\n"
    csv.reserveCapacity(rows * 90)
    for i in 0..<rows {
      csv +=
        "\(prefix)\(i),2021-10-0\(1 + i % 9) 10:00:00,group_chat,user\(i % 997),https://item.taobao.com/item/\(i % 500).htm,warn_back,fraud\n"
    }
    return try dir.write(name, csv)
  }

  func scalar(_ sql: String) throws -> SQLValue {
    let db = try Database(path: database, mode: .readOnly)
    defer { db.close() }
    return try db.scalar(sql)
  }

  @Test func aKilledImportLeavesAllOrNothingAndARerunCompletes() throws {
    let rows = 120_000
    let file = try links("big.csv", rows: rows, prefix: "k")
    #expect(try run(["import", "links", try links("small.csv", rows: 10, prefix: "s")]).status == 0)
    var generator = SystemRandomNumberGenerator()
    for attempt in 0..<4 {
      let process = LinkauditBinary.process(
        ["import", "links", file, "--key-file", dir.file("r.key")], database: database)
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      usleep(UInt32.random(in: 20_000...600_000, using: &generator))
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      #expect(try scalar("PRAGMA integrity_check") == .text("ok"), "attempt \(attempt)")
      let stored = try scalar("SELECT count(*) FROM link_event WHERE event_id LIKE 'k%'").integer
      #expect(stored == 0 || stored == Int64(rows), "attempt \(attempt): \(stored ?? -1) rows of the file")
      let batches = try scalar("SELECT count(*) FROM batch WHERE file_name = 'big.csv'").integer
      #expect(batches == (stored == 0 ? 0 : 1))
      if stored != 0 { break }
    }
    let rerun = try run(["import", "links", file])
    #expect(rerun.status == 0)
    #expect(try scalar("SELECT count(*) FROM link_event WHERE event_id LIKE 'k%'") == .integer(Int64(rows)))
    #expect(try scalar("SELECT count(*) FROM link_event") == .integer(Int64(rows + 10)))
  }

  @Test func twoImportsAndAReportAtOnceAllSucceedAndTheReportSeesWholeBatches() throws {
    #expect(try run(["import", "policies", fixture("policy-phase1.md")]).status == 0)
    let a = try links("a.csv", rows: 60_000, prefix: "a")
    let b = try links("b.csv", rows: 60_000, prefix: "b")
    let out = dir.file("report")
    let commands = [
      ["import", "links", a], ["import", "links", b],
      // Before both imports the quarter is empty: filed all the same, for the test is of the snapshot.
      ["report", "--quarter", "2021-Q4", "--out", out, "--lang", "en", "--allow-empty"],
    ]
    let started = try commands.map { try LinkauditBinary.start(withKey($0), database: database) }
    let results = try started.map { try $0.finish() }
    for (i, r) in results.enumerated() {
      #expect(r.status == 0, "\(commands[i][0]) failed: \(r.stderr)")
      #expect(!r.stderr.contains("locked"))
    }
    #expect(try scalar("SELECT count(*) FROM link_event") == .integer(120_000))
    // The report ran before, between or after the imports: never inside one.
    let metrics = try String(contentsOfFile: out + "/metrics.csv", encoding: .utf8)
    let events = metrics.split(separator: "\n").first { $0.hasPrefix("overview.events,,") }.map {
      $0.split(separator: ",").last!
    }
    #expect(["0", "60000", "120000"].contains(events.map(String.init) ?? "?"), "report saw \(events ?? "?") events")
  }

  @Test func noRawIdentifierReachesTheDatabaseReportsOrMessages() throws {
    let user = "RAWUSER-7a91f"
    let reporter = "RAWREPORTER-33c0"
    let linksFile = try dir.write(
      "links.csv",
      "event_id,occurred_at,scene,user_id,url,action,reason\ne1,2021-10-02 10:00:00,moments,\(user),https://bad.example.org/x,block,fraud\n"
    )
    let complaintsFile = try dir.write(
      "complaints.csv",
      """
      complaint_id,received_at,reporter_id,url,category,description,status,resolved_at,outcome,action_taken
      c1,2021-10-02 11:00:00,\(reporter),https://bad.example.org/x,fraud,"=HYPERLINK(""http://evil"") 打给 13812345678",resolved,2021-10-02 12:00:00,upheld,block_domain

      """)
    var outputs: [String] = []
    for args in [["import", "links", linksFile], ["import", "complaints", complaintsFile]] {
      let r = try run(args)
      #expect(r.status == 0, "\(r.stderr)")
      outputs += [r.stdout, r.stderr]
    }
    // A bad row with a raw id: the message names the row, never the id.
    let bad = try dir.write(
      "bad.csv",
      "event_id,occurred_at,scene,user_id,url,action\ne2,2021-10-02 10:00:00,moments,\(user)\u{7},https://a.cn/,open\n")
    let failed = try run(["import", "links", bad])
    #expect(failed.status != 0 && failed.stderr.contains("column user_id"))
    outputs += [failed.stdout, failed.stderr]

    let out = dir.file("report")
    let report = try run(["report", "--quarter", "2021-Q4", "--out", out])
    #expect(report.status == 0, "\(report.stderr)")
    outputs += [report.stdout, report.stderr]
    for format in ["csv", "json", "markdown", "spreadsheet-csv"] {
      let r = try run(["query", "--format", format, "SELECT * FROM events"])
      let c = try run(["query", "--format", format, "SELECT * FROM complaints"])
      outputs += [r.stdout, r.stderr, c.stdout, c.stderr]
    }
    let xlsx = dir.file("answer.xlsx")
    #expect(try run(["query", "--out", xlsx, "SELECT * FROM complaints"]).status == 0)

    // Every byte the tool wrote: the database (and its WAL), the package, the answers, the messages.
    var haystack = Data(outputs.joined().utf8)
    for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasPrefix("r.db") {
      haystack += try Data(contentsOf: URL(fileURLWithPath: dir.file(name)))
    }
    for name in try FileManager.default.contentsOfDirectory(atPath: out) where !name.hasSuffix(".xlsx") {
      haystack += try Data(contentsOf: URL(fileURLWithPath: out + "/" + name))
    }
    var cells = try XlsxReading.cells(xlsx)
    for language in ["zh", "en"] {
      cells.merge(try XlsxReading.cells(out + "/linkaudit-2021-Q4.\(language).xlsx")) { a, _ in a }
    }
    haystack += Data(cells.values.flatMap(\.values).joined(separator: "\n").utf8)
    for secret in [user, reporter, "13812345678"] {
      #expect(haystack.range(of: Data(secret.utf8)) == nil, "\(secret) leaked")
    }
    // The masked number is there, so the search did look at the complaint text.
    #expect(haystack.range(of: Data("138****5678".utf8)) != nil)
  }

  @Test func userTextNeverBecomesAFormula() throws {
    let complaints = try dir.write(
      "complaints.csv",
      """
      complaint_id,received_at,reporter_id,url,category,description,status
      c1,2021-10-02 11:00:00,r1,https://a.cn/,spam,"=1+1",open
      c2,2021-10-02 12:00:00,r2,https://a.cn/,spam,"@SUM(A1)",open
      c3,2021-10-02 13:00:00,r3,https://a.cn/,spam,"-2+3",open

      """)
    #expect(try run(["import", "complaints", complaints]).status == 0)
    let out = dir.file("report")
    #expect(try run(["report", "--quarter", "2021-Q4", "--out", out, "--lang", "en"]).status == 0)
    // In the workbook: text cells holding the text, no formula anywhere.
    let sheet = try #require(try XlsxReading.cells(out + "/annex.en.xlsx")["Complaints"])
    let descriptions = sheet.filter { $0.value == "=1+1" || $0.value == "@SUM(A1)" || $0.value == "-2+3" }
    #expect(descriptions.count == 3)
    for (ref, _) in descriptions { #expect(sheet[ref + ".type"] == "s", "\(ref) is not a text cell") }
    #expect(try XlsxReading.hasFormula(out + "/linkaudit-2021-Q4.en.xlsx") == false)
    #expect(try XlsxReading.hasFormula(out + "/annex.en.xlsx") == false)
    // In the register's CSV: neutralised as in decisions.csv.
    let register = try String(contentsOfFile: out + "/complaints.csv", encoding: .utf8)
    #expect(register.contains(",'=1+1\n") && register.contains(",'@SUM(A1)\n") && register.contains(",'-2+3\n"))
    // In CSV meant for spreadsheets: neutralised; in plain CSV: exact.
    let safe = try run([
      "query", "--format", "spreadsheet-csv", "SELECT description, -5 AS n FROM complaints ORDER BY complaint_id",
    ])
    #expect(safe.stdout == "\u{FEFF}description,n\r\n\"'=1+1\",-5\r\n\"'@SUM(A1)\",-5\r\n\"'-2+3\",-5\r\n")
    let exact = try run(["query", "--format", "csv", "SELECT description FROM complaints ORDER BY complaint_id"])
    #expect(exact.stdout == "description\r\n=1+1\r\n@SUM(A1)\r\n-2+3\r\n")
  }

  @Test func doctorFindsAnEditedInboxFileAndOrphans() throws {
    let inbox = dir.file("inbox")
    try FileManager.default.createDirectory(atPath: inbox + "/links", withIntermediateDirectories: true)
    let file = try dir.write(
      "inbox/links/l.csv",
      "event_id,occurred_at,scene,user_id,url,action\ne1,2021-10-02 10:00:00,moments,u,https://a.cn/,open\n")
    #expect(try run(["import", "inbox", inbox]).status == 0)
    let healthy = try run(["doctor", "--inbox", inbox])
    #expect(healthy.status == 0 && healthy.stdout.hasSuffix("healthy\n"), "\(healthy.stdout)")
    try (try String(contentsOfFile: file, encoding: .utf8) + "e2,2021-10-02 10:00:00,moments,u,https://a.cn/,open\n")
      .write(toFile: file, atomically: true, encoding: .utf8)
    do {
      let db = try Database(path: database)
      try db.execute("DELETE FROM host")
      db.close()
    }
    let sick = try run(["doctor", "--inbox", inbox])
    #expect(sick.status == 1)
    #expect(sick.stdout.contains("problem  inbox: batch 2 (links/l.csv) was imported with SHA-256"))
    #expect(sick.stdout.contains("problem  orphans: 1 link events without their host"))
    // The rollups cannot be derived from an event whose host is gone: said, not skipped.
    #expect(
      sick.stdout.contains("problem  rollups: the rollups cannot be re-derived: the database holds host.domain = NULL"))
  }
}

extension XlsxReading {
  /// Whether any cell of any sheet holds a formula (`<f>`).
  static func hasFormula(_ path: String) throws -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
      "python3", "-c",
      "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(any(b'<f>' in z.read(n) or b'<f ' in z.read(n) for n in z.namelist() if n.startswith('xl/worksheets/')))",
      path,
    ]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return text.hasPrefix("True")
  }
}
