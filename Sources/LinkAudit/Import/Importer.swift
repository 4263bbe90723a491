import Crypto
import Foundation

public struct ImportOptions: Sendable {
  public var encoding: TextEncoding = .utf8
  /// Good rows are imported and bad ones written here with an `error` column.
  public var rejectFile: String?
  /// Zone of timestamps written without an offset.
  public var timeZone: TimeZone
  public var keyFile: String = ".linkaudit.key"
  /// Timestamps outside it are bad values.
  public var plausibleTimes: PlausibleTimes

  public init(
    encoding: TextEncoding = .utf8, rejectFile: String? = nil,
    timeZone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!, keyFile: String = ".linkaudit.key",
    plausibleTimes: PlausibleTimes = PlausibleTimes()
  ) {
    self.encoding = encoding
    self.rejectFile = rejectFile
    self.timeZone = timeZone
    self.keyFile = keyFile
    self.plausibleTimes = plausibleTimes
  }
}

/// What happened to one file.
public struct BatchSummary: Equatable, Sendable {
  public var file: String
  public var kind: InputKind
  /// nil when the file was already imported and skipped.
  public var batchID: Int64?
  public var rowsRead = 0
  public var rowsStored = 0
  public var rowsDuplicate = 0
  public var rowsRejected = 0
  public var warnings: [String] = []
  /// Set for a file the inbox holds but that is not an input (`notes.txt`, a
  /// pipe): not imported, said as a warning.
  public var ignored = false

  public var line: String {
    let name = (file as NSString).lastPathComponent
    guard let batchID else { return "\(name): already imported, skipped" }
    return
      "\(name): \(rowsRead.grouped) read, \(rowsStored.grouped) stored, \(rowsDuplicate.grouped) duplicate, \(rowsRejected.grouped) rejected (batch \(batchID))"
  }
}

extension Int64 {
  public var grouped: String { Int(self).grouped }
}

extension Int {
  /// 1234567 → "1,234,567".
  public var grouped: String {
    let digits = String(magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
      out.append(c)
    }
    return self < 0 ? "-" + out : out
  }
}

/// Loads files into the database, one transaction and one batch per file:
/// either every good row of a file is stored with its ledger entry, or nothing is.
public final class Importer {
  let db: Database
  let options: ImportOptions
  let timestamps: TimestampParser
  let urls = URLNormaliser()
  private var pseudonymiserStorage: Pseudonymiser?
  /// The line the row being handled starts on.
  private(set) var lastLine = 0
  /// Called every few thousand rows with the file and the rows read so far.
  public var progress: ((String, Int) -> Void)?

  public init(database: Database, options: ImportOptions) {
    db = database
    self.options = options
    timestamps = TimestampParser(timeZone: options.timeZone)
  }

  func pseudonymiser() throws -> Pseudonymiser {
    if let p = pseudonymiserStorage { return p }
    let p = try Pseudonymiser(keyFile: options.keyFile)
    pseudonymiserStorage = p
    return p
  }

  public static func sha256(ofFile path: String) throws -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw FileError(file: path, message: "cannot open: \(String(cString: strerror(errno)))")
    }
    defer { try? handle.close() }
    var hasher = SHA256()
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
    return hex(hasher.finalize())
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
  private func importAll(_ files: [(path: String, kind: InputKind)]) throws -> [BatchSummary] {
    let rejectTargets = try planRejects(files.map(\.path))
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
  /// target twice, never a protected file.
  func planRejects(_ paths: [String]) throws -> [String: String] {
    guard let reject = options.rejectFile else { return [:] }
    var protected = Database.protectedFiles(of: db.path, keyFile: options.keyFile)
    for path in paths { protected.add(path, as: "an input file") }
    var isDirectory: ObjCBool = false
    let isFolder = FileManager.default.fileExists(atPath: reject, isDirectory: &isDirectory) && isDirectory.boolValue
    if inboxFolder != nil || paths.count > 1 {
      guard isFolder else {
        throw FileError(file: reject, message: "with several files, --reject-file must name an existing directory")
      }
      if let inbox = inboxFolder {
        let (folder, box) = (FileIdentity(reject).canonical, FileIdentity(inbox).canonical)
        if folder == box || folder.hasPrefix(box + "/") {
          throw OutputPathError(
            message:
              "--reject-file \(reject) is inside the inbox \(inbox): its reject files would be imported next time; name a folder outside it"
          )
        }
      }
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
      taken.insert(FileIdentity(target).canonical)
      targets[path] = target
    }
    return targets
  }

  /// Set while an inbox is imported: reject files may not be written into it.
  private var inboxFolder: String?

  private func importOne(_ path: String, kind: InputKind, rejectTo: String?) throws -> BatchSummary {
    let t0 = Timing.start()
    defer { Timing.report("import total", since: t0) }
    try Self.requireRegularFile(path)
    let sha = try Self.sha256(ofFile: path)
    Timing.report("import sha", since: t0)
    if try isImported(sha) { return BatchSummary(file: path, kind: kind, batchID: nil) }
    // A large page cache keeps a file's transaction out of the WAL until commit
    // (64 MB: well under the memory bar, and independent of file size).
    try db.execute("PRAGMA cache_size = -65536")
    return try db.transaction {
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
  }

  /// Where the current file's rejected rows go, nil when they reject the file.
  private(set) var currentRejectFile: String?

  private func isImported(_ sha: String) throws -> Bool {
    try !db.scalar("SELECT batch_id FROM batch WHERE sha256 = ?", [.text(sha)]).isNull
  }

  /// Only a regular file can be read to its end: a folder, a pipe or a device is refused.
  static func requireRegularFile(_ path: String) throws {
    var info = stat()
    guard stat(path, &info) == 0 else {
      throw FileError(file: path, message: "cannot open: \(String(cString: strerror(errno)))")
    }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return
    case S_IFDIR: throw FileError(file: path, message: "is a folder: name the files in it, or use import inbox")
    default: throw FileError(file: path, message: "is not a regular file (a pipe, a socket or a device): not read")
    }
  }

  /// Why an inbox entry is not an input, or nil when it is one.
  static func notAnInput(_ path: String) -> String? {
    var info = stat()
    guard stat(path, &info) == 0 else { return "cannot be read: \(String(cString: strerror(errno)))" }
    if info.st_mode & S_IFMT == S_IFDIR { return "a folder" }
    guard info.st_mode & S_IFMT == S_IFREG else { return "not a regular file (a pipe, a socket or a device)" }
    return nil
  }

  /// Imports every file not yet imported under DIR/{platforms,policies,links,complaints}/,
  /// registry and policies first so events are enriched against them at once.
  /// Anything there that is not an input file (`notes.txt`, a pipe) is
  /// skipped with a warning.
  public func importInbox(_ directory: String) throws -> [BatchSummary] {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw FileError(file: directory, message: "no such inbox folder")
    }
    var inputs: [(path: String, kind: InputKind)] = []
    var ignored: [BatchSummary] = []
    for kind in [InputKind.platforms, .policies, .links, .complaints] {
      let folder = (directory as NSString).appendingPathComponent(kind.rawValue)
      guard let names = try? fm.contentsOfDirectory(atPath: folder) else { continue }
      for name in names.filter({ !$0.hasPrefix(".") }).sorted() {
        let file = (folder as NSString).appendingPathComponent(name)
        let expected = kind == .policies ? ".md" : InputFormat.expectation
        let known = kind == .policies ? name.lowercased().hasSuffix(".md") : InputFormat(fileName: name) != nil
        if let reason = Self.notAnInput(file) ?? (known ? nil : "not a \(expected) file") {
          if reason == "a folder" { continue }
          var skipped = BatchSummary(file: file, kind: kind, batchID: nil)
          skipped.ignored = true
          skipped.warnings = ["skipped: \(reason)"]
          ignored.append(skipped)
          continue
        }
        inputs.append((file, kind))
      }
    }
    inboxFolder = directory
    defer { inboxFolder = nil }
    do {
      return ignored + (try importAll(inputs))
    } catch let error as ImportRunError {
      throw ImportRunError(completed: ignored + error.completed, underlying: error.underlying)
    } catch  where !ignored.isEmpty {
      throw ImportRunError(completed: ignored, underlying: error)
    }
  }

  /// The database records a fingerprint of the key its pseudonyms were made
  /// with: another key would give one user two pseudonyms, so it is refused,
  /// and a missing key is created only for a database that holds none yet.
  func checkKey() throws {
    let recorded = try db.scalar("SELECT value FROM setting WHERE name = 'pseudonym_key_fingerprint'").text
    let hasPseudonyms =
      try recorded != nil
      || db.scalar("SELECT EXISTS (SELECT 1 FROM link_event) OR EXISTS (SELECT 1 FROM complaint_state)").integer == 1
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

  func openBatch(kind: InputKind, fileName: String, sha256: String) throws -> Int64 {
    try db.prepare(
      "INSERT INTO batch (kind, file_name, sha256, imported_at, tool_version) VALUES (?, ?, ?, ?, ?)"
    ).run([
      .text(kind.rawValue), .text((fileName as NSString).lastPathComponent), .text(sha256),
      .text(Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000)).iso), .text(LinkAuditVersion.current),
    ])
    return db.lastInsertRowID
  }

  func closeBatch(_ s: BatchSummary) throws {
    try db.prepare(
      "UPDATE batch SET rows_read = ?, rows_stored = ?, rows_duplicate = ?, rows_rejected = ? WHERE batch_id = ?"
    ).run([
      .integer(Int64(s.rowsRead)), .integer(Int64(s.rowsStored)), .integer(Int64(s.rowsDuplicate)),
      .integer(Int64(s.rowsRejected)), .integer(s.batchID ?? 0),
    ])
  }

  /// Loads the built-in registry as a batch of its own when none has been imported.
  func ensurePlatformRegistry() throws {
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
  func currentPlatformDomains() throws -> [String: String] {
    var map: [String: String] = [:]
    for row in try db.rows("SELECT domain, platform_id FROM current_platform_domain") {
      map[row[0].text ?? ""] = row[1].text
    }
    return map
  }

  /// The row loop of every tabular kind, as a two-stage pipeline: a reading
  /// thread parses each record and runs `prepare` (validation, enrichment,
  /// pseudonyms: no database), while this thread runs `store` inside the batch's
  /// transaction. On the first bad row the file is rejected; with a reject
  /// file, bad rows are set aside instead.
  func forEachRecord<Row>(
    path: String, columns: [String], required: [String], summary: inout BatchSummary,
    prepare: @escaping ([String?], inout TextArena) throws -> Row, store: (Row, TextArena) throws -> Bool
  ) throws {
    let reader: RecordReader
    do {
      reader = try makeReader(path: path, encoding: options.encoding, columns: columns)
    } catch let error as RecordError {
      throw FileError(file: path, line: error.line, message: "header: \(error.message)")
    }
    if let header = reader.headerColumns {
      let missing = required.filter { !header.contains($0) }
      if !missing.isEmpty {
        throw FileError(
          file: path, line: 1, message: "header lacks required column(s): \(missing.joined(separator: ", "))")
      }
    }
    let name = (path as NSString).lastPathComponent
    let rawHeader = reader.rawHeader
    let keepRaw = currentRejectFile != nil
    let channel = ChunkChannel<RowChunk<Row>>(capacity: 4)
    let done = startThread {
      Self.readRows(reader, columns: columns.count, file: name, keepRaw: keepRaw, prepare: prepare, into: channel)
    }
    var joined = false
    defer {
      // On an error here, stop the reading thread before the transaction unwinds.
      if !joined {
        channel.cancel()
        done.wait()
      }
    }

    // Both made on the first bad row, then reused for every other.
    var rejects: RejectWriter?
    var recordRejection: Statement?
    func reject(_ problem: BadRowError, raw: [String]) throws {
      guard let rejectPath = currentRejectFile else { throw problem }
      if rejects == nil { rejects = try RejectWriter(path: rejectPath, input: path, header: rawHeader) }
      try rejects!.write(fields: raw, error: problem.detail, line: problem.line)
      summary.rowsRejected += 1
      if recordRejection == nil {
        recordRejection = try db.prepare(
          "INSERT OR REPLACE INTO rejected_row (batch_id, line, column_name, error) VALUES (?, ?, ?, ?)")
      }
      try recordRejection!.run([
        .integer(summary.batchID ?? 0), .integer(Int64(problem.line)), .optional(problem.column),
        .text(problem.detail),
      ])
    }
    while let chunk = try channel.take() {
      for staged in chunk.rows {
        summary.rowsRead += 1
        if summary.rowsRead & 0x3FFF == 0 { progress?(name, summary.rowsRead) }
        switch staged {
        case .ready(let row, let line, let raw):
          lastLine = line
          do {
            if try store(row, chunk.text) { summary.rowsStored += 1 } else { summary.rowsDuplicate += 1 }
          } catch let problem as RowProblem {
            try reject(
              BadRowError(problem, file: name, line: line), raw: raw ?? [])
          }
        case .bad(let problem, let raw):
          try reject(problem, raw: raw)
        }
      }
    }
    done.wait()
    joined = true
    progress?(name, summary.rowsRead)
    try rejects?.close()
    if !reader.unknownColumns.isEmpty {
      summary.warnings.append("unknown columns ignored: \(reader.unknownColumns.joined(separator: ", "))")
    }
  }

  /// Rows that need the database to be checked: validated in `store`.
  func forEachRecord(
    path: String, columns: [String], required: [String], summary: inout BatchSummary,
    _ handle: ([String?]) throws -> Bool
  ) throws {
    try forEachRecord(
      path: path, columns: columns, required: required, summary: &summary, prepare: { values, _ in values },
      store: { row, _ in try handle(row) })
  }

  /// The reading thread: parses and prepares rows, hands them on in chunks.
  /// Stops at the first bad row unless bad rows are kept (`keepRaw`).
  private static func readRows<Row>(
    _ reader: RecordReader, columns: Int, file: String, keepRaw: Bool,
    prepare: ([String?], inout TextArena) throws -> Row, into channel: ChunkChannel<RowChunk<Row>>
  ) {
    var values = [String?](repeating: nil, count: columns)
    let chunkSize = 2048
    func newChunk() -> RowChunk<Row> {
      var chunk = RowChunk<Row>()
      chunk.rows.reserveCapacity(chunkSize)
      return chunk
    }
    var chunk = newChunk()
    do {
      while true {
        let problem: BadRowError
        do {
          guard try reader.next(into: &values) else { break }
          let row = try prepare(values, &chunk.text)
          chunk.rows.append(.ready(row, line: reader.line, raw: keepRaw ? reader.rawFields : nil))
        } catch let error as RowProblem {
          problem = BadRowError(error, file: file, line: reader.line)
          chunk.rows.append(.bad(problem, raw: reader.rawFields))
        } catch let error as RecordError {
          let column = error.field.flatMap { i in i < reader.rawHeader.count ? reader.rawHeader[i] : nil }
          problem = BadRowError(file: file, line: error.line, column: column, value: nil, expected: error.message)
          chunk.rows.append(.bad(problem, raw: reader.rawFields))
        }
        if case .bad = chunk.rows.last, !keepRaw { break }
        if chunk.rows.count == chunkSize {
          guard channel.put(chunk) else { return }
          chunk = newChunk()
        }
      }
      if !chunk.rows.isEmpty { guard channel.put(chunk) else { return } }
      channel.finish(error: nil)
    } catch {
      if !chunk.rows.isEmpty { _ = channel.put(chunk) }
      channel.finish(error: error)
    }
  }
}

/// Writes rejected rows as they were read, plus the error, as CSV (or JSON Lines
/// for JSON Lines input).
final class RejectWriter {
  private let handle: FileHandle
  private let jsonLines: Bool
  let path: String

  /// `path` is the file's own reject target (see `Importer.planRejects`).
  init(path target: String, input: String, header: [String]) throws {
    jsonLines = InputFormat(fileName: input) == .jsonl
    guard FileManager.default.createFile(atPath: target, contents: nil), let h = FileHandle(forWritingAtPath: target)
    else {
      throw FileError(file: target, message: "cannot create reject file")
    }
    handle = h
    self.path = target
    if !jsonLines { try handle.write(contentsOf: Data((csvLine(header + ["error"]) + "\n").utf8)) }
  }

  /// CSV: the fields as read plus the error. JSON Lines: one object a line,
  /// `{"raw": the line as read, "error": …}`, valid JSON whatever the line was.
  func write(fields: [String], error: String, line: Int) throws {
    let text: String
    if jsonLines {
      let object = ["raw": fields.first ?? "", "error": "line \(line): " + error]
      text = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    } else {
      text = csvLine(fields + ["line \(line): " + error])
    }
    try handle.write(contentsOf: Data((text + "\n").utf8))
  }

  func close() throws { try handle.close() }
}
