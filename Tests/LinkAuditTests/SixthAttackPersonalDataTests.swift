import Foundation
import LinkAuditStore
import Testing

@testable import LinkAudit

/// Red-team F4, F5 and F15 (the sixth attack) as a user runs the built binary: a platform's names and a
/// policy's title are imported text held to the personal-number rule, and masked on every output where an
/// older database holds a number in them; the mask's new spellings reach no output; a filer's phone or
/// email holding an ID number is refused.
@Suite struct SixthAttackPersonalDataTests {
  let dir = TemporaryDirectory()
  var database: String { dir.file("p.db") }

  func run(_ arguments: [String]) throws -> LinkauditBinary.Run {
    let key = ["import"].contains(arguments.first) ? ["--key-file", dir.file("p.key")] : []
    return try LinkauditBinary.run(arguments + key, database: database)
  }

  /// The quarter's five opens and a policy in force, imported.
  func seeded() throws {
    let links = try PackageFixture.links("links.csv", PackageFixture.quarterRows, in: dir)
    #expect(try run(["import", "links", links]).status == 0)
    #expect(try run(["import", "policies", fixture("policy-phase1.md")]).status == 0)
  }

  /// What the database holds of the reference data and its batches.
  func reference() throws -> [String] {
    let db = try Database(path: database)
    defer { db.close() }
    return try [
      "SELECT count(*) FROM batch",
      "SELECT group_concat(platform_id || name_en || name_zh || coalesce(operator, '')) FROM platform",
      "SELECT group_concat(version || title) FROM policy_version",
    ].map { "\(try db.scalar($0))" }
  }

  /// Every cell of both workbooks and both annexes.
  func cells(_ out: String) throws -> [String] {
    try ["en", "zh"].flatMap { language in
      try ["linkaudit-2021-Q4.\(language).xlsx", "annex.\(language).xlsx"].flatMap { name in
        try XlsxReading.cells(out + "/" + name).values.flatMap { Array($0.values) }
      }
    }
  }

  /// Every text file of a folder: name → contents.
  func texts(_ folder: String) throws -> [String: String] {
    var out: [String: String] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: folder)
    where name.hasSuffix(".md") || name.hasSuffix(".csv") || name.hasSuffix(".json") {
      out[name] = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
    }
    return out
  }

  /// F4: a platform's name or operator carrying a mobile or ID number is refused with its file, line,
  /// column and the value masked; nothing is stored.
  @Test(arguments: [
    ("name_en", "zz,ZZ Shop 联系人 13812345678,测试,zz.cn,", "ZZ Shop 联系人 138****5678"),
    ("name_zh", "zz,ZZ Shop,测试 110105 1990.01.01 1234,zz.cn,", "测试 ****** ****.**.** 1234"),
    ("operator", "zz,ZZ Shop,测试,zz.cn,王五 138。1234。5678", "王五 138。****。5678"),
    ("platform_id", "13812345678,ZZ Shop,测试,zz.cn,", "138****5678"),
  ])
  func f4_aNumberInAPlatformsNameIsRefusedWithItsRow(column: String, row: String, shown: String) throws {
    try seeded()
    let before = try reference()
    let file = try dir.write(
      "platforms.csv", "platform_id,name_en,name_zh,domains,operator\ntaobao,Taobao,淘宝,taobao.com,Alibaba\n\(row)\n")
    let r = try run(["import", "platforms", file])
    #expect(r.status != 0)
    for part in [
      "platforms.csv:3:", "column \(column): value \"\(shown)\"", "with no mobile or ID number in it",
    ] {
      #expect(r.stderr.contains(part), "\(part): \(r.stderr)")
    }
    for raw in ["13812345678", "1990.01.01", "1234。5678"] { #expect(!r.stderr.contains(raw), "\(r.stderr)") }
    #expect(try reference() == before, "nothing stored")
  }

  /// F4: a policy's title or version carrying one is refused with its line, the number masked; nothing stored.
  @Test(arguments: [
    ("title: 外链规范 联系人王五 13812345678", ":3: title: value \"外链规范 联系人王五 138****5678\" holds an ID or mobile number"),
    ("version: \"2021.12-13812345678\"", ":2: version: value \"2021.12-138****5678\" holds an ID or mobile number"),
  ])
  func f4_aNumberInAPolicysTitleIsRefusedWithItsLine(line: String, message: String) throws {
    try seeded()
    let before = try reference()
    var text = try String(contentsOfFile: fixture("policy-phase1.md"), encoding: .utf8)
    let key = line.prefix { $0 != ":" }
    text = text.replacingOccurrences(of: "version: \"2021.09-phase1\"", with: "version: \"2021.12-contact\"")
    text = text.split(separator: "\n", omittingEmptySubsequences: false).map {
      $0.hasPrefix(key + ":") ? Substring(line) : $0
    }.joined(separator: "\n").replacingOccurrences(of: "2021-09-17T", with: "2021-12-20T")
    let file = try dir.write("contact.md", text)
    let r = try run(["import", "policies", file])
    #expect(r.status != 0)
    #expect(r.stderr.contains("contact.md" + message), "\(r.stderr)")
    #expect(!r.stderr.contains("13812345678"))
    #expect(try reference() == before, "nothing stored")
  }

  /// F4: a database imported before the refusal holds such names: every output masks them, as it masks
  /// descriptions: both workbooks, the Markdown, manifest.json, `ratings` and `--evidence`, the notices.
  @Test func f4_namesAndTitlesAnOlderDatabaseHoldsAreMaskedOnEveryOutput() throws {
    try seeded()
    do {
      let db = try Database(path: database)
      try db.execute(
        "UPDATE platform SET name_en = 'Taobao 联系人 13812345678', name_zh = '淘宝 110105 1990.01.01 1234' WHERE platform_id = 'taobao'"
      )
      try db.execute("UPDATE policy_version SET title = '外链规范 联系人王五 138。1234。5678'")
      db.close()
    }
    let raw = ["13812345678", "1990.01.01", "1234。5678", "110105"]
    func clean(_ text: String, _ place: String) {
      for number in raw { #expect(!text.contains(number), "\(place) shows \(number)") }
    }

    let out = dir.file("pkg")
    let r = try run(["report", "--quarter", "2021-Q4", "--out", out])
    #expect(r.status == 0, "\(r.stderr)")
    let shown = try cells(out)
    for cell in shown { clean(cell, "a workbook cell (\(cell))") }
    #expect(shown.contains { $0.contains("Taobao 联系人 138****5678") }, "the name, masked")
    #expect(shown.contains { $0.contains("淘宝 ****** ****.**.** 1234") }, "the Chinese name, masked")
    #expect(shown.contains("外链规范 联系人王五 138。****。5678"), "the title on the Cover, masked")
    let files = try texts(out)
    #expect(files.keys.contains("manifest.json") && files.keys.contains { $0.hasPrefix("summary.") })
    for (name, text) in files { clean(text, name) }
    #expect(files["manifest.json"]?.contains("外链规范 联系人王五 138。****。5678") == true)
    #expect(try run(["verify", out]).status == 0, "verify writes the same bytes again")

    for arguments in [
      ["ratings", "--quarter", "2021-Q4"], ["ratings", "--quarter", "2021-Q4", "--format", "csv"],
      ["ratings", "--quarter", "2021-Q4", "--evidence"],
    ] {
      let ratings = try run(arguments)
      #expect(ratings.status == 0, "\(ratings.stderr)")
      clean(ratings.stdout, arguments.joined(separator: " "))
    }
    #expect(try run(["ratings", "--quarter", "2021-Q4", "--evidence"]).stdout.contains("Taobao 联系人 138****5678"))
    let notices = dir.file("notices")
    #expect(try run(["ratings", "--quarter", "2021-Q4", "--notices", notices]).status == 0)
    let letters = try texts(notices)
    #expect(letters.keys.contains("notice-2021-Q4-taobao.zh.md"), "\(letters.keys.sorted())")
    for (name, text) in letters { clean(text, name) }
  }

  /// F5: the attack's spellings through import, in descriptions, an id, a duplicate_of and a rejected row's
  /// error, reach no output whole (the annexes, complaints.csv, the Data quality sheet); a reason too.
  /// G7 (the seventh attack): a batch's file name is the user's text: a mobile in it
  /// (投诉-张三-13812345678.csv) reaches neither manifest.json nor any workbook.
  @Test func g7_aNumberInABatchsFileNameIsMasked() throws {
    let links = try PackageFixture.links("外链-13812345678.csv", PackageFixture.quarterRows, in: dir)
    #expect(try run(["import", "links", links]).status == 0)
    let out = dir.file("pkg")
    let report = try run(["report", "--quarter", "2021-Q4", "--out", out])
    #expect(report.status == 0, "\(report.stderr)")
    for (name, text) in try texts(out) { #expect(!text.contains("13812345678"), "\(name)") }
    #expect(try texts(out)["manifest.json"]?.contains("外链-138****5678.csv") == true)
    for cell in try cells(out) { #expect(!cell.contains("13812345678"), "\(cell)") }
    #expect(try cells(out).contains { $0.contains("外链-138****5678.csv") }, "the annex's batches")
  }

  @Test func f5_theNewSpellingsReachNoOutput() throws {
    let links = try PackageFixture.links("links.csv", PackageFixture.quarterRows, in: dir)
    #expect(try run(["import", "links", links]).status == 0)
    let out = dir.file("pkg")
    #expect(try run(["report", "--quarter", "2021-Q4", "--out", out]).status == 0)
    let complaints = try dir.write(
      "complaints.csv",
      """
      complaint_id,received_at,reporter_id,url,category,description,status,resolved_at,outcome,duplicate_of
      c1,2021-10-02 11:00:00,r1,https://item.taobao.com/1,spam,身份证 1101 0590 0101 123,open,,,
      c2,2021-10-02 12:00:00,r2,https://item.taobao.com/2,spam,身份证 110105 1990.01.01 1234,open,,,
      c3,2021-10-02 13:00:00,r3,https://item.taobao.com/3,spam,手机 138。1234。5678,open,,,
      c4,2021-10-02 14:00:00,r4,https://item.taobao.com/4,spam,身份证 11010519900101123Ⓧ,open,,,
      c5,2021-10-04 11:00:00,r5,https://item.taobao.com/5,spam,again,resolved,2021-10-05 11:00:00,duplicate,1101 0590 0101 123
      c9-110105 1990/01/01 1234,2021-10-03 11:00:00,r9,https://item.taobao.com/9,spam,x,open,,,

      """)
    let rejects = dir.file("rej")
    try FileManager.default.createDirectory(atPath: rejects, withIntermediateDirectories: true)
    let imported = try run(["import", "complaints", complaints, "--reject-file", rejects])
    #expect(imported.status == 0, "\(imported.stderr)")
    // Version 2, with the complaints and a reason holding an ID.
    let reason = "caller 110105 1990/01/01 1234 called"
    let second = try run(["report", "--quarter", "2021-Q4", "--out", out, "--reason", reason])
    #expect(second.status == 0, "\(second.stderr)")
    #expect(second.stderr.contains("personal numbers masked as filed: caller ****** ****/**/** 1234 called"))
    let raw = ["0590 0101", "1990.01.01", "1990/01/01", "1234。5678", "110105", "0101123Ⓧ"]
    let shown = try cells(out)
    for cell in shown {
      for number in raw { #expect(!cell.contains(number), "a cell shows \(number): \(cell)") }
    }
    #expect(shown.contains("身份证 **** **** ***1 123"), "the description, masked")
    #expect(shown.contains("手机 138。****。5678"))
    #expect(shown.contains("身份证 **************123Ⓧ"))
    #expect(shown.contains { $0.contains("c9-****** ****/**/** 1234") }, "the rejected row's error on Data quality")
    #expect(!shown.contains { $0 == "c5" }, "an id naming an ID number as its duplicate is refused")
    for (name, text) in try texts(out) {
      for number in raw { #expect(!text.contains(number), "\(name) shows \(number)") }
    }
    let filings = try run(["filings"])
    #expect(filings.stdout.contains("caller ****** ****/**/** 1234 called"), "\(filings.stdout)")
    #expect(!filings.stdout.contains("1990/01/01"))
  }

  /// F15: an ID number in the filer's phone or email is refused with its line, as in the other fields:
  /// nothing written, nothing filed. A mobile there stays the declared contact.
  @Test(arguments: [
    ("010-6552 0000", "110105199001011234", ":7: phone \"**************1234\" holds an ID number"),
    (
      "compliance@example.com", "110105199001011234@qq.com",
      ":8: email \"**************1234@qq.com\" holds an ID number"
    ),
  ])
  func f15_anIDNumberInPhoneOrEmailIsRefused(declared: String, given: String, message: String) throws {
    try seeded()
    let filer = dir.file("filer.yaml")
    try FilerTests.valid.replacingOccurrences(of: declared, with: given).write(
      toFile: filer, atomically: false, encoding: .utf8)
    let before = try Data(contentsOf: URL(fileURLWithPath: filer))
    let out = dir.file("pkg")
    let r = try run(["report", "--quarter", "2021-Q4", "--out", out])
    #expect(r.status != 0)
    #expect(r.stderr.contains("filer.yaml" + message), "\(r.stderr)")
    #expect(!r.stderr.contains("110105199001011234"))
    #expect(!FileManager.default.fileExists(atPath: out))
    #expect(try run(["filings"]).stdout.split(separator: "\n").count == 1, "only the header: nothing filed")
    #expect(try Data(contentsOf: URL(fileURLWithPath: filer)) == before)
  }
}
