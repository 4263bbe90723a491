import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import LinkAuditWeb

/// One bad row: names the file, line, column, the value and what was expected.
public struct BadRowError: Error, LocalizedError, Equatable {
  public let file: String
  public let line: Int
  public let column: String?
  /// nil when the value must not be shown (a personal identifier) or there is none.
  public let value: String?
  public let expected: String
  /// There was a value, and it is not shown because it may be personal data.
  public var withheld = false

  public init(file: String, line: Int, column: String?, value: String?, expected: String, withheld: Bool = false) {
    self.file = file
    self.line = line
    self.column = column
    self.value = value
    self.expected = expected
    self.withheld = withheld
  }

  package init(_ problem: RowProblem, file: String, line: Int) {
    self.init(
      file: file, line: line, column: problem.column, value: problem.value, expected: problem.expected,
      withheld: problem.withheld)
  }

  public var errorDescription: String? { "\(file):\(line): \(detail)" }

  /// The message without the file and line, as kept for a rejected row.
  public var detail: String {
    var text = ""
    if let column { text += "column \(column): " }
    if let value { text += "value \"\(value)\" " }
    if withheld { text += "(value not shown: it may be personal data) " }
    return text + expected
  }
}

/// A row's problem before the file and line are known.
package struct RowProblem: Error {
  package let column: String?
  /// What may be shown of the value (see `RowProblem.shown`): never raw personal data.
  package let value: String?
  package let expected: String
  /// A value was given and is not shown.
  package let withheld: Bool

  package init(column: String?, value: String?, expected: String) {
    self.column = column
    self.value = value.flatMap { Self.shown($0, column: column) }
    self.expected = expected
    withheld = value != nil && self.value == nil
  }

  /// Columns whose every value is personal: never repeated.
  package static let personalColumns: Set<String> = ["user_id", "reporter_id"]
  /// Columns of codes and times: a value there that does not look like one
  /// may be anything, a user id in a swapped column among them.
  package static let codeColumns: Set<String> = [
    "scene", "action", "reason", "detected_by", "channel", "status", "outcome", "action_taken", "category",
  ]
  package static let timeColumns: Set<String> = ["occurred_at", "received_at", "resolved_at", "updated_at"]

  /// What a message may show of a rejected value, which is stored in
  /// `rejected_row`, printed and put in the workbook. Personal columns show
  /// nothing; a code column shows a value only when it looks like a code
  /// (letters and _ only), a time column only when it looks like a date;
  /// anything else is shown with mobile and ID numbers masked, control
  /// characters escaped, and at most 60 characters.
  package static func shown(_ value: String, column: String?) -> String? {
    guard let column else { return displayable(value) }
    if personalColumns.contains(column) { return nil }
    if codeColumns.contains(column) {
      let code = value.trimmed
      let looksLikeCode =
        code.unicodeScalars.count <= 40
        && code.unicodeScalars.allSatisfy {
          ("a"..."z").contains($0) || ("A"..."Z").contains($0) || "_- ".unicodeScalars.contains($0)
        }
      return looksLikeCode ? code : nil
    }
    if column == "url" {
      // A value that does not even start like a URL (scheme:) may be anything, a user id among them.
      let scalars = Array(value.trimmed.unicodeScalars.prefix(33))
      guard let colon = scalars.firstIndex(of: ":"), colon > 0,
        scalars[..<colon].allSatisfy({
          ("a"..."z").contains($0) || ("A"..."Z").contains($0) || "+.-".unicodeScalars.contains($0)
        })
      else { return nil }
      return displayable(value)
    }
    if timeColumns.contains(column) {
      let looksLikeDate = value.unicodeScalars.count <= 40 && (value.contains("-") || value.contains(":"))
      return looksLikeDate ? displayable(value) : nil
    }
    return displayable(value)
  }

}

public enum InputKind: String, CaseIterable, Sendable {
  case links, complaints, policies, platforms
}

/// A run of several files that failed on one of them: the files before it
/// are committed (each file is its own batch), and the summary says so.
public struct ImportRunError: Error, LocalizedError {
  /// What happened to the files before the failing one, in order.
  public let completed: [BatchSummary]
  public let underlying: Error

  public var errorDescription: String? {
    let imported = completed.filter { $0.batchID != nil }.count
    let cause = (underlying as? LocalizedError)?.errorDescription ?? "\(underlying)"
    return cause + (imported > 0 ? " (the \(imported) file(s) before it were imported and stay)" : "")
  }
}
