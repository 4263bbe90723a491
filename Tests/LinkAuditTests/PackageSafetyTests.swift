import Foundation
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the package's part: the red-team findings of 2026-12-07 on the
/// package, verify, the filings and the report command (N7's package part,
/// N9, N10, N13-N16, N20, N21), through the built binary. Each test names the
/// finding it holds (docs/reliability.md lists them).
@Suite struct PackageSafetyTests {
  let dir = TemporaryDirectory()
  var database: String { dir.file("p.db") }
  var key: [String] { ["--key-file", dir.file("p.key")] }

  func run(_ arguments: [String]) throws -> LinkauditBinary.Run {
    try LinkauditBinary.run(arguments, database: database)
  }

  /// Runs the binary under timeout(1); nil when it had to be killed after `seconds` (a hang).
  func run(_ arguments: [String], within seconds: Int) throws -> LinkauditBinary.Run? {
    try PackageFixture.run(arguments, database: database, within: seconds)
  }

  func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

  /// Every file of a folder, by name, with its bytes.
  func snapshot(_ folder: String) throws -> [String: Data] {
    var files: [String: Data] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
      files[name] = bytes((folder as NSString).appendingPathComponent(name)) ?? Data()
    }
    return files
  }

  /// One event of 2021-11 imported after a filing: the quarter's figures move.
  func importLateEvent() throws {
    let late = try dir.write(
      "late.csv", "event_id,occurred_at,scene,user_id,url,action\nl1,2021-11-01 10:00:00,search,u7,https://b.cn/,open\n"
    )
    #expect(try run(["import", "links", late] + key).status == 0)
  }

  /// Five events in 2021-Q4 and one in 2022-Q1, imported with the suite's key.
  func seeded() throws {
    let rows = (0..<5).map {
      "e\($0),2021-10-0\($0 + 1) 10:00:00,group_chat,user\($0),https://item.taobao.com/\($0),open,"
    }
    let csv = try dir.write(
      "seed.csv",
      "event_id,occurred_at,scene,user_id,url,action,reason\n" + rows.joined(separator: "\n")
        + "\nq1,2022-01-05 10:00:00,search,user9,https://a.cn/,open,\n")
    let result = try run(["import", "links", csv] + key)
    #expect(result.status == 0, "\(result.stderr)")
  }

  /// A signing key and its public half beside the database.
  func signingKey() throws -> (pem: String, pub: String) {
    try PackageFixture.issuerKey(in: dir) { try run($0) }
  }

  func report(_ quarter: String, _ out: String, _ more: [String] = []) throws -> LinkauditBinary.Run {
    try run(["report", "--quarter", quarter, "--out", out] + more)
  }

  // MARK: verify

  /// N7, N21: a pipe, a device or a folder where a package file should be is
  /// named and never read (verify used to hang or abort naming nothing), and
  /// the other checks go on.
  @Test func n7n21_verifyReadsOnlyRegularFilesNamesTheRestAndGoesOn() throws {
    try seeded()
    let (pem, pub) = try signingKey()
    let out = dir.file("pkg")
    #expect(try report("2021-Q4", out, ["--signing-key", pem]).status == 0)
    try "edited\n".write(toFile: out + "/summary.zh.md", atomically: true, encoding: .utf8)
    try FileManager.default.removeItem(atPath: out + "/metrics.csv")
    #expect(mkfifo(out + "/metrics.csv", 0o600) == 0)
    try FileManager.default.removeItem(atPath: out + "/principle-1.en.md")
    try FileManager.default.createSymbolicLink(atPath: out + "/principle-1.en.md", withDestinationPath: "/dev/zero")
    for arguments in [["verify", out, "--public-key", pub], ["verify", out]] {
      let verified = try run(arguments, within: 30)
      #expect(verified != nil, "\(arguments) hung on a pipe")
      guard let verified else { continue }
      #expect(verified.status == 1, "\(verified.stderr)")
      #expect(verified.stderr.contains("verify: metrics.csv: not a regular file (a pipe"), "\(verified.stderr)")
      #expect(verified.stderr.contains("verify: principle-1.en.md: not a regular file (a symbolic link)"))
      #expect(verified.stderr.contains("summary.zh.md: modified"), "the other checks go on: \(verified.stderr)")
    }
    // A folder in a file's place is named too.
    try FileManager.default.removeItem(atPath: out + "/metrics.csv")
    try FileManager.default.createDirectory(atPath: out + "/metrics.csv", withIntermediateDirectories: false)
    let folder = try run(["verify", out, "--public-key", pub])
    #expect(folder.status == 1)
    #expect(folder.stderr.contains("verify: metrics.csv: not a regular file (a folder)"), "\(folder.stderr)")
    #expect(!folder.stderr.contains("a file operation failed"))
  }

  /// N9: a signed package with an added dot-file and a forged page under
  /// render/ does not verify; each is named.
  @Test func n9_anAddedDotFileOrRenderFolderIsNamedNotVerified() throws {
    try seeded()
    let (pem, pub) = try signingKey()
    let out = dir.file("pkg")
    #expect(try report("2021-Q4", out, ["--signing-key", pem]).status == 0)
    try "# ERRATA\n".write(toFile: out + "/.ERRATA.en.md", atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(atPath: out + "/render", withIntermediateDirectories: false)
    try "%PDF-1.4 forged".write(toFile: out + "/render/linkaudit-2021-Q4.en.pdf", atomically: true, encoding: .utf8)
    for arguments in [["verify", out, "--public-key", pub], ["verify", out]] {
      let verified = try run(arguments)
      #expect(verified.status == 1, "\(arguments): \(verified.stdout)")
      #expect(verified.stderr.contains("verify: .ERRATA.en.md: not listed in the manifest"), "\(verified.stderr)")
      #expect(verified.stderr.contains("verify: render: not part of the signed package"), "\(verified.stderr)")
      #expect(!verified.stdout.contains("verified"))
    }
  }

  /// N10: verify says which quarter, zone, version and issue time it
  /// verified; --quarter and --version refuse another package.
  @Test func n10_verifySaysWhatItVerifiedAndRefusesAnotherQuarterOrVersion() throws {
    try seeded()
    let (pem, pub) = try signingKey()
    #expect(try report("2022-Q1", dir.file("q1"), ["--signing-key", pem]).status == 0)
    try FileManager.default.copyItem(atPath: dir.file("q1"), toPath: dir.file("2021-Q4"))
    let plain = try run(["verify", dir.file("2021-Q4"), "--public-key", pub])
    #expect(plain.status == 0)
    #expect(plain.stdout.contains("verified 2022-Q1 (Asia/Shanghai), version 1 issued 20"), "\(plain.stdout)")
    let other = try run(["verify", dir.file("2021-Q4"), "--public-key", pub, "--quarter", "2021-Q4"])
    #expect(other.status == 1)
    #expect(other.stderr.contains("the package is of 2022-Q1, not 2021-Q4 as asked"), "\(other.stderr)")
    let version = try run(["verify", dir.file("q1"), "--public-key", pub, "--quarter", "2022-Q1", "--version", "2"])
    #expect(version.status == 1)
    #expect(version.stderr.contains("the package is version 1, not version 2 as asked"), "\(version.stderr)")
    let db = try run(["verify", dir.file("q1"), "--quarter", "2022-Q1", "--version", "1"])
    #expect(db.status == 0, "\(db.stderr)")
    #expect(db.stdout.contains("version 1 issued") && db.stdout.contains("the filed version 1"), "\(db.stdout)")
  }

  /// N21: the archive handed over is verified as it is, and a changed entry in it is named.
  @Test func n21_theArchiveHandedOverIsVerifiedAsItIs() throws {
    try seeded()
    let (pem, pub) = try signingKey()
    let out = dir.file("reports/2021-Q4")
    #expect(try report("2021-Q4", out, ["--signing-key", pem, "--archive"]).status == 0)
    let zip = dir.file("reports/linkaudit-2021-Q4-v1.zip")
    let verified = try run(["verify", zip, "--public-key", pub])
    #expect(verified.status == 0, "\(verified.stderr)")
    #expect(verified.stdout.contains("verified 2021-Q4 (Asia/Shanghai), version 1"), "\(verified.stdout)")
    #expect(try run(["verify", zip]).status == 0)
    // The same zip with one entry changed and one added.
    let forged = dir.file("forged.zip")
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [
      "python3", "-c",
      """
      import sys, zipfile
      src, dst = zipfile.ZipFile(sys.argv[1]), zipfile.ZipFile(sys.argv[2], 'w')
      for i in src.infolist():
          data = src.read(i)
          dst.writestr(i, b'edited\\n' if i.filename.endswith('summary.en.md') else data)
      dst.writestr('linkaudit-2021-Q4-v1/.ERRATA.md', 'x')
      dst.close()
      """, zip, forged,
    ]
    try p.run()
    p.waitUntilExit()
    let caught = try run(["verify", forged, "--public-key", pub])
    #expect(caught.status == 1)
    #expect(caught.stderr.contains("verify: summary.en.md: modified"), "\(caught.stderr)")
    #expect(caught.stderr.contains("verify: .ERRATA.md: not listed in the manifest"), "\(caught.stderr)")
  }

  // MARK: the ledger

  /// N13: another zone with other figures is not a second version 1, its
  /// archive never replaces the first, and the zone is kept as named.
  @Test func n13_anotherZoneIsANewVersionWithItsOwnNamesAndNothingIsReplaced() throws {
    try seeded()
    let reports = dir.file("reports")
    #expect(try report("2021-Q4", reports + "/2021-Q4", ["--archive"]).status == 0)
    let firstZip = bytes(reports + "/linkaudit-2021-Q4-v1.zip")
    let before = try snapshot(reports)
    let refused = try LinkauditBinary.run(
      ["report", "--quarter", "2021-Q4", "--tz", "UTC", "--archive"], database: database,
      in: URL(fileURLWithPath: dir.path))
    #expect(refused.status != 0)
    #expect(refused.stderr.contains("a re-issue is version 2 and needs --reason"), "\(refused.stderr)")
    #expect(try snapshot(reports) == before)
    let utc = try LinkauditBinary.run(
      ["report", "--quarter", "2021-Q4", "--tz", "UTC", "--archive", "--reason", "cut in UTC"], database: database,
      in: URL(fileURLWithPath: dir.path))
    #expect(utc.status == 0, "\(utc.stderr)")
    #expect(utc.stdout.contains("reports/2021-Q4-UTC/manifest.json"), "\(utc.stdout)")
    #expect(utc.stdout.contains("reports/linkaudit-2021-Q4-UTC-v2.zip"), "\(utc.stdout)")
    #expect(bytes(reports + "/linkaudit-2021-Q4-v1.zip") == firstZip)
    let filings = try run(["filings"]).stdout.split(separator: "\n").dropFirst().map { $0.split(separator: "\t") }
    #expect(filings.map { "\($0[1]) \($0[2])" } == ["Asia/Shanghai 1", "UTC 2"], "\(filings)")
  }

  /// N14: a signing key is never kept where report replaces folders, and
  /// report never replaces a folder holding a key or a file it did not write.
  @Test func n14_aKeyInAPackageFolderIsRefusedAndNeverDeleted() throws {
    try seeded()
    let out = dir.file("reports/2021-Q4")
    #expect(try report("2021-Q4", out).status == 0)
    for place in [out + "/issuer-signing-key.pem", dir.file("reports/keys/issuer.pem")] {
      let refused = try run(["keys", "new", "--signing-key", place])
      #expect(refused.status != 0, "\(place)")
      #expect(refused.stderr.contains("keep the key beside the database"), "\(refused.stderr)")
      #expect(!FileManager.default.fileExists(atPath: place))
    }
    // A key put there by hand (under any name), or a note: the folder is not replaced.
    let (pem, _) = try signingKey()
    for (name, text) in [("backup.txt", try String(contentsOfFile: pem, encoding: .utf8)), ("notes.txt", "mine")] {
      try text.write(toFile: out + "/" + name, atomically: true, encoding: .utf8)
      let before = try snapshot(out)
      let result = try report("2021-Q4", out, ["--signing-key", pem, "--reason", "signed"])
      #expect(result.status != 0)
      #expect(result.stderr.contains("holds \(name)"), "\(result.stderr)")
      #expect(try snapshot(out) == before)
      try FileManager.default.removeItem(atPath: out + "/" + name)
    }
  }

  /// N15: --reason obeys the text rules; filings never sends a control character to the terminal.
  @Test func n15_theReasonObeysTheTextRulesAndFilingsEscapesControlCharacters() throws {
    try seeded()
    #expect(try report("2021-Q4", dir.file("v1")).status == 0)
    try importLateEvent()
    let before = bytes(database)
    for reason in [
      "fix \u{1B}]0;owned\u{07}\u{1B}[2J\rforged", "fix \u{202E}exe.gnp", String(repeating: "x", count: 2001),
    ] {
      let refused = try report("2021-Q4", dir.file("v2"), ["--reason", reason])
      #expect(refused.status == 64, "\(refused.stderr)")
      #expect(refused.stderr.contains("--reason: "), "\(refused.stderr)")
      #expect(!refused.stderr.contains("\u{1B}") && !refused.stderr.contains("\u{202E}"))
      #expect(bytes(database) == before)
      #expect(!FileManager.default.fileExists(atPath: dir.file("v2")))
    }
    let masked = try report("2021-Q4", dir.file("v2"), ["--reason", "caller 13912345678 complained"])
    #expect(masked.status == 0, "\(masked.stderr)")
    #expect(masked.stderr.contains("personal numbers masked"))
    let filings = try run(["filings"])
    #expect(filings.stdout.contains("caller 139****5678 complained"), "\(filings.stdout)")
    #expect(!filings.stdout.contains("13912345678"))
    #expect(!(try String(contentsOfFile: dir.file("v2/summary.en.md"), encoding: .utf8)).contains("13912345678"))
    // A reason filed before the rules, with control characters: escaped on the terminal.
    let db = try Database(path: database)
    try db.execute("UPDATE filing SET reason = 'old \u{1B}[2J\rreason' WHERE version = 2")
    db.close()
    let shown = try run(["filings"])
    #expect(!shown.stdout.contains("\u{1B}") && !shown.stdout.contains("\r"), "\(shown.stdout)")
    #expect(shown.stdout.contains("old \\u{1B}[2J reason"), "\(shown.stdout)")
  }

  /// N16: a new reason for the filed bytes is refused and said, not dropped;
  /// the package in place and the ledger stay as they were.
  @Test func n16_aSecondReasonForTheSameBytesIsRefusedAndSaid() throws {
    try seeded()
    let out = dir.file("v1")
    #expect(try report("2021-Q4", out, ["--reason", "first"]).status == 0)
    let before = try snapshot(out)
    let second = try report("2021-Q4", out, ["--reason", "operator 2: the real reason"])
    #expect(second.status != 0)
    #expect(second.stderr.contains("is filed version 1 byte for byte"), "\(second.stderr)")
    #expect(second.stderr.contains("\"operator 2: the real reason\" is not recorded"), "\(second.stderr)")
    #expect(try snapshot(out) == before)
    let same = try report("2021-Q4", out)
    #expect(same.status == 0)
    #expect(same.stderr.contains("the filed version 1"), "\(same.stderr)")
  }

  /// N20: the folders a killed report left beside its package are cleaned by
  /// the next report, and a package it had moved aside is put back.
  @Test func n20_aKilledReportsFoldersAreCleanedAndAMovedPackageComesBack() throws {
    try seeded()
    let out = dir.file("pkg")
    #expect(try report("2021-Q4", out).status == 0)
    // A process id no process has (above the kernel's pid_max).
    let gone = 4_194_304 + 7
    let leftovers = [".pkg.writing-\(gone)-0badf00d", ".pkg.previous-\(gone)-0badf00d"]
    // Visible names in the form earlier versions staged under are the user's: left (red-team E2).
    let users = ["pkg.writing-\(gone)", "pkg.previous-\(gone)"]
    for name in leftovers + users {
      try FileManager.default.createDirectory(atPath: dir.file(name), withIntermediateDirectories: false)
      try "partial".write(toFile: dir.file(name + "/metrics.csv"), atomically: true, encoding: .utf8)
    }
    // A folder of this process's, alive: not touched.
    let alive = ".pkg.writing-\(getpid())"
    try FileManager.default.createDirectory(atPath: dir.file(alive), withIntermediateDirectories: false)
    #expect(try report("2021-Q4", out).status == 0)
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
    for name in leftovers { #expect(!names.contains(name), "\(name) left") }
    for name in users { #expect(names.contains(name), "\(name) removed") }
    #expect(names.contains(alive))
    // Killed between moving the old package aside and putting the new one in place.
    try FileManager.default.moveItem(atPath: out, toPath: dir.file(".pkg.previous-\(gone)"))
    #expect(try report("2021-Q4", out).status == 0)
    #expect(!FileManager.default.fileExists(atPath: dir.file(".pkg.previous-\(gone)")))
    #expect(try run(["verify", out]).status == 0)
  }

  /// report says what it did; a mistyped year is not filed; a dry run writes nothing.
  @Test func reportSaysWhatItDidRefusesAnEmptyQuarterAndDryRunsWriteNothing() throws {
    try seeded()
    let first = try report("2021-Q4", dir.file("v1"))
    #expect(first.stderr.contains("report: 2021-Q4 (Asia/Shanghai): version 1, new, issued "), "\(first.stderr)")
    #expect(first.stderr.contains("report: unsigned: no signing key at "), "\(first.stderr)")
    #expect(first.stderr.contains("report: verified: every file in "), "\(first.stderr)")
    let before = bytes(database)
    let empty = try report("2031-Q4", dir.file("empty"))
    #expect(empty.status != 0)
    #expect(empty.stderr.contains("2031-Q4 holds no link event and no complaint"), "\(empty.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.file("empty")))
    #expect(bytes(database) == before)
    try importLateEvent()
    let afterImport = bytes(database)
    let dry = try report("2021-Q4", dir.file("v2"), ["--dry-run"])
    #expect(dry.status == 0, "\(dry.stderr)")
    #expect(dry.stdout.contains("2021-Q4 (Asia/Shanghai): would be version 2, new: needs --reason"), "\(dry.stdout)")
    #expect(dry.stdout.contains("overview.events: 5 → 6"), "\(dry.stdout)")
    #expect(!FileManager.default.fileExists(atPath: dir.file("v2")))
    #expect(bytes(database) == afterImport)
    let signed = try report("2021-Q4", dir.file("v2"), ["--reason", "late log"])
    #expect(
      signed.stderr.contains("version 2, new, issued") && signed.stderr.contains("correcting version 1")
        && signed.stderr.contains("reason: late log"), "\(signed.stderr)")
  }

  // MARK: doctor

  /// doctor: the pseudonym key (present, 0600, the database's), the signing
  /// key against the packages, the packages against the filings.
  @Test func doctorChecksTheKeysAndTheFilingsAgainstThePackages() throws {
    try seeded()
    let (pem, _) = try signingKey()
    let reports = dir.file("reports")
    #expect(try report("2021-Q4", reports + "/2021-Q4", ["--signing-key", pem]).status == 0)
    func doctor() throws -> LinkauditBinary.Run {
      try run(["doctor", "--reports", reports, "--signing-key", pem] + key)
    }
    let healthy = try doctor()
    #expect(healthy.stdout.contains("ok       pseudonym key: "), "\(healthy.stdout)")
    #expect(healthy.stdout.contains("ok       signing key: "), "\(healthy.stdout)")
    #expect(healthy.stdout.contains("ok       filings: every quarter's filed version is in"), "\(healthy.stdout)")
    chmod(dir.file("p.key"), 0o644)
    let open = try doctor()
    #expect(open.status == 1)
    #expect(open.stdout.contains("problem  pseudonym key: ") && open.stdout.contains("chmod 600"), "\(open.stdout)")
    chmod(dir.file("p.key"), 0o600)
    // A package whose manifest is not the filed one.
    let manifest = reports + "/2021-Q4/manifest.json"
    let text = try String(contentsOfFile: manifest, encoding: .utf8)
    try text.replacingOccurrences(of: "\"tool\" : \"linkaudit\"", with: "\"tool\" : \"linkaudit\" ")
      .write(toFile: manifest, atomically: true, encoding: .utf8)
    let edited = try doctor()
    #expect(edited.status == 1)
    #expect(edited.stdout.contains("2021-Q4 version 1 is not as filed"), "\(edited.stdout)")
    // Its version's filed manifest, altered (a space added): called altered, with what differs (red-team F8).
    #expect(
      edited.stdout.contains("manifest.json: altered since it was filed: only its layout differs"), "\(edited.stdout)")
    #expect(edited.stdout.contains("no package or archive in"), "\(edited.stdout)")
    // Another signing key than the packages name.
    let other = dir.file("other.pem")
    #expect(try run(["keys", "new", "--signing-key", other]).status == 0)
    let swapped = try run(["doctor", "--reports", reports, "--signing-key", other] + key)
    #expect(
      swapped.stdout.contains("is not the key that signed the filings or the packages on disk"), "\(swapped.stdout)")
    // The ledger alone knows the signer: no package on disk needed.
    let none = try run(["doctor", "--reports", dir.file("absent"), "--signing-key", other] + key)
    #expect(none.stdout.contains("is not the key that signed the filings"), "\(none.stdout)")
  }
}
