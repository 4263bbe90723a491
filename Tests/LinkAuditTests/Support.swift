import Foundation
import LinkAuditImport
import LinkAuditStore
import Testing

/// A folder under the system's temporary directory, removed when released.
final class TemporaryDirectory: Sendable {
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

  /// Read-write opens the store (created and migrated); read-only is a bare read-only connection.
  func open(_ mode: Database.Mode = .readWrite) throws -> Database {
    mode == .readWrite ? try Database.store(at: path) : try Database(path: path, mode: .readOnly)
  }

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

/// The built `linkaudit` binary, run as a user runs it.
enum LinkauditBinary {
  struct Run {
    let status: Int32
    let stdout: String
    let stderr: String
  }

  static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// Beside the test bundle in the build folder (`swift build --build-tests` builds both);
  /// `LINKAUDIT_BINARY` names another (to run the end-to-end suites against an older build).
  static let path: String = {
    if let other = ProcessInfo.processInfo.environment["LINKAUDIT_BINARY"] { return other }
    let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
      .appendingPathComponent("linkaudit").path
    if FileManager.default.isExecutableFile(atPath: besideTests) { return besideTests }
    return packageRoot.appendingPathComponent(".build/debug/linkaudit").path
  }()

  static func process(
    _ arguments: [String], database: String, tty: Bool = false, executable: String = path,
    in folder: URL = packageRoot
  ) -> Process {
    let process = Process()
    if tty {
      // script(1) gives the command a terminal, as a person at a shell has.
      process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
      let command = ([executable] + arguments).map { "'\($0)'" }.joined(separator: " ")
      process.arguments = ["-qec", command, "/dev/null"]
    } else {
      process.executableURL = URL(fileURLWithPath: executable)
      process.arguments = arguments
    }
    process.currentDirectoryURL = folder
    var environment = ProcessInfo.processInfo.environment
    environment["LINKAUDIT_DB"] = database
    // A test names its signing key when it wants one: none comes from the shell.
    environment["LINKAUDIT_SIGNING_KEY"] = nil
    process.environment = environment
    return process
  }

  /// A started process whose output goes to files (pipes could fill and block it).
  struct Started {
    let process: Process
    let stdout: String
    let stderr: String

    func finish() throws -> Run {
      process.waitUntilExit()
      defer {
        try? FileManager.default.removeItem(atPath: stdout)
        try? FileManager.default.removeItem(atPath: stderr)
      }
      return Run(
        status: process.terminationStatus,
        // Decoded by hand: String(contentsOfFile:) would drop a byte-order mark.
        stdout: String(decoding: FileManager.default.contents(atPath: stdout) ?? Data(), as: UTF8.self),
        stderr: String(decoding: FileManager.default.contents(atPath: stderr) ?? Data(), as: UTF8.self))
    }
  }

  static func start(
    _ arguments: [String], database: String, tty: Bool = false, executable: String = path, in folder: URL = packageRoot
  ) throws -> Started {
    let process = process(arguments, database: database, tty: tty, executable: executable, in: folder)
    let base = NSTemporaryDirectory() + "/linkaudit-run-\(UUID().uuidString)"
    _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
    _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
    process.standardOutput = FileHandle(forWritingAtPath: base + ".out")
    process.standardError = FileHandle(forWritingAtPath: base + ".err")
    try process.run()
    return Started(process: process, stdout: base + ".out", stderr: base + ".err")
  }

  static func run(
    _ arguments: [String], database: String, tty: Bool = false, executable: String = path, in folder: URL = packageRoot
  ) throws -> Run {
    try start(arguments, database: database, tty: tty, executable: executable, in: folder).finish()
  }
}

/// What the package suites share: a small quarter to file, a key to sign it, a run that may hang.
enum PackageFixture {
  static let linkHeader = "event_id,occurred_at,scene,user_id,url,action,reason"

  /// A link log of `rows` under `name` in `dir`.
  static func links(_ name: String, _ rows: [String], in dir: TemporaryDirectory) throws -> String {
    try dir.write(name, linkHeader + "\n" + rows.joined(separator: "\n") + "\n")
  }

  /// Five opens of 2021-Q4 (e0…e4, one a day from 1 October): a quarter to file.
  static let quarterRows = (0..<5).map {
    "e\($0),2021-10-0\($0 + 1) 10:00:00,group_chat,user\($0),https://item.taobao.com/\($0),open,"
  }

  /// A signing key `issuer.pem` in `dir` and its public half `issuer.pub.pem`, made by `run`.
  static func issuerKey(in dir: TemporaryDirectory, run: ([String]) throws -> LinkauditBinary.Run) throws -> (
    pem: String, pub: String
  ) {
    let pem = dir.file("issuer.pem")
    #expect(try run(["keys", "new", "--signing-key", pem]).status == 0)
    let pub = try run(["keys", "public", "--signing-key", pem])
    try pub.stdout.write(toFile: dir.file("issuer.pub.pem"), atomically: true, encoding: .utf8)
    return (pem, dir.file("issuer.pub.pem"))
  }

  /// Runs the binary under timeout(1); nil when it had to be killed after `seconds` (a hang).
  static func run(_ arguments: [String], database: String, within seconds: Int) throws -> LinkauditBinary.Run? {
    let result = try LinkauditBinary.run(
      ["-s", "KILL", String(seconds), LinkauditBinary.path] + arguments, database: database,
      executable: "/usr/bin/timeout")
    return result.status == 137 || result.status == 124 ? nil : result
  }

  /// Runs python3 with `script` (the archive shapes a hostile sender makes with zipfile).
  static func python(_ script: String, _ arguments: [String]) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", script] + arguments
    try p.run()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0)
  }
}

/// A suite that files 2021-Q4 through the built binary into `folder` beside
/// its database (the attack suites): what they share, written once.
protocol BinaryQuarterSuite {
  var dir: TemporaryDirectory { get }
  var folder: String { get }
  func run(_ arguments: [String]) throws -> LinkauditBinary.Run
}

extension BinaryQuarterSuite {
  func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }
  func listing(_ folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
  }

  /// Five events of 2021-Q4 imported, a signing key beside the database;
  /// 2021-Q4 version 1 filed signed into `folder` unless `filing` is false.
  func seeded(filing: Bool = true, archive: Bool = false) throws {
    let csv = try PackageFixture.links("seed.csv", PackageFixture.quarterRows, in: dir)
    let imported = try run(["import", "links", csv])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(try run(["keys", "new"]).status == 0)
    guard filing else { return }
    let reported = try run(["report", "--quarter", "2021-Q4", "--out", folder] + (archive ? ["--archive"] : []))
    #expect(reported.status == 0, "\(reported.stderr)")
  }
}

/// Runs a shell line in `folder` (zip, tar: what a user packs and bundles with); a failing line is an issue.
func runShell(_ line: String, in folder: String) throws {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: "/bin/sh")
  p.arguments = ["-c", line]
  p.currentDirectoryURL = URL(fileURLWithPath: folder)
  try p.run()
  p.waitUntilExit()
  #expect(p.terminationStatus == 0, "\(line)")
}
