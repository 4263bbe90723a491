import LinkAuditCore
import Testing

/// The one mask for phone and ID numbers in free text (a reason, a URL, an id).
struct PersonalNumberMaskSpellingTests {
  /// Red-team B3: a number split by `.`, `_`, `/` or any dash, written in
  /// another script's digits, or digit by digit, is still a number.
  @Test(arguments: [
    ("138.1234.5678", "138.****.5678"),
    ("138_1234_5678", "138_****_5678"),
    ("138/1234/5678", "138/****/5678"),
    ("138–1234–5678", "138–****–5678"),
    ("138—1234—5678", "138—****—5678"),
    ("138\u{2010}1234\u{2010}5678", "138\u{2010}****\u{2010}5678"),
    ("138\u{2212}1234\u{2212}5678", "138\u{2212}****\u{2212}5678"),
    ("138－1234－5678", "138－****－5678"),
    ("١٣٨١٢٣٤٥٦٧٨", "١٣٨****٥٦٧٨"),
    ("۱۳۸۱۲۳۴۵۶۷۸", "۱۳۸****۵۶۷۸"),
    ("१३८१२३४५६७८", "१३८****५६७८"),
    ("1 3 8 1 2 3 4 5 6 7 8", "1 3 8 * * * * 5 6 7 8"),
    ("call 138.1234.5678.", "call 138.****.5678."),
    ("138 - 1234 - 5678", "138 - **** - 5678"),
    ("138. 1234. 5678", "138. ****. 5678"),
    ("110105.19900101.123X", "110105.********.123X"),
  ])
  func numbersSplitOrWrittenOtherwiseAreMasked(text: String, masked: String) {
    #expect(PersonalNumberMask.mask(text) == masked)
    #expect(PersonalNumberMask.mask(masked) == masked, "masking is stable")
  }

  /// What `.`, `/` and `_` also write is kept: dates, versions, decimals,
  /// fractions, addresses, and numbers that are not a phone's.
  @Test(arguments: [
    "2021/12/31", "2021.12.31", "v1.3.8", "139.12345678", "1381234.5678", "1381234/5678",
    "192.168.1.100", "https://a.cn/v2/138/12/31", "12.1234.5678", "138.123.45678", "2 0 2 1 1 2 3 1",
    "order 2021_0917_1234", "138 - 1234", "2021 - 12 - 31",
  ])
  func lookalikesAreKept(text: String) {
    #expect(PersonalNumberMask.mask(text) == text)
  }

  /// The same rule reads URLs, hosts and ids: a number in a path or a host is masked too.
  @Test func theRuleReachesURLsAndIDs() {
    #expect(PersonalNumberMask.maskURL("https://a.cn/u/138.1234.5678") == "https://a.cn/u/138.****.5678")
    #expect(PersonalNumberMask.carriesPersonalNumber("١٣٨١٢٣٤٥٦٧٨"))
    #expect(!PersonalNumberMask.carriesPersonalNumber("2021/12/31"))
  }
}
