import CLinkAuditSQLite
import Foundation
import LinkAuditCore

/// A value as SQLite stores it.
public enum SQLValue: Equatable, Hashable, Sendable {
  case null
  case integer(Int64)
  case real(Double)
  case text(String)
  case blob([UInt8])

  public var integer: Int64? {
    switch self {
    case .integer(let v): return v
    case .real(let v): return Int64(v)
    case .text(let s): return Int64(s)
    default: return nil
    }
  }

  public var double: Double? {
    switch self {
    case .integer(let v): return Double(v)
    case .real(let v): return v
    case .text(let s): return Double(s)
    default: return nil
    }
  }

  public var text: String? {
    switch self {
    case .text(let s): return s
    case .integer(let v): return String(v)
    case .real(let v): return String(v)
    default: return nil
    }
  }

  public var isNull: Bool { self == .null }
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
  public init(stringLiteral value: String) { self = .text(value) }
  public init(integerLiteral value: Int64) { self = .integer(value) }
  public init(nilLiteral: ()) { self = .null }
}

extension SQLValue {
  /// `.text(value)` or `.null` for nil.
  public static func optional(_ value: String?) -> SQLValue { value.map { .text($0) } ?? .null }
}

/// A prepared statement, reused across rows: bind, step, reset.
public final class Statement {
  package let handle: OpaquePointer
  unowned let database: Database
  public let sql: String

  package init(database: Database, sql: String) throws {
    var stmt: OpaquePointer?
    // The tail points into the temporary C string, so look at it inside the closure.
    var secondStatement = false
    let rc = sql.withCString { text -> Int32 in
      var tail: UnsafePointer<CChar>?
      let rc = sqlite3_prepare_v3(database.handle, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, &tail)
      // A second statement after the first would be silently ignored: refuse
      // it instead. SQLite itself tells whether the rest holds one (not just
      // blanks, semicolons or comments): preparing it yields no statement.
      while rc == SQLITE_OK, let rest = tail, rest.pointee != 0 {
        var next: OpaquePointer?
        var after: UnsafePointer<CChar>?
        let rc2 = sqlite3_prepare_v2(database.handle, rest, -1, &next, &after)
        if rc2 != SQLITE_OK || next != nil {
          sqlite3_finalize(next)
          secondStatement = true
          break
        }
        guard let after, after != rest else { break }
        tail = after
      }
      return rc
    }
    try database.check(rc, sql: sql)
    guard let stmt else { throw SQLiteError(code: SQLITE_MISUSE, message: "empty statement", sql: sql) }
    if secondStatement {
      sqlite3_finalize(stmt)
      throw SQLiteError(code: SQLITE_MISUSE, message: "only one statement may be run at a time", sql: sql)
    }
    self.handle = stmt
    self.database = database
    self.sql = sql
  }

  deinit {
    sqlite3_finalize(handle)
  }

  public var isReadOnly: Bool { sqlite3_stmt_readonly(handle) != 0 }

  public func bind(_ value: SQLValue, at index: Int32) throws {
    let rc: Int32
    switch value {
    case .null: rc = sqlite3_bind_null(handle, index)
    case .integer(let v): rc = sqlite3_bind_int64(handle, index, v)
    case .real(let v): rc = sqlite3_bind_double(handle, index, v)
    case .text(let s):
      try bind(s, at: index)
      return
    case .blob(let bytes):
      rc = bytes.withUnsafeBytes { linkaudit_bind_blob(handle, index, $0.baseAddress, Int32($0.count)) }
    }
    try database.check(rc, sql: sql)
  }

  /// Binds text without wrapping it in an `SQLValue` first: the import hot path.
  public func bind(_ text: String, at index: Int32) throws {
    var text = text
    let rc = text.withUTF8 { buf in
      buf.withMemoryRebound(to: CChar.self) { chars in
        linkaudit_bind_text(handle, index, chars.baseAddress, Int32(chars.count))
      }
    }
    try database.check(rc, sql: sql)
  }

  /// Binds text, or NULL for nil.
  public func bind(_ text: String?, at index: Int32) throws {
    if let text { try bind(text, at: index) } else { try database.check(sqlite3_bind_null(handle, index), sql: sql) }
  }

  public func bind(_ value: Int64, at index: Int32) throws {
    try database.check(sqlite3_bind_int64(handle, index, value), sql: sql)
  }

  public func bind(_ value: Int64?, at index: Int32) throws {
    if let value { try bind(value, at: index) } else { try database.check(sqlite3_bind_null(handle, index), sql: sql) }
  }

  /// Binds positional values, starting at ?1.
  public func bind(_ values: [SQLValue]) throws {
    for (i, value) in values.enumerated() { try bind(value, at: Int32(i + 1)) }
  }

  /// Binds a named parameter (`:name`, `@name` or `$name`).
  public func bind(_ value: SQLValue, named name: String) throws {
    let index = sqlite3_bind_parameter_index(handle, name)
    guard index > 0 else {
      throw SQLiteError(code: SQLITE_RANGE, message: "no parameter named \(name)", sql: sql)
    }
    try bind(value, at: index)
  }

  /// Binds every named parameter the statement uses from `values` (keyed
  /// `:name`), NULL where `values` has none: one set of values serves many queries.
  public func bind(named values: [String: SQLValue]) throws {
    for name in parameterNames { try bind(values[name] ?? .null, named: name) }
  }

  public var parameterNames: [String] {
    (0..<sqlite3_bind_parameter_count(handle)).compactMap { i in
      sqlite3_bind_parameter_name(handle, i + 1).map { String(cString: $0) }
    }
  }

  /// Advances to the next row; false when the statement is done.
  @discardableResult
  public func step() throws -> Bool {
    try database.check(sqlite3_step(handle), sql: sql) == SQLITE_ROW
  }

  /// Runs the statement to completion with `values` bound, then resets it for reuse.
  public func run(_ values: [SQLValue] = []) throws {
    try bind(values)
    defer { reset() }
    while try step() {}
  }

  public func reset() {
    sqlite3_reset(handle)
    sqlite3_clear_bindings(handle)
  }

  public var columnCount: Int { Int(sqlite3_column_count(handle)) }

  public var columnNames: [String] {
    (0..<Int32(columnCount)).map { String(cString: sqlite3_column_name(handle, $0)) }
  }

  public func value(at index: Int) -> SQLValue {
    let i = Int32(index)
    switch sqlite3_column_type(handle, i) {
    case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, i))
    case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, i))
    case SQLITE_TEXT: return .text(text(at: index) ?? "")
    case SQLITE_BLOB:
      let n = Int(sqlite3_column_bytes(handle, i))
      guard n > 0, let p = sqlite3_column_blob(handle, i) else { return .blob([]) }
      return .blob(Array(UnsafeRawBufferPointer(start: p, count: n)))
    default: return .null
    }
  }

  public func text(at index: Int) -> String? {
    guard let p = sqlite3_column_text(handle, Int32(index)) else { return nil }
    let n = Int(sqlite3_column_bytes(handle, Int32(index)))
    return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
  }

  public func int64(at index: Int) -> Int64 { sqlite3_column_int64(handle, Int32(index)) }

  public func row() -> [SQLValue] { (0..<columnCount).map { value(at: $0) } }
}

/// Text values of many rows in one buffer: a chunk of rows costs one
/// allocation instead of one per value, and binds without copying.
public struct TextArena: Sendable {
  private var bytes: [UInt8] = []
  /// (start, length) per value; length -1 is NULL.
  private var bounds: [Int32] = []

  public init(capacity: Int = 1 << 16) {
    bytes.reserveCapacity(capacity)
    bounds.reserveCapacity(capacity / 16)
  }

  /// Appends a value (nil for NULL); values are numbered from 0 in order.
  public mutating func append(_ text: String?) {
    guard var text else {
      bounds.append(0)
      bounds.append(-1)
      return
    }
    let start = Int32(bytes.count)
    text.withUTF8 { bytes.append(contentsOf: $0) }
    bounds.append(start)
    bounds.append(Int32(bytes.count) - start)
  }

  /// Appends a value of `count` bytes of UTF-8 that `write` puts in place, without a String.
  public mutating func append(count: Int, _ write: (UnsafeMutableBufferPointer<UInt8>) -> Void) {
    let start = bytes.count
    bytes.append(contentsOf: repeatElement(0, count: count))
    bytes.withUnsafeMutableBufferPointer { write(UnsafeMutableBufferPointer(rebasing: $0[start...])) }
    bounds.append(Int32(start))
    bounds.append(Int32(count))
  }

  /// The number of the next value appended.
  public var count: Int { bounds.count / 2 }

  /// Value `i`, for tests and messages.
  public func value(_ i: Int) -> String? {
    let (start, length) = (Int(bounds[2 * i]), Int(bounds[2 * i + 1]))
    return length < 0 ? nil : String(decoding: bytes[start..<start + length], as: UTF8.self)
  }

  public mutating func removeAll() {
    bytes.removeAll(keepingCapacity: true)
    bounds.removeAll(keepingCapacity: true)
  }

  package func withBuffer<T>(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<Int32>) throws -> T) rethrows -> T
  {
    try bytes.withUnsafeBufferPointer { b in try bounds.withUnsafeBufferPointer { try body(b, $0) } }
  }
}

extension Statement {
  /// Binds values `first…` of `arena` to `parameters` (in order) without
  /// copying them, runs `body` while the buffer is pinned, then resets the
  /// statement so SQLite keeps no pointer into it.
  public func withBinding<T>(_ arena: TextArena, first: Int, to parameters: [Int32], _ body: () throws -> T) throws -> T
  {
    precondition(first + parameters.count <= arena.count, "one parameter per arena value")
    return try arena.withBuffer { buffer, bounds in
      defer { reset() }
      let base = UnsafeRawPointer(buffer.baseAddress).map { $0.assumingMemoryBound(to: CChar.self) }
      for (i, parameter) in parameters.enumerated() {
        let (start, length) = (Int(bounds[2 * (first + i)]), bounds[2 * (first + i) + 1])
        let rc =
          length < 0
          ? sqlite3_bind_null(handle, parameter)
          : linkaudit_bind_text_static(handle, parameter, base.map { $0 + start }, length)
        try database.check(rc, sql: sql)
      }
      return try body()
    }
  }
}

/// A row's values as a sink reads them: typed, text as UTF-8 bytes in place.
public protocol RowValues {
  var count: Int { get }
  func type(_ i: Int) -> ResultRow.ColumnType
  func int64(_ i: Int) -> Int64
  func double(_ i: Int) -> Double
  func withUTF8<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R
  func value(_ i: Int) -> SQLValue
}

extension RowValues {
  public var values: [SQLValue] { (0..<count).map { value($0) } }
}

/// Values computed in Swift (ratings, say), read like a result row.
public struct ValueRow: RowValues {
  public let items: [SQLValue]
  public init(_ items: [SQLValue]) { self.items = items }
  public var count: Int { items.count }
  public func type(_ i: Int) -> ResultRow.ColumnType {
    switch items[i] {
    case .null: .null
    case .integer: .integer
    case .real: .real
    case .text: .text
    case .blob: .blob
    }
  }
  public func int64(_ i: Int) -> Int64 { items[i].integer ?? 0 }
  public func double(_ i: Int) -> Double { items[i].double ?? 0 }
  public func withUTF8<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    var text = items[i].text ?? ""
    return try text.withUTF8(body)
  }
  public func value(_ i: Int) -> SQLValue { items[i] }
}

/// The current row of a stepping statement, read in place: no String or array
/// per value, for answers streamed by the million. Valid until the next step.
public struct ResultRow: RowValues {
  public enum ColumnType: Sendable { case integer, real, text, blob, null }

  package let statement: Statement

  public var count: Int { statement.columnCount }

  public func type(_ i: Int) -> ColumnType {
    switch sqlite3_column_type(statement.handle, Int32(i)) {
    case SQLITE_INTEGER: return .integer
    case SQLITE_FLOAT: return .real
    case SQLITE_TEXT: return .text
    case SQLITE_BLOB: return .blob
    default: return .null
    }
  }

  public func int64(_ i: Int) -> Int64 { sqlite3_column_int64(statement.handle, Int32(i)) }
  public func double(_ i: Int) -> Double { sqlite3_column_double(statement.handle, Int32(i)) }

  /// The value's text as UTF-8 bytes (a number in SQLite's own text form).
  public func withUTF8<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    let p = sqlite3_column_text(statement.handle, Int32(i))
    let n = Int(sqlite3_column_bytes(statement.handle, Int32(i)))
    return try body(UnsafeBufferPointer(start: p, count: p == nil ? 0 : n))
  }

  public func value(_ i: Int) -> SQLValue { statement.value(at: i) }
}

extension Statement {
  /// The current row, read in place.
  public var currentRow: ResultRow { ResultRow(statement: self) }
}
