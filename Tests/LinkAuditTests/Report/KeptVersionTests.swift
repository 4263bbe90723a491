import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the package attack: B4 (a re-issue keeps the filed version it
/// replaces in `<folder>-vN`) and B16 (the decision to install is taken again
/// under the write lock), at the library's seam between staging and install.
@Suite struct KeptVersionTests {
  let filings = FilingTests()

  /// A report of 2021-Q4 staged by this process, not yet put in place.
  func staged(
    _ db: Database, to folder: String, reason: String? = nil, languages: [ReportLanguage] = [.zh, .en],
    at time: Timestamp
  ) throws -> ReportPackage.Issued {
    try db.transaction(.deferred) {
      var package = ReportPackage(
        quarter: FilingTests.q4, timeZone: FilingTests.shanghai, languages: languages,
        templates: FilingTests.templates)
      package.filing = .issue(reason: reason, at: time)
      return try package.issue(database: db, to: folder, installing: false)
    }
  }

  /// Another process's report of 2021-Q4 (the built binary), into `folder`.
  func reportElsewhere(_ store: TestStore, _ folder: String, _ more: [String]) throws {
    let result = try LinkauditBinary.run(
      ["report", "--quarter", "2021-Q4", "--out", folder, "--templates", FilingTests.templates] + more,
      database: store.path)
    #expect(result.status == 0, "\(result.stderr)")
  }

  func manifestBytes(_ folder: String) -> Data? { FileManager.default.contents(atPath: folder + "/manifest.json") }

  /// B16: a re-run of version 1's bytes, staged before version 2 was filed
  /// by another process and installed after, is refused, and the folder keeps version 2.
  @Test func b16_aReRunSupersededMeanwhileNeverTakesTheFolderFromTheLatest() throws {
    let store = try MetricCatalogueTests.loaded()
    let folder = try filings.issue(store, to: "reports/2021-Q4", at: FilingTests.first)
    let v1 = try #require(manifestBytes(folder))
    let db = try store.open()
    defer { db.close() }
    let rerun = try staged(db, to: folder, at: FilingTests.later)
    #expect(rerun.version?.version == 1 && rerun.version?.isNew == false)
    let staging = try #require(rerun.staged)
    let refused = #expect(throws: SupersededMeanwhile.self) {
      _ = try ReportPackage.install(rerun, quarter: FilingTests.q4, at: folder, database: db) {
        // Version 2 is filed and put in place between this run's staging and its install.
        try reportElsewhere(store, folder, ["--lang", "en", "--reason", "English only"])
      }
    }
    #expect(
      refused?.localizedDescription.contains("version 1 is superseded by version 2, filed meanwhile") == true,
      "\(String(describing: refused))")
    let latest = try #require(try Filing.latest(in: db, quarter: "2021-Q4"))
    #expect(latest.version == 2)
    #expect(try ReportPackage.sha256(#require(manifestBytes(folder))) == latest.manifestSHA256)
    #expect(manifestBytes(folder + "-v1") == v1)
    #expect(!FileManager.default.fileExists(atPath: staging))
  }

  /// B16: a version this run filed, superseded by one filed before it took
  /// the folder, is kept as filed in `<folder>-vN`; the folder keeps the latest.
  @Test func b16_aNewVersionSupersededMeanwhileIsKeptAsideAsFiled() throws {
    let store = try MetricCatalogueTests.loaded()
    let folder = try filings.issue(store, to: "reports/2021-Q4", at: FilingTests.first)
    let v1 = try #require(manifestBytes(folder))
    let db = try store.open()
    defer { db.close() }
    let v2 = try staged(db, to: folder, reason: "English only", languages: [.en], at: FilingTests.later)
    #expect(v2.version?.version == 2 && v2.version?.isNew == true)
    let installed = try ReportPackage.install(v2, quarter: FilingTests.q4, at: folder, database: db) {
      try reportElsewhere(store, folder, ["--lang", "zh", "--reason", "Chinese only"])
    }
    #expect(installed == .keptAside(path: folder + "-v2", latest: 3))
    let ledger = try Filing.all(in: db)
    #expect(ledger.map(\.version) == [1, 2, 3])
    #expect(try ReportPackage.sha256(#require(manifestBytes(folder))) == ledger[2].manifestSHA256)
    #expect(try ReportPackage.sha256(#require(manifestBytes(folder + "-v2"))) == ledger[1].manifestSHA256)
    #expect(manifestBytes(folder + "-v1") == v1)
    for kept in [folder, folder + "-v1", folder + "-v2"] {
      #expect(try ReportPackage.checkWritten(directory: kept) == [], "\(kept)")
    }
  }

  /// B4: the filed version a folder holds is moved, by rename, to
  /// `<folder>-vN`; writing the latest version's bytes again keeps nothing;
  /// a `-vN` name taken by other bytes refuses before anything is written.
  @Test func b4_theFiledVersionAFolderHoldsIsKeptAndANameTakenRefuses() throws {
    let store = try MetricCatalogueTests.loaded()
    let folder = try filings.issue(store, to: "reports/2021-Q4", at: FilingTests.first)
    let v1 = try #require(manifestBytes(folder))
    let inode = try FileManager.default.attributesOfItem(atPath: folder)[.systemFileNumber] as? UInt64
    try filings.importUnrelated(store)
    let (_, second) = try filings.issued(store, to: "reports/2021-Q4", reason: "late log", at: FilingTests.later)
    #expect(second.version?.version == 2)
    #expect(second.keeping?.version == 1 && second.keeping?.path == folder + "-v1")
    #expect(second.keeping?.alreadyThere == false)
    #expect(manifestBytes(folder + "-v1") == v1)
    // Moved, not copied: the folder itself, under its kept name.
    #expect(try FileManager.default.attributesOfItem(atPath: folder + "-v1")[.systemFileNumber] as? UInt64 == inode)
    #expect(try ReportPackage.checkWritten(directory: folder + "-v1") == [])
    let v2 = try #require(manifestBytes(folder))
    let reports = store.dir.file("reports")
    let listing = try FileManager.default.contentsOfDirectory(atPath: reports).sorted()
    #expect(listing == ["2021-Q4", "2021-Q4-v1"])
    // The latest version's bytes written again: nothing kept, nothing moved.
    let (_, again) = try filings.issued(store, to: "reports/2021-Q4", at: FilingTests.later)
    #expect(again.version?.isNew == false && again.keeping == nil)
    #expect(try FileManager.default.contentsOfDirectory(atPath: reports).sorted() == listing)
    #expect(manifestBytes(folder) == v2)
    // Version 3 would keep version 2 in 2021-Q4-v2, a name taken by someone's folder: refused, named, nothing written.
    try store.load([
      (
        .links,
        try store.dir.write(
          "june.csv",
          "event_id,occurred_at,scene,user_id,url,action,reason\nj1,2022-06-03 10:00:00,search,u9,https://a.cn/,open,\n"
        )
      )
    ])
    try store.dir.write("reports/2021-Q4-v2/notes.txt", "mine")
    let refused = #expect(throws: OutputPathError.self) {
      try filings.issue(store, to: "reports/2021-Q4", reason: "June", at: FilingTests.later)
    }
    #expect(
      refused?.message.contains("\(folder)-v2 is there already and is not 2021-Q4 version 2 as filed") == true,
      "\(String(describing: refused))")
    #expect(try filings.ledger(store).map(\.version) == [1, 2])
    #expect(manifestBytes(folder) == v2)
    #expect(try FileManager.default.contentsOfDirectory(atPath: reports).sorted() == listing + ["2021-Q4-v2"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "-v2") == ["notes.txt"])
  }

  /// B4 with B2: killed after the filed version the folder held was kept,
  /// before the new one took the folder: the next run puts the staged, filed
  /// package in place (moved, not written again), so no filed version is lost
  /// while it cannot be written again.
  @Test func b4_aFiledPackageStagedByAKilledReportIsPutInPlace() throws {
    let store = try MetricCatalogueTests.loaded()
    let folder = try filings.issue(store, to: "reports/2021-Q4", at: FilingTests.first)
    try filings.importUnrelated(store)
    let db = try store.open()
    defer { db.close() }
    let v2 = try staged(db, to: folder, reason: "late log", at: FilingTests.later)
    let staging = try #require(v2.staged)
    // The state a kill leaves: version 1 kept, version 2 staged by a process that is gone.
    try FileManager.default.moveItem(atPath: folder, toPath: folder + "-v1")
    let gone = store.dir.file("reports/.2021-Q4.writing-\(4_194_304 + 11)")
    try FileManager.default.moveItem(atPath: staging, toPath: gone)
    let inode = try FileManager.default.attributesOfItem(atPath: gone)[.systemFileNumber] as? UInt64
    // The next run, even one refused (another reason for version 2's bytes), puts it back first.
    #expect(throws: ReportError.self) {
      try filings.issue(store, to: "reports/2021-Q4", reason: "another reason", at: FilingTests.later)
    }
    #expect(!FileManager.default.fileExists(atPath: gone))
    #expect(try FileManager.default.attributesOfItem(atPath: folder)[.systemFileNumber] as? UInt64 == inode)
    #expect(try ReportPackage.sha256(#require(manifestBytes(folder))) == v2.manifestSHA256)
  }

  /// The folder's lock refused (a link planted at its name) or any other
  /// failure of the install: a version this run filed is never removed, it
  /// is kept as filed in `<folder>-vN` and said.
  @Test func b16_aFiledVersionThatCannotTakeItsFolderIsKeptNotRemoved() throws {
    let store = try MetricCatalogueTests.loaded()
    let folder = try filings.issue(store, to: "reports/2021-Q4", at: FilingTests.first)
    let v1 = try #require(manifestBytes(folder))
    try filings.importUnrelated(store)
    let db = try store.open()
    defer { db.close() }
    let v2 = try staged(db, to: folder, reason: "late log", at: FilingTests.later)
    try FileManager.default.createSymbolicLink(
      atPath: store.dir.file("reports/.2021-Q4.lock"), withDestinationPath: store.dir.file("elsewhere"))
    let failed = #expect(throws: FiledNotInPlace.self) {
      _ = try ReportPackage.install(v2, quarter: FilingTests.q4, at: folder, database: db)
    }
    #expect(failed?.localizedDescription.contains("reports/.2021-Q4.lock: cannot open the lock") == true)
    #expect(!FileManager.default.fileExists(atPath: store.dir.file("elsewhere")))
    #expect(failed?.keptAt == folder + "-v2", "\(String(describing: failed))")
    #expect(try ReportPackage.sha256(#require(manifestBytes(folder + "-v2"))) == v2.manifestSHA256)
    #expect(manifestBytes(folder) == v1)
  }
}
