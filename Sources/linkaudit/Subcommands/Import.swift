import ArgumentParser
import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditDemo
import LinkAuditImport
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore

struct Import: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Import link logs, complaints, policy versions or the platform registry.",
    discussion: """
      Files are CSV, TSV or JSON Lines (.csv, .tsv, .jsonl, .ndjson), each optionally .gz. \
      Each file is one batch in one transaction: one bad row rejects the whole file and \
      nothing of it is stored, unless --reject-file sets bad rows aside. A file already \
      imported (same SHA-256) is skipped. User and reporter ids are replaced by HMAC-SHA256 \
      pseudonyms under the key file and never stored.
      """,
    subcommands: [Links.self, Complaints.self, Policies.self, Platforms.self, Inbox.self, Rollups.self])

  struct Options: ParsableArguments {
    @OptionGroup var database: DatabaseOptions

    @Option(help: "Text encoding of the files: utf-8 (default; a BOM is allowed) or gb18030 (covers GBK/GB2312).")
    var encoding = "utf-8"

    @Option(
      help: ArgumentHelp(
        "Import good rows and write bad ones here, unchanged plus an error column.",
        discussion: "With several files, name a directory: each file's rejects go to NAME.rejected.csv in it."))
    var rejectFile: String?

    @OptionGroup var pseudonymKey: PseudonymKeyOptions

    @OptionGroup var timestamps: TimestampOptions

    func importOptions() throws -> ImportOptions {
      guard let encoding = TextEncoding(name: encoding) else {
        throw ValidationError("unknown encoding \"\(encoding)\": use utf-8 or gb18030")
      }
      var options = ImportOptions(
        encoding: encoding, rejectFile: rejectFile, timeZone: try timestamps.zone(),
        keyFile: pseudonymKey.path(database: database), plausibleTimes: try timestamps.plausible())
      // Each file's rejected rows, where a folder is named: never over a filing's archive.
      options.checkOutputFile = { try OutputPlacement.checkFile($0, option: "--reject-file") }
      return options
    }

    /// Nothing import writes or makes lies in a report package: the database,
    /// the pseudonym key (nor one made where packages are handed over), the
    /// rejected rows (red-team G1). Checked before the database is opened.
    func checkPlacement() throws {
      try OutputPlacement.checkDatabase(database.path, option: "--db")
      try OutputPlacement.checkPseudonymKey(
        pseudonymKey.path(database: database), database: database.path,
        option: pseudonymKey.keyFile == nil ? "the pseudonym key" : "--key-file")
      guard let rejectFile else { return }
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: rejectFile, isDirectory: &isDirectory), isDirectory.boolValue {
        try OutputPlacement.checkFolder(rejectFile, option: "--reject-file")
      } else {
        try OutputPlacement.checkFile(rejectFile, option: "--reject-file")
      }
    }

    /// Runs `body` with an importer, printing a summary line per file on stdout,
    /// warnings on stderr and, on a terminal, a progress line.
    /// The store is brought up to date inside each file's (or bundle's)
    /// transaction: a refused file changes no byte of it.
    func run(_ body: (Importer) throws -> [BatchSummary]) throws {
      try checkPlacement()
      let db = try Database.storeForImport(at: database.path)
      let importer = Importer(database: db, options: try importOptions())
      let progress = Progress()
      if isatty(STDERR_FILENO) == 1 { importer.progress = { progress.update(file: $0, rows: $1) } }
      let summaries: [BatchSummary]
      do {
        summaries = try body(importer)
      } catch let error as ImportRunError {
        // The files before the failing one are committed: say what they were.
        progress.clear()
        Self.show(error.completed)
        throw error
      }
      progress.clear()
      Self.show(summaries)
    }

    static func show(_ summaries: [BatchSummary]) {
      for s in summaries {
        for w in s.warnings {
          FileHandle.standardError.write(Data("warning: \(s.name): \(escapingControls(w))\n".utf8))
        }
        if !s.ignored { print(s.line) }
      }
    }
  }

  struct Links: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Import link logs (one row per tap on an external link).")
    @OptionGroup var options: Options
    @Argument(help: "Files to import.") var files: [String]
    func run() throws { try options.run { try $0.importFiles(files, kind: .links) } }
  }

  struct Complaints: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Import complaints; a newer state of a complaint keeps the history.")
    @OptionGroup var options: Options
    @Argument(help: "Files to import.") var files: [String]
    func run() throws { try options.run { try $0.importFiles(files, kind: .complaints) } }
  }

  struct Policies: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Import policy versions (Markdown with YAML front matter); events are re-assigned to the version in force.")
    @OptionGroup var options: Options
    @Argument(help: "Markdown files to import.") var files: [String]
    func run() throws { try options.run { try $0.importFiles(files, kind: .policies) } }
  }

  struct Platforms: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Import a platform registry; it replaces the one in force as a new version.")
    @OptionGroup var options: Options
    @Argument(help: "Files to import.") var files: [String]
    func run() throws { try options.run { try $0.importFiles(files, kind: .platforms) } }
  }

  struct Rollups: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Import a quarter's rollup bundle written by the warehouse job (warehouse/).",
      discussion: """
        Checks every file of the bundle against its manifest.json, then loads it as one batch \
        in one transaction: the counts, the quarter's distinct users (counted in the \
        warehouse; no user id arrives), the events the case lists and decisions need, and \
        the histories of the URLs restricted in the quarter. A bundle made with other \
        decisions or another time zone than the database's is refused; so is a bundle for a \
        quarter that holds raw events imported directly, and a link log with events in a \
        quarter a bundle holds. The bundle is held to the data contract as a link log is: \
        its text to the same field rules, its times to the plausible range, its numbers to what \
        can be counted (--max-events), its cases and histories to its counts. A newer bundle \
        for the same quarter replaces the older one's figures; one made earlier or of fewer \
        events is refused unless --replace-newer names its quarter, and a replaced bundle can \
        be imported again. The ledger (batch, rollup_bundle) keeps both. See "Beyond one \
        machine" in the README.
        """)
    @OptionGroup var options: Options
    @Argument(help: "The bundle's folder.") var bundle: String

    @Option(
      help: ArgumentHelp(
        "The most events a quarter's bundle may hold (default 100,000,000,000; at most 10^15).",
        discussion: "A bundle counting more is refused: its counts were edited or are not counts.", valueName: "n"))
    var maxEvents: Int64 = BundleManifest.defaultMaxEvents

    @Option(
      help: ArgumentHelp(
        "Let this bundle replace a newer one of QUARTER (made later, or of more events).",
        valueName: "quarter"))
    var replaceNewer: String?

    func run() throws {
      guard maxEvents > 0, maxEvents <= BundleManifest.maxEventsLimit else {
        throw ValidationError(
          "--max-events must be a positive number of events, at most \(BundleManifest.maxEventsLimit.grouped) (10^15)")
      }
      if let replaceNewer, Quarter(replaceNewer) == nil {
        throw ValidationError("--replace-newer \"\(replaceNewer)\" is not a quarter YYYY-Qn")
      }
      // The store is brought up to date inside the bundle's transaction: a refused bundle changes no byte.
      try options.run { importer in
        [
          try importer.importBundle(
            folder: bundle,
            bundle: BundleImportOptions(
              maxEvents: maxEvents, replaceNewer: replaceNewer,
              // What got through, by the metrics' own table: every such event the counts hold must be among the cases.
              underRestrictedQuery: MetricCatalogue.underRestrictedCombinationsSQL))
        ]
      }
    }
  }

  struct Inbox: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Import every new file under DIR/{platforms,policies,links,complaints}/.")
    @OptionGroup var options: Options
    @Argument(help: "The inbox folder, e.g. data/inbox.") var directory: String
    func run() throws { try options.run { try $0.importInbox(directory) } }
  }
}

/// A single self-overwriting line on stderr: rows and rows per second.
final class Progress {
  private var started = Date()
  private var lastFile = ""
  private var lastPrint = Date.distantPast
  private var shown = false

  func update(file: String, rows: Int) {
    if file != lastFile {
      lastFile = file
      started = Date()
    }
    let now = Date()
    guard now.timeIntervalSince(lastPrint) >= 0.25 else { return }
    lastPrint = now
    let rate = Double(rows) / max(now.timeIntervalSince(started), 0.001)
    FileHandle.standardError.write(
      Data("\r\u{1B}[K\(escapingControls(file)): \(rows.grouped) rows, \(Int(rate).grouped) rows/s".utf8))
    shown = true
  }

  func clear() {
    if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
  }
}
