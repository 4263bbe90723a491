import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import LinkAuditWeb

/// Writes rejected rows as they were read, plus the error, as CSV (or JSON Lines
/// for JSON Lines input).
package final class RejectWriter {
  private let handle: FileHandle
  private let jsonLines: Bool
  package let path: String

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
  package init(path target: String, input: String, header: [String]) throws {
    jsonLines = InputFormat(fileName: input) == .jsonl
    guard FileManager.default.createFile(atPath: target, contents: nil), let h = FileHandle(forWritingAtPath: target)
    else {
      throw FileError(file: target, message: "cannot create reject file")
    }
    handle = h
    self.path = target
    if !jsonLines { try handle.write(contentsOf: Data((csvLine(header + ["error"]) + "\n").utf8)) }
  }

  /// CSV: the fields as read plus the error. JSON Lines: one object a line,
  /// `{"raw": the line as read, "error": …}`, valid JSON whatever the line was.
  package func write(fields: [String], error: String, line: Int) throws {
    let text: String
    if jsonLines {
      let reject = JSONReject(raw: fields.first ?? "", error: "line \(line): " + error)
      text = String(decoding: try encoder.encode(reject), as: UTF8.self)
    } else {
      text = csvLine(fields + ["line \(line): " + error])
    }
    try handle.write(contentsOf: Data((text + "\n").utf8))
  }

  package func close() throws { try handle.close() }
}
