import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import LinkAuditWeb

/// The reading thread's part of a loader: validation and enrichment that need
/// no database. The pipeline sends the value to the reading thread, which
/// owns it from then on, so its caches (a URL normaliser's hosts, a month)
/// need no lock, and the compiler checks that no other thread keeps it.
package protocol RecordPreparer: SendableMetatype {
  associatedtype Row: Sendable
  mutating func prepare(_ values: [String?], _ text: inout TextArena) throws -> Row
}

/// For rows whose checks need the database: the fields go to the storing thread as read.
package struct FieldsAsRead: RecordPreparer {
  package func prepare(_ values: [String?], _ text: inout TextArena) -> [String?] { values }
}

/// The row loop of every tabular kind: a reading thread that parses and
/// prepares records, and the storing thread inside the batch's transaction.
extension Importer {
  /// Chunks (2,048 rows, about 1 MB each) the reading thread may be ahead of
  /// the storing one. The storing thread works in bursts (a run of URLs
  /// sorted, users written); with 4 the reading thread waited through them,
  /// and both threads idled a fifth of the time on a log of many users (issue 17).
  package static let chunksAhead = 16

  /// The row loop of every tabular kind, as a two-stage pipeline: a reading
  /// thread parses each record and runs `preparer` (validation, enrichment:
  /// no database), while this thread runs `store` inside the batch's
  /// transaction. On the first bad row the file is rejected; with a reject
  /// file, bad rows are set aside instead.
  package func forEachRecord<Preparer: RecordPreparer>(
    path: String, columns: [String], required: [String], summary: inout BatchSummary, preparer: sending Preparer,
    store: (Preparer.Row, TextArena, _ line: Int) throws -> Bool
  ) throws {
    let reader = try Self.reader(path: path, encoding: options.encoding, columns: columns)
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
    let channel = ChunkChannel<RowChunk<Preparer.Row>>(capacity: Self.chunksAhead)
    let unknownColumns = LockBox<[String]>([])
    let count = columns.count
    let done = startThread {
      var preparer = preparer
      ReadingThread.readRows(reader, columns: count, file: name, keepRaw: keepRaw, preparer: &preparer, into: channel)
      let unknown = reader.unknownColumns
      unknownColumns.withLock { $0 = unknown }
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
      if rejects == nil {
        rejects = try RejectWriter(path: rejectPath, input: path, header: rawHeader, contract: Set(columns))
      }
      try rejects!.write(
        fields: raw, error: problem.detail, line: problem.line, withholding: problem.withheld ? problem.column : nil)
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
          do {
            if try store(row, chunk.text, line) { summary.rowsStored += 1 } else { summary.rowsDuplicate += 1 }
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
    let unknown = unknownColumns.withLock { $0 }
    if !unknown.isEmpty { summary.warnings.append(Self.unknownColumnsWarning(unknown)) }
  }

  /// One short line however many columns a header adds: the first ten
  /// names as a message may show them, then how many more.
  static func unknownColumnsWarning(_ names: [String]) -> String {
    let shown = names.prefix(10).map { "\"\(displayable($0))\"" }.joined(separator: ", ")
    let more = names.count > 10 ? " and \((names.count - 10).grouped) more" : ""
    return "\(names.count.grouped) unknown column(s) ignored: \(shown)\(more)"
  }

  /// A reader past the file's header.
  private static func reader(path: String, encoding: TextEncoding, columns: [String]) throws -> any RecordReader {
    do {
      return try makeReader(path: path, encoding: encoding, columns: columns)
    } catch let error as RecordError {
      throw FileError(file: path, line: error.line, message: "header: \(error.message)")
    }
  }

  /// Rows that need the database to be checked: validated in `store`.
  package func forEachRecord(
    path: String, columns: [String], required: [String], summary: inout BatchSummary,
    _ handle: ([String?], _ line: Int) throws -> Bool
  ) throws {
    try forEachRecord(
      path: path, columns: columns, required: required, summary: &summary, preparer: FieldsAsRead(),
      store: { row, _, line in try handle(row, line) })
  }
}

/// What runs on the reading thread (a type of its own: what it captures is
/// sent there, and the importer, which the storing thread keeps, is not).
package enum ReadingThread {
  /// The reading thread: parses and prepares rows, hands them on in chunks.
  /// Stops at the first bad row unless bad rows are kept (`keepRaw`).
  package static func readRows<Preparer: RecordPreparer>(
    _ reader: RecordReader, columns: Int, file: String, keepRaw: Bool, preparer: inout Preparer,
    into channel: ChunkChannel<RowChunk<Preparer.Row>>
  ) {
    var values = [String?](repeating: nil, count: columns)
    let chunkSize = 2048
    func newChunk() -> RowChunk<Preparer.Row> {
      var chunk = RowChunk<Preparer.Row>()
      chunk.rows.reserveCapacity(chunkSize)
      return chunk
    }
    var chunk = newChunk()
    do {
      while true {
        let problem: BadRowError
        do {
          guard try reader.next(into: &values) else { break }
          let row = try preparer.prepare(values, &chunk.text)
          chunk.rows.append(.ready(row, line: reader.line, raw: keepRaw ? reader.rawFields : nil))
        } catch let error as RowProblem {
          problem = BadRowError(error, file: file, line: reader.line)
          chunk.rows.append(.bad(problem, raw: reader.rawFields))
        } catch let error as RecordError {
          let column = error.field.flatMap { i in i < reader.rawHeader.count ? reader.rawHeader[i] : nil }
          problem = BadRowError(
            file: file, line: error.line, column: column, value: nil, expected: error.message, statesExpectation: false)
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
