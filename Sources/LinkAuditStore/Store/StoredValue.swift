import Foundation
import LinkAuditCore

/// A stored value linkaudit never writes (a time that does not parse, a NULL
/// where none is allowed): the file was edited or is damaged. Raised, never
/// skipped, because a skipped row would change a figure without a word.
public struct CorruptValueError: Error, LocalizedError, Equatable {
  package init(place: String, value: String?) {
    self.place = place
    self.value = value
  }

  /// `table.column` of the value.
  public let place: String
  public let value: String?

  public var errorDescription: String? {
    let shown = value.map { "\"\(displayable($0))\"" } ?? "NULL"
    return
      "the database holds \(place) = \(shown), which linkaudit never writes: the file was edited or is damaged; run linkaudit doctor"
  }
}

extension TimestampParser {
  /// A time as the database stores it (UTC, milliseconds), or a corruption error naming where it was read.
  package static func stored(_ text: String?, at place: String) throws -> Timestamp {
    guard let text, let t = utc.parse(text) else { throw CorruptValueError(place: place, value: text) }
    return t
  }
}

/// The columns of a statement's result, read by name: resolved once, before
/// the rows, so reading a row costs no lookup. A NULL where none is allowed,
/// or a code outside its vocabulary, is corruption and raises, naming `table.column`.
package struct StoredColumns {
  package let statement: Statement
  package let table: String
  private let index: [String: Int]

  package init(_ statement: Statement, table: String) {
    self.statement = statement
    self.table = table
    index = Dictionary(statement.columnNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
  }

  /// A column of the result; a name the statement does not select is a programming error.
  package struct Column {
    package init(position: Int, place: String) {
      self.position = position
      self.place = place
    }

    package let position: Int
    package let place: String
  }

  package func column(_ name: String) -> Column {
    guard let i = index[name] else { preconditionFailure("\(table) query selects no column \(name)") }
    return Column(position: i, place: "\(table).\(name)")
  }

  package func text(_ c: Column) -> String? { statement.text(at: c.position) }

  package func requiredText(_ c: Column) throws -> String {
    guard let t = statement.text(at: c.position) else { throw CorruptValueError(place: c.place, value: nil) }
    return t
  }

  package func integer(_ c: Column) throws -> Int64 {
    guard case .integer(let v) = statement.value(at: c.position) else {
      throw CorruptValueError(place: c.place, value: statement.text(at: c.position))
    }
    return v
  }

  package func time(_ c: Column) throws -> Timestamp { try TimestampParser.stored(text(c), at: c.place) }

  /// A code of the vocabulary `T`, required.
  package func code<T: RawRepresentable>(_ c: Column, as _: T.Type) throws -> T where T.RawValue == String {
    let t = text(c)
    guard let value = t.flatMap(T.init(rawValue:)) else { throw CorruptValueError(place: c.place, value: t) }
    return value
  }
}
