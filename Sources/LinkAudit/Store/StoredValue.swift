import Foundation

/// A stored value linkaudit never writes (a time that does not parse, a NULL
/// where none is allowed): the file was edited or is damaged. Raised, never
/// skipped, because a skipped row would change a figure without a word.
public struct CorruptValueError: Error, LocalizedError, Equatable {
  /// `table.column` of the value.
  public let place: String
  public let value: String?

  public var errorDescription: String? {
    let shown = value.map { "\"\(RowProblem.displayable($0))\"" } ?? "NULL"
    return
      "the database holds \(place) = \(shown), which linkaudit never writes: the file was edited or is damaged; run linkaudit doctor"
  }
}

extension TimestampParser {
  /// A time as the database stores it (UTC, milliseconds), or a corruption error naming where it was read.
  static func stored(_ text: String?, at place: String) throws -> Timestamp {
    guard let text, let t = utc.parse(text) else { throw CorruptValueError(place: place, value: text) }
    return t
  }
}
