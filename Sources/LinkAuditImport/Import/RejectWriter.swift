import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import LinkAuditWeb

/// Writes rejected rows as they were read, plus the error, as CSV (or JSON Lines
/// for JSON Lines input), with what is personal kept out: a reject file is an
/// output, and no output shows a raw user id. The user and reporter ids are
/// left empty (the error names the input's line to take them from, and a
/// row re-imported without them is refused, never stored under a wrong
/// user); mobile and ID numbers in a description are masked; a row whose
/// fields do not line up with the header, or a JSON line that does not
/// parse, is not shown at all (its user id could be in any field).
package final class RejectWriter {
  private let handle: FileHandle
  private let jsonLines: Bool
  package let path: String
  private let header: [String]
  /// The contract's columns of this kind: any other column of the input
  /// (`phone`, `nickname`, `openid`) is left out of the reject, being
  /// neither needed to mend the row nor known to be harmless (red-team A6).
  private let contract: Set<String>

  /// The data contract's user ids, withheld, and its free text, masked.
  package static let withheld: Set<String> = ["user_id", "reporter_id"]
  package static let masked: Set<String> = ["description", "name_en", "name_zh", "operator"]

  /// One JSON Lines reject: the line as read and why it was rejected.
  package struct JSONReject: Encodable {
    package let raw: String
    package let error: String
  }

  private let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
  }()

  /// `path` is the file's own reject target (see `Importer.planRejects`).
  package init(path target: String, input: String, header: [String], contract: Set<String>) throws {
    jsonLines = InputFormat(fileName: input) == .jsonl
    guard FileManager.default.createFile(atPath: target, contents: nil), let h = FileHandle(forWritingAtPath: target)
    else {
      throw FileError(file: target, message: "cannot create reject file")
    }
    handle = h
    self.path = target
    self.header = header
    self.contract = contract
    if !jsonLines { try handle.write(contentsOf: Data((csvLine(header + ["error"]) + "\n").utf8)) }
  }

  /// CSV: the fields as read plus the error. JSON Lines: one object a line,
  /// `{"raw": the line as read, "error": …}`, valid JSON whatever the line was.
  /// `withholding` names a column whose value the error did not show (a
  /// user id in a swapped column): the reject leaves it out too.
  package func write(fields: [String], error: String, line: Int, withholding suspect: String? = nil) throws {
    let text: String
    let message = "line \(line): " + error
    let suspect = suspect?.trimmed.lowercased()
    if jsonLines {
      let (raw, note) = Self.shown(jsonLine: fields.first ?? "", line: line, withholding: suspect, contract: contract)
      text = String(decoding: try encoder.encode(JSONReject(raw: raw, error: message + note)), as: UTF8.self)
    } else if fields.count == header.count {
      var withheld: [String] = []
      var unknown = 0
      let shown = zip(header, fields).map { column, value in
        guard contract.contains(column.trimmed.lowercased()) else {
          if !value.isEmpty { unknown += 1 }
          return ""
        }
        let (shown, gone) = Self.shown(value, in: column, withholding: suspect)
        if gone { withheld.append(column.trimmed.lowercased()) }
        return shown
      }
      text = csvLine(shown + [message + Self.note(withheld, line: line) + Self.unknownNote(unknown)])
    } else {
      text = csvLine(
        [String](repeating: "", count: header.count)
          + [
            message
              + " (the row is not shown: its fields do not line up with the header, so a user id could be in any of them; see line \(line) of the input)"
          ])
    }
    try handle.write(contentsOf: Data((text + "\n").utf8))
  }

  /// The one rule for a value of a reject: a user or reporter id is emptied
  /// (`gone` when there was one), a description masked, the rest as read.
  private static func shown(_ value: String, in column: String, withholding suspect: String?) -> (
    value: String, gone: Bool
  ) {
    let name = column.trimmed.lowercased()
    if withheld.contains(name) || name == suspect { return ("", !value.isEmpty) }
    if masked.contains(name) { return (PersonalNumberMask.mask(value), false) }
    return (value, false)
  }

  /// Where to take what was withheld from.
  private static func note(_ withheld: [String], line: Int) -> String {
    withheld.isEmpty ? "" : " (\(withheld.joined(separator: ", ")) withheld: take it from line \(line) of the input)"
  }

  /// A JSON line as shown in a reject: the object with its user ids emptied
  /// and its description masked, or nothing when it does not parse as one.
  /// Columns outside the contract, left out.
  private static func unknownNote(_ count: Int) -> String {
    count == 0 ? "" : " (\(count) field(s) outside the data contract left out)"
  }

  private static func shown(jsonLine: String, line: Int, withholding suspect: String?, contract: Set<String>) -> (
    raw: String, note: String
  ) {
    guard let data = jsonLine.data(using: .utf8),
      var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    else {
      return (
        "",
        " (the line is not shown: it does not parse as an object, so a user id could be anywhere in it; see line \(line) of the input)"
      )
    }
    var withheld: [String] = []
    var unknown = 0
    for key in object.keys.sorted() where !(object[key] is NSNull) {
      guard contract.contains(key.trimmed.lowercased()) else {
        object[key] = nil
        unknown += 1
        continue
      }
      // An object or a list where the contract wants a value may hold anything: withheld.
      guard object[key] is String || object[key] is NSNumber else {
        object[key] = ""
        withheld.append(key.trimmed.lowercased())
        continue
      }
      let (value, gone) = Self.shown(object[key] as? String ?? "\(object[key]!)", in: key, withholding: suspect)
      if gone {
        object[key] = ""
        withheld.append(key.trimmed.lowercased())
      } else if object[key] is String {
        object[key] = value
      }
    }
    guard
      let out = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    else { return ("", " (the line is not shown; see line \(line) of the input)") }
    return (String(decoding: out, as: UTF8.self), Self.note(withheld, line: line) + Self.unknownNote(unknown))
  }

  package func close() throws { try handle.close() }
}
