import Foundation
import Testing

/// The built `linkaudit` binary, run as a user runs it: output and exit status.
@Suite struct EndToEndTests {
  static let packageRoot = LinkauditBinary.packageRoot

  let dir = TemporaryDirectory()

  @discardableResult
  func run(_ arguments: [String], tty: Bool = false) throws -> LinkauditBinary.Run {
    try LinkauditBinary.run(arguments, database: dir.file("e2e.db"), tty: tty)
  }

  var key: [String] { ["--key-file", dir.file("e2e.key")] }

  @Test func helpListsEveryCommandOfTheProduct() throws {
    let help = try run(["--help"])
    #expect(help.status == 0)
    for command in ["import", "report", "query", "ratings", "demo", "verify", "schema", "keys"] {
      #expect(help.stdout.contains("  \(command) "), "\(command) missing from --help")
    }
  }

  /// Red-team G2: the demo writes only into a new or empty folder. A folder
  /// holding a team's filer.yaml (or an inbox, or a package) is refused,
  /// named, and left byte for byte; a file or a link in its place too.
  @Test func g2_theDemoWritesOnlyIntoANewOrEmptyFolder() throws {
    let inbox = dir.file("team")
    try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
    let filer = inbox + "/filer.yaml"
    try "entity: 我们的公司\n".write(toFile: filer, atomically: false, encoding: .utf8)
    let refused = try run(["demo", inbox, "--events", "10"])
    #expect(refused.status != 0)
    #expect(refused.stderr.contains("\(inbox) is not empty (it holds filer.yaml)"), "\(refused.stderr)")
    #expect(try String(contentsOfFile: filer, encoding: .utf8) == "entity: 我们的公司\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: inbox) == ["filer.yaml"])
    let link = dir.file("link")
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: dir.file("empty"))
    try FileManager.default.createDirectory(atPath: dir.file("empty"), withIntermediateDirectories: true)
    let throughLink = try run(["demo", link, "--events", "10"])
    #expect(throughLink.status != 0 && throughLink.stderr.contains("is no folder (a link)"), "\(throughLink.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("empty")).isEmpty)
    #expect(try run(["demo", dir.file("empty"), "--events", "10"]).status == 0)
  }

  /// `ratings --platform ID --evidence` names the cases; `--notices DIR`
  /// writes one letter a platform and language, beside a package and never in it.
  @Test func ratingsShowTheEvidenceAndWriteTheNotices() throws {
    let inbox = dir.file("inbox")
    #expect(try run(["demo", inbox, "--events", "20000", "--seed", "5"]).status == 0)
    #expect(try run(["import", "inbox", inbox] + key).status == 0)
    let table = try run(["ratings", "--quarter", "2022-Q1"])
    #expect(table.status == 0, "\(table.stderr)")
    #expect(table.stdout.contains("window 2021-Q2 to 2022-Q1 (4 quarters)") && table.stdout.contains("margin_down"))
    // The upheld complaints on the unregistered domains, by id, from the database itself.
    let asked = try run([
      "query", "--format", "csv",
      "SELECT complaint_id FROM complaint WHERE platform_id = 'other' AND outcome = 'upheld' AND principle <= 3 AND received_at >= '2021-06-30T16:00:00.000Z' ORDER BY 1 LIMIT 3",
    ])
    let ids = asked.stdout.split(whereSeparator: \.isNewline).dropFirst().map {
      $0.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    #expect(ids.count == 3, "\(asked.stdout) \(asked.stderr)")
    let evidence = try run(["ratings", "--quarter", "2022-Q1", "--platform", "other", "--evidence", "--format", "csv"])
    #expect(evidence.status == 0, "\(evidence.stderr)")
    #expect(
      evidence.stdout.contains("platform_id,indicator,id,principle,category,local_time,action_taken,domain,events"))
    for id in ids { #expect(evidence.stdout.contains(",\(id),"), "\(id) missing from the evidence") }
    #expect(!evidence.stdout.contains("\ntaobao,"))
    let unknown = try run(["ratings", "--platform", "nosuch"])
    #expect(unknown.status != 0 && unknown.stderr.contains("no platform \"nosuch\" in the registry in force"))

    let report = try run(["report", "--quarter", "2022-Q1", "--out", dir.file("reports/2022-Q1")])
    #expect(report.status == 0, "\(report.stderr)")
    let inside = try run(["ratings", "--quarter", "2022-Q1", "--notices", dir.file("reports/2022-Q1/a/notices")])
    #expect(
      inside.status != 0 && inside.stderr.contains("notices go beside the package, not in it"), "\(inside.stderr)")
    let notices = try run(["ratings", "--quarter", "2022-Q1", "--notices", dir.file("reports/2022-Q1-notices")])
    #expect(notices.status == 0, "\(notices.stderr)")
    let written = notices.stdout.split(separator: "\n")
    #expect(written.count == 2 * 17)  // the 17 registered platforms, in Chinese and English
    let zh = try String(
      contentsOfFile: dir.file("reports/2022-Q1-notices/notice-2022-Q1-bilibili.zh.md"), encoding: .utf8)
    let en = try String(
      contentsOfFile: dir.file("reports/2022-Q1-notices/notice-2022-Q1-bilibili.en.md"), encoding: .utf8)
    for heading in ["## 贵平台的等级", "## 各项指标及扣分", "## 评级依据", "## 恢复等级的条件", "## 回复方式"] {
      #expect(zh.contains(heading), "\(heading)")
    }
    for heading in [
      "## Your grade", "## Each indicator and what it cost", "## The evidence", "## What would restore the grade",
      "## How to respond",
    ] {
      #expect(en.contains(heading), "\(heading)")
    }
    #expect(en.contains("Last quarter it was") || en.contains("You are not graded"))
    // The package still verifies: nothing was written into it.
    #expect(try run(["verify", dir.file("reports/2022-Q1")]).status == 0)
    // Written again, byte for byte the same.
    #expect(try run(["ratings", "--quarter", "2022-Q1", "--notices", dir.file("again")]).status == 0)
    #expect(
      try Data(contentsOf: URL(fileURLWithPath: dir.file("again/notice-2022-Q1-bilibili.zh.md")))
        == Data(zh.utf8))
    // Never over the database, however it is named.
    try FileManager.default.createDirectory(atPath: dir.file("n"), withIntermediateDirectories: true)
    let disguised = dir.file("n/notice-2022-Q1-jd.zh.md")
    try FileManager.default.copyItem(atPath: dir.file("e2e.db"), toPath: disguised)
    if FileManager.default.fileExists(atPath: dir.file("e2e.db-wal")) {
      try FileManager.default.copyItem(atPath: dir.file("e2e.db-wal"), toPath: disguised + "-wal")
    }
    let before = try Data(contentsOf: URL(fileURLWithPath: disguised))
    let over = try run(["ratings", "--quarter", "2022-Q1", "--notices", dir.file("n"), "--db", disguised])
    #expect(over.status != 0 && over.stderr.contains("is the database"), "\(over.stderr)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: disguised)) == before)
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: dir.file("n")).filter { $0.hasSuffix(".md") }
        == ["notice-2022-Q1-jd.zh.md"])
  }

  /// The issuer makes a signing key and gives the regulator its public half;
  /// the regulator checks the package with it and no database.
  @Test func aSignedPackageIsVerifiedWithThePublicKeyAlone() throws {
    let inbox = dir.file("inbox")
    #expect(try run(["demo", inbox, "--events", "2000", "--seed", "3"]).status == 0)
    #expect(try run(["import", "inbox", inbox] + key).status == 0)
    let made = try run(["keys", "new"])
    #expect(made.status == 0, "\(made.stderr)")
    #expect(made.stdout.contains(".linkaudit-signing-key.pem: new signing key"))
    let again = try run(["keys", "new"])
    #expect(again.status != 0 && again.stderr.contains("refusing to replace a signing key"), "\(again.stderr)")
    let pub = try run(["keys", "public"])
    #expect(pub.status == 0 && pub.stdout.hasPrefix("-----BEGIN PUBLIC KEY-----"))
    try pub.stdout.write(toFile: dir.file("issuer.pub.pem"), atomically: true, encoding: .utf8)

    let out = dir.file("signed")
    let report = try run(["report", "--quarter", "2021-Q4", "--out", out])
    #expect(report.status == 0, "\(report.stderr)")
    #expect(report.stdout.hasSuffix("manifest.json\n\(out)/manifest.sig\n"), "\(report.stdout)")
    // No database where the regulator is.
    let noDB = ["--db", dir.file("absent/none.db")]
    let verified = try run(["verify", out, "--public-key", dir.file("issuer.pub.pem")] + noDB)
    #expect(verified.status == 0, "\(verified.stderr)")
    #expect(verified.stdout.contains("verified 2021-Q4 (Asia/Shanghai), version 1 issued "), "\(verified.stdout)")
    #expect(verified.stdout.contains("signed by the key"))
    #expect(!FileManager.default.fileExists(atPath: dir.file("absent")))

    try "edited\n".write(toFile: out + "/summary.zh.md", atomically: true, encoding: .utf8)
    let caught = try run(["verify", out, "--public-key", dir.file("issuer.pub.pem")] + noDB)
    #expect(caught.status == 1)
    #expect(caught.stderr.contains("summary.zh.md: modified"), "\(caught.stderr)")
    // Issued again with the same figures: version 1 still, and the archive to hand over beside the folder.
    let archived = try run(["report", "--quarter", "2021-Q4", "--out", dir.file("reports/2021-Q4"), "--archive"])
    #expect(archived.status == 0, "\(archived.stderr)")
    #expect(archived.stdout.hasSuffix("reports/linkaudit-2021-Q4-v1.zip\n"), "\(archived.stdout)")
    let filings = try run(["filings"])
    #expect(filings.status == 0)
    let lines = filings.stdout.split(separator: "\n")
    #expect(lines.count == 2 && lines[1].hasPrefix("2021-Q4\tAsia/Shanghai\t1\t"), "\(filings.stdout)")
    // A key named but missing is an error, not an unsigned package.
    let missingKey = try run([
      "report", "--quarter", "2021-Q4", "--out", dir.file("x"), "--signing-key", dir.file("nope.pem"),
    ])
    #expect(missingKey.status != 0 && missingKey.stderr.contains("no signing key at"), "\(missingKey.stderr)")
  }

  @Test func demoImportReportVerifyThenCatchATamperedFile() throws {
    let inbox = dir.file("inbox")
    #expect(try run(["demo", inbox, "--events", "3000", "--seed", "5"]).status == 0)
    let imported = try run(["import", "inbox", inbox] + key)
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(imported.stdout.contains("links-2021Q4.csv: "))
    #expect(imported.stderr.isEmpty, "no progress line when stderr is not a terminal")

    let again = try run(["import", "inbox", inbox] + key)
    #expect(again.status == 0)
    #expect(again.stdout.contains("already imported"))

    let out = dir.file("report")
    let report = try run(["report", "--quarter", "2021-Q4", "--out", out])
    #expect(report.status == 0, "\(report.stderr)")
    #expect(
      report.stdout.split(separator: "\n").count == 27,
      "metrics, decisions, under-restricted events, complaints, referrals, backlog, late actions, rating evidence, 2 workbooks, 2 annexes, 2 x (summary, 4 principles, ratings, methodology), manifest"
    )
    #expect(report.stdout.hasSuffix("manifest.json\n"))

    let verified = try run(["verify", out])
    #expect(verified.status == 0, "\(verified.stderr)")

    try "edited\n".write(toFile: out + "/principle-2.en.md", atomically: true, encoding: .utf8)
    let caught = try run(["verify", out])
    #expect(caught.status == 1)
    #expect(caught.stderr.contains("principle-2.en.md: modified"))

    // Another time zone than the rollups': both report and verify derive that zone's rollups.
    // The quarter's one line of versions goes on: UTC's figures are version 2, with a reason.
    let utc = dir.file("report-utc")
    let inUTC = try run(["report", "--quarter", "2021-Q4", "--tz", "UTC", "--out", utc, "--reason", "cut in UTC"])
    #expect(inUTC.status == 0, "\(inUTC.stderr)")
    let utcVerified = try run(["verify", utc])
    #expect(utcVerified.status == 0, "\(utcVerified.stderr)")
    #expect(
      try String(contentsOfFile: utc + "/metrics.csv", encoding: .utf8)
        != String(contentsOfFile: out + "/metrics.csv", encoding: .utf8), "the quarter is cut eight hours later")
    let doctor = try run(["doctor"])
    #expect(doctor.stdout.contains("ok       rollups: rollups match the events and complaints"), "\(doctor.stdout)")
  }

  @Test func aBadFileFailsWithOneLineNamingFileLineColumnAndLeavesTheDatabaseAlone() throws {
    let good = try dir.write(
      "good.csv", "event_id,occurred_at,scene,user_id,url,action\ng1,2021-10-01 10:00:00,search,u1,https://a.cn/,open\n"
    )
    #expect(try run(["import", "links", good] + key).status == 0)
    let before = try Data(contentsOf: URL(fileURLWithPath: dir.file("e2e.db")))
    let bad = try dir.write(
      "bad.csv",
      "event_id,occurred_at,scene,user_id,url,action\nb1,2021-10-01 10:00:00,search,u1,https://a.cn/,opened\n")
    let result = try run(["import", "links", bad] + key)
    #expect(result.status != 0)
    #expect(result.stderr.contains("bad.csv:2: column action: value \"opened\""))
    #expect(result.stderr.split(separator: "\n").count == 1)
    #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("e2e.db"))) == before)
  }

  @Test func progressIsShownOnATerminal() throws {
    var csv = "event_id,occurred_at,scene,user_id,url,action\n"
    for i in 0..<40_000 { csv += "p\(i),2021-10-01 10:00:00,search,u\(i % 100),https://a.cn/\(i % 50),open\n" }
    let file = try dir.write("big.csv", csv)
    let result = try run(["import", "links", file] + key, tty: true)
    #expect(result.status == 0)
    #expect(result.stdout.contains("rows/s"), "a progress line on the terminal")
    #expect(result.stdout.contains("big.csv: 40,000 read, 40,000 stored"))
  }

  /// Issue 13, item 8: report and verify find the default templates from any
  /// folder, for a binary in the build folder and for one installed as
  /// `make install` lays it out (PREFIX/bin, PREFIX/share/linkaudit/templates).
  @Test func reportAndVerifyRunFromAnyFolder() throws {
    let elsewhere = URL(fileURLWithPath: dir.file("elsewhere"))
    try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
    let inbox = dir.file("inbox")
    #expect(try run(["demo", inbox, "--events", "2000", "--seed", "3"]).status == 0)
    #expect(try run(["import", "inbox", inbox] + key).status == 0)
    let prefix = dir.file("prefix")
    try FileManager.default.createDirectory(atPath: prefix + "/bin", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: prefix + "/share/linkaudit", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: LinkauditBinary.path, toPath: prefix + "/bin/linkaudit")
    try FileManager.default.copyItem(
      atPath: LinkauditBinary.packageRoot.appendingPathComponent("templates").path,
      toPath: prefix + "/share/linkaudit/templates")
    for (name, executable) in [("build", LinkauditBinary.path), ("installed", prefix + "/bin/linkaudit")] {
      let out = dir.file("pkg-\(name)")
      let report = try LinkauditBinary.run(
        ["report", "--out", out], database: dir.file("e2e.db"), executable: executable, in: elsewhere)
      #expect(report.status == 0, "\(name): \(report.stderr)")
      let verified = try LinkauditBinary.run(
        ["verify", out], database: dir.file("e2e.db"), executable: executable, in: elsewhere)
      #expect(verified.status == 0, "\(name): \(verified.stderr)")
    }
    #expect(
      try Data(contentsOf: URL(fileURLWithPath: dir.file("pkg-build/metrics.csv")))
        == Data(contentsOf: URL(fileURLWithPath: dir.file("pkg-installed/metrics.csv"))))
  }

  /// One-letter names (`--db d`, `--out r`): Foundation's path functions
  /// trap on them, so linkaudit must not call them there.
  @Test func oneLetterDatabaseAndOutputNamesWork() throws {
    let work = URL(fileURLWithPath: dir.file("short"))
    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    let inbox = dir.file("inbox-short")
    #expect(try run(["demo", inbox, "--events", "500", "--seed", "5"]).status == 0)
    let imported = try LinkauditBinary.run(["import", "inbox", inbox], database: "d", in: work)
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent(".linkaudit.key").path))
    let report = try LinkauditBinary.run(["report", "--out", "r"], database: "d", in: work)
    #expect(report.status == 0, "\(report.stderr)")
    let verified = try LinkauditBinary.run(["verify", "r"], database: "d", in: work)
    #expect(verified.status == 0, "\(verified.stderr)")
  }

  @Test func reportRefusesAQuarterItCannotRead() throws {
    let result = try run(["report", "--quarter", "2021-Q5"])
    #expect(result.status != 0)
    #expect(result.stderr.contains("2021-Q5"))
  }
}
