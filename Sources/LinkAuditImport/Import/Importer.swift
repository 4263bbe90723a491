import Crypto
import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import LinkAuditWeb

/// Loads files into the database, one transaction and one batch per file:
/// either every good row of a file is stored with its ledger entry, or nothing is.
public final class Importer {
  package let db: Database
  package let options: ImportOptions
  package let timestamps: TimestampParser
  private var pseudonymiserStorage: Pseudonymiser?
  /// Called every few thousand rows with the file and the rows read so far.
  public var progress: ((String, Int) -> Void)?

  public init(database: Database, options: ImportOptions) {
    db = database
    self.options = options
    timestamps = TimestampParser(timeZone: options.timeZone)
    Memory.returnLargeBlocks()
  }

  package func pseudonymiser() throws -> Pseudonymiser {
    if let p = pseudonymiserStorage { return p }
    let p = try Pseudonymiser(keyFile: options.keyFile)
    pseudonymiserStorage = p
    return p
  }

  /// Imports several files of one kind, in the order given.
  public func importFiles(_ paths: [String], kind: InputKind) throws -> [BatchSummary] {
    try importAll(paths.map { ($0, kind) })
  }

  /// Imports one file; with a reject folder, its rejects go to NAME.rejected.csv in it.
  public func importFile(_ path: String, kind: InputKind) throws -> BatchSummary {
    try importAll([(path, kind)])[0]
  }

  /// Every output path is checked before the first file is read; a failure
  /// on a later file reports the files already committed with it.
  package func importAll(_ files: [(path: String, kind: InputKind)], inbox: String? = nil) throws -> [BatchSummary] {
    let rejectTargets = try planRejects(files.map(\.path), inbox: inbox)
    var done: [BatchSummary] = []
    for (path, kind) in files {
      do {
        done.append(try importOne(path, kind: kind, rejectTo: rejectTargets[path]))
      } catch {
        guard !done.isEmpty else { throw error }
        throw ImportRunError(completed: done, underlying: error)
      }
    }
    return done
  }

  /// Where each file's rejected rows go: the --reject-file itself for one
  /// file, else NAME.rejected.csv in the folder it names, never the same
  /// target twice, never a protected file, never inside the `inbox` being imported.
  package func planRejects(_ paths: [String], inbox: String?) throws -> [String: String] {
    guard let reject = options.rejectFile else { return [:] }
    var protected = Database.protectedFiles(of: db.path, keyFile: options.keyFile)
    for path in paths { protected.add(path, as: "an input file") }
    var isDirectory: ObjCBool = false
    let isFolder = FileManager.default.fileExists(atPath: reject, isDirectory: &isDirectory) && isDirectory.boolValue
    if inbox != nil || paths.count > 1 {
      guard isFolder else {
        throw FileError(file: reject, message: "with several files, --reject-file must name an existing directory")
      }
      if let inbox { try InboxFolders.refuseOutputFolder(reject, option: "--reject-file", inbox: inbox) }
    }
    var targets: [String: String] = [:]
    var taken = Set<String>()
    for path in paths {
      var target = reject
      if isFolder {
        let name = (path as NSString).lastPathComponent
        let ext = InputFormat(fileName: path) == .jsonl ? "jsonl" : "csv"
        var n = 1
        repeat {
          let stem = n == 1 ? name : "\(name)-\(n)"
          target = (reject as NSString).appendingPathComponent("\(stem).rejected.\(ext)")
          n += 1
        } while taken.contains(FileIdentity(target).canonical)
      }
      try protected.checkOutputFile(target, option: "--reject-file")
      try options.checkOutputFile?(target)
      taken.insert(FileIdentity(target).canonical)
      targets[path] = target
    }
    return targets
  }

  private func importOne(_ path: String, kind: InputKind, rejectTo: String?) throws -> BatchSummary {
    let t0 = Timing.start()
    defer { Timing.report("import total", since: t0) }
    try Self.requireRegularFile(path)
    let sha = try FileHash.sha256(ofFile: path)
    Timing.report("import sha", since: t0)
    if try isImported(sha) { return BatchSummary(file: path, kind: kind, batchID: nil) }
    // A large page cache keeps a file's transaction out of the WAL until commit
    // (64 MB: well under the memory bar, and independent of file size).
    try db.execute("PRAGMA cache_size = -65536")
    let summary = try db.transaction {
      // The store's own upkeep (a migration, stale rollups re-derived) is
      // part of the file's transaction: a refused file leaves the database's
      // bytes as they were (red-team P5).
      try db.bringUpToDate()
      // Asked again under the write lock: the same file may have been
      // imported by another process while this one hashed it or waited.
      if try isImported(sha) { return BatchSummary(file: path, kind: kind, batchID: nil) }
      if kind == .links || kind == .complaints {
        try ensurePlatformRegistry()
        try checkKey()
      }
      let batchID = try openBatch(kind: kind, fileName: path, sha256: sha)
      var summary = BatchSummary(file: path, kind: kind, batchID: batchID)
      currentRejectFile = rejectTo
      defer { currentRejectFile = nil }
      switch kind {
      case .links:
        try LinkEventLoader(importer: self, batchID: batchID).load(path: path, summary: &summary)
        try refuseEventsInBundleQuarters(batch: batchID, file: path)
      case .complaints:
        try ComplaintLoader(importer: self, batchID: batchID).load(path: path, summary: &summary)
      case .policies:
        try PolicyLoader(importer: self, batchID: batchID).load(path: path, sha256: sha, summary: &summary)
      case .platforms:
        try PlatformLoader(importer: self, batchID: batchID).load(path: path, summary: &summary)
      }
      try closeBatch(summary)
      Timing.report("import loaded", since: t0)
      return summary
    }
    // Committed: from now on reports may read beside imports (WAL), as every linkaudit store does.
    if summary.batchID != nil { try db.useWAL() }
    return summary
  }

  /// Where the current file's rejected rows go, nil when they reject the file.
  package private(set) var currentRejectFile: String?

  package func isImported(_ sha: String) throws -> Bool {
    // A new file has no tables until its first import commits.
    guard try db.userVersion > 0 else { return false }
    return try !db.scalar("SELECT batch_id FROM batch WHERE sha256 = ?", [.text(sha)]).isNull
  }

  /// Only a regular file can be read to its end: a folder, a pipe or a device is refused.
  package static func requireRegularFile(_ path: String) throws {
    guard let problem = FileIdentity.notARegularFile(path) else { return }
    throw FileError(
      file: path, message: problem.isFolder ? "is a folder: name the files in it, or use import inbox" : problem.reason)
  }

  /// The database records a fingerprint of the key its pseudonyms were made
  /// with: another key would give one user two pseudonyms, so it is refused,
  /// and a missing key is created only for a database that holds none yet.
  package func checkKey() throws {
    let recorded = try db.scalar("SELECT value FROM setting WHERE name = 'pseudonym_key_fingerprint'").text
    let hasPseudonyms =
      try recorded != nil
      || db.scalar(
        // A warehouse bundle's events carry no pseudonym ('').
        "SELECT EXISTS (SELECT 1 FROM link_event WHERE user_pseudonym <> '') OR EXISTS (SELECT 1 FROM complaint_state)"
      ).integer == 1
    if !FileManager.default.fileExists(atPath: options.keyFile), hasPseudonyms {
      throw FileError(
        file: options.keyFile,
        message:
          "no key file here, but \((db.path as NSString).lastPathComponent) holds pseudonyms made with a key: pass --key-file with that key (a new key would count every user twice)"
      )
    }
    let fingerprint = try pseudonymiser().fingerprint
    // Where the key lives, so that no command's output may overwrite it.
    try db.prepare("INSERT OR REPLACE INTO setting (name, value) VALUES ('pseudonym_key_path', ?)").run([
      .text(FileIdentity(options.keyFile).canonical)
    ])
    if let recorded {
      guard recorded == fingerprint else {
        throw FileError(
          file: options.keyFile,
          message:
            "is not the key this database was built with (key fingerprint \(fingerprint.prefix(12))…, database \(recorded.prefix(12))…): pass --key-file with the right key"
        )
      }
    } else {
      try db.prepare("INSERT INTO setting (name, value) VALUES ('pseudonym_key_fingerprint', ?)").run([
        .text(fingerprint)
      ])
    }
  }

  package func openBatch(kind: InputKind, fileName: String, sha256: String) throws -> Int64 {
    try db.prepare(
      "INSERT INTO batch (kind, file_name, sha256, imported_at, tool_version) VALUES (?, ?, ?, ?, ?)"
    ).run([
      // The name as every output may show it: its control and bidirectional
      // characters escaped (it reaches the workbook, the manifest, the terminal).
      .text(kind.rawValue), .text(escapingControls((fileName as NSString).lastPathComponent)), .text(sha256),
      .text(Timestamp.now.iso), .text(LinkAuditVersion.current),
    ])
    return db.lastInsertRowID
  }

  package func closeBatch(_ s: BatchSummary) throws {
    try db.prepare(
      "UPDATE batch SET rows_read = ?, rows_stored = ?, rows_duplicate = ?, rows_rejected = ? WHERE batch_id = ?"
    ).run([
      .integer(Int64(s.rowsRead)), .integer(Int64(s.rowsStored)), .integer(Int64(s.rowsDuplicate)),
      .integer(Int64(s.rowsRejected)), .integer(s.batchID ?? 0),
    ])
  }

  /// Loads the built-in registry as a batch of its own when none has been imported.
  package func ensurePlatformRegistry() throws {
    guard try db.scalar("SELECT count(*) FROM batch WHERE kind = 'platforms'").integer == 0 else { return }
    let text = DefaultPlatformRegistry.csv
    let sha = hex(SHA256.hash(data: Data(text.utf8)))
    let batchID = try openBatch(kind: .platforms, fileName: DefaultPlatformRegistry.fileName, sha256: sha)
    let loader = PlatformLoader(importer: self, batchID: batchID)
    try loader.store(DefaultPlatformRegistry.platforms)
    let n = DefaultPlatformRegistry.platforms.count
    var summary = BatchSummary(file: DefaultPlatformRegistry.fileName, kind: .platforms, batchID: batchID)
    (summary.rowsRead, summary.rowsStored) = (n, n)
    try closeBatch(summary)
  }

  /// The registry in force: registrable domain → platform id.
  package func currentPlatformDomains() throws -> [String: String] {
    var map: [String: String] = [:]
    for row in try db.records(
      "SELECT domain, platform_id FROM current_platform_domain", source: "the platform registry")
    {
      map[try row.text("domain")] = try row.text("platform_id")
    }
    return map
  }
}
