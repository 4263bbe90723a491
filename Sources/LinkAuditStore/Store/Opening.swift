import Foundation
import LinkAuditCore

/// Opening an existing store to read it: read-only, never migrated or
/// maintained. (The opener for writing, which creates, migrates and
/// re-derives, is the rollup layer's `Database.store(at:)`.)
extension Database {
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

  /// The package signing key's name beside its database (`linkaudit keys new`).
  public static let signingKeyName = ".linkaudit-signing-key.pem"

  /// The files of the store at `path` that no output may overwrite: the
  /// database with its journal files, the key beside it, the signing key
  /// beside it and the key its imports recorded (read without writing; none
  /// when there is no store yet).
  public static func protectedFiles(of path: String, keyFile: String? = nil) -> ProtectedFiles {
    var files = ProtectedFiles(database: path, keyFile: keyFile)
    files.add((parentPath(path) as NSString).appendingPathComponent(signingKeyName), as: "the signing key")
    if FileManager.default.fileExists(atPath: path), let db = try? Database(path: path, mode: .readOnly),
      let recorded = try? db.scalar("SELECT value FROM setting WHERE name = 'pseudonym_key_path'").text
    {
      files.add(recorded, as: "the pseudonym key")
    }
    return files
  }

  package var hasTables: Bool {
    get throws { try scalar("SELECT count(*) FROM sqlite_master").integer ?? 0 > 0 }
  }

  package static func requireRegularFile(_ path: String) throws {
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
  package init(message: String) { self.message = message }
}
