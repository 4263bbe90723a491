import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import LinkAuditWeb
import Yams

/// A version of the management standards as its front matter states it.
public struct PolicyVersion: Equatable, Sendable {
  public var version: String
  public var title: String
  public var effectiveFrom: Timestamp
  /// Treatment by scene; key `default` for every scene not named.
  public var scenes: [String: Treatment]
  /// Treatment by category; key `default` for every category not named.
  public var categories: [String: Treatment]
  /// Hours allowed to resolve a complaint, by principle.
  public var slaHours: [Principle: Double]
  public var body: String
}

/// Loads one Markdown policy file: YAML front matter with the rules, then the published text.
package struct PolicyLoader {
  package let importer: Importer
  package let batchID: Int64

  package func load(path: String, sha256: String, summary: inout BatchSummary) throws {
    let name = (path as NSString).lastPathComponent
    let text = try readText(path: path)
    let policy = try Self.parse(
      text, file: name, timestamps: importer.timestamps, plausible: importer.options.plausibleTimes)
    let db = importer.db
    summary.rowsRead = 1
    if let existing = try db.scalar("SELECT sha256 FROM policy_version WHERE version = ?", [.text(policy.version)]).text
    {
      if existing != sha256 {
        throw FileError(
          file: name, line: 2,
          message:
            "policy version \"\(policy.version)\" is already imported with different content; versions are immutable: give the new text a new version"
        )
      }
    }
    if let clash = try db.scalar(
      "SELECT version FROM policy_version WHERE effective_from = ?", [.text(policy.effectiveFrom.iso)]
    ).text {
      throw FileError(file: name, message: "version \"\(clash)\" already takes effect at \(policy.effectiveFrom.iso)")
    }
    try db.prepare(
      "INSERT INTO policy_version (version, batch_id, title, effective_from, body, sha256) VALUES (?, ?, ?, ?, ?, ?)"
    ).run([
      .text(policy.version), .integer(batchID), .text(policy.title), .text(policy.effectiveFrom.iso),
      .text(policy.body),
      .text(sha256),
    ])
    let scene = try db.prepare("INSERT INTO policy_scene (version, scene, treatment) VALUES (?, ?, ?)")
    for (k, t) in policy.scenes.sorted(by: { $0.key < $1.key }) {
      try scene.run([.text(policy.version), .text(k), .text(t.rawValue)])
    }
    let category = try db.prepare("INSERT INTO policy_category (version, category, treatment) VALUES (?, ?, ?)")
    for (k, t) in policy.categories.sorted(by: { $0.key < $1.key }) {
      try category.run([.text(policy.version), .text(k), .text(t.rawValue)])
    }
    let sla = try db.prepare("INSERT INTO policy_sla (version, principle, hours) VALUES (?, ?, ?)")
    for (p, h) in policy.slaHours.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
      try sla.run([.text(policy.version), .integer(Int64(p.rawValue)), .real(h)])
    }
    try RollupMaintenance.apply(.policyAdded(version: policy.version), to: db)
    summary.rowsStored = 1
  }

  private func readText(path: String) throws -> String {
    let source = try ByteSource(path: path, encoding: importer.options.encoding)
    var bytes: [UInt8] = []
    let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 1 << 16)
    defer { buffer.deallocate() }
    while case let n = try source.read(into: buffer), n > 0 {
      bytes.append(contentsOf: buffer[0..<n])
      guard bytes.count <= 4 << 20 else { throw FileError(file: path, message: "a policy file may not exceed 4 MB") }
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw FileError(file: path, message: invalidUTF8Message)
    }
    return text
  }

  /// One line, at the file's own line: Yams' own text repeats the whole front matter.
  static func frontMatterError(_ error: YamlError, file: String, frontMatter: [Substring]) -> FileError {
    // The front matter starts on the file's second line.
    func fileLine(_ mark: Mark) -> Int { mark.line + 1 }
    switch error {
    case .duplicatedKeysInMapping(let duplicates, let context):
      let keys = duplicates.sorted().map { "\"\(displayable($0))\"" }.joined(separator: ", ")
      // Yams marks the mapping; the line a reader mends is the key's second occurrence.
      let second = duplicates.sorted().first.flatMap { key in
        frontMatter.indices.filter { frontMatter[$0].hasPrefix(key + ":") }.dropFirst().first
      }
      return FileError(
        file: file, line: second.map { $0 + 2 } ?? fileLine(context.mark),
        message: "front matter gives the key \(keys) more than once: keep one")
    case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
      .composer(_, let problem, let mark, _):
      return FileError(
        file: file, line: fileLine(mark), message: "front matter is not valid YAML: \(displayable(problem))")
    default:
      return FileError(file: file, line: 1, message: "front matter is not valid YAML")
    }
  }

  static func parse(
    _ text: String, file: String, timestamps: TimestampParser, plausible: PlausibleTimes = PlausibleTimes()
  ) throws -> PolicyVersion {
    let normalised = text.replacingOccurrences(of: "\r\n", with: "\n")
    let lines = normalised.split(separator: "\n", omittingEmptySubsequences: false)
    guard lines.first == "---", let end = lines.dropFirst().firstIndex(where: { $0 == "---" || $0 == "..." }) else {
      throw FileError(file: file, line: 1, message: "a policy file starts with YAML front matter between two --- lines")
    }
    let yaml = lines[1..<end].joined(separator: "\n")
    let body = lines[(end + 1)...].joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    let root: Node
    do {
      guard let node = try Yams.compose(yaml: yaml) else {
        throw FileError(file: file, line: 2, message: "empty front matter")
      }
      root = node
    } catch let error as FileError {
      throw error
    } catch let error as YamlError {
      throw Self.frontMatterError(error, file: file, frontMatter: Array(lines[1..<end]))
    } catch {
      throw FileError(file: file, line: 1, message: "front matter is not valid YAML: \(error)")
    }
    guard let mapping = root.mapping else {
      throw FileError(file: file, line: 2, message: "front matter must be a mapping of keys to values")
    }
    func bad(_ key: String, _ node: Node?, _ expected: String) -> FileError {
      let line = node?.mark.map { $0.line + 1 } ?? 2
      let value = node?.scalar.map { " value \"\(displayable($0.string))\"" } ?? ""
      return FileError(file: file, line: line, message: "\(key):\(value): expected \(expected)")
    }
    func scalar(_ key: String) throws -> String {
      guard let node = mapping[key] else { throw bad(key, nil, "a value (required)") }
      guard let s = node.scalar?.string, !s.isEmpty else { throw bad(key, node, "a text value") }
      return s
    }
    /// Policy text reaches terminals, Markdown and workbooks: no control
    /// characters or noncharacters (line breaks and tabs in the body only), bounded length.
    func checkText(_ key: String, _ value: String, maxLength: Int, multiline: Bool = false) throws {
      let message: String
      switch TextRuleBreach.check(value, maxLength: maxLength, multiline: multiline) {
      case nil: return
      case .forbidden(let s):
        message =
          "\(key): control characters, noncharacters and bidirectional controls are not allowed (found \(TextRuleBreach.code(s)))"
      case .tooLong(let n): message = "\(key): at most \(maxLength) characters (found \(n))"
      }
      throw FileError(file: file, line: mapping[key]?.mark.map { $0.line + 1 }, message: message)
    }
    /// The version and title are printed in every package (manifest.json, the Markdown, both workbooks): a
    /// mobile or ID number there is refused as in a platform's name (red-team F4), the number masked in the message.
    func checkNoPersonalNumber(_ key: String, _ value: String) throws {
      guard PersonalNumberMask.carriesPersonalNumber(value) else { return }
      let node = mapping[key]
      throw FileError(
        file: file, line: node?.mark.map { $0.line + 1 },
        message:
          "\(key): value \"\(displayable(value))\" holds an ID or mobile number: a policy's \(key) is printed in every package"
      )
    }
    let version = try scalar("version")
    let title = try scalar("title")
    try checkText("version", version, maxLength: 128)
    try checkText("title", title, maxLength: 500)
    try checkNoPersonalNumber("version", version)
    try checkNoPersonalNumber("title", title)
    try checkText("body", body, maxLength: 1_000_000, multiline: true)
    let effectiveText = try scalar("effective_from")
    guard let effectiveFrom = timestamps.parse(effectiveText) else {
      throw bad("effective_from", mapping["effective_from"], TimestampParser.expectation)
    }
    guard plausible.contains(effectiveFrom) else {
      throw bad("effective_from", mapping["effective_from"], plausible.expectation)
    }
    func treatments(_ key: String, allowed: Set<String>) throws -> [String: Treatment] {
      guard let node = mapping[key], let map = node.mapping else {
        throw bad(key, mapping[key], "a mapping of names to open, warn or block")
      }
      var out: [String: Treatment] = [:]
      for (k, v) in map {
        guard let name = k.scalar?.string, allowed.contains(name) else {
          throw bad(key, k, "one of " + allowed.sorted().joined(separator: ", "))
        }
        guard let t = v.scalar.flatMap({ Treatment(rawValue: $0.string) }) else {
          throw bad("\(key).\(name)", v, "open, warn or block")
        }
        out[name] = t
      }
      guard out["default"] != nil else { throw bad(key, node, "a `default` entry for everything not named") }
      return out
    }
    let scenes = try treatments("scenes", allowed: Set(Scene.allCases.map(\.rawValue) + ["default"]))
    let categories = try treatments("categories", allowed: Set(Category.allCases.map(\.rawValue) + ["default"]))
    guard let slaNode = mapping["sla_hours"], let slaMap = slaNode.mapping else {
      throw bad("sla_hours", mapping["sla_hours"], "a mapping of principles 1–4 to hours")
    }
    var sla: [Principle: Double] = [:]
    for (k, v) in slaMap {
      guard let p = k.scalar.flatMap({ Int($0.string) }).flatMap(Principle.init(rawValue:)) else {
        throw bad("sla_hours", k, "a principle number 1–4")
      }
      guard let hours = v.scalar.flatMap({ Double($0.string) }), hours > 0, hours.isFinite else {
        throw bad("sla_hours.\(p.rawValue)", v, "a positive number of hours")
      }
      sla[p] = hours
    }
    let missing = Principle.allCases.filter { sla[$0] == nil }
    guard missing.isEmpty else {
      throw bad(
        "sla_hours", slaNode,
        "hours for every principle (missing: \(missing.map { String($0.rawValue) }.joined(separator: ", ")))")
    }
    return PolicyVersion(
      version: version, title: title, effectiveFrom: effectiveFrom, scenes: scenes, categories: categories,
      slaHours: sla,
      body: body)
  }
}
