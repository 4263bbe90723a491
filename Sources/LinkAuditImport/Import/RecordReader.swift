import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import LinkAuditWeb

/// A problem in one record that the reader itself finds (encoding, quoting).
package struct RecordError: Error {
  package let line: Int
  /// Index of the field among the record's fields, when known.
  package let field: Int?
  package let message: String
}

/// The longest record a reader holds (4 MiB): far above any row the contract
/// allows, and a bound on memory whatever a file (or a gzip bomb) holds.
package let maxRecordBytes = 4 << 20

/// A file that cannot be read to its end is refused whole: its rows after
/// the problem could be neither stored nor rejected one by one.
package func unreadable(_ path: String, line: Int?, _ message: String) -> FileError {
  FileError(
    file: path, line: line, message: message + ": the file cannot be read to its end, so none of it is imported")
}

/// What a reader says of bytes that are not UTF-8, and what to do about it.
package let invalidUTF8Message = "invalid UTF-8 bytes (is the file GB18030? use --encoding gb18030)"

/// Reads records whose values are aligned to a fixed list of column names.
package protocol RecordReader: AnyObject {
  /// Fills `values` (one slot per expected column, nil where absent) with the
  /// next record; false at the end of the file.
  func next(into values: inout [String?]) throws -> Bool
  /// The line the current record starts on (1-based, header included).
  var line: Int { get }
  /// Column names found in the file that this kind does not know.
  var unknownColumns: [String] { get }
  /// The current record as read, for the reject file.
  var rawFields: [String] { get }
  /// Header for the reject file.
  var rawHeader: [String] { get }
  /// Column names of the header, nil for formats without one.
  var headerColumns: Set<String>? { get }
}

package enum InputFormat: Sendable {
  case csv, tsv, jsonl

  /// From the file name, looking through a `.gz` suffix.
  package init?(fileName: String) {
    var name = fileName.lowercased()
    if name.hasSuffix(".gz") { name.removeLast(3) }
    if name.hasSuffix(".csv") {
      self = .csv
    } else if name.hasSuffix(".tsv") || name.hasSuffix(".tab") {
      self = .tsv
    } else if name.hasSuffix(".jsonl") || name.hasSuffix(".ndjson") {
      self = .jsonl
    } else {
      return nil
    }
  }

  package static let expectation = ".csv, .tsv, .jsonl or .ndjson, optionally followed by .gz"
}

package func makeReader(path: String, encoding: TextEncoding, columns: [String]) throws -> RecordReader {
  guard let format = InputFormat(fileName: path) else {
    throw FileError(file: path, message: "unknown file type: expected \(InputFormat.expectation)")
  }
  let source = try ByteSource(path: path, encoding: encoding)
  switch format {
  case .csv: return try DelimitedReader(source: source, separator: UInt8(ascii: ","), quoting: true, columns: columns)
  case .tsv: return try DelimitedReader(source: source, separator: UInt8(ascii: "\t"), quoting: false, columns: columns)
  case .jsonl: return JSONLinesReader(source: source, columns: columns)
  }
}

/// Buffered byte-at-a-time access over a ByteSource.
package struct ByteCursor {
  package let source: ByteSource
  private let buffer: UnsafeMutableBufferPointer<UInt8>
  private var position = 0
  private var end = 0
  private var finished = false

  package init(source: ByteSource) {
    self.source = source
    buffer = .allocate(capacity: ByteSource.chunk)
  }

  package func deallocate() { buffer.deallocate() }

  @inline(__always)
  package mutating func next() throws -> UInt8? {
    if position == end {
      guard try refill() else { return nil }
    }
    let b = buffer[position]
    position += 1
    return b
  }

  @inline(__always)
  package mutating func peek() throws -> UInt8? {
    if position == end {
      guard try refill() else { return nil }
    }
    return buffer[position]
  }

  /// The unquoted field that began with the byte just read, when it ends
  /// (at a separator, LF or CRLF) within the buffer: the bytes without the
  /// terminator, which is left to read. Nil otherwise (the field crosses the
  /// buffer's end, or holds a lone CR): the caller reads it byte by byte.
  @inline(__always)
  package mutating func restOfField(separator: UInt8) -> UnsafeBufferPointer<UInt8>? {
    let start = position - 1
    var i = position
    while i < end {
      let c = buffer[i]
      if c == separator || c == 10 { break }
      if c == 13 {
        guard i + 1 < end, buffer[i + 1] == 10 else { return nil }
        break
      }
      i += 1
    }
    guard i < end else { return nil }
    position = i
    return UnsafeBufferPointer(rebasing: buffer[start..<i])
  }

  /// The bytes read ahead (filling the buffer first if it is empty), for a look at the file's start.
  package mutating func buffered() throws -> UnsafeBufferPointer<UInt8> {
    if position == end { _ = try refill() }
    return UnsafeBufferPointer(rebasing: buffer[position..<end])
  }

  /// Appends the bytes up to the next LF (which is read, not appended) to
  /// `line`, a buffer's worth at a time. False at the end of the file when
  /// there was nothing left to read.
  package mutating func readLine(appendingTo line: inout [UInt8]) throws -> Bool {
    var sawAny = false
    while true {
      if position == end {
        guard try refill() else { return sawAny }
      }
      sawAny = true
      let rest = UnsafeBufferPointer(rebasing: buffer[position..<end])
      if let i = rest.firstIndex(of: 10) {
        line.append(contentsOf: UnsafeBufferPointer(rebasing: rest[..<i]))
        position += i - rest.startIndex + 1
        return true
      }
      line.append(contentsOf: rest)
      position = end
      if line.count > maxRecordBytes {
        throw unreadable(source.path, line: nil, "a line is longer than \(maxRecordBytes >> 20) MiB")
      }
    }
  }

  private mutating func refill() throws -> Bool {
    if finished { return false }
    end = try source.read(into: buffer)
    position = 0
    if end == 0 { finished = true }
    return end > 0
  }
}

/// RFC 4180 CSV (quoted fields may hold separators, quotes and newlines) and
/// TSV (IANA: no quoting, so a field cannot hold a tab or a newline).
package final class DelimitedReader: RecordReader {
  private var cursor: ByteCursor
  private let separator: UInt8
  private let quoting: Bool
  private var field: [UInt8] = []
  private var fields: [String] = []
  /// For each field position in the file, the expected column it fills.
  private var mapping: [Int?] = []
  package private(set) var line = 1
  private var nextLine = 1
  package private(set) var unknownColumns: [String] = []
  package private(set) var rawHeader: [String] = []
  package var rawFields: [String] { fields }
  package var headerColumns: Set<String>? { Set(rawHeader.map(\.trimmed)) }

  package init(source: ByteSource, separator: UInt8, quoting: Bool, columns: [String]) throws {
    cursor = ByteCursor(source: source)
    self.separator = separator
    self.quoting = quoting
    field.reserveCapacity(4096)
    // Line endings of CR alone (classic Mac) would make the whole file one record.
    let start = try cursor.buffered()
    if !start.contains(10), start.contains(13) {
      throw FileError(
        file: source.path, line: 1,
        message: "lines end in CR alone (classic Mac line endings): save the file with LF or CRLF line endings")
    }
    guard try readRecord() else {
      throw FileError(file: source.path, line: 1, message: "empty file: a header row is required")
    }
    rawHeader = fields
    var seen = Set<String>()
    for name in fields {
      let key = name.trimmed
      guard seen.insert(key).inserted else {
        throw FileError(file: source.path, line: 1, message: "column \"\(key)\" appears twice in the header")
      }
      let index = columns.firstIndex(of: key)
      if index == nil { unknownColumns.append(key) }
      mapping.append(index)
    }
  }

  deinit { cursor.deallocate() }

  package func next(into values: inout [String?]) throws -> Bool {
    while true {
      guard try readRecord() else { return false }
      // A blank line (one empty field) carries no record.
      if fields.count == 1 && fields[0].isEmpty { continue }
      break
    }
    guard fields.count == mapping.count else {
      throw RecordError(
        line: line, field: nil, message: "has \(fields.count) fields where the header has \(mapping.count)")
    }
    for i in values.indices { values[i] = nil }
    for (i, target) in mapping.enumerated() {
      if let target { values[target] = fields[i] }
    }
    return true
  }

  /// Reads one record into `fields`; false at the end of the file.
  private func readRecord() throws -> Bool {
    // Work on local copies: stored properties of a class pay an exclusivity check per byte.
    var cursor = self.cursor
    var field = self.field
    var fields = self.fields
    self.field = []
    self.fields = []
    defer {
      self.cursor = cursor
      self.field = field
      self.fields = fields
    }
    fields.removeAll(keepingCapacity: true)
    field.removeAll(keepingCapacity: true)
    line = nextLine
    let separator = self.separator
    let quote = UInt8(ascii: "\""), cr = UInt8(13), lf = UInt8(10)
    var recordBytes = 0
    let path = cursor.source.path
    func tooLong() -> FileError {
      unreadable(path, line: line, "a record is longer than \(maxRecordBytes >> 20) MiB")
    }
    func append(_ bytes: UnsafeBufferPointer<UInt8>) throws {
      recordBytes += bytes.count
      if recordBytes > maxRecordBytes { throw tooLong() }
      guard let s = utf8String(bytes) else {
        throw RecordError(line: line, field: fields.count, message: invalidUTF8Message)
      }
      fields.append(s)
    }
    func finishField() throws {
      try field.withUnsafeBufferPointer { try append($0) }
      field.removeAll(keepingCapacity: true)
    }
    guard var b = try cursor.next() else { return false }
    while true {
      if quoting && b == quote {
        while true {
          guard let c = try cursor.next() else {
            throw unreadable(path, line: line, "a quoted field that starts on this line is never closed")
          }
          if c == quote {
            if try cursor.peek() == quote {
              _ = try cursor.next()
              field.append(quote)
            } else {
              break
            }
          } else {
            if c == lf { nextLine += 1 }
            field.append(c)
            if field.count > maxRecordBytes { throw tooLong() }
          }
        }
        let after = try cursor.next()
        if after == separator {
          try finishField()
          guard let n = try cursor.next() else {
            try finishField()
            return true
          }
          b = n
          continue
        }
        let crlf = try after == cr && cursor.peek() == lf
        if after == nil || after == lf || crlf {
          if crlf { _ = try cursor.next() }
          try finishField()
          nextLine += 1
          return true
        }
        throw RecordError(line: line, field: fields.count, message: "unexpected character after a closing quote")
      }
      // Unquoted field: straight from the buffer when it ends there (almost always).
      var current: UInt8? = b
      if b != separator && b != lf && b != cr, let bytes = cursor.restOfField(separator: separator) {
        try append(bytes)
        current = try cursor.next()
      } else {
        while let c = current, c != separator, c != lf {
          if c == cr, try cursor.peek() == lf { break }
          field.append(c)
          if field.count > maxRecordBytes { throw tooLong() }
          current = try cursor.next()
        }
        try finishField()
      }
      switch current {
      case nil:
        nextLine += 1
        return true
      case separator:
        guard let n = try cursor.next() else {
          try finishField()
          return true
        }
        let crlf = try n == cr && cursor.peek() == lf
        if n == lf || crlf {
          // Trailing separator: one more empty field, then the end of the record.
          if crlf { _ = try cursor.next() }
          try finishField()
          nextLine += 1
          return true
        }
        b = n
      default:
        if current == cr { _ = try cursor.next() }
        nextLine += 1
        return true
      }
    }
  }
}

/// The bytes as a String, or nil when they are not valid UTF-8.
/// `String(decoding:)` is the fast path but repairs bad bytes, so a repaired result is detected by comparison.
@inline(__always)
package func utf8String(_ buffer: UnsafeBufferPointer<UInt8>) -> String? {
  // Most fields are ASCII, which needs no validation.
  var high: UInt8 = 0
  for b in buffer { high |= b }
  if high < 0x80 { return String(decoding: buffer, as: UTF8.self) }
  let s = String(decoding: buffer, as: UTF8.self)
  return s.utf8.count == buffer.count && s.utf8.elementsEqual(buffer) ? s : nil
}

/// JSON Lines: one object a line, with the same field names as the CSV columns.
/// Numbers (epoch timestamps) and booleans are read as their text.
package final class JSONLinesReader: RecordReader {
  private var cursor: ByteCursor
  private let columns: [String: Int]
  private var lineBytes: [UInt8] = []
  package private(set) var line = 0
  package private(set) var unknownColumns: [String] = []
  private var rawLine = ""
  package var rawFields: [String] { [rawLine] }
  package let rawHeader: [String] = []
  package let headerColumns: Set<String>? = nil

  package init(source: ByteSource, columns: [String]) {
    cursor = ByteCursor(source: source)
    self.columns = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
  }

  deinit { cursor.deallocate() }

  package func next(into values: inout [String?]) throws -> Bool {
    while true {
      lineBytes.removeAll(keepingCapacity: true)
      guard try cursor.readLine(appendingTo: &lineBytes) else { return false }
      line += 1
      if lineBytes.last == 13 { lineBytes.removeLast() }
      guard let text = lineBytes.withUnsafeBufferPointer(utf8String) else {
        throw RecordError(line: line, field: nil, message: invalidUTF8Message)
      }
      rawLine = text
      if text.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
      let object: Any
      do {
        object = try JSONSerialization.jsonObject(with: Data(lineBytes), options: [])
      } catch {
        throw RecordError(line: line, field: nil, message: "is not valid JSON")
      }
      guard let dictionary = object as? [String: Any] else {
        throw RecordError(line: line, field: nil, message: "is not a JSON object")
      }
      for i in values.indices { values[i] = nil }
      for (key, value) in dictionary {
        guard let index = columns[key] else {
          if !unknownColumns.contains(key) { unknownColumns.append(key) }
          continue
        }
        switch value {
        case let s as String: values[index] = s
        case is NSNull: values[index] = nil
        case let n as NSNumber:
          // JSON's true and 1, or 1.10 and 1.1, must never become one id.
          let type = String(cString: n.objCType)
          if type == "c" || type == "B" {
            throw RecordError(
              line: line, field: nil, message: "field \"\(key)\" must be a string or a number, not true or false")
          }
          if key.hasSuffix("_id"), type == "d" || type == "f" {
            throw RecordError(
              line: line, field: nil,
              message: "field \"\(key)\" is an identifier: give it as a string or a whole number, not \(n.stringValue)")
          }
          values[index] = n.stringValue
        default:
          throw RecordError(line: line, field: nil, message: "field \"\(key)\" must be a string or a number")
        }
      }
      return true
    }
  }
}
