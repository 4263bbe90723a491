import ArgumentParser
import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditDemo
import LinkAuditImport
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore

struct Query: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run one read-only SQL statement and print or export the answer.",
    discussion: """
      The database is opened read-only with PRAGMA query_only, and anything but reading \
      (INSERT, UPDATE, ATTACH, VACUUM, most PRAGMAs, a second statement) is refused before \
      it runs: nothing can change. SQL comes from the argument, --file, or standard input. \
      Named parameters (:name) take --param name=value. Views made for questions: events, \
      complaints, complaint_history, batches, policies, platforms (see linkaudit schema). \
      Output: table on a terminal, csv when piped, or --format json|markdown; --format xlsx \
      writes --out FILE with the SQL on a second sheet. Text is shown as stored: mobile and \
      ID numbers were masked at import by the linkaudit that imported it, and a database \
      imported by an older one may hold a spelling its mask missed (13812345678x801); a \
      report masks every stored text again with this linkaudit's rule.
      """)
  @OptionGroup var database: DatabaseOptions
  @Argument(help: "The SQL statement (or use --file, or standard input).") var sql: String?
  @Option(help: "Read the SQL from this file.") var file: String?
  @Option(
    help: ArgumentHelp(
      "table, csv, json, markdown, xlsx or spreadsheet-csv (default: table on a terminal, csv otherwise).",
      discussion:
        "csv is exact, for programs; spreadsheet-csv adds a BOM and neutralises text starting with = + - @ so Excel or WPS cannot run it as a formula."
    ))
  var format: String?
  @Option(help: "Output file (required for xlsx; default standard output).") var out: String?
  @Option(
    help: ArgumentHelp(
      "A named parameter, name=value, bound as text exactly as typed; repeat for more.", valueName: "name=value"))
  var param: [String] = []
  @Option(help: ArgumentHelp("A named parameter bound as an integer, name=123.", valueName: "name=value"))
  var paramInt: [String] = []
  @Option(help: "Seconds before a running query is stopped (at most 86400).") var timeout: Double = 30

  func run() throws {
    let text = try statement()
    var parameters: [String: String] = [:]
    var integers = Set<String>()
    for (option, list) in [("--param", param), ("--param-int", paramInt)] {
      for p in list {
        guard let eq = p.firstIndex(of: "="), eq != p.startIndex else {
          throw ValidationError("\(option) \"\(p)\" is not name=value")
        }
        let name = String(p[..<eq]).trimmingCharacters(in: CharacterSet(charactersIn: ":@$"))
        parameters[name] = String(p[p.index(after: eq)...])
        if option == "--param-int" { integers.insert(name) }
      }
    }
    guard timeout.isFinite, timeout > 0, timeout <= AdHocQuery.longestTimeout else {
      throw ValidationError("--timeout \(timeout) is not a number of seconds between 0 and 86400")
    }
    let chosen: QueryFormat
    if let format {
      guard let f = QueryFormat(rawValue: format.lowercased()) else {
        throw ValidationError("unknown format \"\(format)\": use table, csv, json, markdown, xlsx or spreadsheet-csv")
      }
      chosen = f
    } else if out?.lowercased().hasSuffix(".xlsx") == true {
      chosen = .xlsx
    } else {
      chosen = isatty(STDOUT_FILENO) == 1 ? .table : .csv
    }
    // The answer is written beside --out and moved over it only when whole:
    // a failed query leaves a file that was there as it was. Never over the
    // database, its key, the SQL file or a package.
    var partial: String?
    if let out {
      var protected = database.protectedFiles
      if let file { protected.add(file, as: "the SQL file") }
      try protected.checkOutputFile(out, option: "--out")
      // Never into a report package, nor over a filing's archive (red-team G1).
      try OutputPlacement.checkFile(out, option: "--out")
      partial = out + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
    }
    defer { if let partial { try? FileManager.default.removeItem(atPath: partial) } }
    let sink: RowSink
    var handle: FileHandle?
    defer { try? handle?.close() }
    if chosen == .xlsx {
      guard let partial else { throw ValidationError("--format xlsx writes a file: pass --out FILE.xlsx") }
      sink = XlsxSink(path: partial, sql: text, parameters: parameters, databasePath: database.path)
    } else {
      if let partial {
        guard FileManager.default.createFile(atPath: partial, contents: nil),
          let h = FileHandle(forWritingAtPath: partial)
        else {
          throw ValidationError("cannot write \(out ?? partial)")
        }
        handle = h
      }
      let output = TextOutput(handle ?? .standardOutput)
      switch chosen {
      case .csv: sink = CSVSink(output)
      case .spreadsheetCSV: sink = CSVSink(output, forSpreadsheets: true)
      case .json: sink = JSONSink(output)
      case .markdown: sink = MarkdownSink(output)
      default: sink = TableSink(output)
      }
    }
    let rows = try AdHocQuery(sql: text, parameters: parameters, integerParameters: integers, timeout: timeout)
      .run(databaseAt: database.path, into: sink)
    if let out, let partial {
      try handle?.close()
      handle = nil
      guard rename(partial, out) == 0 else {
        throw ValidationError("cannot write \(out): \(String(cString: strerror(errno)))")
      }
      FileHandle.standardError.write(Data("\(rows.grouped) rows written to \(out)\n".utf8))
    }
  }

  func statement() throws -> String {
    if let sql, file == nil { return sql }
    if let file {
      guard sql == nil else { throw ValidationError("give the SQL as an argument or with --file, not both") }
      guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
        throw ValidationError("cannot read \(file)")
      }
      return text
    }
    guard isatty(STDIN_FILENO) == 0 else {
      throw ValidationError("give the SQL as an argument, with --file, or on standard input")
    }
    return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
  }
}
