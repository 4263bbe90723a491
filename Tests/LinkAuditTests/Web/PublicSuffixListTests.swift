import LinkAuditWeb
import Testing

@Suite struct PublicSuffixListTests {
  let psl = PublicSuffixList()

  @Test(arguments: [
    ("例子.中国", "例子.中国"),
    ("xn--fsqu00a.xn--fiqs8s", "例子.中国"),
    ("www.例子.中国", "例子.中国"),
    ("item.taobao.com", "taobao.com"),
    ("www.example.com.cn", "example.com.cn"),
    ("WWW.Example.COM", "example.com"),
  ])
  func registrableDomain(host: String, expected: String) throws {
    #expect(try psl.registrableDomain(of: host) == expected)
  }

  @Test func publicSuffixAloneHasNoRegistrableDomain() throws {
    #expect(try psl.registrableDomain(of: "com.cn") == nil)
    #expect(try psl.registrableDomain(of: "localhost") == nil)
  }

  @Test func idnaRoundTrips() throws {
    #expect(try IDNA.toASCII("例子.中国") == "xn--fsqu00a.xn--fiqs8s")
    #expect(try IDNA.toUnicode("XN--FSQU00A.xn--fiqs8s") == "例子.中国")
    #expect(try IDNA.toASCII("Item.Taobao.COM") == "item.taobao.com")
  }

  @Test func invalidInternationalNameIsAnError() throws {
    let error = try #require(throws: HostnameError.self) { try IDNA.toASCII("xn--a.com") }
    #expect(error.host == "xn--a.com")
  }
}
