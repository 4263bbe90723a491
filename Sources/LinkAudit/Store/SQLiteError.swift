import Foundation

/// A failure reported by SQLite: its result code, its own message and the
/// statement that was running, so an error can be traced back to the SQL.
public struct SQLiteError: Error, LocalizedError, Equatable {
  public let code: Int32
  public let message: String
  public let sql: String?

  public init(code: Int32, message: String, sql: String? = nil) {
    self.code = code
    self.message = message
    self.sql = sql
  }

  public var errorDescription: String? {
    var text = "SQLite error \(code): \(message)"
    if let sql { text += " (in: \(sql.trimmingCharacters(in: .whitespacesAndNewlines)))" }
    return text
  }
}
