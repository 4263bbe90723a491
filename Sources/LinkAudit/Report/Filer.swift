import Foundation
import LinkAuditCore
import LinkAuditStore
import Yams

/// Who files the report, as the Cover of every filing names them: from a
/// `filer.yaml` the compliance team keeps beside the database
/// (`report --filer FILE`). A filing without it still says so on its Cover.
public struct Filer: Codable, Equatable, Sendable {
  /// The reporting entity's registered name (报送单位).
  public var entity: String
  /// Its English name, for the English workbook; the registered name when absent.
  public var entityEnglish: String?
  /// Its unified social credit code (统一社会信用代码, GB 32100-2015): 18
  /// characters, the last a check character.
  public var creditCode: String
  /// The person responsible for the filing (负责人).
  public var responsiblePerson: String
  /// Whom the regulator contacts about it (联系人), and how.
  public var contact: String
  public var phone: String
  public var email: String?
  /// Whether the filed copy carries each complaint's reporter pseudonym:
  /// by default it does not, as the filing has no need of it.
  public var reporterPseudonyms: Bool
  // No hash of the file: a manifest records the values, so a comment changes nothing filed (red-team E10).

  package enum CodingKeys: String, CodingKey {
    case entity, contact, phone, email
    case entityEnglish = "entity_en"
    case creditCode = "credit_code"
    case responsiblePerson = "responsible_person"
    case reporterPseudonyms = "reporter_pseudonyms"
  }

  /// Why a filer read back from a manifest (untrusted, as every input) is
  /// not one `load` would accept, or nil.
  package var problem: String? {
    let values: [(String, String?)] = [
      ("entity", entity), ("entity_en", entityEnglish), ("credit_code", creditCode),
      ("responsible_person", responsiblePerson), ("contact", contact), ("phone", phone), ("email", email),
    ]
    for (key, value) in values {
      guard let value else { continue }
      if let why = Self.valueProblem(value, key: key, required: Self.keys.first { $0.key == key }?.required ?? false) {
        return "\(key) \(why)"
      }
    }
    return Self.creditCodeProblem(creditCode).map { "credit_code \"\(escapingControls(creditCode))\": \($0)" }
  }

  /// Why `value` (of `key`) cannot stand on a Cover: empty where required, a control, invisible or
  /// bidirectional character or a line separator (the rule --reason obeys), too long, the start of a
  /// formula, or a personal number outside the contact's phone and email.
  static func valueProblem(_ value: String, key: String, required: Bool) -> String? {
    if required && value.isEmpty { return "is empty" }
    if let why = FilingReason.textBreach(value, maxLength: 200) { return "is refused: \(why)" }
    // A value that starts like a formula would run in a spreadsheet: names and numbers never do.
    if let first = value.unicodeScalars.first, "=+-@".unicodeScalars.contains(first) {
      return "\"\(value)\" starts with \(first): as a cell it would run"
    }
    // The filer names people and the entity by name; an ID or mobile number there is a mistake, and would be
    // filed on the Cover as typed (red-team E5). `phone` is the contact's declared number, filed as given.
    if !personalNumbersAllowed.contains(key), PersonalNumberMask.carriesPersonalNumber(value) {
      return
        "\"\(displayable(value))\" holds an ID or mobile number: the filer names people by name (a number goes in phone)"
    }
    // The phone and email reach the regulator as declared, a mobile too; an ID number is never a way to
    // contact anyone (red-team F15).
    if key == "phone" || key == "email", PersonalNumberMask.carriesIDNumber(value) {
      return "\"\(displayable(value))\" holds an ID number: \(key) is how the regulator reaches the contact"
    }
    return nil
  }

  /// The keys whose values may be a mobile number: the contact's phone and email, as declared (an ID
  /// number is refused there too); the credit code is checked by its own check character.
  static let personalNumbersAllowed: Set<String> = ["phone", "email", "credit_code"]

  /// Its name beside the database, where report looks when --filer is not given.
  public static let defaultName = "filer.yaml"

  /// The keys a filer.yaml holds, each with what it means: the message of an unknown key lists them.
  static let keys: [(key: String, required: Bool)] = [
    ("entity", true), ("entity_en", false), ("credit_code", true), ("responsible_person", true),
    ("contact", true), ("phone", true), ("email", false), ("reporter_pseudonyms", false),
  ]

  /// The entity's name in `language`.
  package func entityName(in language: ReportLanguage) -> String {
    language == .en ? (entityEnglish ?? entity) : entity
  }

  public static func load(path: String) throws -> Filer {
    // A pipe or a device would hang the read; only a regular file is read.
    if let problem = FileIdentity.notARegularFile(path) {
      throw FileError(file: path, message: problem.reason)
    }
    let data: Data
    switch SmallFile.read(path, limit: 64 * 1024) {
    case .success(let bytes): data = bytes
    case .failure(.tooLarge(let size)):
      throw FileError(file: path, message: "is \(size.grouped) bytes: a filer.yaml holds a few lines")
    case .failure(.unreadable(let why)):
      throw FileError(file: path, message: "cannot read the filer's details (filer.yaml): \(why)")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw FileError(file: path, message: "is not UTF-8 text")
    }
    let root: Node?
    do {
      root = try Yams.compose(yaml: text)
    } catch let error as YamlError {
      switch error {
      case .duplicatedKeysInMapping(let duplicates, _):
        let key = duplicates.sorted().first ?? ""
        // The line a reader mends is the key's second occurrence.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let second = lines.indices.filter { lines[$0].hasPrefix(key + ":") }.dropFirst().first
        throw FileError(
          file: path, line: second.map { $0 + 1 }, message: "\(escapingControls(key)) is given twice: keep one")
      case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
        .composer(_, let problem, let mark, _):
        throw FileError(file: path, line: mark.line, message: "is not valid YAML: \(escapingControls(problem))")
      default:
        throw FileError(file: path, message: "is not valid YAML")
      }
    } catch {
      throw FileError(file: path, message: "is not valid YAML")
    }
    guard let mapping = root?.mapping else {
      throw FileError(file: path, line: 1, message: "must be a mapping of keys to values: entity, credit_code, …")
    }
    // Yams counts lines from 1.
    func line(_ node: Node?) -> Int? { node?.mark.map(\.line) }
    var values: [String: (String, Node)] = [:]
    for (keyNode, valueNode) in mapping {
      let key = keyNode.string ?? ""
      guard keys.contains(where: { $0.key == key }) else {
        throw FileError(
          file: path, line: line(keyNode),
          message:
            "unknown key \"\(escapingControls(key))\": a filer.yaml holds \(keys.map(\.key).joined(separator: ", "))")
      }
      guard values[key] == nil else {
        throw FileError(file: path, line: line(keyNode), message: "\(key) is given twice")
      }
      guard let value = valueNode.scalar?.string else {
        throw FileError(file: path, line: line(valueNode), message: "\(key) must be a single value")
      }
      values[key] = (value.trimmingCharacters(in: .whitespaces), valueNode)
    }
    for (key, required) in keys where required && (values[key]?.0.isEmpty ?? true) {
      throw FileError(
        file: path, line: values[key].flatMap { line($0.1) },
        message: "\(key) is missing: the Cover names \(describe(key))")
    }
    for (key, (value, node)) in values.sorted(by: { $0.key < $1.key }) where key != "reporter_pseudonyms" {
      if let why = valueProblem(value, key: key, required: false) {
        throw FileError(file: path, line: line(node), message: "\(key) \(why)")
      }
    }
    let code = values["credit_code"]!.0
    if let problem = creditCodeProblem(code) {
      throw FileError(
        file: path, line: line(values["credit_code"]!.1),
        message: "credit_code \"\(escapingControls(code))\": \(problem)")
    }
    var pseudonyms = false
    if let (value, node) = values["reporter_pseudonyms"] {
      switch value.lowercased() {
      case "true", "yes": pseudonyms = true
      case "false", "no", "": pseudonyms = false
      default:
        throw FileError(
          file: path, line: line(node), message: "reporter_pseudonyms \"\(escapingControls(value))\": true or false")
      }
    }
    func optional(_ key: String) -> String? { values[key].map(\.0).flatMap { $0.isEmpty ? nil : $0 } }
    return Filer(
      entity: values["entity"]!.0, entityEnglish: optional("entity_en"), creditCode: code,
      responsiblePerson: values["responsible_person"]!.0, contact: values["contact"]!.0, phone: values["phone"]!.0,
      email: optional("email"), reporterPseudonyms: pseudonyms)
  }

  private static func describe(_ key: String) -> String {
    switch key {
    case "entity": "the reporting entity (报送单位)"
    case "credit_code": "its unified social credit code (统一社会信用代码)"
    case "responsible_person": "the person responsible (负责人)"
    case "contact": "the contact person (联系人)"
    default: "the contact's telephone (联系电话)"
    }
  }

  /// The characters of a unified social credit code (GB 32100-2015): digits
  /// and capitals but I, O, S, V and Z.
  static let creditCodeCharacters = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
  static let creditCodeWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

  /// Why `code` is not a unified social credit code, or nil when it is one:
  /// a mistyped character fails its check character, as the register's own check does.
  package static func creditCodeProblem(_ code: String) -> String? {
    let characters = Array(code)
    guard characters.count == 18 else { return "has \(characters.count) characters: a credit code has 18" }
    var sum = 0
    for (i, c) in characters.enumerated() {
      guard let value = creditCodeCharacters.firstIndex(of: c) else {
        return "character \(i + 1) (\(escapingControls(String(c)))) is not one of 0-9 and A-Y but I, O, S, V, Z"
      }
      if i < 17 { sum += value * creditCodeWeights[i] }
    }
    let check = creditCodeCharacters[(31 - sum % 31) % 31]
    guard characters[17] == check else {
      return "its check character is \(characters[17]), but the first 17 give \(check): a character is mistyped"
    }
    return nil
  }
}
