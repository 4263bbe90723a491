import Foundation
import LinkAuditCore
import LinkAuditWeb
import Testing

@Suite struct ExternalURLTests {
  let normaliser = URLNormaliser()

  @Test func lowerCasesSchemeAndHostDropsDefaultPortAndFragmentKeepsPathAndQuery() throws {
    let url = try normaliser.normalise("HTTPS://Item.JD.com:443/Path/A.html?Q=Ab&x=%2F#frag")
    #expect(url.normalised == "https://item.jd.com/Path/A.html?Q=Ab&x=%2F")
    #expect(url.host == "item.jd.com")
    #expect(url.domain == "jd.com")
  }

  @Test func keepsANonDefaultPort() throws {
    #expect(try normaliser.normalise("http://a.example.com:8080/x").normalised == "http://a.example.com:8080/x")
    #expect(try normaliser.normalise("http://a.example.com:443/x").normalised == "http://a.example.com:443/x")
    #expect(try normaliser.normalise("http://a.example.com:80/x").normalised == "http://a.example.com/x")
  }

  @Test func punycodeHostIsStoredInUnicodeWithItsASCIIForm() throws {
    let url = try normaliser.normalise("https://WWW.xn--fsqu00a.xn--fiqs8s/p?q=1")
    #expect(url.normalised == "https://www.例子.中国/p?q=1")
    #expect(url.host == "www.例子.中国")
    #expect(url.hostASCII == "www.xn--fsqu00a.xn--fiqs8s")
    #expect(url.domain == "例子.中国")
    #expect(try normaliser.normalise("https://www.例子.中国/p?q=1") == url)
  }

  @Test func ipAddressIsItsOwnDomain() throws {
    #expect(try normaliser.normalise("http://10.1.2.3:80/").domain == "10.1.2.3")
  }

  /// Issue 12, finding 12: the host is the one a browser opens (WHATWG URL rules).
  @Test func aBackslashEndsTheHostAsInABrowser() throws {
    let url = try normaliser.normalise("http://evil.com\\@item.taobao.com/")
    #expect(url.host == "evil.com")
    #expect(url.domain == "evil.com")
    #expect(url.normalised == "http://evil.com/@item.taobao.com/")
    #expect(!url.hadUserinfo)
  }

  @Test func aFinalDotNamesTheSameSite() throws {
    let url = try normaliser.normalise("https://item.taobao.com./x")
    #expect(url.host == "item.taobao.com")
    #expect(url.domain == "taobao.com")
    #expect(try normaliser.normalise("https://taobao.com.").domain == "taobao.com")
  }

  @Test func userinfoIsDroppedAndFlagged() throws {
    let url = try normaliser.normalise("https://item.taobao.com:secret@evil.cn/login?u=1")
    #expect(url.host == "evil.cn")
    #expect(url.normalised == "https://evil.cn/login?u=1")
    #expect(url.hadUserinfo)
    #expect(url.shared == "https://***@evil.cn/login?u=1")
    #expect(!url.shared.contains("secret"))
  }

  @Test(arguments: [
    "ftp://x.com/", "javascript:alert(1)", "https://", "https:///", "item.taobao.com/x", "https://a b.com/",
    "http://x.com:8a/", "http://x.com:65536/", "https://user@/x", "http://[::1/", "https://1.2.3.08/",
    "https://ho%00st/", "https://a.b.Xn--pokxncvks/",
  ])
  func rejects(_ raw: String) {
    #expect(throws: LinkAuditWeb.URLError.self) { try normaliser.normalise(raw) }
  }

  /// Issue 30: as a browser reads a URL (WHATWG): any run of slashes and
  /// backslashes after the scheme, tabs and newlines removed, C0 controls
  /// and spaces trimmed, the port as a number.
  @Test func readsTheAuthorityAsABrowserDoes() throws {
    for raw in [
      "https:///item.jd.com/p", "https:item.jd.com/p", "https:\\\\item.jd.com/p", "\u{1}  https://item.jd.com/p \u{1F}",
    ] {
      #expect(try normaliser.normalise(raw).normalised == "https://item.jd.com/p", "\(raw.debugDescription)")
    }
    #expect(try normaliser.normalise("https://item.j\td.com/p\nq").normalised == "https://item.jd.com/pq")
    // At every offset (the test reads eight bytes at a time).
    let plain = Array("https://item.jd.com/abcdefghijklmnop")
    for at in 8...plain.count {
      for c in ["\t", "\n", "\r"] as [Character] {
        var withOne = plain
        withOne.insert(c, at: at)
        #expect(
          try normaliser.normalise(String(withOne)).normalised == String(plain), "\(String(withOne).debugDescription)")
      }
    }
    #expect(try normaliser.normalise("https://item.jd.com:0443/").normalised == "https://item.jd.com/")
    #expect(try normaliser.normalise("https://item.jd.com:/").normalised == "https://item.jd.com/")
    #expect(try normaliser.normalise("http://jd.com:08080/").normalised == "http://jd.com:8080/")
    for raw in ["https:taobao.com@evil.cn/", "http:\\\\taobao.com:pw@evil.cn/", "https://taobao.com%2F@evil.cn/"] {
      let url = try normaliser.normalise(raw)
      #expect(url.host == "evil.cn" && url.hadUserinfo && !url.shared.contains("taobao"), "\(raw): \(url)")
    }
    let at = try normaliser.normalise("https://taobao.com@user@evil.cn/")
    #expect(at.host == "evil.cn")
    #expect(at.shared == "https://***@evil.cn/")
  }

  /// Issue 30: IPv4 in every numeric form a browser reads, IPv6 written as a browser writes it.
  @Test func readsIPAddressesAsABrowserDoes() throws {
    for (raw, host) in [
      ("http://0x7f.1/", "127.0.0.1"), ("http://3232235521/", "192.168.0.1"), ("http://0300.0250.1/", "192.168.0.1"),
      ("http://192.168.1/", "192.168.0.1"), ("http://1.2.3.4./", "1.2.3.4"), ("http://0x.0x.0/", "0.0.0.0"),
      ("http://[0:0:0:0:0:0:0:1]/", "[::1]"), ("http://[1:0:0:2:0:0:0:3]/", "[1:0:0:2::3]"),
      ("http://[::FFFF:192.168.0.1]/", "[::ffff:c0a8:1]"), ("http://[1:0:0:2:0:0:3:4]/", "[1::2:0:0:3:4]"),
    ] {
      let url = try normaliser.normalise(raw)
      #expect(url.host == host && url.hostASCII == host && url.domain == host, "\(raw): \(url)")
    }
    // A number inside a name, or a last label that is not a number, is a name.
    #expect(try normaliser.normalise("http://0x7f.0.0.0x7g/").host == "0x7f.0.0.0x7g")
    #expect(try normaliser.normalise("http://1.2.3.4.example/").hostASCII == "1.2.3.4.example")
  }

  /// Issue 30: names through UTS #46 as a browser maps them (non-transitional,
  /// percent-decoded first, symbols allowed, forbidden code points refused).
  @Test func mapsNamesAsABrowserDoes() throws {
    for (raw, ascii) in [
      ("https://%74aobao.com/", "taobao.com"), ("https://www．taobao。com/", "www.taobao.com"),
      ("https://FAß.de/", "xn--fa-hia.de"), ("https://ας.com/", "xn--mxa8a.com"), ("https://%e2%98%83/", "xn--n3h"),
      ("https://ab--cd.com/", "ab--cd.com"), ("https://-a-.com/", "-a-.com"), ("https://a\u{AD}b.com/", "ab.com"),
      ("https://XN--TDA.com/", "xn--tda.com"),
    ] {
      #expect(try normaliser.normalise(raw).hostASCII == ascii, "\(raw)")
    }
    #expect(try normaliser.normalise("https://XN--TDA.com/").host == "ü.com")
    for raw in ["https://a＜b.com/", "https://\u{AD}/", "https://%EF%BF%BD/", "https://a%25b/", "https://xn--/"] {
      #expect(throws: LinkAuditWeb.URLError.self, "\(raw)") { try normaliser.normalise(raw) }
    }
  }

  /// Issue 30: hostile hosts are refused (or read) at once: numbers
  /// saturate, the parsers are linear, a URL is at most 4,096 characters.
  @Test func hostileHostsAreRefusedQuicklyOrReadAsABrowserReadsThem() throws {
    let began = Date()
    for raw in [
      "http://" + String(repeating: "9", count: 4000) + "/", "http://0x" + String(repeating: "f", count: 4000) + "/",
      "http://[" + String(repeating: ":", count: 4000) + "]/",
      "http://[" + String(repeating: "1:", count: 2000) + "1]/",
      "http://" + String(repeating: "1.", count: 2000) + "1/", "http://4294967296/", "http://0x100000000/",
      "http://1.2.3.4.5/", "http://[::1]x/",
      "https://xn--" + String(repeating: "a", count: 3000) + "/",
    ] {
      #expect(throws: LinkAuditWeb.URLError.self, "\(raw.prefix(40))") { try normaliser.normalise(raw) }
    }
    #expect(try normaliser.normalise("http://4294967295/").host == "255.255.255.255")
    #expect(try normaliser.normalise("http://[::1]:/x:y").normalised == "http://[::1]/x:y")
    #expect(try normaliser.normalise("http://00000000000000000000000001/").host == "0.0.0.1")
    let labels = try normaliser.normalise("http://" + String(repeating: "a.", count: 2000) + "com/")
    #expect(labels.domain == "a.com")
    #expect(Date().timeIntervalSince(began) < 5)
  }

  /// Issue 30: the bidi rule over the whole name, as browsers check it
  /// (UTS #46 CheckBidi): once a label is right-to-left, every label keeps its direction.
  @Test func aNameWithARightToLeftLabelKeepsTheBidiRule() throws {
    for raw in ["https://a.א.com/", "https://א1.com/", "https://xn--4db.com/", "https://例子.א.com/", "https://א☃א.com/"]
    {
      #expect(throws: Never.self, "\(raw)") { try normaliser.normalise(raw) }
    }
    for raw in [
      "https://1a.א.com/", "https://a-.א.com/", "https://☃.א.com/", "https://א☃.com/", "https://אa.com/",
      "https://ü_.א.com/", "https://١2א.com/",
    ] {
      let error = #expect(throws: LinkAuditWeb.URLError.self, "\(raw)") { try normaliser.normalise(raw) }
      // Ours says "the bidi rule", libidn2's (for a label alone) "bi-directional".
      let reason = error?.reason ?? ""
      #expect(reason.contains("bidi rule") || reason.contains("bi-directional"), "\(raw): \(String(describing: error))")
    }
  }

  /// Issue 30: valid names the contract refuses, with the rule and why.
  @Test func refusesWhatTheContractRefusesSayingWhy() {
    for (raw, why) in [
      ("https://-ü.com/", "the contract keeps this IDNA2008 rule"),
      ("https://ab--ü.com/", "the contract keeps this IDNA2008 rule"),
      ("https://" + String(repeating: "ü", count: 60) + ".com/", "the contract keeps this DNS limit"),
    ] {
      let error = #expect(throws: LinkAuditWeb.URLError.self) { try normaliser.normalise(raw) }
      #expect(error?.reason.contains(why) == true, "\(raw): \(String(describing: error))")
    }
    #expect(throws: HostnameError.self) { try IDNA.toASCII("ü\u{0}.evil.com") }
  }

  /// Finding K3: a label mixing scripts is flagged; one script, or Latin with
  /// the East Asian scripts written beside it, is not.
  @Test func findingK3_aHostMixingScriptsInALabelIsFlagged() throws {
    let homograph = try normaliser.normalise("https://tаobao.com/")  // Cyrillic а
    #expect(homograph.mixesScripts)
    #expect(homograph.hostASCII == "xn--tobao-4ve.com")
    #expect(Homograph.mixedScripts(in: "tаobao.com") == ["Latin", "Cyrillic"])
    #expect(Homograph.mixedScripts(in: "gοοgle.com") == ["Latin", "Greek"])  // Greek omicrons
    for host in ["taobao.com", "例子.中国", "パソコン.jp", "한국어abc.kr", "abc中文.com", "аррӏе.com", "ü-1.de", "faß.de"] {
      #expect(!Homograph.mixesScripts(host), "\(host)")
    }
    #expect(Homograph.mixesScripts("wwwа.例子.com"))
  }

  /// Finding A10: an A-label is checked as UTS #46 checks it (decoded, the
  /// Unicode label valid as it is, the round trip giving the same A-label),
  /// not stored under a name a browser refuses: taobao + U+200D read as taobao.com.
  @Test func findingA10_anALabelABrowserRefusesIsRefused() throws {
    for (raw, why) in [
      ("https://xn--taobao-uf0c.com/", "U+200D"),  // a zero-width joiner, out of context
      ("https://xn--taobao-uga.com/", "U+00A0"),  // a no-break space, mapped to a space
      ("https://xn--taobao-gr3e.com/", "U+3000"),  // an ideographic space
      ("https://xn--taobao-8z1c.com/", "U+2122"),  // ™, mapped to tm
      ("https://xn--xn--a-nb1c.com/", "stands for xn--aU+2603, which is refused"),  // a label may not start xn--
      ("https://xn--tda-.com/", "no character outside ASCII"),  // decodes to tda
      ("https://xn--a-ecp!.com/", "not valid punycode"),
      ("https://xn--abc-.com/", "no character outside ASCII"),  // decodes to abc
      ("https://xn--.com/", "no character outside ASCII"),
      ("https://xn--" + String(repeating: "a", count: 3000) + ".com/", "the contract keeps this DNS limit"),
      ("https://xn--a-6da.ru/", "which a browser writes \"xn--a-0fa\""),  // a + Ä, whose own form is ä
    ] {
      let error = #expect(throws: LinkAuditWeb.URLError.self, "\(raw)") { try normaliser.normalise(raw) }
      #expect(error?.reason.contains(why) == true, "\(raw): \(String(describing: error))")
    }
    // What a browser opens is kept: the same A-label as from the Unicode name.
    for (raw, host) in [
      ("https://xn--zca.de/", "ß.de"), ("https://XN--ZCA.de/", "ß.de"), ("https://xn--ls8h.la/", "💩.la"),
      ("https://xn--n3h.com/", "☃.com"), ("https://xn--mgba3a4f16a.ir/", "ایران.ir"),
      ("https://xn--fsqu00a.xn--fiqs8s/", "例子.中国"), ("https://xn--11b6iy14e.com/", "\u{0915}\u{094D}\u{200D}.com"),
    ] {
      let url = try normaliser.normalise(raw)
      #expect(url.host == host, "\(raw)")
      #expect(try normaliser.normalise("https://\(host)/").hostASCII == url.hostASCII, "\(raw)")
    }
  }

  /// Finding A20: letters of Unicode 12 to 14, which libidn2's IDNA2008 tables
  /// call unassigned, and what UTS #46 maps to text with parentheses, open as
  /// in a browser; a letter newer than the mapping table is refused by a
  /// contract rule that says so.
  @Test func findingA20_newerLettersAndParenthesisedHangulOpenAsInABrowser() throws {
    for (raw, ascii) in [
      ("https://tao\u{2C2F}bao.com/", "xn--taobao-kg8d.com"),  // Ⱟ (Unicode 14) maps to ⱟ
      ("https://a\u{0C5D}b.com/", "xn--ab-mph.com"), ("https://a\u{A7C0}b.com/", "xn--ab-c48h.com"),
      ("https://tao\u{3200}bao.com/", "xn--tao()bao-kb5a.com"),  // ㈀ maps to (ᄀ)
      ("https://\u{2474}x.com/", "(1)x.com"),
    ] {
      let url = try normaliser.normalise(raw)
      #expect(url.hostASCII == ascii, "\(raw)")
      #expect(try normaliser.normalise("https://\(ascii)/").host == url.host, "\(raw)")
    }
    let error = #expect(throws: LinkAuditWeb.URLError.self) { try normaliser.normalise("https://a\u{1E030}b.com/") }
    #expect(
      error?.reason.contains("U+1E030 is a character of Unicode 15.0, newer than the Unicode 14.0 tables") == true,
      "\(String(describing: error))")
  }

  /// Finding A22: look-alikes inside the allowed script mixes or all in Latin.
  @Test func findingA22_lookAlikesOfLatinLettersAreFlagged() throws {
    for (host, names) in [
      ("ta\u{110B}bao.com", ["Latin", "Hangul"]), ("ta〇bao.com", ["Latin", "Han"]),
      ("taロbao.com", ["Latin", "Katakana"]),
      ("tɑobɑo.com", ["Latin", "phonetic Latin letters"]), ("jd.cᴏm", ["Latin", "phonetic Latin letters"]),
      ("ȷd.com", ["Latin", "phonetic Latin letters"]), ("taobao⸼com", ["a dot look-alike"]),
      ("taobao・com", ["Latin", "Katakana"]), ("ab中文cd.com", ["Latin", "Han"]), ("a中ロb.com", ["Latin", "Han"]),
    ] {
      #expect(Homograph.mixedScripts(in: host) == names, "\(host)")
    }
    for host in [
      "jd京东.com", "京东jd.com", "jd-京东-mall.com", "col·legi.cat", "azərbaycan.az", "ア・イ.jp", "tao(ᄀ)bao.com",
      "ü-1.de",
    ] {
      #expect(!Homograph.mixesScripts(host), "\(host)")
    }
    // Through the normaliser: ㅇ (U+3147) is mapped to ᄋ (U+110B), inside the Latin word.
    #expect(try normaliser.normalise("https://ta\u{3147}bao.com/").mixesScripts)
  }
}
