import Foundation
import LinkAuditStore
import Testing

/// Issue 30: `import links` through the built binary stores the host a
/// browser opens (WHATWG URL), and flags homograph hosts (finding K3).
@Suite struct BrowserHostEndToEndTests {
  let dir = TemporaryDirectory()
  var database: String { dir.file("u.db") }
  var key: [String] { ["--key-file", dir.file("u.key")] }

  func run(_ arguments: [String]) throws -> LinkauditBinary.Run {
    try LinkauditBinary.run(arguments, database: database)
  }

  func links(_ name: String, _ urls: [String], prefix: String = "e") throws -> String {
    let rows = urls.enumerated().map { i, url in
      "\(prefix)\(i),2021-10-0\(i % 9 + 1) 10:00:00,group_chat,user\(i),\"\(url)\",open,"
    }
    return try dir.write(
      name, "event_id,occurred_at,scene,user_id,url,action,reason\n" + rows.joined(separator: "\n") + "\n")
  }

  func stored() throws -> [String: [String]] {
    let db = try Database(path: database, mode: .readOnly)
    defer { db.close() }
    var out: [String: [String]] = [:]
    for r in try db.rows(
      "SELECT e.event_id, h.host, h.host_ascii, h.domain, e.url_normalised FROM link_event e JOIN host h USING (host_id)"
    ) {
      out[r[0].text ?? ""] = r.dropFirst().map { $0.text ?? "" }
    }
    return out
  }

  @Test func theTrickyHostsAreStoredUnderTheHostABrowserOpens() throws {
    let file = try links(
      "tricky.csv",
      [
        "http://0x7f.1/a",  // IPv4 in hex, two parts: 127.0.0.1
        "http://3232235521/",  // IPv4 as one decimal number: 192.168.0.1
        "https://%74aobao.com/x",  // a percent-encoded host: taobao.com
        "https://www．taobao．com/",  // full-width dots separate labels
        "https://faß.de/",  // non-transitional: ß kept, not ss
        "https://ας.com/",  // non-transitional: ς kept, not σ
        "http:\\\\jd.com\\x",  // backslashes and no // after the scheme
        "https://[0:0::1]:0443/",  // IPv6 compressed; port 0443 is the default
        "https://a.b.c.08.example/",  // a number inside a name is no IPv4 address
      ])
    let result = try run(["import", "links", file] + key)
    #expect(result.status == 0, "\(result.stderr)")
    let hosts = try stored()
    #expect(hosts["e0"] == ["127.0.0.1", "127.0.0.1", "127.0.0.1", "http://127.0.0.1/a"])
    #expect(hosts["e1"] == ["192.168.0.1", "192.168.0.1", "192.168.0.1", "http://192.168.0.1/"])
    #expect(hosts["e2"] == ["taobao.com", "taobao.com", "taobao.com", "https://taobao.com/x"])
    #expect(hosts["e3"] == ["www.taobao.com", "www.taobao.com", "taobao.com", "https://www.taobao.com/"])
    #expect(hosts["e4"] == ["faß.de", "xn--fa-hia.de", "faß.de", "https://faß.de/"])
    #expect(hosts["e5"] == ["ας.com", "xn--mxa8a.com", "ας.com", "https://ας.com/"])
    #expect(hosts["e6"] == ["jd.com", "jd.com", "jd.com", "http://jd.com/x"])
    #expect(hosts["e7"] == ["[::1]", "[::1]", "[::1]", "https://[::1]/"])
    #expect(hosts["e8"]?.prefix(3) == ["a.b.c.08.example", "a.b.c.08.example", "08.example"])
    #expect(!result.stderr.contains("mixes scripts"), "\(result.stderr)")
  }

  /// A host a browser refuses refuses the file: the message names file, line,
  /// column and why, and the database is as it was.
  @Test func aHostABrowserRefusesRefusesTheFileAndChangesNothing() throws {
    let seed = try links("seed.csv", ["https://jd.com/"], prefix: "s")
    #expect(try run(["import", "links", seed] + key).status == 0)
    let before = try Data(contentsOf: URL(fileURLWithPath: database))
    for (url, why) in [
      ("https://ho%00st/", "U+0000 cannot be part of a host"),
      ("http://1.2.3.08/", "a valid IPv4 address"),
      ("http://foo.09/", "a valid IPv4 address"),
      ("https://a%C0b/", "a valid host name"),
      ("https://xn--pokxncvks/", "a valid host name"),
      ("https://[::1/", "a valid IPv6 host"),
      ("https://jd.com:65536/", "a port from 0 to 65535"),
      ("https://user@/jd.com", "a URL with a host"),
    ] {
      let file = try links("bad.csv", ["https://jd.com/ok", url], prefix: "b")
      let result = try run(["import", "links", file] + key)
      #expect(result.status != 0, "\(url): \(result.stderr)")
      // A URL with a user name before its host is not shown: the name may be a person's (red-team A19).
      let shown = url.contains("@") ? "value not shown (it may be personal data)" : "value \"\(url)\""
      #expect(result.stderr.contains("bad.csv:3: column url: \(shown)"), "\(url): \(result.stderr)")
      #expect(result.stderr.split(separator: "\n").count == 1, "\(url): \(result.stderr)")
      #expect(result.stderr.contains(why), "\(url): \(result.stderr)")
      #expect(try Data(contentsOf: URL(fileURLWithPath: database)) == before, "\(url): the database changed")
    }
  }

  /// Finding K3: a host mixing scripts in a label is stored as it is, named
  /// once per file with its line and punycode form, and listed on the Data
  /// quality sheet with its events in the quarter.
  @Test func findingK3_aHomographHostIsStoredWarnedAboutAndListed() throws {
    let homograph = "https://tаobao.com/item"  // Cyrillic а
    let file = try links(
      "k3.csv",
      ["https://item.taobao.com/", homograph, homograph + "2", "https://例子.中国/", "https://パソコン.jp/", homograph])
    let result = try run(["import", "links", file] + key)
    #expect(result.status == 0, "\(result.stderr)")
    let warnings = result.stderr.split(separator: "\n").filter { $0.contains("mixes scripts") }
    #expect(warnings.count == 1, "\(result.stderr)")
    #expect(
      warnings.first?.contains(
        "k3.csv: line 3: url host tаobao.com (xn--tobao-4ve.com) mixes scripts or look-alike letters in one label (Latin and Cyrillic)"
      )
        == true, "\(result.stderr)")
    #expect(try stored()["e1"]?.prefix(3) == ["tаobao.com", "xn--tobao-4ve.com", "tаobao.com"])

    // Many: the first five named, the rest counted.
    let many = try links(
      "many.csv", (0..<8).map { "https://tаobao\($0).com/" } + ["https://раураl.com/", "https://jd.com/"], prefix: "m")
    let second = try run(["import", "links", many] + key)
    #expect(second.status == 0, "\(second.stderr)")
    let lines = second.stderr.split(separator: "\n")
    #expect(
      lines.filter { $0.contains("mixes scripts or look-alike letters in one label (") }.count == 5, "\(second.stderr)")
    #expect(
      lines.contains {
        $0.contains("many.csv: 4 more host(s) mix scripts or look-alike letters in one label (next on line 7)")
      },
      "\(second.stderr)")

    // A long host is cut in the warning: one readable line.
    let long =
      "https://" + String(repeating: "a", count: 30) + "а" + String(repeating: "b", count: 10) + "."
      + String(repeating: "c.", count: 1000) + "com/"
    let third = try run(["import", "links", try links("long.csv", [long], prefix: "l")] + key)
    #expect(third.status == 0, "\(third.stderr)")
    let warning = try #require(third.stderr.split(separator: "\n").first { $0.contains("mixes scripts") })
    #expect(warning.count < 400 && warning.contains("…"), "\(warning)")

    let out = dir.file("report")
    let report = try run(["report", "--quarter", "2021-Q4", "--out", out, "--lang", "zh,en"])
    #expect(report.status == 0, "\(report.stderr)")
    let sheet = try #require(try XlsxReading.cells(out + "/linkaudit-2021-Q4.en.xlsx")["Data quality"])
    let values = Set(sheet.values)
    #expect(values.contains("Hosts that mix scripts or look-alike letters in one label: 11"), "\(sheet)")
    #expect(values.contains("tаobao.com"))
    #expect(values.contains("xn--tobao-4ve.com"))
    #expect(values.contains("Latin, Cyrillic"))
    #expect(!values.contains("例子.中国") && !values.contains("item.taobao.com"))
    // tаobao.com's three events, next to it.
    let ref = try #require(sheet.first { $0.value == "tаobao.com" && !$0.key.hasSuffix(".type") }?.key)
    let row = String(ref.drop { $0.isLetter })
    #expect(sheet["E" + row] == "3", "\(sheet)")
    // The same run wrote the Chinese workbook: a second report of the quarter would be a re-issue.
    let zhSheet = try #require(try XlsxReading.cells(out + "/linkaudit-2021-Q4.zh.xlsx")["数据质量"])
    #expect(Set(zhSheet.values).contains("拉丁字母、西里尔字母"), "\(zhSheet)")
  }

  /// Finding A10: an A-label a browser refuses (taobao + a zero-width joiner,
  /// which reads as taobao.com) refuses the file, saying why, and changes nothing.
  @Test func findingA10_anALabelABrowserRefusesRefusesTheFile() throws {
    let seed = try links("seed.csv", ["https://jd.com/"], prefix: "s")
    #expect(try run(["import", "links", seed] + key).status == 0)
    let before = try Data(contentsOf: URL(fileURLWithPath: database))
    for (url, why) in [
      ("https://xn--taobao-uf0c.com/item/1", "xn--taobao-uf0c stands for taobaoU+200D, which is refused"),
      ("https://xn--taobao-uga.com/", "xn--taobao-uga stands for taobaoU+00A0"),
    ] {
      let file = try links("a10.csv", ["https://jd.com/ok", url], prefix: "z")
      let result = try run(["import", "links", file] + key)
      #expect(result.status != 0, "\(url): \(result.stderr)")
      #expect(result.stderr.contains("a10.csv:3: column url: value \"\(url)\""), "\(url): \(result.stderr)")
      #expect(result.stderr.contains(why), "\(url): \(result.stderr)")
      #expect(try Data(contentsOf: URL(fileURLWithPath: database)) == before, "\(url): the database changed")
    }
  }

  /// Findings A21 and A22: look-alikes of taobao.com and jd.com are named at
  /// import and on the Data quality sheet; a phone number in such a host is
  /// masked in both, as in decision targets.
  @Test func findingsA21A22_lookAlikesAreNamedWithPhoneNumbersMasked() throws {
    let file = try links(
      "a22.csv",
      [
        "https://13912345678.tаobao.com/p", "https://ta\u{3147}bao.com/x", "https://ta〇bao.com/x",
        "https://taロbao.com/x", "https://tɑobɑo.com/x", "https://jd.cᴏm/x", "https://ȷd.com/x", "https://taobao⸼com/x",
        "https://jd.com/x",
      ], prefix: "k")
    let result = try run(["import", "links", file] + key)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(!result.stderr.contains("13912345678"), "\(result.stderr)")
    #expect(
      result.stderr.contains(
        "a22.csv: line 2: url host 139****5678.tаobao.com (139****5678.xn--tobao-4ve.com) mixes scripts or look-alike letters in one label (Latin and Cyrillic)"
      ), "\(result.stderr)")
    for (line, scripts) in [(3, "Latin and Hangul"), (4, "Latin and Han"), (5, "Latin and Katakana")] {
      #expect(result.stderr.contains("a22.csv: line \(line): url host"), "\(result.stderr)")
      #expect(result.stderr.contains("in one label (\(scripts))"), "\(line): \(result.stderr)")
    }
    #expect(result.stderr.contains("a22.csv: 3 more host(s) mix scripts or look-alike letters"), "\(result.stderr)")

    let out = dir.file("report")
    let report = try run(["report", "--quarter", "2021-Q4", "--out", out, "--lang", "en"])
    #expect(report.status == 0, "\(report.stderr)")
    let sheet = try #require(try XlsxReading.cells(out + "/linkaudit-2021-Q4.en.xlsx")["Data quality"])
    let values = Set(sheet.values)
    #expect(values.contains("Hosts that mix scripts or look-alike letters in one label: 8"), "\(sheet)")
    #expect(values.contains("139****5678.tаobao.com") && values.contains("139****5678.xn--tobao-4ve.com"), "\(sheet)")
    #expect(!values.contains { $0.contains("13912345678") }, "\(sheet)")
    #expect(
      values.contains("jd.cᴏm") && values.contains("taobao⸼com") && values.contains("Latin, phonetic Latin letters"))
    #expect(values.contains("a dot look-alike"), "\(sheet)")
  }
}
