import Crypto
import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import LinkAuditWeb

/// What a warehouse job needs of linkaudit's rules, written as small tables it
/// joins on (`linkaudit export reference`), so that every rule keeps its one
/// definition here: the day and policy version of each instant of the quarter,
/// the zone's offsets for timestamps written without one, the vocabulary, the
/// decisions with their windows, and, once the job has listed the URL
/// authorities of the logs, each one normalised by `URLNormaliser`.
package enum WarehouseReference {
  package static let format = "linkaudit-reference/1"

  /// The job's list of authorities (`authorities.csv` of its first step):
  /// `scheme,authority,file,row`, the row where each was first seen.
  package static let authorityColumns = ["scheme", "authority", "file", "row"]

  /// Every file a reference may hold: what `write` replaces in a folder of a previous reference.
  package static let ownFiles: Set<String> = [
    "segments.csv", "offsets.csv", "vocabulary.csv", "decisions.csv", "under_restricted.csv", "authorities.csv",
    "manifest.json",
  ]

  /// Writes the reference for `quarter` into `folder`, which must be new,
  /// empty or a previous reference (holding nothing but a reference's own
  /// files, its manifest one): never a report package, a bundle or a folder
  /// of anything else. Each file is written beside its place and renamed
  /// over it when whole, so a link in the folder is replaced, never followed;
  /// the manifest last. `more` are tables of rules that live above this
  /// layer (the metrics'). No file is written over one of `protected` (the
  /// database, its key, the input). The quarter must hold a plausible time.
  package static func write(
    database db: Database, quarter: Quarter, timestampZone: TimeZone, plausible: PlausibleTimes,
    authorities: String?, more: [(name: String, header: [String], rows: [[String]])] = [], to folder: String,
    protecting protected: ProtectedFiles = ProtectedFiles()
  ) throws -> [String: (rows: Int, sha256: String)] {
    let zone = try Rollups.timeZone(of: db)
    let (start, end) = quarter.bounds(in: zone)
    guard plausible.overlaps(from: start, until: end) else {
      throw FileError(file: folder, message: "quarter \(quarter) is not \(plausible.expectation)")
    }
    let policies = try PolicyTimeline(database: db)
    let decisions = try decisionRows(db, from: start, before: end)
    var tables: [(name: String, header: [String], rows: [[String]])] = [
      (
        "segments.csv", WarehouseSegments.columns,
        WarehouseSegments.rows(from: start.milliseconds, to: end.milliseconds, zone: zone, policies: policies)
      ),
      (
        "offsets.csv", ["local_from_ms", "local_until_ms", "offset_seconds"],
        offsets(zone: timestampZone, plausible: plausible)
      ),
      ("vocabulary.csv", ["field", "code", "principle"], vocabulary()),
      (
        "decisions.csv", ["complaint_id", "principle", "scope", "target", "stands_from_ms", "stands_until_ms"],
        decisions.rows
      ),
    ]
    tables += more
    if let authorities {
      tables.append(
        (
          "authorities.csv", ["scheme", "authority", "url_prefix", "host", "host_ascii", "domain"],
          try normalisedAuthorities(authorities)
        ))
    }
    // Every path checked before the first is written.
    for name in tables.map(\.name) + ["manifest.json"] {
      try protected.checkOutputFile((folder as NSString).appendingPathComponent(name), option: "FOLDER")
    }
    try checkFolder(folder)
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    removeAbandonedTemporaries(in: folder)
    var files: [String: (rows: Int, sha256: String)] = [:]
    for table in tables {
      let data = WarehouseSegments.csvData(table.header, table.rows)
      try replace(in: folder, name: table.name, with: data)
      files[table.name] = (table.rows.count, hex(SHA256.hash(data: data)))
    }
    let manifest = ReferenceManifest(
      format: format, quarter: quarter.description, rollupTimeZone: zone.identifier,
      timestampTimeZone: timestampZone.identifier, quarterStartMs: start.milliseconds,
      quarterEndMs: end.milliseconds, earliestMs: plausible.earliest.milliseconds,
      latestMs: plausible.latest.milliseconds, decisionsFingerprint: decisions.fingerprint,
      linkauditVersion: LinkAuditVersion.current,
      files: files.mapValues { ReferenceManifest.File(rows: $0.rows, sha256: $0.sha256) })
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    // A file of an earlier reference that this one has not (authorities.csv) would mislead the job.
    for name in ownFiles.subtracting(files.keys).subtracting(["manifest.json"]) {
      let path = (folder as NSString).appendingPathComponent(name)
      if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
    }
    try replace(in: folder, name: "manifest.json", with: try encoder.encode(manifest))
    return files
  }

  /// A folder a reference may be written into: none yet, an empty one, or
  /// one holding a previous reference's files and nothing else, each a
  /// regular file (not a link), its manifest a reference's.
  package static func checkFolder(_ folder: String) throws {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    guard fm.fileExists(atPath: folder, isDirectory: &isDirectory) || isLink(folder) else { return }
    guard isDirectory.boolValue else {
      throw OutputPathError(
        message: "FOLDER \(folder) is not a folder: name a new or empty folder, or a previous reference")
    }
    let names = try fm.contentsOfDirectory(atPath: folder).sorted()
    guard !names.isEmpty else { return }
    let refuse = { (why: String) in
      OutputPathError(
        message:
          "FOLDER \(folder) \(why): a reference is written only into a new or empty folder, or over a previous reference"
      )
    }
    if names.contains("manifest.json") {
      let manifest = (folder as NSString).appendingPathComponent("manifest.json")
      guard !isLink(manifest), FileIdentity.notARegularFile(manifest) == nil,
        let handle = FileHandle(forReadingAtPath: manifest),
        let data = try? handle.read(upToCount: 1 << 20),
        let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
      else { throw refuse("holds a manifest.json that is not a reference's") }
      try? handle.close()
      guard json["format"] as? String == format else {
        let what =
          (json["format"] as? String).map {
            $0.hasPrefix("linkaudit-rollups") ? "a rollup bundle" : "a \(displayable($0)) manifest"
          }
          ?? "a linkaudit report package or another program's manifest"
        throw refuse("holds \(what)")
      }
    }
    for name in names {
      let path = (folder as NSString).appendingPathComponent(name)
      if temporaryOwner(name) != nil, isPlainFile(path) { continue }
      guard ownFiles.contains(name) else { throw refuse("holds \(displayable(name)), which is not a reference's") }
      if isLink(path) { throw refuse("holds \(displayable(name)) as a link") }
      if FileIdentity.notARegularFile(path) != nil { throw refuse("holds \(displayable(name)), not a regular file") }
    }
    guard names.contains("manifest.json") else {
      throw refuse("holds \(names.map(displayable).joined(separator: ", ")) without a reference's manifest")
    }
  }

  /// The process writing `.NAME.writing-PID`, a reference file on its way into place.
  private static func temporaryOwner(_ name: String) -> pid_t? {
    guard name.hasPrefix("."), let cut = name.range(of: ".writing-", options: .backwards),
      ownFiles.contains(String(name[name.index(after: name.startIndex)..<cut.lowerBound])),
      let pid = pid_t(name[cut.upperBound...])
    else { return nil }
    return pid
  }

  /// A killed export's files on their way (its process gone) are its own:
  /// removed. Only a regular file of that name is one (an export writes
  /// nothing else); a folder or a link so named is someone's, and refused
  /// by `checkFolder`, never removed (red-team A3).
  private static func removeAbandonedTemporaries(in folder: String) {
    for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
      let path = (folder as NSString).appendingPathComponent(name)
      guard let pid = temporaryOwner(name), isPlainFile(path), kill(pid, 0) != 0, errno == ESRCH else { continue }
      unlink(path)
    }
  }

  /// A regular file itself, not through a link.
  private static func isPlainFile(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
  }

  private static func isLink(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK
  }

  /// `data` as `folder/name`: written beside it, then renamed over it.
  private static func replace(in folder: String, name: String, with data: Data) throws {
    let path = (folder as NSString).appendingPathComponent(name)
    let temporary = (folder as NSString).appendingPathComponent(".\(name).writing-\(getpid())")
    do {
      try data.write(to: URL(fileURLWithPath: temporary), options: .withoutOverwriting)
      guard rename(temporary, path) == 0 else {
        throw FileError(file: path, message: "cannot be replaced: \(String(cString: strerror(errno)))")
      }
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      throw error
    }
  }

  /// Pieces of local time with one offset for a timestamp written without
  /// one, as `TimestampParser.offset(forLocalMilliseconds:)` resolves it
  /// (gaps and overlaps included), over the plausible years.
  package static func offsets(zone: TimeZone, plausible: PlausibleTimes) -> [[String]] {
    let parser = TimestampParser(timeZone: zone)
    let day: Int64 = 86_400_000
    let (low, high) = (plausible.earliest.milliseconds - day, plausible.latest.milliseconds + day)
    var cuts = Set<Int64>([low, high])
    var at = Date(timeIntervalSince1970: Double(low) / 1000)
    while let next = zone.nextDaylightSavingTimeTransition(after: at), next.timeIntervalSince1970 * 1000 < Double(high)
    {
      let t = Int64(next.timeIntervalSince1970 * 1000)
      let before = Int64(zone.secondsFromGMT(for: next.addingTimeInterval(-1))) * 1000
      let after = Int64(zone.secondsFromGMT(for: next)) * 1000
      for c in [t, t + before, t + after] where c > low && c < high { cuts.insert(c) }
      at = next
    }
    let sorted = cuts.sorted()
    var rows: [[String]] = []
    for (from, until) in zip(sorted, sorted.dropFirst()) {
      let offset = parser.offset(forLocalMilliseconds: from)
      if let last = rows.last, last[2] == String(offset) {
        rows[rows.count - 1][1] = String(until)
      } else {
        rows.append([String(from), String(until), String(offset)])
      }
    }
    return rows
  }

  /// Every code the contract allows, by field; a reason's principle beside it.
  package static func vocabulary() -> [[String]] {
    Scene.allCases.map { ["scene", $0.rawValue, ""] } + LinkAction.allCases.map { ["action", $0.rawValue, ""] }
      + DetectedBy.allCases.map { ["detected_by", $0.rawValue, ""] }
      + [["reason", "scene_rule", ""]]
      + Category.allCases.map { ["reason", $0.rawValue, String($0.principle.rawValue)] }
  }

  /// The decisions that can touch the quarter ending at `end` (standing from
  /// before it) as the import's `DecisionIndex` reads them, with their
  /// fingerprint (`DecisionIndex.fingerprint`, the import's): a bundle made
  /// with other decisions is refused.
  package static func decisionRows(_ db: Database, from start: Timestamp, before end: Timestamp) throws -> (
    rows: [[String]], fingerprint: String
  ) {
    var rows: [[String]] = []
    for row in try db.records(
      """
      SELECT complaint_id, principle, action_taken, url_normalised, domain, stands_from, stands_until
      FROM main.decision WHERE stands_from < ? ORDER BY complaint_id
      """, [.text(end.iso)], source: "the decision view")
    {
      let scope = try row.text("action_taken")
      let from = try TimestampParser.stored(row.optionalText("stands_from"), at: "decision.stands_from")
      let until = try row.optionalText("stands_until").map {
        try TimestampParser.stored($0, at: "decision.stands_until").milliseconds
      }
      rows.append([
        try row.text("complaint_id"), String(try row.integer("principle")), scope,
        scope == "block_domain" ? try row.text("domain") : try row.text("url_normalised"),
        String(from.milliseconds), until.map { String($0) } ?? "",
      ])
    }
    return (rows, try DecisionIndex.fingerprint(of: db, from: start, until: end))
  }

  /// The job's authorities, each normalised as the import normalises a URL
  /// (`scheme://authority/`): its URL prefix (the normalised URL before the
  /// path), host in both forms and registrable domain. One that is not a valid
  /// host is an error naming where the job first saw it.
  package static func normalisedAuthorities(_ path: String) throws -> [[String]] {
    // Only a regular file is read: a pipe or a device would never end.
    if let problem = FileIdentity.notARegularFile(path) {
      throw FileError(
        file: path, message: problem.isFolder ? "is a folder: name the job's authorities.csv" : problem.reason)
    }
    let reader = try makeReader(path: path, encoding: .utf8, columns: authorityColumns)
    let normaliser = URLNormaliser()
    var values = [String?](repeating: nil, count: authorityColumns.count)
    var rows: [[String]] = []
    var seen = Set<String>()
    do {
      while try reader.next(into: &values) {
        guard let scheme = values[0], let authority = values[1] else {
          throw FileError(file: path, line: reader.line, message: "scheme and authority are required")
        }
        guard seen.insert(scheme + "\u{1F}" + authority).inserted else { continue }
        let firstSeen = "\(values[2] ?? "?") line \(values[3] ?? "?")"
        do {
          let url = try normaliser.normalise(scheme + "://" + authority + "/")
          guard url.normalised.hasSuffix("/") else {
            throw FileError(file: path, line: reader.line, message: "authority \(authority) did not normalise")
          }
          rows.append([
            scheme, authority, String(url.normalised.dropLast()), url.host, url.hostASCII, url.domain,
          ])
        } catch let error as LinkAuditWeb.URLError {
          throw FileError(
            file: path, line: reader.line,
            message: "url (first in \(firstSeen)): \(displayable(scheme + "://" + authority)) is not \(error.reason)")
        }
      }
    } catch let error as RecordError {
      throw FileError(file: path, line: error.line, message: error.message)
    }
    return rows.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }
  }
}

/// `manifest.json` of a reference folder (its keys in snake case, as the job reads them).
package struct ReferenceManifest: Codable {
  package struct File: Codable {
    package var rows: Int
    package var sha256: String
  }
  package var format: String
  package var quarter: String
  package var rollupTimeZone: String
  package var timestampTimeZone: String
  package var quarterStartMs: Int64
  package var quarterEndMs: Int64
  package var earliestMs: Int64
  package var latestMs: Int64
  package var decisionsFingerprint: String
  package var linkauditVersion: String
  package var files: [String: File]
}
