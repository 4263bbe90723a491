import Foundation
import LinkAuditImport
import Testing

/// The delimited reader takes an unquoted field straight from its read buffer
/// when the field ends there and copies it byte by byte otherwise, and the
/// JSON Lines reader takes a line a buffer at a time: files of several buffers
/// put field and line ends at every kind of place around the buffer's end.
@Suite struct RecordReaderTests {
  let dir = TemporaryDirectory()
  static let columns = ["a", "b", "c", "d"]

  /// Deterministic values of every shape: empty, short, long, multi-byte,
  /// and (for CSV) with separators, quotes, CR and LF that need quoting.
  static func rows(count: Int, quoting: Bool) -> [[String]] {
    var state: UInt64 = 42
    func next(_ n: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(n))
    }
    let pieces = ["x", "链接", "https://item.taobao.com/item/1.htm?spm=2", "0123456789", "é", " "]
    let quoted = [",", "\"", "\n", "\r\n", "\r"]
    return (0..<count).map { _ in
      (0..<columns.count).map { _ in
        var field = ""
        for _ in 0..<next(8) { field += pieces[next(pieces.count)] }
        if quoting && next(6) == 0 { field += quoted[next(quoted.count)] + "y" }
        return field
      }
    }
  }

  static func encode(_ rows: [[String]], separator: String, crlf: Bool) -> String {
    let end = crlf ? "\r\n" : "\n"
    func field(_ s: String) -> String {
      s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
        ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
    return ([columns] + rows).map { $0.map(field).joined(separator: separator) + end }.joined()
  }

  func readAll(_ path: String) throws -> [[String]] {
    let reader = try makeReader(path: path, encoding: .utf8, columns: Self.columns)
    var values = [String?](repeating: nil, count: Self.columns.count)
    var rows: [[String]] = []
    while try reader.next(into: &values) { rows.append(values.map { $0 ?? "<nil>" }) }
    return rows
  }

  /// Writes `text` (several buffers long) to `name` and reads it back.
  func readBack(_ text: String, as name: String) throws -> [[String]] {
    #expect(text.utf8.count > 3 * ByteSource.chunk)
    return try readAll(try dir.write(name, text))
  }

  @Test(arguments: [("many.csv", ",", false), ("crlf.csv", ",", true), ("many.tsv", "\t", false)])
  func delimitedAcrossManyBuffersReadsBackExactly(name: String, separator: String, crlf: Bool) throws {
    let rows = Self.rows(count: 12_000, quoting: separator == ",")
    #expect(try readBack(Self.encode(rows, separator: separator, crlf: crlf), as: name) == rows)
  }

  /// JSON Lines are read a buffer at a time too: lines of every length, CRLF
  /// and blank lines, escapes, numbers and nulls, across several buffers.
  @Test func jsonLinesAcrossManyBuffersReadBackExactly() throws {
    let rows = Self.rows(count: 12_000, quoting: true)
    var text = ""
    for (i, row) in rows.enumerated() {
      let object = Dictionary(uniqueKeysWithValues: zip(Self.columns, row.map { $0 as Any }))
      let line = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
      text += String(decoding: line, as: UTF8.self) + (i % 3 == 0 ? "\r\n" : "\n")
      if i % 1000 == 0 { text += " \n" }
    }
    text += #"{"a": 1625068800000, "b": null, "c": "\u00e9\ud83d\ude00\"\\", "d": "x"}"#
    #expect(try readBack(text, as: "many.jsonl") == rows + [["1625068800000", "<nil>", "é😀\"\\", "x"]])
  }

  /// A lone CR inside an unquoted field is part of the field, as before the fast path.
  @Test func aLoneCarriageReturnStaysInItsField() throws {
    let path = try dir.write("cr.csv", "a,b,c,d\n1,x\ry,3,4\n5,6,7,8")
    #expect(try readAll(path) == [["1", "x\ry", "3", "4"], ["5", "6", "7", "8"]])
  }

  /// Bad UTF-8 is refused with its line and field, whether the field is read
  /// from the buffer (line 2) or byte by byte at the end of the file (line 3).
  @Test(arguments: [(2, "a,b,c,d\n1,\u{FF}FF,3,4\n5,6,7,8\n"), (3, "a,b,c,d\n1,2,3,4\n5,6,7,8\u{FF}FF")])
  func invalidUTF8IsRefusedWithItsLineAndField(line: Int, text: String) throws {
    let path = dir.file("bad.csv")
    var bytes = Array(text.utf8)
    // U+00FF is two bytes in UTF-8; make it one lone 0xFF.
    if let i = bytes.firstIndex(of: 0xC3) { bytes.replaceSubrange(i...(i + 1), with: [0xFF]) }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let error = try #require(throws: RecordError.self) { _ = try readAll(path) }
    #expect(error.line == line)
    #expect(error.field == (line == 2 ? 1 : 3))
    #expect(error.message.contains("invalid UTF-8"))
  }
}

/// The loaders read fields by named columns; the names are the data contract's, in the order the reader fills them.
@Suite struct InputColumnTests {
  @Test func eachLoadersColumnsAreTheContractsNames() {
    #expect(
      LinkEventLoader.columns == [
        "event_id", "occurred_at", "scene", "user_id", "url", "action", "reason", "detected_by", "client_version",
      ])
    #expect(
      ComplaintLoader.columns == [
        "complaint_id", "received_at", "reporter_id", "url", "category", "channel", "description", "status",
        "resolved_at", "outcome", "action_taken", "updated_at", "duplicate_of",
      ])
    #expect(PlatformLoader.columns == ["platform_id", "name_en", "name_zh", "domains", "operator"])
    // A case's raw value is where the reader puts its value.
    #expect(LinkEventLoader.Column.allCases.map(\.rawValue) == Array(0..<LinkEventLoader.columns.count))
    #expect(ComplaintLoader.Column.allCases.map(\.rawValue) == Array(0..<ComplaintLoader.columns.count))
    #expect(PlatformLoader.Column.allCases.map(\.rawValue) == Array(0..<PlatformLoader.columns.count))
  }
}
