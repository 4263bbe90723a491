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
    ("110105.19900101.123X", "******.********.123X"),
  ])
  func numbersSplitOrWrittenOtherwiseAreMasked(text: String, masked: String) {
    #expect(PersonalNumberMask.mask(text) == masked)
    #expect(PersonalNumberMask.mask(masked) == masked, "masking is stable")
  }

  /// Red-team C6: every space (Zs) and line separator, every invisible
  /// character, `,` `，` `·` `:` `~` and parentheses between groups, Chinese
  /// numerals, circled and superscript digits, 4-4-3 grouping: the attacker's strings.
  static let c6Attack: [(String, String)] = [
    ("138\u{034F}1234\u{034F}5678", "138\u{034F}****\u{034F}5678"),
    ("138\u{FE0F}12345678", "138\u{FE0F}****5678"),
    ("138\u{2009}1234\u{2009}5678", "138\u{2009}****\u{2009}5678"),
    ("138\u{200A}1234\u{200A}5678", "138\u{200A}****\u{200A}5678"),
    ("138\u{202F}1234\u{202F}5678", "138\u{202F}****\u{202F}5678"),
    ("138\u{2007}1234\u{2007}5678", "138\u{2007}****\u{2007}5678"),
    ("138\u{2028}1234\u{2028}5678", "138\u{2028}****\u{2028}5678"),
    ("138\u{3164}1234\u{3164}5678", "138\u{3164}****\u{3164}5678"),
    ("138,1234,5678", "138,****,5678"),
    ("138，1234，5678", "138，****，5678"),
    ("138·1234·5678", "138·****·5678"),
    ("138:1234:5678", "138:****:5678"),
    ("138~1234~5678", "138~****~5678"),
    ("(138)1234-5678", "(138)****-5678"),
    ("一三八一二三四五六七八", "一三八****五六七八"),
    ("壹叁捌壹贰叁肆伍陆柒捌", "壹叁捌****伍陆柒捌"),
    ("幺三八〇二三四五六七零", "幺三八****五六七零"),
    ("①③⑧①②③④⑤⑥⑦⑧", "①③⑧****⑤⑥⑦⑧"),
    ("¹³⁸¹²³⁴⁵⁶⁷⁸", "¹³⁸****⁵⁶⁷⁸"),
    ("1381 2345 678", "138* ***5 678"),
    ("138  --  1234  --  5678", "138  --  ****  --  5678"),
    ("1101 0519 9001 0112 34", "**** **** **** **12 34"),
    (
      "caller 138\u{2009}1234\u{2009}5678, also 139,8765,4321 / 一三九八七六五四三二一",
      "caller 138\u{2009}****\u{2009}5678, also 139,****,4321 / 一三九****四三二一"
    ),
  ]

  /// Two numbers side by side are two numbers: each is masked.
  /// Issue 32: an ID keeps only its last four characters; text imported under
  /// the older mask (region code shown) is masked the new way on output, and
  /// nothing else of that shape is touched.
  @Test func anIDKeepsOnlyItsLastFour() {
    #expect(PersonalNumberMask.mask("身份证11010519900101123X") == "身份证**************123X")
    #expect(PersonalNumberMask.mask("身份证110105********123X") == "身份证**************123X")
    #expect(PersonalNumberMask.mask("a 110105********1234 b") == "a **************1234 b")
    let once = PersonalNumberMask.mask("110105********1234, 11010519900101123X")
    #expect(once == "**************1234, **************123X")
    #expect(PersonalNumberMask.mask(once) == once, "its own fixed point")
    // Not the old mask's shape: left as written.
    for text in ["1101055********1234", "110105********12345", "110105*******1234", "ab****************1234"] {
      #expect(PersonalNumberMask.mask(text) == text, "\(text)")
    }
  }

  @Test func neighbouringNumbersAreEachMasked() {
    #expect(PersonalNumberMask.mask("12 138 1234 5678") == "12 138 **** 5678")
    #expect(PersonalNumberMask.mask("13812345678 / 13987654321") == "138****5678 / 139****4321")
    #expect(PersonalNumberMask.mask("2021 138 1234 5678x") == "2021 138 1234 5678x", "part of some other code")
    // A mobile number and an ID number sharing a group: neither is left readable in order.
    let shared = PersonalNumberMask.mask("138 1234 1101 0519 9001 0112 34")
    let left = String(shared.unicodeScalars.filter { $0.properties.numericType != nil }.map(Character.init))
    #expect(!left.contains("13812341101") && !left.contains("110105199001011234"), "\(shared)")
    #expect(shared.hasPrefix("138 **** "), "\(shared)")
  }

  @Test(arguments: c6Attack)
  func numbersSplitByOtherSpacesPunctuationOrNumeralsAreMasked(text: String, masked: String) {
    #expect(PersonalNumberMask.mask(text) == masked)
    #expect(PersonalNumberMask.mask(masked) == masked, "masking is stable")
  }

  /// What the new separators also write stays as written: times, money,
  /// ranges, counts in Chinese numerals, lists.
  @Test(arguments: [
    "10:30", "at 10:30:15", "1,380,000", "13,812,345,678", "1~3", "138~12345678", "138:12345678", "(138)",
    "一二三", "第一三八条", "①②③", "x²", "10:30, 11:45 and 12:00", "138,1234", "2021·12·31",
  ])
  func newSeparatorLookalikesAreKept(text: String) {
    #expect(PersonalNumberMask.mask(text) == text)
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

  /// The fourth attack's spellings (red-team D3): combining marks on the digits or between the
  /// groups, any grouping joined by spaces or dashes, more punctuation, a long run of spaces, and a
  /// word joined after the number. None may leave the number's digits readable in order.
  @Test(arguments: [
    "caller 1\u{332}3\u{332}8\u{332}1\u{332}2\u{332}3\u{332}4\u{332}5\u{332}6\u{332}7\u{332}8\u{332}",
    "1\u{20E3}3\u{20E3}8\u{20E3}1\u{20E3}2\u{20E3}3\u{20E3}4\u{20E3}5\u{20E3}6\u{20E3}7\u{20E3}8\u{20E3}",
    "1\u{336}3\u{336}8\u{336}1\u{336}2\u{336}3\u{336}4\u{336}5\u{336}6\u{336}7\u{336}8\u{336}",
    "x 138\u{301}1234\u{301}5678 y", "x 138 12 34 56 78 y", "x 13 81 23 45 67 8 y", "x 1381 234 5678 y",
    "x 138 123 45678 y", "x 1381-2345678 y", "x 138|1234|5678 y", "x 138*1234*5678 y", "x 138'1234'5678 y",
    "x 138;1234;5678 y", "x 138#1234#5678 y", "x 138+1234+5678 y", "x 138=1234=5678 y",
    "x 138\u{30FC}1234\u{30FC}5678 y", "x 138       1234       5678 y", "x 13812345678abc y",
    "x 138 1234 5678ext y", "id 110 105 1990 0101 1234",
  ])
  func d3_everyWayOfJoiningTheDigitsIsMasked(text: String) {
    let digits = String(
      PersonalNumberMask.mask(text).unicodeScalars.filter { $0.isASCII && $0.properties.numericType != nil }.map(
        Character.init))
    #expect(
      !digits.contains("13812345678") && !digits.contains("110105199001011234"), "\(PersonalNumberMask.mask(text))")
  }
}
