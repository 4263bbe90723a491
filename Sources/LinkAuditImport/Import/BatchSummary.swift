import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import LinkAuditWeb

/// What happened to one file.
public struct BatchSummary: Equatable, Sendable {
  public var file: String
  public var kind: InputKind
  /// nil when the file was already imported and skipped.
  public var batchID: Int64?
  public var rowsRead = 0
  public var rowsStored = 0
  public var rowsDuplicate = 0
  public var rowsRejected = 0
  public var warnings: [String] = []
  /// Set for a file the inbox holds but that is not an input (`notes.txt`, a
  /// pipe): not imported, said as a warning.
  public var ignored = false

  /// The file's name as a line may show it (a newline in a name would forge a summary line).
  public var name: String { escapingControls((file as NSString).lastPathComponent) }

  public var line: String {
    guard let batchID else { return "\(name): already imported, skipped" }
    return
      "\(name): \(rowsRead.grouped) read, \(rowsStored.grouped) stored, \(rowsDuplicate.grouped) duplicate, \(rowsRejected.grouped) rejected (batch \(batchID))"
  }
}
