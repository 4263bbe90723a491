import Foundation

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

  /// The store for a command that only reads (query, ratings, schema, verify,
  /// doctor): an existing linkaudit file, opened read-only, never migrated.
  /// `currentSchema: false` accepts an older schema as it is (doctor reports it).
  public static func reading(at path: String, currentSchema: Bool = true) throws -> Database {
    guard FileManager.default.fileExists(atPath: path) else {
      throw StoreError(message: "no database at \(path): import data first (linkaudit import …) or pass --db")
    }
    try requireRegularFile(path)
    let db = try Database(path: path, mode: .readOnly)
    let version = try db.userVersion
    if version == 0 {
      throw StoreError(
        message: "\(path) is not a linkaudit database (no linkaudit schema): import data into it first, or pass --db")
    }
    if version > Migrations.latestVersion {
      throw SchemaError.newerThanTool(found: version, supported: Migrations.latestVersion, path: path)
    }
    if currentSchema, version < Migrations.latestVersion {
      throw SchemaError.olderThanTool(found: version, supported: Migrations.latestVersion, path: path)
    }
    return db
  }

  /// The files of the store at `path` that no output may overwrite: the
  /// database with its journal files, the key beside it and the key its
  /// imports recorded (read without writing; none when there is no store yet).
  public static func protectedFiles(of path: String, keyFile: String? = nil) -> ProtectedFiles {
    var files = ProtectedFiles(database: path, keyFile: keyFile)
    if FileManager.default.fileExists(atPath: path), let db = try? Database(path: path, mode: .readOnly),
      let recorded = try? db.scalar("SELECT value FROM setting WHERE name = 'pseudonym_key_path'").text
    {
      files.add(recorded, as: "the pseudonym key")
    }
    return files
  }

  var hasTables: Bool {
    get throws { try scalar("SELECT count(*) FROM sqlite_master").integer ?? 0 > 0 }
  }

  private static func requireRegularFile(_ path: String) throws {
    guard let problem = FileIdentity.notARegularFile(path) else { return }
    throw StoreError(
      message: problem.isFolder || problem.reason.hasPrefix("is not")
        ? "\(path) is not a database file (it is a folder or a device): pass --db with a file"
        : "\(path): \(problem.reason)")
  }
}

/// Why the store could not be opened, as a sentence.
public struct StoreError: Error, LocalizedError, Equatable {
  public let message: String
  public var errorDescription: String? { message }
}
