import Foundation
import LinkAuditStore
import LinkAuditWeb
import Testing

/// Issue 30: URLs as a browser reads them. Every absolute http(s) case of the
/// web-platform-tests' URL test data (Fixtures/whatwg-url) through the import's
/// normaliser: a URL a browser refuses is refused; one a browser opens is
/// stored under the host the browser opens, or refused only under a rule of
/// docs/data-contract.md, listed here.
@Suite struct WHATWGURLTests {
  struct Case {
    var input: String
    var failure: Bool
    var hostname = ""
    var port = ""
    var pathname = ""
    var search = ""
  }

  /// The cases whose input, trimmed of C0 controls and spaces as a browser
  /// trims it, starts with http: or https: (any case) and whose base is null.
  static func cases() throws -> [Case] {
    let data = try Data(contentsOf: URL(fileURLWithPath: fixture("whatwg-url/urltestdata.json")))
    let all = try #require(try JSONSerialization.jsonObject(with: data) as? [Any])
    return all.compactMap { item -> Case? in
      guard let c = item as? [String: Any], let input = c["input"] as? String, c["base"] is NSNull else { return nil }
      let trimmed = String(String.UnicodeScalarView(input.unicodeScalars.drop { $0.value <= 0x20 })).lowercased()
      guard trimmed.hasPrefix("http:") || trimmed.hasPrefix("https:") else { return nil }
      return Case(
        input: input, failure: c["failure"] as? Bool ?? false, hostname: c["hostname"] as? String ?? "",
        port: c["port"] as? String ?? "", pathname: c["pathname"] as? String ?? "",
        search: c["search"] as? String ?? "")
    }
  }

  /// Valid URLs the contract refuses, each with the rule of docs/data-contract.md that refuses it.
  static let contractRefusals: [(rule: String, applies: @Sendable (Case) -> Bool)] = []

  @Test func everyAbsoluteHTTPCaseIsReadAsABrowserReadsIt() throws {
    let cases = try Self.cases()
    #expect(cases.count == 269)
    var accepted = 0
    var refusedAsInvalid = 0
    var refusedByContract = 0
    var problems: [String] = []
    for c in cases {
      let normaliser = URLNormaliser()
      let url = try? normaliser.normalise(c.input)
      switch (c.failure, url) {
      case (true, nil):
        refusedAsInvalid += 1
      case (true, let url?):
        problems.append("\(c.input.debugDescription): a browser refuses it, stored under host \(url.hostASCII)")
      case (false, nil):
        if Self.contractRefusals.contains(where: { $0.applies(c) }) {
          refusedByContract += 1
        } else {
          problems.append("\(c.input.debugDescription): a browser opens \(c.hostname), refused")
        }
      case (false, let url?):
        accepted += 1
        if let problem = Self.mismatch(url, c) { problems.append("\(c.input.debugDescription): \(problem)") }
      }
    }
    print(
      "WHATWG URL test data: \(cases.count) absolute http(s) cases: \(accepted) accepted as a browser reads them, "
        + "\(refusedAsInvalid) refused as invalid, \(refusedByContract) refused by the contract, \(problems.count) wrong"
    )
    #expect(problems.isEmpty, "\(problems.count) case(s):\n\(problems.joined(separator: "\n"))")
  }

  /// The same cases through `import links` (the built binary, JSON Lines,
  /// `--reject-file`): a URL a browser refuses is a rejected row; one it
  /// opens is stored under its host, or rejected only by a rule of the
  /// contract that applies to every text value (no control or bidirectional characters).
  @Test func everyAbsoluteHTTPCaseThroughImportLinks() throws {
    let cases = try Self.cases()
    let dir = TemporaryDirectory()
    var lines: [String] = []
    for (i, c) in cases.enumerated() {
      let row: [String: String] = [
        "event_id": "w\(i)", "occurred_at": "2021-10-01 10:00:00", "scene": "group_chat", "user_id": "u",
        "url": c.input, "action": "open",
      ]
      lines.append(
        String(decoding: try JSONSerialization.data(withJSONObject: row, options: [.sortedKeys]), as: UTF8.self))
    }
    let file = try dir.write("whatwg.jsonl", lines.joined(separator: "\n") + "\n")
    let database = dir.file("w.db")
    let result = try LinkauditBinary.run(
      ["import", "links", file, "--reject-file", dir.file("rejected.jsonl"), "--key-file", dir.file("w.key")],
      database: database)
    #expect(result.status == 0, "\(result.stderr)")
    let db = try Database(path: database, mode: .readOnly)
    defer { db.close() }
    var stored: [String: String] = [:]
    for r in try db.rows("SELECT e.event_id, h.host_ascii FROM link_event e JOIN host h USING (host_id)") {
      stored[r[0].text ?? ""] = r[1].text ?? ""
    }
    var rejected: [Int: (column: String, error: String)] = [:]
    for r in try db.rows("SELECT line, column_name, error FROM rejected_row") {
      rejected[Int(r[0].integer ?? 0)] = (r[1].text ?? "", r[2].text ?? "")
    }
    let textRule = "text without control characters, noncharacters or bidirectional controls"
    var problems: [String] = []
    var byTextRule = 0
    for (i, c) in cases.enumerated() {
      let host = stored["w\(i)"]
      let refusal = rejected[i + 1]
      if c.failure {
        if let host { problems.append("\(c.input.debugDescription): a browser refuses it, stored under \(host)") }
        if refusal?.column != "url" { problems.append("\(c.input.debugDescription): not rejected for its url") }
      } else if let host {
        var hostname = c.hostname
        if hostname.count > 1, hostname.hasSuffix("."), !hostname.hasSuffix("..") { hostname.removeLast() }
        if host != hostname { problems.append("\(c.input.debugDescription): stored under \(host), opens \(hostname)") }
      } else if refusal?.error.contains(textRule) == true {
        byTextRule += 1
      } else {
        problems.append(
          "\(c.input.debugDescription): a browser opens \(c.hostname), rejected: \(refusal?.error ?? "?")")
      }
    }
    print(
      "WHATWG URL test data through import links: \(byTextRule) valid URL(s) rejected by the text rule (control and bidirectional characters)"
    )
    #expect(problems.isEmpty, "\(problems.count) case(s):\n\(problems.joined(separator: "\n"))")
  }

  /// Where an accepted URL differs from what a browser opens: the host, the
  /// port, or the path and query a browser reads from the stored URL.
  static func mismatch(_ url: ExternalURL, _ c: Case) -> String? {
    // The contract drops a final dot (taobao.com. is taobao.com); a name of dots keeps them.
    var hostname = c.hostname
    if hostname.count > 1, hostname.hasSuffix("."), !hostname.hasSuffix("..") { hostname.removeLast() }
    guard url.hostASCII == hostname else { return "host \(url.hostASCII), a browser opens \(hostname)" }
    let scheme = url.normalised.hasPrefix("https:") ? "https://" : "http://"
    let prefix = scheme + url.host + (c.port.isEmpty ? "" : ":" + c.port)
    guard url.normalised.hasPrefix(prefix) else { return "stored as \(url.normalised), expected \(prefix)…" }
    // The contract keeps the path and query byte for byte: a browser reading
    // the stored URL must reach the same path and query as from the input.
    let rest = url.normalised.dropFirst(prefix.count)
    let path = rest.prefix { $0 != "?" }
    let query = rest.dropFirst(path.count).dropFirst()
    let expectedSearch = c.search.hasPrefix("?") ? String(c.search.dropFirst()) : c.search
    guard decoded(browserPath(path)) == decoded(c.pathname), decoded(query) == decoded(expectedSearch) else {
      return "path and query \(rest.debugDescription), a browser opens \((c.pathname + c.search).debugDescription)"
    }
    return nil
  }

  /// A path as a browser resolves it: `.` and `..` segments (also `%2e`) removed, empty as `/`.
  static func browserPath(_ path: Substring) -> String {
    func isDot(_ s: Substring) -> Bool { s == "." || s.lowercased() == "%2e" }
    func isDotDot(_ s: Substring) -> Bool { ["..", ".%2e", "%2e.", "%2e%2e"].contains(s.lowercased()) }
    let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
    var out: [Substring] = []
    for (i, s) in segments.enumerated() {
      let last = i == segments.count - 1
      if isDotDot(s) {
        if !out.isEmpty { out.removeLast() }
        if last { out.append("") }
      } else if isDot(s) {
        if last { out.append("") }
      } else {
        out.append(s)
      }
    }
    return "/" + out.joined(separator: "/")
  }

  /// Percent-decoded bytes: a browser percent-encodes what the stored URL keeps raw.
  static func decoded<S: StringProtocol>(_ s: S) -> [UInt8] {
    func hex(_ c: UInt8) -> UInt8? {
      switch c {
      case 0x30...0x39: c - 0x30
      case 0x41...0x46: c - 0x41 + 10
      case 0x61...0x66: c - 0x61 + 10
      default: nil
      }
    }
    let b = Array(s.utf8)
    var out: [UInt8] = []
    var i = 0
    while i < b.count {
      if b[i] == UInt8(ascii: "%"), i + 2 < b.count, let high = hex(b[i + 1]), let low = hex(b[i + 2]) {
        out.append(high << 4 | low)
        i += 3
      } else {
        out.append(b[i])
        i += 1
      }
    }
    return out
  }
}
