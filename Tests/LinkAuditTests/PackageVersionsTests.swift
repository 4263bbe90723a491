import Foundation
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the package attack's open findings (B4, B15, B17, B11), through
/// the built binary as a user runs it, in a folder of the test's own (the
/// default `reports/` is relative to it). docs/reliability-round3-pkg.md lists them.
@Suite struct PackageVersionsTests {
  let dir = TemporaryDirectory()
  var database: String { dir.file("p.db") }
  var key: [String] { ["--key-file", dir.file("p.key")] }
  var here: URL { URL(fileURLWithPath: dir.path) }
  var templates: [String] { ["--templates", LinkauditBinary.packageRoot.appendingPathComponent("templates").path] }

  func run(_ arguments: [String], environment: [String: String] = [:]) throws -> LinkauditBinary.Run {
    guard !environment.isEmpty else { return try LinkauditBinary.run(arguments, database: database, in: here) }
    let process = LinkauditBinary.process(arguments, database: database, in: here)
    process.environment?.merge(environment) { $1 }
    let out = dir.file("run.out")
    let err = dir.file("run.err")
    _ = FileManager.default.createFile(atPath: out, contents: nil)
    _ = FileManager.default.createFile(atPath: err, contents: nil)
    process.standardOutput = FileHandle(forWritingAtPath: out)
    process.standardError = FileHandle(forWritingAtPath: err)
    try process.run()
    process.waitUntilExit()
    return LinkauditBinary.Run(
      status: process.terminationStatus,
      stdout: String(decoding: FileManager.default.contents(atPath: out) ?? Data(), as: UTF8.self),
      stderr: String(decoding: FileManager.default.contents(atPath: err) ?? Data(), as: UTF8.self))
  }

  func report(_ more: [String]) throws -> LinkauditBinary.Run {
    try run(["report", "--quarter", "2021-Q4"] + templates + more)
  }

  func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

  /// Every entry under `folder` (recursively), with its bytes: what a refused or dry run must leave as it was.
  func tree(_ folder: String) throws -> [String: Data] {
    var files: [String: Data] = [:]
    let fm = FileManager.default
    for name in try fm.subpathsOfDirectory(atPath: folder) {
      files[name] = bytes((folder as NSString).appendingPathComponent(name)) ?? Data("(folder)".utf8)
    }
    return files
  }

  func importLinks(_ name: String, _ rows: [String]) throws {
    let csv = try PackageFixture.links(name, rows, in: dir)
    let result = try run(["import", "links", csv] + key)
    #expect(result.status == 0, "\(result.stderr)")
  }

  func seeded() throws {
    try importLinks("seed.csv", PackageFixture.quarterRows)
  }

  func signingKey() throws -> (pem: String, pub: String) {
    try PackageFixture.issuerKey(in: dir) { try run($0) }
  }

  /// Runs python3 to write a zip (the archive shapes a hostile sender makes).
  func python(_ script: String, _ arguments: [String]) throws { try PackageFixture.python(script, arguments) }

  // MARK: B4

  /// B4: a re-issue into the default folder keeps the filed version 1 as
  /// filed in reports/2021-Q4-v1 and says so; the kept folder verifies as
  /// version 1 (signed, and superseded by version 2 against the database);
  /// the same bytes again keep nothing; a kept name taken by other bytes refuses first.
  @Test func b4_aReissueKeepsTheFiledVersionItReplacesInItsOwnFolder() throws {
    try seeded()
    let (pem, pub) = try signingKey()
    let signed = ["--signing-key", pem]
    #expect(try report(signed).status == 0)
    let v1 = try #require(bytes(dir.file("reports/2021-Q4/manifest.json")))
    try importLinks("late.csv", ["l1,2021-11-01 10:00:00,search,u7,https://b.cn/,open,"])
    let second = try report(signed + ["--reason", "late complaints"])
    #expect(second.status == 0, "\(second.stderr)")
    #expect(
      second.stderr.contains(
        "report: reports/2021-Q4 held the filed version 1: kept as filed in reports/2021-Q4-v1\n"), "\(second.stderr)")
    #expect(bytes(dir.file("reports/2021-Q4-v1/manifest.json")) == v1)
    let regulator = try run(["verify", "reports/2021-Q4-v1", "--public-key", pub, "--version", "1"])
    #expect(regulator.status == 0, "\(regulator.stderr)")
    #expect(regulator.stdout.contains("verified 2021-Q4 (Asia/Shanghai), version 1 issued"), "\(regulator.stdout)")
    let ledger = try run(["verify", "reports/2021-Q4-v1"] + templates)
    // Against today's data it differs (a batch imported since), and is still the filed version 1.
    #expect(ledger.stderr.contains("version 1 issued"), "\(ledger.stderr)")
    #expect(ledger.stderr.contains("; the filed version 1, superseded by version 2 (issued "), "\(ledger.stderr)")
    let listing = try FileManager.default.contentsOfDirectory(atPath: dir.file("reports")).sorted()
    #expect(listing == ["2021-Q4", "2021-Q4-v1"])
    // The latest version's bytes again: no -v2.
    let again = try report(signed)
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stderr.contains("the filed version 2"), "\(again.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("reports")).sorted() == listing)
    // Version 3 would keep version 2 in reports/2021-Q4-v2, taken by a copy with other bytes: refused, named, nothing written.
    try importLinks("later.csv", ["l2,2021-11-02 10:00:00,search,u8,https://c.cn/,open,"])
    try FileManager.default.copyItem(atPath: dir.file("reports/2021-Q4-v1"), toPath: dir.file("reports/2021-Q4-v2"))
    let before = try tree(dir.file("reports"))
    let db = bytes(database)
    for dryRun in [["--dry-run"], []] {
      let refused = try report(signed + ["--reason", "later still"] + dryRun)
      #expect(refused.status == 1, "\(dryRun): \(refused.stderr)")
      #expect(
        refused.stderr.contains(
          "reports/2021-Q4-v2 is there already and is not 2021-Q4 version 2 as filed (the package in reports/2021-Q4)"),
        "\(dryRun): \(refused.stderr)")
      #expect(try tree(dir.file("reports")) == before)
      #expect(bytes(database) == db)
    }
  }

  /// B4: the kept folder of another zone is named with the zone: reports/2021-Q4-UTC-v2.
  @Test func b4_anotherZonesKeptFolderCarriesTheZone() throws {
    try seeded()
    #expect(try report([]).status == 0)
    #expect(try report(["--tz", "UTC", "--reason", "cut in UTC"]).status == 0)
    try importLinks("late.csv", ["l1,2021-11-01 10:00:00,search,u7,https://b.cn/,open,"])
    let third = try report(["--tz", "UTC", "--reason", "late log"])
    #expect(third.status == 0, "\(third.stderr)")
    #expect(
      third.stderr.contains("reports/2021-Q4-UTC held the filed version 2: kept as filed in reports/2021-Q4-UTC-v2"),
      "\(third.stderr)")
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: dir.file("reports")).sorted() == [
        "2021-Q4", "2021-Q4-UTC", "2021-Q4-UTC-v2",
      ])
  }

  // MARK: B15

  /// B15: a dry run runs every refusal of the real run (the out folder, the
  /// archive's name) and says it as the real run does, writing nothing.
  @Test func b15_aDryRunRefusesWhatTheRealRunRefuses() throws {
    try seeded()
    #expect(try report(["--archive"]).status == 0)
    try "junk".write(toFile: dir.file("reports/linkaudit-2021-Q4-v2.zip"), atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(atPath: dir.file("inbox"), withIntermediateDirectories: true)
    try "x".write(toFile: dir.file("inbox/links-2021-10.csv"), atomically: true, encoding: .utf8)
    let cases: [[String]] = [
      ["--out", "reports"], ["--out", "."], ["--out", ".."], ["--out", "inbox"], ["--out", "seed.csv/2021-Q4"],
      ["--lang", "en", "--reason", "English only", "--archive"],
    ]
    for arguments in cases {
      let before = try tree(dir.path)
      let dry = try report(arguments + ["--dry-run"])
      let real = try report(arguments)
      #expect(real.status != 0, "\(arguments): \(real.stderr)")
      #expect(dry.status == real.status, "\(arguments): \(dry.stdout) \(dry.stderr)")
      #expect(dry.stderr == real.stderr, "\(arguments)")
      #expect(!dry.stdout.contains("would be"), "\(arguments): \(dry.stdout)")
      #expect(try tree(dir.path) == before, "\(arguments)")
    }
  }

  // MARK: B17

  /// B17: verify's scratch folder carries its process id; one left by a
  /// process that is gone is removed by the next verify, and only such.
  @Test func b17_aKilledVerifysScratchIsRemovedByTheNext() throws {
    try seeded()
    #expect(try report(["--archive"]).status == 0)
    let temporary = dir.file("tmp")
    try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
    let gone = 4_194_304 + 9  // above the kernel's pid_max: no process has it
    let uuid = UUID().uuidString
    let stale = "linkaudit-unpack-\(gone)-\(uuid)"
    try dir.write("tmp/\(stale)/package/metrics.csv", "x")
    try dir.write("tmp/linkaudit-verify-\(gone)-\(uuid)/metrics.csv", "x")
    // Not verify's own: a running process's, another shape, a link inside, a key inside.
    let kept = [
      "linkaudit-unpack-\(getpid())-\(uuid)", "linkaudit-unpack-\(gone)", "linkaudit-unpack-\(gone)-\(uuid)x",
      "linkaudit-unpack-\(gone)-\(UUID().uuidString)",
    ]
    try dir.write("tmp/\(kept[0])/package/metrics.csv", "x")
    try dir.write("tmp/\(kept[1])/package/metrics.csv", "x")
    try dir.write("tmp/\(kept[2])/package/metrics.csv", "x")
    try FileManager.default.createDirectory(
      atPath: dir.file("tmp/\(kept[3])/package"), withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: dir.file("tmp/\(kept[3])/package/metrics.csv"), withDestinationPath: dir.file("seed.csv"))
    let verified = try run(
      ["verify", "reports/linkaudit-2021-Q4-v1.zip"] + templates, environment: ["TMPDIR": temporary])
    #expect(verified.status == 0, "\(verified.stderr)")
    let left = try FileManager.default.contentsOfDirectory(atPath: temporary).sorted()
    #expect(left == kept.sorted(), "\(left)")
    #expect(FileManager.default.fileExists(atPath: dir.file("seed.csv")))
  }

  // MARK: B11

  /// B11: an entry whose name no file system holds, a flat archive, data
  /// before the archive and a bzip2 entry are each named by the entry, count
  /// first, and verification goes on; never a scratch path.
  @Test func b11_everyBadArchiveEntryIsNamedAndVerificationGoesOn() throws {
    try seeded()
    let (pem, pub) = try signingKey()
    #expect(try report(["--archive", "--signing-key", pem]).status == 0)
    let zip = dir.file("reports/linkaudit-2021-Q4-v1.zip")
    try python(
      """
      import sys, zipfile
      src = zipfile.ZipFile(sys.argv[1]); P = 'linkaudit-2021-Q4-v1/'
      items = [(i, src.read(i.filename)) for i in src.infolist()]
      with zipfile.ZipFile(sys.argv[2], 'w') as z:
          [z.writestr(i, b) for i, b in items]; z.writestr(P + 'a' * 300, b'x')
      with zipfile.ZipFile(sys.argv[3], 'w') as z:
          [z.writestr(i.filename.split('/', 1)[1], b) for i, b in items]
      with zipfile.ZipFile(sys.argv[4], 'w') as z:
          for i, b in items:
              z.writestr(i.filename, b, compress_type=zipfile.ZIP_BZIP2 if i.filename.endswith('metrics.csv') else zipfile.ZIP_DEFLATED)
      open(sys.argv[5], 'wb').write(b'#!/bin/sh\\nexit 0\\n' + open(sys.argv[1], 'rb').read())
      """, [zip, dir.file("long.zip"), dir.file("flat.zip"), dir.file("bz.zip"), dir.file("prepended.zip")])
    for arguments in [["--public-key", pub], templates] {
      let long = try run(["verify", dir.file("long.zip")] + arguments)
      #expect(long.status == 1)
      #expect(
        long.stderr.contains("verify: \(dir.file("long.zip")) (2021-Q4 (Asia/Shanghai), version 1"), "\(long.stderr)")
      #expect(long.stderr.contains("1 difference(s) found"), "\(long.stderr)")
      #expect(long.stderr.contains("verify: linkaudit-2021-Q4-v1/aaaa"), "\(long.stderr)")
      #expect(long.stderr.contains("a name of 300 bytes, longer than a file name can be (255)"), "\(long.stderr)")
      let bz = try run(["verify", dir.file("bz.zip")] + arguments)
      #expect(bz.status == 1)
      #expect(
        bz.stderr.contains(
          "verify: linkaudit-2021-Q4-v1/metrics.csv: compressed with a method this verify cannot read"), "\(bz.stderr)")
      #expect(!bz.stderr.contains("damaged") && !bz.stderr.contains("modified"), "\(bz.stderr)")
      let bad = try run(["verify", dir.file("prepended.zip")] + arguments)
      #expect(bad.status == 1)
      #expect(bad.stderr.contains("difference(s) found:\n"), "\(bad.stderr)")
      #expect(!bad.stderr.contains("linkaudit-unpack"), "\(bad.stderr)")
      // A zip of the package's files alone is the package with no folder, as doctor reads it (red-team M6).
      let flat = try run(["verify", dir.file("flat.zip")] + arguments)
      #expect(flat.status == 0, "\(flat.stderr)")
      #expect(!flat.stderr.contains("not under the package's folder"), "\(flat.stderr)")
    }
  }

  /// B11: a name with a newline is shown with it escaped, never as a space.
  @Test func b11_aNewlineInANameIsShownEscaped() throws {
    try seeded()
    let (pem, pub) = try signingKey()
    #expect(try report(["--out", "pkg", "--signing-key", pem]).status == 0)
    try "x".write(toFile: dir.file("pkg/a\nverify: pkg verified ok"), atomically: true, encoding: .utf8)
    for arguments in [["--public-key", pub], templates] {
      let result = try run(["verify", "pkg"] + arguments)
      #expect(result.status == 1)
      #expect(
        result.stderr.contains("verify: a\\u{A}verify: pkg verified ok: not listed in the manifest"), "\(result.stderr)"
      )
      #expect(!result.stderr.contains("a verify: pkg"), "\(result.stderr)")
    }
  }
}
