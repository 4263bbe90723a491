import Foundation
import Testing

@testable import LinkAudit

/// A folder under the system's temporary directory, removed when released.
final class TemporaryDirectory {
  let path: String

  init() {
    var template = Array((NSTemporaryDirectory() + "/linkaudit-test-XXXXXX").utf8CString)
    path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

  /// Writes `contents` to `name` and returns its path.
  @discardableResult
  func write(_ name: String, _ contents: String) throws -> String {
    let p = file(name)
    try FileManager.default.createDirectory(
      atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try contents.write(toFile: p, atomically: false, encoding: .utf8)
    return p
  }
}

/// The path of a file under Tests/LinkAuditTests/Fixtures.
func fixture(_ name: String) -> String {
  URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").appendingPathComponent(
    name
  ).path
}

/// A database in a temporary folder, with the key file beside it.
final class TestStore {
  let dir = TemporaryDirectory()
  var path: String { dir.file("test.db") }
  var keyFile: String { dir.file("test.key") }

  func open(_ mode: Database.Mode = .readWrite) throws -> Database { try Database(path: path, mode: mode) }

  func importer(
    _ db: Database, rejectFile: String? = nil, encoding: TextEncoding = .utf8, timeZone: String = "Asia/Shanghai"
  )
    -> Importer
  {
    Importer(
      database: db,
      options: ImportOptions(
        encoding: encoding, rejectFile: rejectFile, timeZone: TimeZone(identifier: timeZone)!, keyFile: keyFile))
  }

  /// Imports files in order, each with a connection of its own that is closed afterwards.
  @discardableResult
  func load(_ files: [(InputKind, String)], rejectFile: String? = nil, encoding: TextEncoding = .utf8) throws
    -> [BatchSummary]
  {
    let db = try open()
    defer { db.close() }
    let importer = importer(db, rejectFile: rejectFile, encoding: encoding)
    return try files.map { try importer.importFile($0.1, kind: $0.0) }
  }

  /// The database file's bytes with every connection closed (the WAL checkpointed).
  func bytes() throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

  func rows(_ sql: String, _ bindings: [SQLValue] = []) throws -> [[SQLValue]] {
    let db = try open(.readOnly)
    defer { db.close() }
    return try db.rows(sql, bindings)
  }

  func scalar(_ sql: String, _ bindings: [SQLValue] = []) throws -> SQLValue {
    try rows(sql, bindings).first?.first ?? .null
  }
}
