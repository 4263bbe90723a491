import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the fifth attack's package findings (red-team E1, E2, E7, E11,
/// E12): no version is filed while a package in sight claims its number with
/// other bytes; a visible name is the user's, never a report's staging; a
/// kept version's folder never takes a new version; no package file goes
/// through a writer's temporary; doctor names what it sees as what it is.
/// Rows: docs/reliability.md.
extension ThirdAttackPackageTests {
  /// The database's files copied aside (a backup), or put back from that copy (a restore).
  func backUp() throws {
    for suffix in ["", "-wal", "-shm"] where exists(database + suffix) {
      try FileManager.default.copyItem(atPath: database + suffix, toPath: dir.file("backup.db" + suffix))
    }
  }

  func restore() throws {
    for suffix in ["", "-wal", "-shm", "-journal"] where exists(database + suffix) {
      try FileManager.default.removeItem(atPath: database + suffix)
    }
    for suffix in ["", "-wal", "-shm"] where exists(dir.file("backup.db" + suffix)) {
      try FileManager.default.copyItem(atPath: dir.file("backup.db" + suffix), toPath: database + suffix)
    }
  }

  // MARK: E1

  /// E1 (a): a database restored from a backup taken before version 2 was
  /// filed refuses to file another "version 2" anywhere (`--out` elsewhere),
  /// dry run too, while reports/ beside it holds that version 2, as a folder
  /// or as an archive; nothing is written or recorded.
  @Test func e1_noSecondVersionIsFiledElsewhereWhileReportsHoldsOne() throws {
    try seeded()
    try backUp()
    let v2 = try report(["--out", folder, "--lang", "en", "--reason", "v2 handed over", "--archive"])
    #expect(v2.status == 0, "\(v2.stderr)")
    try restore()
    let before = snapshot(reports)
    let elsewhere = dir.file("elsewhere/2021-Q4")
    for dry in [["--dry-run"], []] {
      let again = try report(["--out", elsewhere, "--lang", "en", "--reason", "again"] + dry)
      #expect(again.status != 0, "\(again.stdout)")
      #expect(
        again.stderr.contains(
          "refusing to file 2021-Q4 version 2: \(FileIdentity(folder).canonical) holds 2021-Q4 version 2, which this database's filings do not hold with those bytes"
        ),
        "\(again.stderr)")
      #expect(again.stderr.contains("report from the database that filed it"), "\(again.stderr)")
    }
    // The archive alone claims it too.
    // Out of sight: not beside the database, nor in the current folder (red-team F1).
    let away = TemporaryDirectory()
    try FileManager.default.moveItem(atPath: folder, toPath: away.file("moved-v2"))
    let archive = reports + "/linkaudit-2021-Q4-v2.zip"
    let byArchive = try report(["--out", elsewhere, "--lang", "en", "--reason", "again"])
    #expect(byArchive.status != 0)
    #expect(
      byArchive.stderr.contains("\(FileIdentity(archive).canonical) is an archive of 2021-Q4 version 2"),
      "\(byArchive.stderr)")
    #expect(try filings().map(\.version) == [1])
    #expect(!exists(dir.file("elsewhere")))
    #expect(
      snapshot(reports).filter { !$0.key.hasPrefix("2021-Q4/") } == before.filter { !$0.key.hasPrefix("2021-Q4/") })
    // Nothing claims it once that version is out of sight: filed.
    try FileManager.default.moveItem(atPath: archive, toPath: away.file("moved-v2.zip"))
    let filed = try report(["--out", elsewhere, "--lang", "en", "--reason", "again"])
    #expect(filed.status == 0, "\(filed.stderr)")
    #expect(try filings().map(\.version) == [1, 2])
  }

  /// E1 (b): D1's refusal no longer advises moving the folder away, and doing
  /// so leaves `reports/2021-Q4-v2` holding a version 2 this database lacks:
  /// the next version 2 is refused, naming it.
  @Test func e1_movingTheFolderAwayAsAdvisedFilesNoSecondVersion() throws {
    try seeded()
    try backUp()
    #expect(try report(["--out", folder, "--lang", "en", "--reason", "v2"]).status == 0)
    #expect(try report(["--out", folder, "--lang", "zh", "--reason", "v3"]).status == 0)
    try restore()
    let refused = try report(["--out", folder])
    #expect(refused.status != 0)
    #expect(refused.stderr.contains("holds 2021-Q4 version 3"), "\(refused.stderr)")
    #expect(!refused.stderr.contains("away"), "D1's advice leads into E1: \(refused.stderr)")
    try FileManager.default.moveItem(atPath: folder, toPath: dir.file("v3-moved"))
    let before = snapshot(reports)
    for dry in [["--dry-run"], []] {
      let again = try report(["--out", folder, "--lang", "en", "--reason", "again"] + dry)
      #expect(again.status != 0, "\(again.stdout)")
      #expect(
        again.stderr.contains(
          "refusing to file 2021-Q4 version 2: \(FileIdentity(folder).canonical)-v2 holds 2021-Q4 version 2"),
        "\(again.stderr)")
    }
    #expect(snapshot(reports) == before)
    #expect(try filings().map(\.version) == [1])
  }

  // MARK: E2

  /// E2: folders of the user's with a visible name in the form earlier
  /// versions staged under (`2021-Q4.previous-N`, `2021-Q4.writing-N`, N a
  /// process gone) are never removed, a package copy with a note included:
  /// named, left byte for byte.
  @Test func e2_aVisibleStagingLikeNameIsTheUsersAndStays() throws {
    try seeded()
    let previous = reports + "/2021-Q4.previous-\(Self.gone)"
    let writing = reports + "/2021-Q4.writing-\(Self.gone - 1)"
    try FileManager.default.copyItem(atPath: folder, toPath: previous)
    try Data("my note\n".utf8).write(to: URL(fileURLWithPath: previous + "/notes.md"))
    try FileManager.default.copyItem(atPath: folder, toPath: writing)
    let (p, w) = (snapshot(previous), snapshot(writing))
    let again = try report(["--out", folder])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(snapshot(previous) == p)
    #expect(snapshot(writing) == w)
    #expect(again.stderr.contains("\(previous): named as the staging folders of earlier"), "\(again.stderr)")
    #expect(again.stderr.contains("\(writing): named as the staging folders of earlier"), "\(again.stderr)")
    // A new version too.
    let v2 = try report(["--out", folder, "--lang", "en", "--reason", "v2"])
    #expect(v2.status == 0, "\(v2.stderr)")
    #expect(snapshot(previous) == p)
    #expect(snapshot(writing) == w)
  }

  // MARK: E7

  /// E7: `--out` naming a kept superseded version's folder, or a link to it,
  /// is refused (dry run too): a new version never lands in `-v1`.
  @Test func e7_aKeptVersionsFolderTakesNoNewVersion() throws {
    try seeded()
    #expect(try report(["--out", folder, "--lang", "en", "--reason", "v2"]).status == 0)
    let link = dir.file("e")
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: folder + "-v1")
    let before = snapshot(reports)
    for out in [folder + "-v1", link] {
      for dry in [["--dry-run"], []] {
        let into = try report(["--out", out, "--reason", "into v1 folder"] + dry)
        #expect(into.status != 0, "\(into.stdout)")
        #expect(
          into.stderr.contains("holds 2021-Q4 version 1, superseded by version 2 and kept there as filed"),
          "\(into.stderr)")
      }
    }
    #expect(snapshot(reports) == before)
    #expect(try filings().map(\.version) == [1, 2])
    // doctor names a `-vN` folder holding another version.
    try FileManager.default.copyItem(atPath: folder, toPath: reports + "/2021-Q4-v7")
    let told = try doctor()
    #expect(told.stdout.contains("2021-Q4-v7: named for version 7, but holds 2021-Q4 version 2"), "\(told.stdout)")
  }

  // MARK: E11

  /// E11: every package file is made in the folder under its own name: no
  /// writer's temporary (`.dat.nosync…`) is ever created there, watched by inotify.
  @Test func e11_noPackageFileGoesThroughAWritersTemporary() throws {
    let store = try MetricCatalogueTests.loaded()
    let out = store.dir.file("watched")
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: false)
    let fd = inotify_init()
    #expect(fd >= 0)
    defer { close(fd) }
    #expect(inotify_add_watch(fd, out, UInt32(IN_CREATE) | UInt32(IN_MOVED_TO)) >= 0)
    do {
      let db = try store.open(.readOnly)
      defer { db.close() }
      _ = try ReportPackage(
        quarter: FilingTests.q4, timeZone: FilingTests.shanghai, languages: [.zh, .en],
        templates: FilingTests.templates
      ).writeFiles(database: db, into: out)
    }
    _ = fcntl(fd, F_SETFL, O_NONBLOCK)
    var created: [String] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = read(fd, &buffer, buffer.count)
      guard n > 0 else { break }
      var at = 0
      while at + 16 <= n {
        let length = Int(buffer[at + 12]) | Int(buffer[at + 13]) << 8 | Int(buffer[at + 14]) << 16
        let name = buffer[(at + 16)..<(at + 16 + length)].prefix { $0 != 0 }
        created.append(String(decoding: name, as: UTF8.self))
        at += 16 + length
      }
    }
    #expect(created.contains("under_restricted_events.csv"), "\(created)")
    #expect(!created.contains { $0.hasPrefix(".dat.nosync") }, "\(created)")
    // Every name made there is a file of the package.
    #expect(Set(created).isSubset(of: Set(listing(out))), "\(created) against \(listing(out))")
  }

  // MARK: E12

  /// E12: a filed version's archive a report killed at its link left staged
  /// is named by doctor, with where it belongs (not "healthy").
  @Test func e12_doctorNamesAFiledArchiveLeftStaged() throws {
    try seeded(archive: true)
    #expect(try report(["--out", folder, "--lang", "en", "--reason", "r2", "--archive"]).status == 0)
    let archive = reports + "/linkaudit-2021-Q4-v2.zip"
    let staged = reports + "/.linkaudit-2021-Q4-v2.zip.writing-\(Self.gone)-0badf00d"
    try FileManager.default.moveItem(atPath: archive, toPath: staged)
    let told = try doctor()
    #expect(!told.stdout.contains("healthy"), "\(told.stdout)")
    #expect(
      told.stdout.contains(
        "\(staged): the archive of 2021-Q4 version 2, as filed, left staged by an earlier report killed before putting it in place: move it to \(archive)"
      ), "\(told.stdout)")
  }

  /// E12: a kept `-v1` there but altered is called altered, not gone.
  @Test func e12_anAlteredKeptVersionIsNotCalledGone() throws {
    try seeded()
    #expect(try report(["--out", folder, "--lang", "en", "--reason", "v2"]).status == 0)
    try Data("garbage".utf8).write(to: URL(fileURLWithPath: folder + "-v1/manifest.sig"))
    let told = try doctor()
    #expect(
      told.stdout.contains("version 1 (superseded by version 2) as filed: the one there is altered"), "\(told.stdout)")
    #expect(!told.stdout.contains("is gone"), "\(told.stdout)")
  }

  /// E12: `--out` through a link in a loop, or a link to the database, is named as what it is.
  @Test func e12_aLinkLoopAndALinkToAFileAreNamedAsWhatTheyAre() throws {
    try seeded(filing: false)
    let loop = dir.file("d")
    try FileManager.default.createSymbolicLink(atPath: loop, withDestinationPath: loop)
    let looped = try report(["--out", loop, "--dry-run"])
    #expect(looped.status != 0)
    #expect(
      looped.stderr.contains("\((loop as NSString).standardizingPath) is a symbolic link in a loop"), "\(looped.stderr)"
    )
    let toDatabase = dir.file("k")
    try FileManager.default.createSymbolicLink(atPath: toDatabase, withDestinationPath: database)
    let file = try report(["--out", toDatabase, "--dry-run"])
    #expect(file.status != 0)
    #expect(file.stderr.contains("is the database ("), "\(file.stderr)")
    #expect(file.stderr.contains("a file: refusing to replace it"), "\(file.stderr)")
    #expect(!file.stderr.contains("that folder"), "\(file.stderr)")
  }
}
