import Foundation

/// The row loop of every tabular kind: a reading thread that parses and
/// prepares records, and the storing thread inside the batch's transaction.
extension Importer {
  /// The row loop of every tabular kind, as a two-stage pipeline: a reading
  /// thread parses each record and runs `prepare` (validation, enrichment,
  /// pseudonyms: no database), while this thread runs `store` inside the batch's
  /// transaction. On the first bad row the file is rejected; with a reject
  /// file, bad rows are set aside instead.
  func forEachRecord<Row>(
    path: String, columns: [String], required: [String], summary: inout BatchSummary,
    prepare: @escaping ([String?], inout TextArena) throws -> Row, store: (Row, TextArena, _ line: Int) throws -> Bool
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
    if !reader.unknownColumns.isEmpty {
      summary.warnings.append("unknown columns ignored: \(reader.unknownColumns.joined(separator: ", "))")
    }
  }

  /// Rows that need the database to be checked: validated in `store`.
  func forEachRecord(
    path: String, columns: [String], required: [String], summary: inout BatchSummary,
    _ handle: ([String?], _ line: Int) throws -> Bool
  ) throws {
    try forEachRecord(
      path: path, columns: columns, required: required, summary: &summary, prepare: { values, _ in values },
      store: { row, _, line in try handle(row, line) })
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
