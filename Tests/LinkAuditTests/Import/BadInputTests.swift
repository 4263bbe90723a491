import Foundation
import LinkAuditImport
import Testing

/// Every bad-input rule: the message names file, line, column, value and
/// expectation, and the database file is byte-for-byte unchanged.
@Suite struct BadInputTests {
  let store = TestStore()
  static let linkHeader = "event_id,occurred_at,scene,user_id,url,action,reason\n"
  static let complaintHeader =
    "complaint_id,received_at,reporter_id,url,category,channel,description,status,resolved_at,outcome,action_taken,updated_at\n"

  init() throws {
    try store.load([(.links, fixture("links-basic.csv")), (.policies, fixture("policy-phase1.md"))])
  }

  /// Imports `contents` as `name`, expects it refused with a message holding each of `parts`, and the database unchanged.
  func expectRefused(_ kind: InputKind, _ name: String, _ contents: String, _ parts: [String]) throws {
    let before = try store.bytes()
    let file = try store.dir.write(name, contents)
    let error = try #require(throws: (any Error).self) { try store.load([(kind, file)]) }
    let message = error.localizedDescription
    for part in parts { #expect(message.contains(part), "\(message) lacks \(part)") }
    #expect(try store.bytes() == before, "database changed after a refused file")
  }

  @Test func missingRequiredValue() throws {
    try expectRefused(
      .links, "a.csv",
      Self.linkHeader
        + "x1,2021-10-01 10:00:00,group_chat,u,https://a.com/,open,\nx2,2021-10-01 10:00:00,,u,https://a.com/,open,\n",
      ["a.csv:3:", "column scene", "expected a value (the column is required)"])
  }

  @Test func unknownEnum() throws {
    try expectRefused(
      .links, "b.csv", Self.linkHeader + "x1,2021-10-01 10:00:00,chat,u,https://a.com/,open,\n",
      ["b.csv:2:", "column scene", "\"chat\"", "one of one_to_one_chat, group_chat"])
  }

  @Test func unparsableTimestamp() throws {
    try expectRefused(
      .links, "c.csv", Self.linkHeader + "x1,2021-02-30 10:00:00,group_chat,u,https://a.com/,open,\n",
      ["c.csv:2:", "column occurred_at", "\"2021-02-30 10:00:00\"", "ISO 8601"])
  }

  @Test func notAnHTTPURL() throws {
    try expectRefused(
      .links, "d.csv", Self.linkHeader + "x1,2021-10-01 10:00:00,group_chat,u,ftp://a.com/,open,\n",
      ["d.csv:2:", "column url", "\"ftp://a.com/\"", "http or https"])
  }

  @Test func reasonRequiredWhenNotOpened() throws {
    try expectRefused(
      .links, "e.csv", Self.linkHeader + "x1,2021-10-01 10:00:00,group_chat,u,https://a.com/,block,\n",
      ["e.csv:2:", "column reason", "required when action is block"])
  }

  @Test func unknownReason() throws {
    try expectRefused(
      .links, "f.csv", Self.linkHeader + "x1,2021-10-01 10:00:00,group_chat,u,https://a.com/,block,bad\n",
      ["f.csv:2:", "column reason", "value not shown (it may be personal data)", "scene_rule"])
  }

  @Test func wrongNumberOfFields() throws {
    try expectRefused(
      .links, "g.csv", Self.linkHeader + "x1,2021-10-01 10:00:00,group_chat,u,https://a.com/,open\n",
      ["g.csv:2:", "6 fields where the header has 7"])
  }

  @Test func controlCharacter() throws {
    try expectRefused(
      .links, "h.csv", Self.linkHeader + "x\u{7}1,2021-10-01 10:00:00,group_chat,u,https://a.com/,open,\n",
      ["h.csv:2:", "column event_id", "control characters", "U+0007"])
  }

  @Test func tooLong() throws {
    try expectRefused(
      .links, "i.csv",
      Self.linkHeader + String(repeating: "x", count: 129) + ",2021-10-01 10:00:00,group_chat,u,https://a.com/,open,\n",
      ["i.csv:2:", "column event_id", "at most 128 characters"])
  }

  @Test func unterminatedQuote() throws {
    try expectRefused(
      .links, "j.csv", Self.linkHeader + "x1,\"2021-10-01 10:00:00,group_chat,u,https://a.com/,open,\n",
      ["j.csv:2:", "never closed", "none of it is imported"])
  }

  @Test func missingHeaderColumn() throws {
    try expectRefused(
      .links, "k.csv", "event_id,occurred_at,scene,url,action\nx1,2021-10-01 10:00:00,group_chat,https://a.com/,open\n",
      ["k.csv:1:", "user_id"])
  }

  @Test func invalidUTF8() throws {
    let before = try store.bytes()
    let path = store.dir.file("l.csv")
    var data = Data((Self.linkHeader + "x1,2021-10-01 10:00:00,group_chat,").utf8)
    data.append(contentsOf: [0xFF, 0xFE])
    data.append(Data(",https://a.com/,open,\n".utf8))
    try data.write(to: URL(fileURLWithPath: path))
    let error = try #require(throws: BadRowError.self) { try store.load([(.links, path)]) }
    #expect(error.localizedDescription.contains("l.csv:2: column user_id"))
    #expect(error.localizedDescription.contains("invalid UTF-8"))
    #expect(try store.bytes() == before)
  }

  /// JSON Lines: a line that is not JSON, not an object, or holds a nested
  /// value refuses the file with its line; blank lines in between count as lines.
  @Test(arguments: [
    ("{\"event_id\": \"j2\",", "is not valid JSON"),
    ("[\"j2\"]", "is not a JSON object"),
    ("{\"event_id\": {\"id\": \"j2\"}}", "field \"event_id\" must be a string or a number"),
  ])
  func badJSONLine(line: String, expected: String) throws {
    let good =
      #"{"event_id": "j1", "occurred_at": "2021-10-01 10:00:00", "scene": "group_chat", "user_id": "u", "#
      + #""url": "https://a.com/", "action": "open"}"#
    try expectRefused(.links, "j.jsonl", good + "\r\n\n" + line + "\n" + good, ["j.jsonl:3:", expected])
  }

  @Test func invalidUTF8InJSONLines() throws {
    let before = try store.bytes()
    let path = store.dir.file("j.jsonl")
    var data = Data(#"{"event_id": "j1", "user_id": ""#.utf8)
    data.append(contentsOf: [0xFF, 0xFE])
    data.append(Data("\"}\n".utf8))
    try data.write(to: URL(fileURLWithPath: path))
    let error = try #require(throws: (any Error).self) { try store.load([(.links, path)]) }
    #expect(error.localizedDescription.contains("j.jsonl:1:"))
    #expect(error.localizedDescription.contains("invalid UTF-8"))
    #expect(try store.bytes() == before)
  }

  @Test func userIDIsNeverRepeatedInAMessage() throws {
    try expectRefused(
      .links, "m.csv", Self.linkHeader + "x1,2021-10-01 10:00:00,group_chat,secret\u{1}id,https://a.com/,open,\n",
      ["m.csv:2:", "column user_id", "control characters"])
    let file = store.dir.file("m.csv")
    let error = try #require(throws: BadRowError.self) { try store.load([(.links, file)]) }
    #expect(!error.localizedDescription.contains("secret"))
  }

  @Test func unknownFileType() throws {
    try expectRefused(.links, "n.xlsx", "whatever", ["n.xlsx", "unknown file type"])
  }

  @Test func badRowAfterGoodOnesStoresNothing() throws {
    var text = Self.linkHeader
    for i in 0..<1000 { text += "ok\(i),2021-10-01 10:00:00,group_chat,u,https://a.com/,open,\n" }
    text += "bad,2021-10-01 10:00:00,group_chat,u,https://a.com/,blocked,\n"
    try expectRefused(.links, "o.csv", text, ["o.csv:1002:", "column action", "value \"blocked\": expected one of"])
  }

  @Test func complaintResolvedWithoutResolvedAt() throws {
    try expectRefused(
      .complaints, "p.csv",
      Self.complaintHeader + "c9,2021-10-01 10:00:00,r,https://a.com/,fraud,,,resolved,,upheld,block_url,\n",
      ["p.csv:2:", "column resolved_at", "expected a value (required when status is resolved)"])
  }

  @Test func complaintResolvedBeforeReceived() throws {
    try expectRefused(
      .complaints, "q.csv",
      Self.complaintHeader
        + "c9,2021-10-01 10:00:00,r,https://a.com/,fraud,,,resolved,2021-10-01 09:00:00,upheld,block_url,\n",
      ["q.csv:2:", "column resolved_at", "at or after received_at"])
  }

  @Test func complaintOpenWithAnOutcome() throws {
    try expectRefused(
      .complaints, "r.csv", Self.complaintHeader + "c9,2021-10-01 10:00:00,r,https://a.com/,fraud,,,open,,upheld,,\n",
      ["r.csv:2:", "column outcome", "empty while status is open"])
  }

  @Test func complaintUpheldWithoutAction() throws {
    try expectRefused(
      .complaints, "s.csv",
      Self.complaintHeader + "c9,2021-10-01 10:00:00,r,https://a.com/,fraud,,,resolved,2021-10-01 11:00:00,upheld,,\n",
      ["s.csv:2:", "column action_taken", "expected a value (required when outcome is upheld)"])
  }

  @Test func complaintActionWithoutUpheld() throws {
    try expectRefused(
      .complaints, "t.csv",
      Self.complaintHeader
        + "c9,2021-10-01 10:00:00,r,https://a.com/,fraud,,,resolved,2021-10-01 11:00:00,not_upheld,block_url,\n",
      ["t.csv:2:", "column action_taken", "empty unless outcome is upheld"])
  }

  @Test func complaintDuplicateOfWithoutDuplicateOutcome() throws {
    try expectRefused(
      .complaints, "v.csv",
      Self.complaintHeader.replacingOccurrences(of: "updated_at\n", with: "updated_at,duplicate_of\n")
        + "c9,2021-10-01 10:00:00,r,https://a.com/,fraud,,,resolved,2021-10-01 11:00:00,not_upheld,,,c1\n",
      ["v.csv:2:", "column duplicate_of", "\"c1\"", "empty unless outcome is duplicate"])
  }

  @Test func complaintDuplicateOfWhileOpen() throws {
    try expectRefused(
      .complaints, "w.csv",
      Self.complaintHeader.replacingOccurrences(of: "updated_at\n", with: "updated_at,duplicate_of\n")
        + "c9,2021-10-01 10:00:00,r,https://a.com/,fraud,,,open,,,,,c1\n",
      ["w.csv:2:", "column duplicate_of", "empty while status is open"])
  }

  @Test func complaintDuplicateOfItself() throws {
    try expectRefused(
      .complaints, "x.csv",
      Self.complaintHeader.replacingOccurrences(of: "updated_at\n", with: "updated_at,duplicate_of\n")
        + "c9,2021-10-01 10:00:00,r,https://a.com/,fraud,,,resolved,2021-10-01 11:00:00,duplicate,,,c9\n",
      ["x.csv:2:", "column duplicate_of", "\"c9\"", "the id of another complaint"])
  }

  @Test func complaintUnknownCategory() throws {
    try expectRefused(
      .complaints, "u.csv", Self.complaintHeader + "c9,2021-10-01 10:00:00,r,https://a.com/,frauds,,,open,,,,\n",
      ["u.csv:2:", "column category", "\"frauds\"", "wrongly_restricted"])
  }

  @Test func policyWithAnUnknownTreatment() throws {
    let text = try String(contentsOfFile: fixture("policy-baseline.md"), encoding: .utf8)
      .replacingOccurrences(of: "2021.01-baseline", with: "x").replacingOccurrences(
        of: "  default: block\ncategories", with: "  default: maybe\ncategories")
    try expectRefused(.policies, "v.md", text, ["v.md:6:", "scenes.default", "\"maybe\"", "open, warn or block"])
  }

  @Test func policyWithoutEverySLA() throws {
    let text = try String(contentsOfFile: fixture("policy-baseline.md"), encoding: .utf8)
      .replacingOccurrences(of: "2021.01-baseline", with: "y").replacingOccurrences(of: ", 4: 72", with: "")
    try expectRefused(.policies, "w.md", text, ["w.md:", "sla_hours", "missing: 4"])
  }

  @Test func policyVersionsAreImmutable() throws {
    let text = try String(contentsOfFile: fixture("policy-phase1.md"), encoding: .utf8) + "\nAn edit.\n"
    try expectRefused(.policies, "x.md", text, ["x.md", "2021.09-phase1", "already imported with different content"])
  }

  @Test func policyWithoutFrontMatter() throws {
    try expectRefused(.policies, "y.md", "# Just text\n", ["y.md:1:", "front matter"])
  }

  @Test func platformDomainListedTwice() throws {
    try expectRefused(
      .platforms, "z.csv", "platform_id,name_en,name_zh,domains\na,A,甲,a.com\nb,B,乙,b.com;A.com\n",
      ["z.csv:3:", "column domains", "\"a.com\"", "also listed for a"])
  }

  // Issue 12: rules added for hostile and careless inputs.

  @Test(arguments: [
    ("9999-12-31T23:30:00-01:00", "9999-12-31T23:30:00-01:00"), ("9999999999", nil),
    ("1999-12-31 23:59:59", "1999-12-31 23:59:59"),
  ])
  func implausibleTimestamp(value: String, shown: String?) throws {
    try expectRefused(
      .links, "t.csv", Self.linkHeader + "x1,\(value),group_chat,u,https://a.com/,open,\n",
      ["t.csv:2:", "column occurred_at", "plausible range", "--earliest"] + (shown.map { ["\"\($0)\""] } ?? []))
  }

  @Test(arguments: ["true", "1.10", "1e3"])
  func jsonIdentifierThatIsNotAStringOrAWholeNumber(id: String) throws {
    try expectRefused(
      .links, "j.jsonl",
      "{\"event_id\": \(id), \"occurred_at\": \"2021-10-01 10:00:00\", \"scene\": \"search\", \"user_id\": \"u\", \"url\": \"https://a.com/\", \"action\": \"open\"}\n",
      ["j.jsonl:1:", "event_id"])
  }

  @Test(arguments: [
    ("item.taobao.com", "list taobao.com instead"), ("com", "public suffix"), ("jd.com.", "list jd.com instead"),
  ])
  func registryDomainThatIsNotRegistrable(domain: String, hint: String) throws {
    try expectRefused(
      .platforms, "r.csv", "platform_id,name_en,name_zh,domains\ntaobao,Taobao,淘宝,\(domain)\n",
      ["r.csv:2:", "column domains", "registrable domain", hint])
  }

  @Test func classicMacLineEndings() throws {
    try expectRefused(
      .links, "m.csv",
      (Self.linkHeader + "x1,2021-10-01 10:00:00,group_chat,u,https://a.com/,open,\n").replacingOccurrences(
        of: "\n", with: "\r"),
      ["m.csv:1:", "CR alone", "LF or CRLF"])
  }

  @Test func noncharacterInText() throws {
    try expectRefused(
      .complaints, "n.csv",
      Self.complaintHeader + "c1,2021-10-01 10:00:00,r,https://a.com/,fraud,,a\u{FFFE}b,open,,,,\n",
      ["n.csv:2:", "column description", "U+FFFE"])
  }

  @Test func lengthIsCountedInUnicodeScalars() throws {
    let text = String(repeating: "e" + String(repeating: "\u{301}", count: 20), count: 100)
    try expectRefused(
      .complaints, "l.csv", Self.complaintHeader + "c1,2021-10-01 10:00:00,r,https://a.com/,fraud,,\(text),open,,,,\n",
      ["l.csv:2:", "column description", "at most 2000 characters (found 2100)"])
  }

  @Test func recordBeyondFourMiB() throws {
    try expectRefused(
      .links, "b.csv",
      Self.linkHeader
        + "x1,2021-10-01 10:00:00,group_chat,u,\"https://a.com/\(String(repeating: "a", count: 5 << 20))\",open,\n",
      ["b.csv:2:", "longer than 4 MiB", "none of it is imported"])
  }

  @Test func policyTitleWithAControlCharacter() throws {
    let policy = try String(contentsOfFile: fixture("policy-phase1.md"), encoding: .utf8)
      .replacingOccurrences(of: "version: ", with: "version: \"esc\\e[31m\"\nold_version: ")
    try expectRefused(.policies, "p.md", policy, ["p.md", "version: control characters"])
  }
}
