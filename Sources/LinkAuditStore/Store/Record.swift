import Foundation
import LinkAuditCore

/// A result row read by column name. What a column must hold is said where it
/// is read: `text`, `integer` and `double` require a value and throw
/// `MissingValueError` on NULL; the `optional…` readers accept NULL. So a NULL
/// never quietly becomes "" or 0 in a figure.
public struct Record: Sendable {
  /// The columns of the query the row came from, shared by its rows.
  final class Columns: Sendable {
    let source: String
    let index: [String: Int]
    init(source: String, names: [String]) {
      self.source = source
      index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }
  }

  let columns: Columns
  public let values: [SQLValue]

  /// The value of a column the query selects (asking for one it does not select is a programming error).
  public func value(_ name: String) -> SQLValue {
    guard let i = columns.index[name] else { preconditionFailure("\(columns.source) selects no column \(name)") }
    return values[i]
  }

  public func optionalText(_ name: String) -> String? { value(name).text }
  public func optionalInteger(_ name: String) -> Int64? { value(name).integer }
  public func optionalDouble(_ name: String) -> Double? { value(name).double }

  public func text(_ name: String) throws -> String { try required(name, value(name).text) }
  public func integer(_ name: String) throws -> Int64 { try required(name, value(name).integer) }
  public func double(_ name: String) throws -> Double { try required(name, value(name).double) }

  private func required<T>(_ name: String, _ v: T?) throws -> T {
    guard let v else { throw MissingValueError(source: columns.source, column: name) }
    return v
  }
}

/// A NULL (or a value of the wrong kind) where a query's column must hold one.
public struct MissingValueError: Error, LocalizedError, Equatable {
  package init(source: String, column: String) {
    self.source = source
    self.column = column
  }

  public let source: String
  public let column: String

  public var errorDescription: String? {
    "\(source): column \(column) is empty where a value is required: the database was edited or is damaged; run linkaudit doctor"
  }
}

extension Database {
  /// Every row of `sql`, read by column name; `source` names the query in errors.
  public func records(_ sql: String, _ bindings: [SQLValue] = [], source: String) throws -> [Record] {
    let statement = try prepare(sql)
    try statement.bind(bindings)
    return try statement.records(source: source)
  }

  /// Every row of `sql` with its named parameters taken from `values`, read by column name.
  public func records(_ sql: String, named values: [String: SQLValue], source: String) throws -> [Record] {
    let statement = try prepare(sql)
    try statement.bind(named: values)
    return try statement.records(source: source)
  }

  /// Each row of `sql` in turn, with its named parameters taken from
  /// `values`: for a list too long to hold (a case register), never all in memory.
  public func eachRecord(
    _ sql: String, named values: [String: SQLValue], source: String, _ body: (Record) throws -> Void
  ) throws {
    let statement = try prepare(sql)
    defer { statement.reset() }
    try statement.bind(named: values)
    let columns = Record.Columns(source: source, names: statement.columnNames)
    while try statement.step() { try body(Record(columns: columns, values: statement.row())) }
  }
}

extension Statement {
  func records(source: String) throws -> [Record] {
    let columns = Record.Columns(source: source, names: columnNames)
    var result: [Record] = []
    while try step() { result.append(Record(columns: columns, values: row())) }
    return result
  }
}
