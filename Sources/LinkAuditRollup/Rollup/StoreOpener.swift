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
    let db = try Database(path: path, mode: .readWrite)
    try Migrations.migrate(db)
    try ReferenceTables.sync(db)
    try RollupMaintenance.apply(.opened, to: db)
    return db
  }
}
