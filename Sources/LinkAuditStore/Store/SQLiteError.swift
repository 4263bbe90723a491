import Foundation
import LinkAuditCore

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

  /// What a person can do something about, said as a sentence; SQLite's own
  /// words and the statement only for what is a fault of the SQL or the tool.
  public var errorDescription: String? {
    if let plain = Self.plainWords[code & 0xFF] { return plain + " (SQLite: \(message))" }
    var text = "SQLite error \(code): \(message)"
    if let sql { text += " (in: \(sql.trimmingCharacters(in: .whitespacesAndNewlines)))" }
    return text
  }

  /// By primary result code (https://sqlite.org/rescode.html).
  package static let plainWords: [Int32: String] = [
    5:
      "the database is locked by another linkaudit command and stayed locked for 60 s; nothing was changed: run this again when it has finished",
    6: "a table of the database is locked by another connection; nothing was changed: run this again",
    8: "the database file cannot be written (read-only file or folder); nothing was changed",
    10: "a read or write of the database file failed (disk error, or the disk is full); nothing was changed",
    11: "the database file is damaged; run linkaudit doctor, and restore it from a backup",
    13: "the disk is full; nothing was changed: free some space and run this again",
    14: "the database file cannot be opened (does its folder exist, and may you write there?)",
    26: "the file is not an SQLite database: pass --db with a linkaudit database",
  ]
}
