import Foundation
import LinkAuditCore
import LinkAuditStore
import LinkAuditXlsx

/// Why an ad-hoc query was refused or stopped.
public struct QueryError: Error, LocalizedError, Equatable {
  package init(message: String) {
    self.message = message
  }

  public let message: String
  public var errorDescription: String? { message }
}

/// One read-only statement run for an analyst: on a connection that cannot
/// write, with named parameters and a time limit, its rows streamed to a sink.
public struct AdHocQuery {
  public var sql: String
  /// `name` → value, bound to `:name` (also `@name`, `$name`).
  /// Bound as text, exactly as typed (`007` stays `007`), unless named in `integerParameters`.
  public var parameters: [String: String]
  /// Names whose value is bound as an integer (`--param-int`).
  public var integerParameters: Set<String>
  public var timeout: TimeInterval

  /// The largest value a query may make: 64 MiB, far past the store's
  /// largest (a 4 MiB record) and Excel's cell (32,767 characters), and a
  /// copy or two of it still fits a small machine.
  public static let largestValue: Int32 = 64 << 20

  /// The longest time limit a query may be given (a day).
  public static let longestTimeout: TimeInterval = 86_400

  public init(
    sql: String, parameters: [String: String] = [:], integerParameters: Set<String> = [], timeout: TimeInterval = 30
  ) {
    self.sql = sql
    self.parameters = parameters
    self.integerParameters = integerParameters
    self.timeout = timeout
  }

  /// Opens `path` read-only, refuses anything but one reading statement, and
  /// streams the answer into `sink`. Returns the number of rows.
  @discardableResult
  public func run(databaseAt path: String, into sink: RowSink) throws -> Int {
    let db = try Database.reading(at: path)
    defer { db.close() }
    return try run(on: db, into: sink)
  }

  public func run(on db: Database, into sink: RowSink) throws -> Int {
    guard timeout.isFinite, timeout > 0, timeout <= Self.longestTimeout else {
      throw QueryError(message: "--timeout \(timeout) is not a number of seconds between 0 and 86400")
    }
    db.allowReadingOnly()
    db.limitValueLength(to: Self.largestValue)
    let statement: Statement
    do {
      statement = try db.prepare(sql)
    } catch let error as SQLiteError {
      // The authorizer's denial: SQLITE_AUTH, or SQLITE_ERROR with "not authorized" at prepare.
      if error.code == 23 || error.message.hasPrefix("not authorized") {
        throw QueryError(
          message:
            "refused: only reading is allowed here (SELECT, WITH … SELECT, or a pragma that describes a table); nothing was changed"
        )
      }
      if error.message.contains("only one statement") {
        throw QueryError(message: "refused: give one statement at a time; nothing was run")
      }
      throw QueryError(message: "SQL error: \(error.message)")
    }
    guard statement.isReadOnly else {
      throw QueryError(message: "refused: this statement would change the database; nothing was changed")
    }
    for name in statement.parameterNames {
      let key = String(name.dropFirst())
      guard let value = parameters[key] else {
        throw QueryError(message: "the query uses \(name): pass --param \(key)=VALUE")
      }
      try statement.bind(try bound(key, value), named: name)
    }
    let unused = Set(parameters.keys).subtracting(statement.parameterNames.map { String($0.dropFirst()) })
    if let name = unused.sorted().first {
      throw QueryError(message: "--param \(name) is not used by the query")
    }

    // The limit: a timer interrupts SQLite; the interrupted step fails with SQLITE_INTERRUPT.
    let timer = DispatchSource.makeTimerSource(queue: .global())
    let expired = LockBox(false)
    let interrupter = db.interruption()
    timer.schedule(deadline: .now() + timeout)
    timer.setEventHandler {
      expired.withLock { $0 = true }
      interrupter.interrupt()
    }
    timer.resume()
    defer {
      timer.cancel()
      // A handler already running may still be about to interrupt: wait for
      // it, so nothing interrupts the connection once the caller closes it.
      interrupter.release()
    }

    try sink.begin(columns: statement.columnNames)
    var count = 0
    do {
      while try statement.step() {
        try sink.row(statement.currentRow)
        count += 1
      }
    } catch let error as SQLiteError {
      if error.code == 9 /* SQLITE_INTERRUPT */ || expired.withLock({ $0 }) {
        throw QueryError(message: "stopped after \(Int(timeout)) s (--timeout); no answer was written in full")
      }
      if error.code == 18 /* SQLITE_TOOBIG */ {
        throw QueryError(
          message: "SQL error: \(error.message): a value may hold at most \(Self.largestValue >> 20) MiB here")
      }
      throw QueryError(message: "SQL error: \(error.message)")
    }
    try sink.end()
    return count
  }

  /// A parameter's value: text as typed, or an integer when asked for.
  package func bound(_ name: String, _ text: String) throws -> SQLValue {
    guard integerParameters.contains(name) else { return .text(text) }
    guard let i = Int64(text.trimmingCharacters(in: .whitespaces)) else {
      throw QueryError(message: "--param-int \(name)=\(text): the value is not an integer")
    }
    return .integer(i)
  }
}
