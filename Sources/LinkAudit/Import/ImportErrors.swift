import Foundation

/// One bad row: names the file, line, column, the value and what was expected.
public struct BadRowError: Error, LocalizedError, Equatable {
  public let file: String
  public let line: Int
  public let column: String?
  /// nil when the value must not be shown (a personal identifier) or there is none.
  public let value: String?
  public let expected: String

  public var errorDescription: String? { "\(file):\(line): \(detail)" }

  /// The message without the file and line, as kept for a rejected row.
  public var detail: String {
    var text = ""
    if let column { text += "column \(column): " }
    if let value { text += "value \"\(value.prefix(200))\" " }
    return text + expected
  }
}

/// A row's problem before the file and line are known.
struct RowProblem: Error {
  let column: String?
  let value: String?
  let expected: String
}

public enum InputKind: String, CaseIterable, Sendable {
  case links, complaints, policies, platforms
}
