import Foundation
import LinkAuditCore
import LinkAuditStore

/// Opening the linkaudit store, as opposed to a bare connection: the commands
/// that write bring the schema up to date and re-derive stale rollups; the
/// commands that read open an existing store read-only and change nothing.
extension Database {
  /// The store for a command that writes (import, report): created when
  /// absent, migrated, its reference tables in step with the vocabulary,
  /// stale rollups re-derived. A file that is not a
  /// linkaudit store (another program's SQLite tables, or not SQLite at all)
  /// is refused before anything is written to it.
  public static func store(at path: String) throws -> Database {
    let db = try opened(at: path, mode: .readWrite)
    try db.bringUpToDate()
    return db
  }

  /// The store for an import, opened and checked but not yet changed: the
  /// import brings it up to date inside its own transaction
  /// (`bringUpToDate()`) and switches it to WAL once it has committed, so
  /// a refused file leaves every byte of the database as it was.
  /// A database that does not exist yet (or is empty) is made whole first,
  /// as `store(at:)` makes it: it has no bytes to keep.
  public static func storeForImport(at path: String) throws -> Database {
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
    guard let size, size > 0 else { return try store(at: path) }
    return try opened(at: path, mode: .readWriteKeepingJournal)
  }

  /// The store for a report that files: an existing linkaudit database (a
  /// missing, empty or foreign file is refused as the reading commands
  /// refuse it, unchanged), opened but not yet changed and kept in its
  /// journal mode: the report brings it up to date inside its filing's
  /// transaction (`bringUpToDate()`) and switches it to WAL only once the
  /// filing has committed, so a refused report leaves every byte as it was
  /// (red-team C7, as P5 for import).
  public static func storeForReport(at path: String) throws -> Database {
    try reading(at: path, currentSchema: false).close()
    return try opened(at: path, mode: .readWriteKeepingJournal)
  }

  /// Migrated, its reference tables in step with the vocabulary, stale rollups re-derived.
  public func bringUpToDate() throws {
    try Migrations.migrate(self)
    try ReferenceTables.sync(self)
    try RollupMaintenance.apply(.opened, to: self)
  }

  private static func opened(at path: String, mode: Mode) throws -> Database {
    if FileManager.default.fileExists(atPath: path) {
      try requireRegularFile(path)
      let probe = try Database(path: path, mode: .readOnly)
      defer { probe.close() }
      if try probe.userVersion == 0, try probe.hasTables {
        throw StoreError(
          message:
            "\(path) is an SQLite database of something else (it has tables and no linkaudit schema); linkaudit will not add its tables to it: pass --db with a new or linkaudit file"
        )
      }
    }
    return try Database(path: path, mode: mode)
  }
}
