import Foundation
import LinkAuditCore
import LinkAuditStore

/// One issued version of a quarter's package, as the `filing` table keeps it.
public struct Filing: Equatable, Sendable {
  public var quarter: String
  public var timeZone: String
  public var version: Int
  /// UTC, when this version was first issued.
  public var issuedAt: String
  public var reason: String?
  public var dataFingerprint: String
  public var manifestSHA256: String
  /// The figures as filed: metrics.csv's text.
  public var metricsCSV: String
  public var batchIDs: [Int64]
  public var policyVersions: [String]
  public var ratingModelSHA256: String?
  /// The SHA-256 of the public key that signed it, "" when unsigned, nil when
  /// filed before the ledger kept it.
  public var signedBy: String?

  /// The Ed25519 public key (32 bytes) that signed it, as the ledger keeps
  /// it since schema v17; nil when unsigned, or filed before then by a key
  /// no report has run with since (red-team D9).
  public var signerPublicKey: Data?

  static let columns = """
    quarter, time_zone, version, issued_at, reason, data_fingerprint, manifest_sha256, metrics_csv, batch_ids,
    policy_versions, rating_model_sha256, signed_by, signer_public_key
    """

  /// The columns to read from `db`'s ledger: one older than a column (doctor
  /// reads an older schema as it is) reads it as NULL.
  static func selected(in db: Database) throws -> String {
    let present = Set(
      try db.records("SELECT name FROM pragma_table_info('filing')", source: "the filings' columns").compactMap {
        $0.optionalText("name")
      })
    return columns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
      .map { present.contains($0) ? $0 : "NULL AS \($0)" }.joined(separator: ", ")
  }

  init(_ r: Record) throws {
    quarter = try r.text("quarter")
    timeZone = try r.text("time_zone")
    version = Int(try r.integer("version"))
    issuedAt = try r.text("issued_at")
    // Masked when filed; again here, so a reason filed under the older ID mask shows only the last four
    // wherever it is shown: `filings`, a correction's previous version, a version written again (red-team E3).
    reason = r.optionalText("reason").map(PersonalNumberMask.mask)
    dataFingerprint = try r.text("data_fingerprint")
    manifestSHA256 = try r.text("manifest_sha256")
    metricsCSV = try r.text("metrics_csv")
    batchIDs = try r.text("batch_ids").split(separator: ",").compactMap { Int64($0) }
    policyVersions = try r.text("policy_versions").split(separator: "\n").map(String.init)
    ratingModelSHA256 = r.optionalText("rating_model_sha256")
    signedBy = r.optionalText("signed_by")
    if case .blob(let bytes) = r.value("signer_public_key") { signerPublicKey = Data(bytes) }
  }

  init(
    quarter: String, timeZone: String, version: Int, issuedAt: String, reason: String?, dataFingerprint: String,
    manifestSHA256: String, metricsCSV: String, batchIDs: [Int64], policyVersions: [String],
    ratingModelSHA256: String?, signedBy: String?, signerPublicKey: Data? = nil
  ) {
    (self.quarter, self.timeZone, self.version, self.issuedAt, self.reason) =
      (quarter, timeZone, version, issuedAt, reason)
    (self.dataFingerprint, self.manifestSHA256, self.metricsCSV) = (dataFingerprint, manifestSHA256, metricsCSV)
    (self.batchIDs, self.policyVersions, self.ratingModelSHA256) = (batchIDs, policyVersions, ratingModelSHA256)
    self.signedBy = signedBy
    self.signerPublicKey = signerPublicKey
  }

  /// Every version issued, by quarter, zone and version.
  public static func all(in db: Database) throws -> [Filing] {
    try db.records(
      "SELECT \(try selected(in: db)) FROM filing ORDER BY quarter, time_zone, version", source: "the filings"
    )
    .map(Filing.init)
  }

  /// The latest version of a quarter, whatever its zone, or version `version`
  /// of it: a quarter has one line of versions (one version 1).
  static func find(in db: Database, quarter: String, version: Int? = nil) throws -> Filing? {
    try db.records(
      """
      SELECT \(try selected(in: db)) FROM filing WHERE quarter = :quarter AND (:version IS NULL OR version = :version)
      ORDER BY version DESC, issued_at DESC LIMIT 1
      """,
      named: [":quarter": .text(quarter), ":version": version.map { .integer(Int64($0)) } ?? .null],
      source: "the filings"
    ).first.map(Filing.init)
  }

  /// Every filed version of a quarter with these manifest bytes (by their SHA-256).
  public static func find(in db: Database, manifestSHA256: String) throws -> [Filing] {
    try db.records(
      "SELECT \(try selected(in: db)) FROM filing WHERE manifest_sha256 = ? ORDER BY quarter, version",
      [.text(manifestSHA256)], source: "the filings"
    ).map(Filing.init)
  }

  /// The latest version of `quarter`, public for verify and doctor.
  public static func latest(in db: Database, quarter: String) throws -> Filing? {
    try find(in: db, quarter: quarter)
  }

  func insert(into db: Database) throws {
    do {
      try record(into: db)
    } catch let error as SQLiteError where error.code & 0xFF == Self.busy || error.code == Self.primaryKeyTaken {
      // Busy: another process wrote since the figures were read (an import);
      // the version taken: another report recorded it meanwhile. The package
      // is not put in place; nothing is recorded.
      throw FilingConflict(quarter: quarter, version: version)
    }
  }

  /// SQLITE_BUSY (and its extended codes), SQLITE_CONSTRAINT_PRIMARYKEY.
  static let (busy, primaryKeyTaken): (Int32, Int32) = (5, 1555)

  private func record(into db: Database) throws {
    try db.prepare(
      """
      INSERT INTO filing (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      """
    ).run([
      .text(quarter), .text(timeZone), .integer(Int64(version)), .text(issuedAt), .optional(reason),
      .text(dataFingerprint), .text(manifestSHA256), .text(metricsCSV),
      .text(batchIDs.map(String.init).joined(separator: ",")), .text(policyVersions.joined(separator: "\n")),
      .optional(ratingModelSHA256), .optional(signedBy), signerPublicKey.map { .blob(Array($0)) } ?? .null,
    ])
  }

  /// Keeps the public key of `key` for every version filed before the ledger
  /// kept keys (schema v17) whose recorded signer is that key: the key at
  /// hand is then known to be the one that signed them (red-team D9). Writes
  /// only what it fills.
  public static func recordSigner(_ key: PackagePublicKey, in db: Database) throws {
    let filled = try db.scalar(
      "SELECT count(*) FROM filing WHERE signer_public_key IS NULL AND signed_by = ?", [.text(key.fingerprint)]
    ).integer
    guard (filled ?? 0) > 0 else { return }
    try db.prepare("UPDATE filing SET signer_public_key = ? WHERE signer_public_key IS NULL AND signed_by = ?").run([
      .blob(Array(key.raw)), .text(key.fingerprint),
    ])
  }
}

/// The reason given for a re-issue: under the rules every input text obeys
/// (it reaches the terminal, the Markdown and the workbooks of the filing).
public enum FilingReason {
  public static let maxLength = 2000

  /// Why `text` cannot be a reason (a control or bidirectional formatting
  /// character, too long), or nil.
  public static func breach(_ text: String) -> String? {
    textBreach(text, maxLength: maxLength).map { "--reason: \($0)" }
  }

  /// Why `text` breaks the rules a reason's text obeys, which every value
  /// shown on a filing's Cover obeys too (filer.yaml's: red-team E10), or nil.
  package static func textBreach(_ text: String, maxLength: Int) -> String? {
    // Invisible characters (U+200B, U+00AD, U+2060: format characters; U+034F,
    // variation selectors, Hangul fillers: the rest of Default_Ignorable_Code_Point)
    // would split a phone number so that it displays whole (red-team B3, C6).
    if let s = text.unicodeScalars.first(where: {
      ($0.properties.generalCategory == .format || $0.properties.isDefaultIgnorableCodePoint) && !isBidiControl($0)
    }) {
      return "invisible characters are not allowed (found \(TextRuleBreach.code(s)))"
    }
    // A line or paragraph separator breaks the line as a control character does (red-team C6).
    if let s = text.unicodeScalars.first(where: { $0.value == 0x2028 || $0.value == 0x2029 }) {
      return "control characters or line separators are not allowed (found \(TextRuleBreach.code(s)))"
    }
    // The one text rule every input obeys (TextRuleBreach), said for this option.
    switch TextRuleBreach.check(text, maxLength: maxLength) {
    case nil: return nil
    case .forbidden(let s) where isBidiControl(s):
      return
        "bidirectional formatting characters are not allowed: they reorder what a reader sees (found \(TextRuleBreach.code(s)))"
    case .forbidden(let s):
      return "control characters or noncharacters are not allowed (found \(TextRuleBreach.code(s)))"
    case .tooLong(let n): return "at most \(maxLength) characters (found \(n))"
    }
  }

  /// The reason as it is filed: personal numbers (a complaint pasted in) masked.
  public static func filed(_ text: String) -> String { PersonalNumberMask.mask(text) }
}

/// A new version could not be recorded: the database changed, or is being
/// written, since the figures were read. `report` then reads them again
/// under the write lock, once.
public struct FilingConflict: Error, LocalizedError {
  public let quarter: String
  public let version: Int
  public var errorDescription: String? {
    "could not record \(quarter) version \(version): another process (an import, another report) wrote to the database since the figures were read; run the report again when it is done"
  }
}

/// A report whose version was superseded by one filed while it ran: its
/// package does not take the folder from the latest version (red-team B16).
public struct SupersededMeanwhile: Error, LocalizedError {
  public let quarter: String
  public let version: Int
  public let latest: Int
  public let issuedAt: String
  public let folder: String
  public var errorDescription: String? {
    "\(quarter) version \(version) is superseded by version \(latest), filed meanwhile (issued \(issuedAt)): \(escapingControls(folder)) is left to it; nothing written"
  }
}

/// A version filed by this run whose package could not take its folder:
/// kept, as filed, where `keptAt` says, never removed.
public struct FiledNotInPlace: Error, LocalizedError {
  public let quarter: String
  public let version: Int
  public let keptAt: String
  public let cause: any Error
  public var errorDescription: String? {
    "\(quarter) version \(version) is filed, but its package could not take its folder (\(cause.localizedDescription)): kept as filed in \(escapingControls(keptAt)); run the report again to put it in place"
  }
}

/// Which version a package is, and what it corrects.
public struct FilingVersion: Sendable, Equatable {
  public var version: Int
  /// UTC.
  public var issuedAt: String
  public var reason: String?
  /// The version before, whose figures this one corrects (nil for version 1).
  public var previous: Filing?
  /// Not yet in the ledger: `report` records it once the package is written.
  public internal(set) var isNew: Bool
}

/// How a package gets its version: `report` issues one (the ledger decides
/// which); `verify` writes the version its manifest names again.
public enum FilingPolicy: Sendable {
  /// No version (a package written by the library alone, or from before filings).
  case none
  /// Issue: a package that is the last version's bytes is that version;
  /// anything else is the next, and needs `reason`. An empty quarter (no
  /// event, no complaint) is refused unless `allowEmpty`; a dry run records nothing.
  case issue(reason: String?, at: Timestamp, allowEmpty: Bool = false, dryRun: Bool = false)
  /// As the manifest says (verify).
  case asFiled(version: Int, issuedAt: String, reason: String?)

  /// The version of `.asFiled` (with the version before it from the ledger); nil for `.none`.
  func resolve(db: Database, quarter: Quarter) throws -> FilingVersion? {
    switch self {
    case .none, .issue:
      return nil
    case .asFiled(let version, let issuedAt, let reason):
      let previous = version > 1 ? try Filing.find(in: db, quarter: quarter.description, version: version - 1) : nil
      return FilingVersion(version: version, issuedAt: issuedAt, reason: reason, previous: previous, isNew: false)
    }
  }
}

/// What a version of 2 or more changed against the version before: its
/// figures old → new, the batches imported since, the policy versions and
/// the rating model, and the reason given.
public struct Corrections: Sendable {
  public struct FigureChange: Sendable, Equatable {
    /// `metric_id` or `metric_id[dimension]`, as verify names a figure.
    public var figure: String
    public var before: String?
    public var after: String?
  }

  public var version: Int
  public var previous: Filing
  public var reason: String?
  public var figures: [FigureChange]
  public var batchesSince: [ReportData.Batch]
  public var policiesBefore: [String]
  public var policiesNow: [String]
  public var modelBefore: String?
  public var modelNow: String?

  init(version: FilingVersion, previous: Filing, data: ReportData, ratingModel: RatingModel?) {
    self.version = version.version
    self.previous = previous
    reason = version.reason
    let (before, after) = (
      ReportPackage.figures(of: previous.metricsCSV).figures, ReportPackage.figures(of: data.current.csv).figures
    )
    figures = Set(before.keys).union(after.keys).sorted().compactMap { key in
      before[key] == after[key] ? nil : FigureChange(figure: key, before: before[key], after: after[key])
    }
    let filed = Set(previous.batchIDs)
    batchesSince = data.batches.filter { !filed.contains($0.batchID) }
    policiesBefore = previous.policyVersions
    policiesNow = data.policies.map(\.version)
    modelBefore = previous.ratingModelSHA256
    modelNow = ratingModel?.sha256
  }
}

extension Corrections {
  /// The definition of a figure as metrics.csv names it (`p1.upheld_rate`,
  /// `rating.score[platform=jd]`): the catalogue's or the ratings'.
  static func definition(of figure: String) -> MetricDefinition? {
    let id = String(figure.prefix { $0 != "[" })
    return MetricCatalogue.definition(MetricID(rawValue: id)) ?? MetricCatalogue.ratings.first { $0.id.rawValue == id }
  }

  /// The retired id a figure of an earlier version carries (`p2.within_sla_rate`
  /// is `pN.within_sla_rate`), so its correction says what to read instead.
  package static func retired(_ figure: String) -> RetiredMetric? {
    let id = String(figure.prefix { $0 != "[" })
    return MetricCatalogue.retired.first { r in
      guard r.id.hasPrefix("pN.") else { return r.id == id }
      return id.count > 3 && id.hasPrefix("p") && id.dropFirst().first?.isNumber == true
        && id.drop { $0 != "." } == r.id.dropFirst(2)
    }
  }

  /// A figure's name in a correction: the catalogue's, or for an id retired
  /// since the version corrected, what replaces it.
  package static func name(of figure: String, in language: ReportLanguage) -> String {
    if let definition = definition(of: figure) { return language.name(of: definition) }
    guard let r = retired(figure) else { return "" }
    let instead = r.replacedBy.joined(separator: ", ")
    return language == .zh ? "（已停用的指标，改读 \(instead)）" : "(a retired id: read \(instead) instead)"
  }

  /// Each figure that changed, as both writers show it: its id, its name,
  /// and the two versions' values as a reader reads them.
  func rows(in language: ReportLanguage) -> [(figure: String, name: String, before: String, after: String)] {
    figures.map { f in
      (
        f.figure, Self.name(of: f.figure, in: language),
        Self.display(f.before, of: f.figure, in: language), Self.display(f.after, of: f.figure, in: language)
      )
    }
  }

  /// The policy versions in force, then and now, or "unchanged".
  func policies(in language: ReportLanguage) -> String {
    Self.change(policiesBefore.joined(separator: ", "), policiesNow.joined(separator: ", "), in: language)
  }

  /// The rating model's SHA-256, then and now, or "unchanged".
  func model(in language: ReportLanguage) -> String {
    Self.change(modelBefore ?? "—", modelNow ?? "—", in: language)
  }

  static func change(_ before: String, _ now: String, in language: ReportLanguage) -> String {
    before == now ? language.text(.unchanged) : "\(before) → \(now)"
  }

  /// A figure as a reader reads it: a rate as a percentage with its counts
  /// (`85.71% (6/7)`), anything else as metrics.csv has it; absent when the
  /// version had no such figure.
  package static func display(_ said: String?, of figure: String, in language: ReportLanguage) -> String {
    guard let said else { return language.text(.absent) }
    let isRate = definition(of: figure).map { $0.kind == .rate } ?? (retired(figure)?.id.hasSuffix("_rate") ?? false)
    guard isRate else { return said }
    let value = said.prefix { $0 != " " }
    guard let x = Double(value) else { return said }
    return String(format: "%.2f%%", x * 100) + said.dropFirst(value.count)
  }
}
