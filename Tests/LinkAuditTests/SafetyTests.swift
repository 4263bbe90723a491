import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditStore
import Testing

/// Issue 12: the tool attacked as a careless user and as a hostile one would,
/// through the built binary. Each test names the finding it holds
/// (docs/reliability.md lists them all).
@Suite struct SafetyTests {
  let dir = TemporaryDirectory()
  var database: String { dir.file("s.db") }
  var key: [String] { ["--key-file", dir.file("s.key")] }

  func run(_ arguments: [String]) throws -> LinkauditBinary.Run {
    try LinkauditBinary.run(arguments, database: database)
  }

  func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

  static let header = "event_id,occurred_at,scene,user_id,url,action,reason\n"

  func links(_ name: String, _ rows: [String]) throws -> String {
    try dir.write(name, Self.header + rows.joined(separator: "\n") + "\n")
  }

  func row(_ i: Int, prefix: String = "e") -> String {
    "\(prefix)\(i),2021-10-01 10:00:00,group_chat,user\(i),https://item.taobao.com/\(i),open,"
  }

  /// A database with five events, imported with the suite's key.
  func seeded() throws {
    let result = try run(["import", "links", try links("seed.csv", (0..<5).map { row($0) })] + key)
    #expect(result.status == 0, "\(result.stderr)")
  }

  func count(_ sql: String) throws -> Int64 {
    let db = try Database(path: database, mode: .readOnly)
    defer { db.close() }
    return try db.scalar(sql).integer ?? -1
  }

  // MARK: Data loss (findings 1-5)

  @Test func finding1_queryOutputNamingTheDatabaseOrItsWALIsRefused() throws {
    try seeded()
    let before = bytes(database)
    for target in [database, database + "-wal", database + "-shm", dir.file("s.key")] {
      let result = try run(["query", "SELECT 1", "--out", target] + ["--db", database])
      #expect(result.status != 0, "\(target)")
      #expect(result.stderr.contains("refusing to overwrite it"), "\(result.stderr)")
    }
    #expect(bytes(database) == before)
    #expect(try count("SELECT count(*) FROM link_event") == 5)
  }

  /// The signing key beside the database is no output path either.
  @Test func finding28_noOutputOverwritesTheSigningKey() throws {
    try seeded()
    #expect(try run(["keys", "new"]).status == 0)
    let signingKey = dir.file(".linkaudit-signing-key.pem")
    let before = bytes(signingKey)
    for arguments in [
      ["query", "SELECT 1", "--out", signingKey],
      ["import", "links", try links("again.csv", [row(9)]), "--reject-file", signingKey] + key,
    ] {
      let result = try run(arguments)
      #expect(result.status != 0, "\(arguments)")
      #expect(result.stderr.contains("is the signing key"), "\(result.stderr)")
    }
    let folder = try run(["report", "--out", signingKey])
    #expect(folder.status != 0 && folder.stderr.contains("refusing"), "\(folder.stderr)")
    #expect(bytes(signingKey) == before)
  }

  @Test func finding1_aFailedQueryLeavesAnEarlierAnswerFileAsItWas() throws {
    try seeded()
    let out = try dir.write("answer.csv", "kept\n")
    #expect(try run(["query", "SELECT nope FROM nothing", "--out", out]).status != 0)
    #expect(try String(contentsOfFile: out, encoding: .utf8) == "kept\n")
    #expect(try run(["query", "SELECT 7 AS n", "--out", out]).status == 0)
    #expect(try String(contentsOfFile: out, encoding: .utf8) == "n\r\n7\r\n")
  }

  @Test func finding2_reportOutReplacesOnlyAPackageFolder() throws {
    try seeded()
    let mine = try dir.write("mine/thesis.docx", "a user's own file")
    let db = bytes(database)
    for target in [dir.file("mine"), database, ".", dir.path, "/"] {
      let result = try run(["report", "--out", target])
      #expect(result.status == 1, "\(target): \(result.status) \(result.stderr)")
      #expect(result.stderr.contains("refusing") || result.stderr.contains("current folder"), "\(result.stderr)")
    }
    #expect(try String(contentsOfFile: mine, encoding: .utf8) == "a user's own file")
    #expect(bytes(database) == db)
    // A package folder, and an empty one, are replaced as before.
    let out = dir.file("reports/2021-Q4")
    #expect(try run(["report", "--out", out]).status == 0)
    #expect(try run(["report", "--out", out]).status == 0)
    try FileManager.default.createDirectory(atPath: dir.file("empty"), withIntermediateDirectories: true)
    #expect(try run(["report", "--out", dir.file("empty")]).status == 0)
  }

  @Test func finding3_rejectFileNamingTheDatabaseTheKeyOrAnInputIsRefused() throws {
    try seeded()
    let input = try links("in.csv", [row(10), "bad,2021-10-01 10:00:00,group_chat,u,https://a.cn/,opened,"])
    let before = (bytes(database), bytes(input))
    for target in [database, database + "-wal", input, dir.file("s.key")] {
      let result = try run(["import", "links", input, "--reject-file", target] + key)
      #expect(result.status != 0, "\(target)")
      #expect(result.stderr.contains("refusing to overwrite it"), "\(result.stderr)")
    }
    #expect(bytes(database) == before.0)
    #expect(bytes(input) == before.1)
  }

  @Test func finding3_inputsWithOneNameGetRejectFilesOfTheirOwn() throws {
    let a = try dir.write("a/links.csv", Self.header + "x1,2021-10-01 10:00:00,group_chat,u,https://a.cn/,opened,\n")
    let b = try dir.write("b/links.csv", Self.header + "x2,2021-10-01 10:00:00,group_chat,u,https://a.cn/,shut,\n")
    try FileManager.default.createDirectory(atPath: dir.file("rejects"), withIntermediateDirectories: true)
    let result = try run(["import", "links", a, b, "--reject-file", dir.file("rejects")] + key)
    #expect(result.status == 0, "\(result.stderr)")
    let first = try String(contentsOfFile: dir.file("rejects/links.csv.rejected.csv"), encoding: .utf8)
    let second = try String(contentsOfFile: dir.file("rejects/links.csv-2.rejected.csv"), encoding: .utf8)
    #expect(first.contains("x1") && !first.contains("x2"))
    #expect(second.contains("x2") && !second.contains("x1"))
  }

  @Test func finding3_aRejectFolderInsideTheInboxIsRefused() throws {
    let inbox = dir.file("inbox")
    try dir.write("inbox/links/l.csv", Self.header + row(1) + "\n")
    let result = try run(["import", "inbox", inbox, "--reject-file", dir.file("inbox/links")] + key)
    #expect(result.status != 0)
    #expect(result.stderr.contains("inside the inbox"), "\(result.stderr)")
  }

  @Test func finding4_anUnclosedQuoteRefusesTheWholeFileEvenWithARejectFile() throws {
    var rows = (0..<1000).map { row($0) }
    rows[3] = "e3,2021-10-01 10:00:00,group_chat,user3,\"https://item.taobao.com/3,open,"
    let file = try links("quote.csv", rows)
    let result = try run(["import", "links", file, "--reject-file", dir.file("rejects.csv")] + key)
    #expect(result.status != 0)
    #expect(result.stderr.contains("quote.csv:5:"), "\(result.stderr)")
    #expect(result.stderr.contains("none of it is imported"), "\(result.stderr)")
    let batches = FileManager.default.fileExists(atPath: database) ? try count("SELECT count(*) FROM batch") : 0
    #expect(batches == 0)
    let again = try run(["import", "links", file] + key)
    #expect(!again.stdout.contains("already imported"))
  }

  @Test func finding5_aTruncatedGzipIsRefusedWhole() throws {
    let plain = try links("cut.csv", (0..<10_000).map { row($0) })
    let gzip = Process()
    gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
    gzip.arguments = ["-k", plain]
    try gzip.run()
    gzip.waitUntilExit()
    let whole = try #require(bytes(plain + ".gz"))
    let cut = dir.file("cut-short.csv.gz")
    try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: cut))
    for extra in [[], ["--reject-file", dir.file("r.csv")]] {
      let result = try run(["import", "links", cut] + extra + key)
      #expect(result.status != 0)
      #expect(result.stderr.contains("cut short"), "\(result.stderr)")
    }
    let events = FileManager.default.fileExists(atPath: database) ? try count("SELECT count(*) FROM link_event") : 0
    #expect(events == 0)
    // The whole file imports.
    #expect(try run(["import", "links", plain + ".gz"] + key).stdout.contains("10,000 stored"))
  }

  // MARK: Personal data (findings 6-8)

  @Test func finding6_rejectedValuesNeverShowPersonalDataRaw() throws {
    let rows = [
      // A control character after a mobile number; an overlong id holding an ID number.
      "a\u{1}13812345678,2021-10-01 10:00:00,group_chat,u1,https://a.cn/,open,",
      "\(String(repeating: "x", count: 120))110105199001011234,2021-10-01 10:00:00,group_chat,u2,https://a.cn/,open,",
      // user_id and scene swapped; user_id and url swapped.
      "s3,2021-10-01 10:00:00,wx_u77881234,group_chat,https://a.cn/,open,",
      "s4,2021-10-01 10:00:00,group_chat,https://a.cn/,wx_u55661234,open,",
    ]
    let file = try links("personal.csv", rows)
    let rejects = dir.file("personal.rejected.csv")
    let result = try run(["import", "links", file, "--reject-file", rejects] + key)
    #expect(result.status == 0, "\(result.stderr)")
    let stored = try LinkauditBinary.run(
      ["query", "SELECT group_concat(error, ' | ') FROM rejected_row"], database: database)
    for secret in ["13812345678", "110105199001011234", "wx_u77881234", "wx_u55661234"] {
      #expect(!stored.stdout.contains(secret), "\(secret) in rejected_row: \(stored.stdout)")
      #expect(!result.stderr.contains(secret))
    }
    #expect(stored.stdout.contains("138****5678"), "\(stored.stdout)")
    #expect(
      stored.stdout.contains("column scene: value not shown (it may be personal data): expected"), "\(stored.stdout)")
    #expect(stored.stdout.contains("column url: value not shown"))
    // Failing without a reject file: the message on stderr is masked too.
    let alone = try links("alone.csv", [rows[0]])
    let failed = try run(["import", "links", alone] + key)
    #expect(failed.status != 0 && !failed.stderr.contains("13812345678"), "\(failed.stderr)")
  }

  @Test func finding8_anotherKeyIsRefusedAndAMissingOneIsNotCreated() throws {
    try seeded()
    let other = try dir.write("other.key", String(repeating: "ab", count: 32) + "\n")
    chmod(other, 0o600)
    let more = try links("more.csv", [row(99)])
    let wrong = try run(["import", "links", more, "--key-file", other])
    #expect(wrong.status != 0)
    #expect(wrong.stderr.contains("is not the key this database was built with"), "\(wrong.stderr)")
    let missing = dir.file("elsewhere/.linkaudit.key")
    try FileManager.default.createDirectory(atPath: dir.file("elsewhere"), withIntermediateDirectories: true)
    let absent = try run(["import", "links", more, "--key-file", missing])
    #expect(absent.status != 0)
    #expect(absent.stderr.contains("holds pseudonyms made with a key"), "\(absent.stderr)")
    #expect(!FileManager.default.fileExists(atPath: missing))
    #expect(try count("SELECT count(*) FROM link_event") == 5)
    // The right key still works; the default is beside the database, wherever the command runs.
    #expect(try run(["import", "links", more] + key).status == 0)
  }

  @Test func finding8_twoFirstImportsAtOnceShareOneKey() throws {
    for round in 0..<3 {
      let db = dir.file("first-\(round).db")
      let files = try (0..<2).map { try links("first-\(round)-\($0).csv", [row($0, prefix: "f\(round)-")]) }
      let started = try files.map { try LinkauditBinary.start(["import", "links", $0], database: db) }
      let results = try started.map { try $0.finish() }
      #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
      #expect(FileManager.default.fileExists(atPath: dir.file(".linkaudit.key")))
      try FileManager.default.removeItem(atPath: dir.file(".linkaudit.key"))
    }
  }

  // MARK: Read-only means read-only (finding 9)

  @Test func finding9_readingCommandsNeverWriteNorCreate() throws {
    // Another program's SQLite file, in rollback-journal mode.
    let foreign = dir.file("foreign.sqlite")
    do {
      let db = try Database(path: foreign, mode: .readWrite)
      try db.execute("PRAGMA journal_mode = DELETE; CREATE TABLE mine (x); INSERT INTO mine VALUES (1)")
      db.close()
    }
    let before = bytes(foreign)
    for command in [["query", "SELECT * FROM mine"], ["schema"], ["ratings"], ["doctor"]] {
      let result = try LinkauditBinary.run(command + ["--db", foreign], database: foreign)
      #expect(result.status != 0, "\(command)")
      #expect(result.stderr.contains("not a linkaudit database"), "\(command): \(result.stderr)")
    }
    #expect(bytes(foreign) == before)
    #expect(!FileManager.default.fileExists(atPath: foreign + "-wal"))
    // An import will not add its tables to it either.
    let imported = try LinkauditBinary.run(
      ["import", "links", try links("x.csv", [row(1)]), "--db", foreign] + key, database: foreign)
    #expect(imported.status != 0 && imported.stderr.contains("SQLite database of something else"))
    #expect(bytes(foreign) == before)
    // A path that does not exist stays so.
    let nowhere = dir.file("nowhere.db")
    for command in [["query", "SELECT 1"], ["schema"], ["ratings"], ["verify", dir.path]] {
      let result = try LinkauditBinary.run(command + ["--db", nowhere], database: nowhere)
      #expect(result.status != 0 && result.stderr.contains("no database at"), "\(command): \(result.stderr)")
      #expect(!FileManager.default.fileExists(atPath: nowhere))
    }
  }

  @Test func finding9_readingCommandsLeaveStaleRollupsAndTheFileAlone() throws {
    try seeded()
    do {
      let db = try Database(path: database)
      try db.execute("UPDATE link_event SET action = 'block', reason = 'fraud', principle = 1 WHERE event_id = 'e1'")
      db.close()
    }
    let before = bytes(database)
    for command in [["query", "SELECT count(*) FROM events"], ["schema"], ["ratings"], ["doctor"]] {
      _ = try run(command)
      #expect(bytes(database) == before, "\(command) wrote to the database")
    }
    #expect(try count("SELECT count(*) FROM setting WHERE name = 'rollups_stale'") == 1)
  }

  // MARK: verify (finding 11)

  /// Rewrites the manifest as a forger would, with every file's hash made to match.
  func forge(_ package: String, _ edit: (inout [String: Any]) -> Void) throws {
    let path = package + "/manifest.json"
    var manifest = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    edit(&manifest)
    var files: [String: String] = [:]
    for name in (manifest["files"] as? [String: String] ?? [:]).keys {
      files[name] = try FileHash.sha256(ofFile: package + "/" + name)
    }
    manifest["files"] = files
    try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys]).write(
      to: URL(fileURLWithPath: path))
  }

  @Test func finding11_verifyChecksWhatTheManifestClaims() throws {
    try seeded()
    let package = dir.file("pkg")
    #expect(try run(["report", "--out", package]).status == 0)
    #expect(try run(["verify", package]).status == 0)
    let pristine = dir.file("pristine")
    try FileManager.default.copyItem(atPath: package, toPath: pristine)
    func fresh() throws {
      try FileManager.default.removeItem(atPath: package)
      try FileManager.default.copyItem(atPath: pristine, toPath: package)
    }

    // zh dropped from the languages (and the file list), its summary edited.
    try (try String(contentsOfFile: package + "/summary.zh.md", encoding: .utf8) + "改动\n").write(
      toFile: package + "/summary.zh.md", atomically: true, encoding: .utf8)
    try forge(package) { m in
      m["languages"] = ["en"]
      var files = m["files"] as! [String: String]
      for name in files.keys where name.contains(".zh.") { files[name] = nil }
      m["files"] = files
    }
    var result = try run(["verify", package])
    #expect(result.status == 1)
    #expect(result.stderr.contains("summary.zh.md"), "\(result.stderr)")

    // A second metrics.csv line with the true value after a changed one.
    try fresh()
    var lines = try String(contentsOfFile: package + "/metrics.csv", encoding: .utf8).split(separator: "\n").map(
      String.init)
    let i = try #require(lines.firstIndex { $0.hasPrefix("overview.events,,") })
    let truth = lines[i]
    lines[i] = "overview.events,,999999"
    lines.insert(truth, at: i + 1)
    try (lines.joined(separator: "\n") + "\n").write(
      toFile: package + "/metrics.csv", atomically: true, encoding: .utf8)
    try forge(package) { _ in }
    result = try run(["verify", package])
    #expect(result.status == 1)
    #expect(result.stderr.contains("overview.events"), "\(result.stderr)")

    // The fingerprint and the period.
    for (key, value) in [
      ("data_fingerprint", "0" as Any),
      ("period", ["start": "2020-01-01T00:00:00.000Z", "end": "2020-04-01T00:00:00.000Z"]),
    ] {
      try fresh()
      try forge(package) { $0[key] = value }
      result = try run(["verify", package])
      #expect(result.status == 1, "\(key)")
      #expect(result.stderr.contains("manifest.json"), "\(key): \(result.stderr)")
    }
  }

  // MARK: Hostile values (findings 12-17)

  @Test func finding13_theRegistryRefusesDomainsThatAreNotRegistrable() throws {
    for (domain, hint) in [
      ("item.taobao.com", "list taobao.com instead"), ("com", "public suffix"), ("jd.com.", "list jd.com instead"),
    ] {
      let file = try dir.write(
        "p-\(domain).csv", "platform_id,name_en,name_zh,domains\ntaobao,Taobao,淘宝,\(domain)\n")
      let result = try run(["import", "platforms", file] + key)
      #expect(result.status != 0, "\(domain)")
      #expect(result.stderr.contains(hint), "\(domain): \(result.stderr)")
    }
  }

  @Test func finding14_timesOutsideThePlausibleRangeAreBadValues() throws {
    for value in ["9999-12-31T23:30:00-01:00", "9999999999", "1999-12-31 23:00:00"] {
      let file = try links("t.csv", ["t1,\(value),group_chat,u,https://a.cn/,open,"])
      let result = try run(["import", "links", file] + key)
      #expect(result.status != 0, "\(value)")
      #expect(result.stderr.contains("plausible range"), "\(value): \(result.stderr)")
    }
    let file = try links("t2.csv", ["t1,1999-12-31 23:00:00,group_chat,u,https://a.cn/,open,"])
    #expect(try run(["import", "links", file, "--earliest", "1990-01-01"] + key).status == 0)
  }

  @Test func finding15_jsonLinesIdsAreTakenExactly() throws {
    let file = try dir.write(
      "ids.jsonl",
      """
      {"event_id": 1, "occurred_at": "2021-10-01 10:00:00", "scene": "search", "user_id": "u", "url": "https://a.cn/", "action": "open"}
      {"event_id": "2", "occurred_at": "2021-10-01 10:00:00", "scene": "search", "user_id": 42, "url": "https://a.cn/", "action": "open"}

      """)
    #expect(try run(["import", "links", file] + key).stdout.contains("2 stored"))
    for bad in ["true", "1.10", "1e3"] {
      let f = try dir.write(
        "bad-\(bad).jsonl",
        "{\"event_id\": \(bad), \"occurred_at\": \"2021-10-01 10:00:00\", \"scene\": \"search\", \"user_id\": \"u\", \"url\": \"https://a.cn/\", \"action\": \"open\"}\n"
      )
      let result = try run(["import", "links", f] + key)
      #expect(result.status != 0, "\(bad)")
      #expect(result.stderr.contains("event_id"), "\(bad): \(result.stderr)")
    }
  }

  @Test func finding16_parametersAreTextAsTypedUnlessAskedForIntegers() throws {
    try seeded()
    let text = try run(["query", "SELECT :id AS id, typeof(:id) AS t", "--param", "id=007", "--format", "csv"])
    #expect(text.stdout == "id,t\r\n007,text\r\n", "\(text.stdout) \(text.stderr)")
    let int = try run(["query", "SELECT :n + 1 AS n", "--param-int", "n=41", "--format", "csv"])
    #expect(int.stdout == "n\r\n42\r\n", "\(int.stderr)")
    #expect(try run(["query", "SELECT :n", "--param-int", "n=x"]).stderr.contains("not an integer"))
  }

  @Test func finding17_ratingsCSVNeutralisesFormulasAndTablesEscapeTheTerminal() throws {
    let registry = try dir.write(
      "platforms.csv", "platform_id,name_en,name_zh,domains\ntaobao,=HYPERLINK(\"x\"),淘宝,taobao.com\n")
    #expect(try run(["import", "platforms", registry] + key).status == 0)
    try seeded()
    let csv = try run(["ratings", "--format", "csv"])
    #expect(csv.status == 0, "\(csv.stderr)")
    #expect(!csv.stdout.contains(",=HYPERLINK") && csv.stdout.contains("'=HYPERLINK"), "\(csv.stdout)")
    #expect(TableSink.flat("red\u{1B}[31m\tx\ny") == "red\\u{1B}[31m x y")
    #expect(MarkdownSink.cell("a\\|b") == "a\\\\\\|b")
    #expect(markdownText("<img src=x>|**b**") == "\\<img src=x\\>\\|\\*\\*b\\*\\*")
  }

  // MARK: Crashes and hangs (findings 18-22)

  @Test func finding18and19_overlongAndNoncharacterTextIsRefusedAtImport() throws {
    let header = "complaint_id,received_at,reporter_id,url,category,status,description\n"
    let combining = String(repeating: "e" + String(repeating: "\u{301}", count: 20), count: 2000)
    let long = try dir.write("long.csv", header + "c1,2021-10-01 10:00:00,r,https://a.cn/,fraud,open,\(combining)\n")
    let result = try run(["import", "complaints", long] + key)
    #expect(result.status != 0)
    #expect(result.stderr.contains("at most 2000 characters"), "\(result.stderr)")
    let fffe = try dir.write("fffe.csv", header + "c2,2021-10-01 10:00:00,r,https://a.cn/,fraud,open,a\u{FFFE}b\n")
    let second = try run(["import", "complaints", fffe] + key)
    #expect(second.status != 0)
    #expect(second.stderr.contains("U+FFFE"), "\(second.stderr)")
  }

  @Test func finding20_noCrashNorHang() throws {
    try seeded()
    // A FIFO and a link to /dev/zero in the inbox are skipped, with a warning.
    let inbox = dir.file("inbox")
    try dir.write("inbox/links/l.csv", Self.header + row(50) + "\n")
    #expect(mkfifo(dir.file("inbox/links/pipe.csv"), 0o600) == 0)
    try FileManager.default.createSymbolicLink(
      atPath: dir.file("inbox/links/zero.csv"), withDestinationPath: "/dev/zero")
    try dir.write("inbox/links/notes.txt", "remember the milk")
    let inboxRun = try run(["import", "inbox", inbox] + key)
    #expect(inboxRun.status == 0, "\(inboxRun.stderr)")
    #expect(inboxRun.stdout.contains("l.csv: 1 read, 1 stored"))
    for name in ["pipe.csv", "zero.csv", "notes.txt"] {
      #expect(inboxRun.stderr.contains("warning: \(name): skipped"), "\(name): \(inboxRun.stderr)")
    }
    // Named directly, they are refused.
    #expect(try run(["import", "links", dir.file("inbox/links/zero.csv")] + key).stderr.contains("not a regular file"))
    #expect(try run(["import", "links", dir.file("inbox")] + key).stderr.contains("is a folder"))
    // A field that inflates without end is refused at 4 MiB.
    let bomb = dir.file("bomb.csv")
    try
      (Self.header + "b1,2021-10-01 10:00:00,group_chat,u,https://a.cn/" + String(repeating: "a", count: 6 << 20)
      + ",open,\n").write(toFile: bomb, atomically: true, encoding: .utf8)
    let bombRun = try run(["import", "links", bomb] + key)
    #expect(bombRun.status != 0 && bombRun.stderr.contains("longer than 4 MiB"), "\(bombRun.stderr)")
    // Bad numbers are refused with a message, not a trap (a trap exits by signal, status > 128).
    let model = try dir.write(
      "model.yaml",
      try String(contentsOfFile: LinkauditBinary.packageRoot.path + "/templates/rating-model.yaml", encoding: .utf8)
        .replacingOccurrences(of: "weight: 40", with: "weight: .inf"))
    for arguments in [
      ["ratings", "--rating-model", model], ["demo", dir.file("d"), "--events=-1"],
      ["query", "SELECT 1", "--timeout", "nan"], ["report", "--out", "."],
    ] {
      let result = try run(arguments)
      #expect(result.status == 1 || result.status == 64, "\(arguments): \(result.status) \(result.stderr)")
      #expect(!result.stderr.isEmpty)
    }
  }

  @Test func finding21_theSameFileImportedTwiceAtOnceIsSkippedOnce() throws {
    try seeded()
    let file = try links("twice.csv", (0..<30_000).map { row($0, prefix: "t") })
    for _ in 0..<2 {
      let started = try (0..<2).map { _ in
        try LinkauditBinary.start(["import", "links", file] + key, database: database)
      }
      let results = try started.map { try $0.finish() }
      #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
    }
    #expect(try count("SELECT count(*) FROM batch WHERE file_name = 'twice.csv'") == 1)
  }

  // MARK: Messages (findings 23-27)

  @Test func finding23_aLaterFailureStillReportsTheFilesCommitted() throws {
    let good = try links("good.csv", [row(1)])
    let bad = try links("bad.csv", ["b1,2021-10-01 10:00:00,group_chat,u,https://a.cn/,opened,"])
    let result = try run(["import", "links", good, bad] + key)
    #expect(result.status != 0)
    #expect(result.stdout.contains("good.csv: 1 read, 1 stored"), "\(result.stdout)")
    #expect(result.stderr.contains("bad.csv:2"), "\(result.stderr)")
    #expect(result.stderr.contains("the 1 file(s) before it were imported"), "\(result.stderr)")
  }

  @Test func finding24_systemFailuresAreSaidAsSentences() throws {
    let busy = SQLiteError(code: 5, message: "database is locked", sql: "BEGIN IMMEDIATE")
    #expect(busy.localizedDescription.hasPrefix("the database is locked by another linkaudit command"))
    #expect(!busy.localizedDescription.contains("BEGIN"))
    #expect(
      SQLiteError(code: 13, message: "database or disk is full").localizedDescription.hasPrefix("the disk is full"))
    let folder = try run(["import", "links", dir.path] + key)
    #expect(folder.stderr.contains("is a folder: name the files in it"), "\(folder.stderr)")
  }

  @Test func finding25_classicMacLineEndingsAreNamed() throws {
    let file = dir.file("mac.csv")
    try (Self.header + row(1) + "\n").replacingOccurrences(of: "\n", with: "\r").write(
      toFile: file, atomically: true, encoding: .utf8)
    let result = try run(["import", "links", file] + key)
    #expect(result.status != 0)
    #expect(result.stderr.contains("CR alone"), "\(result.stderr)")
  }

  @Test func finding26_aTrailingCommentIsNotASecondStatement() throws {
    try seeded()
    let ok = try run(["query", "SELECT 1 AS one; -- the answer", "--format", "csv"])
    #expect(ok.status == 0 && ok.stdout == "one\r\n1\r\n", "\(ok.stderr)")
    #expect(try run(["query", "SELECT 1; /* note */ ;  "]).status == 0)
    #expect(try run(["query", "SELECT 1; SELECT 2"]).stderr.contains("one statement"))
  }

  @Test func finding27_jsonLinesRejectsAreValidJSON() throws {
    let file = try dir.write(
      "r.jsonl",
      """
      {"event_id": "ok", "occurred_at": "2021-10-01 10:00:00", "scene": "search", "user_id": "u", "url": "https://a.cn/", "action": "open"}
      {"event_id": "b1", "scene": "search"} trailing }
      {"event_id": "b2", "note": "}", "scene": "nowhere"}
      not json at all

      """)
    let rejects = dir.file("r.rejected.jsonl")
    let result = try run(["import", "links", file, "--reject-file", rejects] + key)
    #expect(result.status == 0, "\(result.stderr)")
    let lines = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n")
    #expect(lines.count == 3)
    for line in lines {
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
      #expect(object?["raw"] is String && object?["error"] is String, "\(line)")
    }
  }
}
