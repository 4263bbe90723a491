import ArgumentParser
import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditDemo
import LinkAuditImport
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore

/// Options every subcommand shares.
struct DatabaseOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp("SQLite database file.", discussion: "Defaults to $LINKAUDIT_DB, else linkaudit.db."))
  var db: String?

  var path: String { db ?? ProcessInfo.processInfo.environment["LINKAUDIT_DB"] ?? "linkaudit.db" }

  /// The pseudonym key lives beside its database, wherever the command is run from.
  var defaultKeyFile: String {
    (parentPath(path) as NSString).appendingPathComponent(".linkaudit.key")
  }

  /// The database, its journal files and its keys: never an output path.
  var protectedFiles: ProtectedFiles { Database.protectedFiles(of: path, keyFile: defaultKeyFile) }

  /// For the commands that write (import, report): creates or migrates the store.
  func openForWriting() throws -> Database { try Database.store(at: path) }

  /// For the commands that only read: an existing store, read-only, never
  /// changed. `currentSchema: false` takes an older schema as it is (doctor).
  func openForReading(currentSchema: Bool = true) throws -> Database {
    try Database.reading(at: path, currentSchema: currentSchema)
  }
}

/// Which pseudonym key: `--key-file`, else `.linkaudit.key` beside the
/// database. Import uses it and doctor checks it by this one rule.
struct PseudonymKeyOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Secret key for pseudonyms (default: .linkaudit.key beside the database).",
      discussion:
        "Created with mode 0600 only for a database that holds no pseudonyms yet; the database records the key's fingerprint and refuses any other key."
    ))
  var keyFile: String?

  func path(database: DatabaseOptions) -> String { keyFile ?? database.defaultKeyFile }
}

/// How raw timestamps are read: the zone of those without an offset and the
/// plausible range (import, and the warehouse reference that mirrors it).
struct TimestampOptions: ParsableArguments {
  @Option(help: "Time zone of timestamps written without an offset.")
  var tz = "Asia/Shanghai"

  @Option(
    help: ArgumentHelp("Earliest plausible time, YYYY-MM-DD (UTC); earlier ones are bad values.", valueName: "date"))
  var earliest = "2000-01-01"

  @Option(
    help: ArgumentHelp("Latest plausible time, YYYY-MM-DD (UTC; default ten years from today).", valueName: "date"))
  var latest: String?

  func zone() throws -> TimeZone {
    guard let zone = TimeZone(identifier: tz) else {
      throw ValidationError("unknown time zone \"\(tz)\": use an IANA name such as Asia/Shanghai")
    }
    return zone
  }

  /// The range; `latest` defaults to ten years from now (`defaultLatest`).
  func plausible(defaultLatest: Timestamp = PlausibleTimes.defaultLatest()) throws -> PlausibleTimes {
    func day(_ text: String, _ option: String) throws -> Timestamp {
      guard text.count == 10, let t = TimestampParser.utc.parse(text + " 00:00:00") else {
        throw ValidationError("\(option) \"\(text)\" is not a date YYYY-MM-DD")
      }
      return t
    }
    let times = PlausibleTimes(
      earliest: try day(earliest, "--earliest"), latest: try latest.map { try day($0, "--latest") } ?? defaultLatest)
    guard times.earliest < times.latest else { throw ValidationError("--earliest must come before --latest") }
    return times
  }
}

/// Options of the commands that compute figures.
struct ReportOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Time zone quarters are cut in (IANA name).",
      discussion:
        "The counts the figures are read from are kept in the rollup time zone (Asia/Shanghai); another zone derives its own first, in one pass over the events."
    ))
  var tz = "Asia/Shanghai"
  @Option(
    help: ArgumentHelp(
      "Folder of Markdown templates (en/, zh/) and the rating model.",
      discussion:
        "Default: templates/ in the current folder if there is one, else the templates installed with linkaudit (PREFIX/share/linkaudit/templates, or the project's own beside a build)."
    ))
  var templates: String?
  @Option(help: "Platform rating model (YAML); default: rating-model.yaml in the template folder.")
  var ratingModel: String?

  func model() throws -> RatingModel {
    try RatingModel.load(
      path: ratingModel ?? (try templateFolder() as NSString).appendingPathComponent("rating-model.yaml"))
  }

  /// The quarter named by `text` (YYYY-Qn or latest) in `db`.
  func quarter(_ text: String, in db: Database, path: String) throws -> Quarter {
    let choice: ReportRun.QuarterChoice = try Self.namedQuarter(text).map { .named($0) } ?? .latest
    do {
      return try choice.resolve(in: db, timeZone: try timeZone(), databasePath: path)
    } catch let error as ReportRunError {
      throw ValidationError(error.message)
    }
  }

  /// The quarter `text` names, nil for latest; refused, naming the text, when it is neither
  /// (checked before the database is opened: a typo is named whatever the database).
  static func namedQuarter(_ text: String) throws -> Quarter? {
    if text.lowercased() == "latest" { return nil }
    guard let q = Quarter(text) else {
      throw ValidationError(
        "quarter \"\(displayable(text))\" is not YYYY-Qn, four digits from \(Quarter.earliestYear) (for example 2021-Q4) or latest"
      )
    }
    return q
  }

  func timeZone() throws -> TimeZone {
    guard let zone = TimeZone(identifier: tz) else {
      throw ValidationError("unknown time zone \"\(tz)\": use an IANA name such as Asia/Shanghai")
    }
    return zone
  }

  func templateFolder() throws -> String {
    if let templates {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: templates, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw ValidationError("no template folder at \(templates): pass --templates with a folder holding en/ and zh/")
      }
      return templates
    }
    guard let found = TemplateFolder.default() else {
      throw ValidationError(
        "no template folder found (templates/ here, or installed with linkaudit): run make install, or pass --templates"
      )
    }
    // The current folder's templates/ decides the wording and the rating
    // model: say so when it is not linkaudit's own, so a copy left in a
    // folder never changes a report unseen.
    if found == TemplateFolder.inCurrentFolder,
      TemplateFolder.builtIn().map({ FileIdentity($0).canonical }) != FileIdentity(found).canonical
    {
      FileHandle.standardError.write(
        Data(
          "note: using the templates and rating model in \(escapingControls(FileIdentity(found).canonical)) (this folder's templates/, not linkaudit's own); --templates names another\n"
            .utf8))
    }
    return found
  }
}

/// Where the default templates are when --templates is not given, so that
/// report and verify run from any folder.
enum TemplateFolder {
  /// A folder is a template folder when it holds the summary template and the rating model.
  static func isTemplateFolder(_ path: String) -> Bool {
    let fm = FileManager.default
    return fm.fileExists(atPath: path + "/en/summary.md.mustache") && fm.fileExists(atPath: path + "/rating-model.yaml")
  }

  /// `templates/` in the current folder (a compliance officer's reworded
  /// copy); else `PREFIX/share/linkaudit/templates` beside an installed
  /// `PREFIX/bin/linkaudit`; else the project's own, for a binary in the
  /// project's build folder (`.build/…/linkaudit`).
  static func `default`() -> String? {
    if isTemplateFolder(inCurrentFolder) { return inCurrentFolder }
    return builtIn()
  }

  /// `templates/` in the current folder.
  static let inCurrentFolder = "templates"

  /// The templates installed with linkaudit, or the project's own beside a build.
  static func builtIn() -> String? {
    guard let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() else { return nil }
    let bin = executable.deletingLastPathComponent()
    let installed = bin.deletingLastPathComponent().appendingPathComponent("share/linkaudit/templates").path
    if isTemplateFolder(installed) { return installed }
    // .build/release/linkaudit resolves to .build/<triple>/release/linkaudit: the project is 3 folders up.
    var folder = bin
    for _ in 0..<4 {
      folder = folder.deletingLastPathComponent()
      let candidate = folder.appendingPathComponent("templates").path
      if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path),
        isTemplateFolder(candidate)
      {
        return candidate
      }
    }
    return nil
  }
}

/// A `--lang` list (`zh,en`) as languages, refusing a code it does not know.
func reportLanguages(_ text: String) throws -> [ReportLanguage] {
  try text.split(separator: ",").map { code in
    guard let l = ReportLanguage(code: String(code)) else {
      throw ValidationError("unknown language \"\(code)\": use zh, en or both (zh,en)")
    }
    return l
  }
}
