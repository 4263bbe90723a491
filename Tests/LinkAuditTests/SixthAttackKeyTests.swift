import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the sixth attack's key findings (red-team F9, F13, F15's key
/// items): a file of a digest is no pseudonym key; a package's archive is
/// told in the forms people make (tar, tar.gz, a zip of its files alone);
/// keys new names what it refuses to replace; a key left by a kill is named
/// and cleaned up. Through the built binary.
/// Rows: docs/reliability.md.
/// In FifthAttackKeyTests' suite, whose fixture it shares.
extension FifthAttackKeyTests {
  func write(_ text: String, to path: String, mode: mode_t) throws {
    try text.write(toFile: path, atomically: false, encoding: .utf8)
    chmod(path, mode)
  }

  func tool(_ executable: String, _ arguments: [String]) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    try p.run()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0, "\(executable) \(arguments)")
  }

  /// A process id no process holds: a child's, once it has ended.
  func endedProcessID() throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/true")
    try p.run()
    p.waitUntilExit()
    return p.processIdentifier
  }

  /// F9: a file of nothing but a SHA-256 (the signing key's fingerprint,
  /// which keys new prints for the regulator; a database's checksum) is no
  /// pseudonym key: the report is written beside it. The database's own
  /// key is told by the fingerprint the database recorded, whatever its
  /// mode; other hexadecimal text readable by its owner only is named for
  /// what it is, digits and mode. Nothing is written when refused.
  @Test func f9_aFileOfADigestIsNoPseudonymKey() throws {
    try seeded(filing: false)
    let fingerprint = try SigningKey(path: dir.file(".linkaudit-signing-key.pem")).publicKey.fingerprint
    let h1 = dir.file("h1")
    let h2 = dir.file("h2")
    try makeFolder(h1)
    try makeFolder(h2)
    try write(fingerprint + "\n", to: h1 + "/signing-key-sha256.txt", mode: 0o644)
    try write(try FileHash.sha256(ofFile: database) + "\n", to: h2 + "/db.sha256", mode: 0o644)
    for h in [h1, h2] {
      let written = try run(["report", "--quarter", "2021-Q4", "--out", h + "/2021-Q4", "--dry-run"])
      #expect(written.status == 0, "\(written.stderr)")
    }
    // The fingerprint keys new printed is no key, whoever may read it.
    chmod(h1 + "/signing-key-sha256.txt", 0o600)
    #expect(try run(["report", "--quarter", "2021-Q4", "--out", h1 + "/2021-Q4", "--dry-run"]).status == 0)
    // Another digest, readable by its owner only, reads as a key does: named with what was found.
    chmod(h2 + "/db.sha256", 0o600)
    let stored = bytes(database)
    for more in [["--dry-run"], []] {
      let refused = try run(["report", "--quarter", "2021-Q4", "--out", h2 + "/2021-Q4"] + more)
      #expect(refused.status != 0)
      #expect(
        refused.stderr.contains(
          "its folder holds \(h2)/db.sha256 (64 hexadecimal digits alone, readable by its owner only: a file that may be a pseudonym key;"
        ), "\(refused.stderr)")
      #expect(listing(h2) == ["db.sha256"])
      #expect(bytes(database) == stored)
    }
    // The database's own key, made readable by others and renamed, is still its key.
    let e = dir.file("e")
    try makeFolder(e)
    try FileManager.default.copyItem(atPath: dir.file(".linkaudit.key"), toPath: e + "/key.txt")
    chmod(e + "/key.txt", 0o644)
    let own = try run(["report", "--quarter", "2021-Q4", "--out", e + "/2021-Q4", "--dry-run"])
    #expect(own.status != 0)
    #expect(own.stderr.contains("its folder holds \(e)/key.txt (this database's pseudonym key)"), "\(own.stderr)")
    #expect(listing(e) == ["key.txt"])
  }

  /// F13: a package handed over as a tar.gz, a plain tar (of the folder or
  /// of its files), or a zip of its files alone, under any name, makes its
  /// folder a reports folder: no key is made there, and the refusal names
  /// the archive. A tar.gz of something else is no package's archive.
  @Test func f13_aKeyBesideATarOrAFlatZipOfAPackageIsRefused() throws {
    try seeded()
    let stored = bytes(database)
    let shapes: [(String, String, [String])] = [
      ("h3", "q4.tgz", ["czf", "Q", "-C", reports, "2021-Q4"]),
      ("h4", "q4.tar.gz", ["czf", "Q", "-C", folder, "."]),
      ("h5", "q4.tar", ["cf", "Q", "-C", reports, "2021-Q4"]),
    ]
    for (name, archive, arguments) in shapes {
      let h = dir.file(name)
      try makeFolder(h)
      try tool("/usr/bin/tar", arguments.map { $0 == "Q" ? h + "/" + archive : $0 })
      let refused = try run(["keys", "new", "--signing-key", h + "/k.pem"])
      #expect(refused.status != 0, "\(archive)")
      #expect(
        refused.stderr.contains(
          "lies in \(FileIdentity(h).canonical), where packages are written and handed over (it holds \(FileIdentity(h).canonical)/\(archive), a report package's archive (tar))"
        ), "\(refused.stderr)")
      #expect(listing(h) == [archive])
    }
    // A zip of the package's files alone (zip -j).
    let h6 = dir.file("h6")
    try makeFolder(h6)
    try PackageFixture.python(
      "import sys, zipfile, os\nwith zipfile.ZipFile(sys.argv[2], 'w') as z:\n"
        + "  [z.write(os.path.join(sys.argv[1], n), n) for n in sorted(os.listdir(sys.argv[1]))]",
      [folder, h6 + "/flat.zip"])
    let flat = try run(["keys", "new", "--signing-key", h6 + "/k.pem"])
    #expect(flat.status != 0)
    #expect(flat.stderr.contains("flat.zip, a report package's archive (zip))"), "\(flat.stderr)")
    #expect(listing(h6) == ["flat.zip"])
    #expect(bytes(database) == stored)
    // A tar.gz of other files, a manifest.json of another tool's among them, is no package's archive.
    let other = dir.file("other")
    try makeFolder(other)
    try #"{"name": "web app", "files": {}}"#.write(toFile: other + "/manifest.json", atomically: false, encoding: .utf8)
    let h7 = dir.file("h7")
    try makeFolder(h7)
    try tool("/usr/bin/tar", ["czf", h7 + "/site.tgz", "-C", other, "."])
    let made = try run(["keys", "new", "--signing-key", h7 + "/k.pem"])
    #expect(made.status == 0, "\(made.stderr)")
  }

  /// F15: keys new names what it refuses to replace: the database as the
  /// database, a note as a file that is not a key; a signing key as one.
  /// Nothing is changed.
  @Test func f15_keysNewNamesWhatItRefusesToReplace() throws {
    try seeded(filing: false)
    let stored = bytes(database)
    let onDatabase = try run(["keys", "new", "--signing-key", database])
    #expect(onDatabase.status != 0)
    #expect(
      onDatabase.stderr.contains("--signing-key \(database) is the database (\(database)): refusing to replace it"),
      "\(onDatabase.stderr)")
    #expect(!onDatabase.stderr.contains("a signing key"), "\(onDatabase.stderr)")
    let other = dir.file("other.db")
    try FileManager.default.copyItem(atPath: database, toPath: other)
    let otherDB = try run(["keys", "new", "--signing-key", other])
    #expect(
      otherDB.stderr.contains("a database (SQLite) is already there, not a signing key: refusing to replace it"),
      "\(otherDB.stderr)")
    try "my notes\n".write(toFile: dir.file("notes.txt"), atomically: false, encoding: .utf8)
    let notes = try run(["keys", "new", "--signing-key", dir.file("notes.txt")])
    #expect(
      notes.stderr.contains("a file of 9 bytes is already there, not a signing key: refusing to replace it"),
      "\(notes.stderr)")
    let key = try run(["keys", "new"])
    #expect(key.stderr.contains("refusing to replace a signing key"), "\(key.stderr)")
    #expect(bytes(database) == stored)
    #expect(try String(contentsOfFile: dir.file("notes.txt"), encoding: .utf8) == "my notes\n")
  }

  /// F15: a keys new killed before it linked its key in place left the key
  /// under its temporary name (`.linkaudit-signing-key.pem.new-PID`):
  /// doctor names it (and removes nothing); the next keys new removes it,
  /// as its own: a whole key, its process gone, its lock free. One whose
  /// process lives, or that holds no key, is left.
  @Test func f15_aKeyLeftByAKilledKeysNewIsNamedAndRemoved() throws {
    let csv = try PackageFixture.links("seed.csv", PackageFixture.quarterRows, in: dir)
    #expect(try run(["import", "links", csv]).status == 0)
    let scratch = dir.file("scratch.pem")
    _ = try SigningKey.create(at: scratch)
    let stray = dir.file(".linkaudit-signing-key.pem.new-\(try endedProcessID())-\(UUID().uuidString)")
    try FileManager.default.copyItem(atPath: scratch, toPath: stray)
    chmod(stray, 0o600)
    let living = dir.file(".linkaudit-signing-key.pem.new-\(getpid())-\(UUID().uuidString)")
    // An earlier version's name (no UUID), which a person may give a key too: named, never removed.
    let earlier = dir.file(".linkaudit-signing-key.pem.new-\(try endedProcessID())")
    try FileManager.default.copyItem(atPath: scratch, toPath: earlier)
    try FileManager.default.copyItem(atPath: scratch, toPath: living)
    let note = dir.file(".linkaudit-signing-key.pem.new-\(try endedProcessID())")
    try write("not a key\n", to: note, mode: 0o600)
    let stored = bytes(stray)
    let doctor = try run(["doctor"])
    #expect(
      doctor.stdout.contains(
        "stray key: \(stray): a private key left by a run killed before it put it in place at \(dir.file(".linkaudit-signing-key.pem")): no command uses it; the next linkaudit keys new removes it"
      ), "\(doctor.stdout)")
    #expect(
      doctor.stdout.contains(
        "stray key: \(earlier): a private key left by a run killed before it put it in place at \(dir.file(".linkaudit-signing-key.pem")): no command uses it; named as earlier linkaudit versions named their temporaries, but a person may name a key so: linkaudit leaves it"
      ), "\(doctor.stdout)")
    #expect(!doctor.stdout.contains(living) && !doctor.stdout.contains(note), "\(doctor.stdout)")
    #expect(bytes(stray) == stored)
    let made = try run(["keys", "new"])
    #expect(made.status == 0, "\(made.stderr)")
    let left = listing(dir.path).filter { $0.hasPrefix(".linkaudit-signing-key.pem") }
    #expect(
      left
        == [
          ".linkaudit-signing-key.pem", (living as NSString).lastPathComponent, (note as NSString).lastPathComponent,
          (earlier as NSString).lastPathComponent,
        ].sorted())
    #expect(!(try run(["doctor"]).stdout.contains("stray key: \(stray)")))
  }
}

/// F15: every package file, the workbooks (written by libxlsxwriter) too,
/// is opened without following a link: one put where a file of the package
/// goes is refused by name, and the file it leads to is left as it was.
@Suite struct SixthAttackLinkTests {
  @Test func f15_aLinkWhereAPackageFileGoesIsNeverWrittenThrough() throws {
    let store = try MetricCatalogueTests.loaded()
    let victim = store.dir.file("victim.txt")
    try "keep me\n".write(toFile: victim, atomically: false, encoding: .utf8)
    for name in ["linkaudit-2021-Q4.en.xlsx", "annex.en.xlsx", "complaints.csv", "under_restricted_events.csv"] {
      let out = store.dir.file("out-\(name)")
      try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
      #expect(symlink(victim, out + "/" + name) == 0)
      let db = try store.open(.readOnly)
      defer { db.close() }
      let error = #expect(throws: Error.self) {
        try ReportPackage(
          quarter: ReportPackageTests.q4, timeZone: ReportPackageTests.shanghai, languages: [.en],
          templates: ReportPackageTests.templates
        ).writeFiles(database: db, into: out)
      }
      #expect(
        error?.localizedDescription.contains("\(out)/\(name): is a symbolic link: a file is never written through one")
          == true, "\(name): \(String(describing: error))")
      #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep me\n", "\(name)")
      #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: out + "/" + name)) == victim)
    }
  }
}
