import Crypto
import Foundation

public struct ImportOptions: Sendable {
  public var encoding: TextEncoding = .utf8
  /// Good rows are imported and bad ones written here with an `error` column.
  public var rejectFile: String?
  /// Zone of timestamps written without an offset.
  public var timeZone: TimeZone
  public var keyFile: String = ".linkaudit.key"

  public init(
    encoding: TextEncoding = .utf8, rejectFile: String? = nil,
    timeZone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!, keyFile: String = ".linkaudit.key"
  ) {
    self.encoding = encoding
    self.rejectFile = rejectFile
    self.timeZone = timeZone
    self.keyFile = keyFile
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
    if paths.count > 1, let reject = options.rejectFile {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: reject, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw FileError(file: reject, message: "with several files, --reject-file must name an existing directory")
      }
    }
    return try paths.map { try importFile($0, kind: kind) }
  }

  public func importFile(_ path: String, kind: InputKind) throws -> BatchSummary {
    let t0 = Timing.start()
    defer { Timing.report("import total", since: t0) }
    let sha = try Self.sha256(ofFile: path)
    Timing.report("import sha", since: t0)
    if try !db.scalar("SELECT batch_id FROM batch WHERE sha256 = ?", [.text(sha)]).isNull {
      return BatchSummary(file: path, kind: kind, batchID: nil)
    }
    // A large page cache keeps a file's transaction out of the WAL until commit
    // (64 MB: well under the memory bar, and independent of file size).
    try db.execute("PRAGMA cache_size = -65536")
    return try db.transaction {
      if kind == .links || kind == .complaints { try ensurePlatformRegistry() }
      let batchID = try openBatch(kind: kind, fileName: path, sha256: sha)
      var summary = BatchSummary(file: path, kind: kind, batchID: batchID)
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

  /// Imports every file not yet imported under DIR/{platforms,policies,links,complaints}/,
  /// registry and policies first so events are enriched against them at once.
  public func importInbox(_ directory: String) throws -> [BatchSummary] {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw FileError(file: directory, message: "no such inbox folder")
    }
    var summaries: [BatchSummary] = []
    for kind in [InputKind.platforms, .policies, .links, .complaints] {
      let folder = (directory as NSString).appendingPathComponent(kind.rawValue)
      guard let names = try? fm.contentsOfDirectory(atPath: folder) else { continue }
      let files = names.filter { !$0.hasPrefix(".") }.sorted().map { (folder as NSString).appendingPathComponent($0) }
      for file in files {
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: file, isDirectory: &isDir), !isDir.boolValue else { continue }
        summaries.append(try importFile(file, kind: kind))
      }
    }
    return summaries
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
    let keepRaw = options.rejectFile != nil
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
      guard let rejectPath = options.rejectFile else { throw problem }
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
              BadRowError(
                file: name, line: line, column: problem.column, value: problem.value, expected: problem.expected),
              raw: raw ?? [])
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
          problem = BadRowError(
            file: file, line: reader.line, column: error.column, value: error.value, expected: error.expected)
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

  init(path: String, input: String, header: [String]) throws {
    var target = path
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
      target = (path as NSString).appendingPathComponent((input as NSString).lastPathComponent + ".rejected")
    }
    jsonLines = InputFormat(fileName: input) == .jsonl
    if jsonLines && !target.hasSuffix(".jsonl") && isDirectory.boolValue { target += ".jsonl" }
    if !jsonLines && isDirectory.boolValue { target += ".csv" }
    guard FileManager.default.createFile(atPath: target, contents: nil), let h = FileHandle(forWritingAtPath: target)
    else {
      throw FileError(file: target, message: "cannot create reject file")
    }
    handle = h
    self.path = target
    if !jsonLines { try handle.write(contentsOf: Data((csvLine(header + ["error"]) + "\n").utf8)) }
  }

  func write(fields: [String], error: String, line: Int) throws {
    let text: String
    if jsonLines {
      let raw = fields.first ?? ""
      let message = String(data: try JSONSerialization.data(withJSONObject: [error]), encoding: .utf8)!.dropFirst()
        .dropLast()
      if let close = raw.lastIndex(of: "}"), raw.trimmingCharacters(in: .whitespaces).hasPrefix("{") {
        let body = raw[..<close].trimmingCharacters(in: .whitespaces)
        text = body + (body == "{" ? "" : ",") + "\"error\":" + message + "}"
      } else {
        let rawJSON = String(data: try JSONSerialization.data(withJSONObject: [raw]), encoding: .utf8)!.dropFirst()
          .dropLast()
        text = "{\"raw\":\(rawJSON),\"error\":\(message)}"
      }
    } else {
      text = csvLine(fields + ["line \(line): " + error])
    }
    try handle.write(contentsOf: Data((text + "\n").utf8))
  }

  func close() throws { try handle.close() }
}
