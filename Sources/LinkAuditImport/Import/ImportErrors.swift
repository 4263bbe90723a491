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
  /// `expected` states what the contract wants (`expected …` is written
  /// before it); false for a record's own fault (`has 3 fields where …`).
  public var statesExpectation = true

  public init(
    file: String, line: Int, column: String?, value: String?, expected: String, withheld: Bool = false,
    statesExpectation: Bool = true
  ) {
    self.file = file
    self.line = line
    self.column = column
    self.value = value
    self.expected = expected
    self.withheld = withheld
    self.statesExpectation = statesExpectation
  }

  package init(_ problem: RowProblem, file: String, line: Int) {
    self.init(
      file: file, line: line, column: problem.column, value: problem.value, expected: problem.expected,
      withheld: problem.withheld)
  }

  public var errorDescription: String? { "\(escapingControls(file)):\(line): \(detail)" }

  /// The message without the file and line, as kept for a rejected row.
  /// As the data contract writes it: `column url: value "x": expected an absolute http or https URL`.
  public var detail: String {
    var text = ""
    if let column { text += "column \(column): " }
    if let value { text += "value \"\(value)\": " }
    if withheld { text += "value not shown (it may be personal data): " }
    return text + (statesExpectation ? "expected " : "") + expected
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
  /// Every code a code column may hold, whichever column: a code in the wrong column is shown.
  package static let vocabulary: [String] = Array(
    Set(
      Category.allCases.map(\.rawValue) + Scene.allCases.map(\.rawValue) + LinkAction.allCases.map(\.rawValue)
        + DetectedBy.allCases.map(\.rawValue) + Channel.allCases.map(\.rawValue)
        + ComplaintStatus.allCases.map(\.rawValue) + Outcome.allCases.map(\.rawValue)
        + ActionTaken.allCases.map(\.rawValue) + ["scene_rule"])
  ).sorted()

  /// A code of the vocabulary, in any case, a part of one (`chat`), or
  /// within two edits of one (`opened`, `grup_chat`).
  package static func nearVocabulary(_ value: String) -> Bool {
    let lower = value.lowercased()
    let v = Array(lower.unicodeScalars)
    guard v.count <= 40, !v.isEmpty else { return false }
    return vocabulary.contains {
      (v.count >= 3 && $0.contains(lower)) || editDistance(v, Array($0.unicodeScalars), atMost: 2) <= 2
    }
  }

  /// Levenshtein distance, given up past `bound` (returns bound + 1).
  static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], atMost bound: Int) -> Int {
    guard abs(a.count - b.count) <= bound else { return bound + 1 }
    var previous = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
      var current = [i] + Array(repeating: 0, count: b.count)
      for j in 1...max(b.count, 1) where !b.isEmpty {
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      guard current.min()! <= bound else { return bound + 1 }
      previous = current
    }
    return previous[b.count]
  }

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
      // Letters and underscores are as much a user id's shape (wx_alice) as
      // a code's: a value is shown only when it is a code of the contract's
      // vocabulary, or a typo of one (two edits at most: "opened", "scam"),
      // which is what a reader needs to see to mend the file.
      let code = value.trimmed
      return nearVocabulary(code) ? code : nil
    }
    if column == "url" {
      // Only what reads as an address of a site is shown (`scheme://host`,
      // no `user@` before the host): any other value, a `mailto:` or `tel:`
      // among them, may be anything, a user id or an e-mail address among them.
      let v = value.trimmed
      guard let sep = v.range(of: "://"),
        let first = v.unicodeScalars.first, ("a"..."z").contains(first) || ("A"..."Z").contains(first),
        v[..<sep.lowerBound].unicodeScalars.allSatisfy({
          ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
            || "+.-".unicodeScalars.contains($0)
        }),
        !v[sep.upperBound...].prefix(while: { !"/?#\\".contains($0) }).contains("@")
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
