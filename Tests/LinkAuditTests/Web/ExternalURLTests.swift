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
    "ftp://x.com/", "javascript:alert(1)", "https:///path", "item.taobao.com/x", "https://a b.com/", "http://x.com:8a/",
  ])
  func rejects(_ raw: String) {
    #expect(throws: URLError.self) { try normaliser.normalise(raw) }
  }
}
