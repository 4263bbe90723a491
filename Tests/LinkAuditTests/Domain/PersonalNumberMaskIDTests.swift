import LinkAuditCore
import Testing

/// ID numbers as the fifth attack wrote them (red-team E3, E4): text stored
/// under the older mask in any of its shapes, a check character split off or
/// written as a look-alike, and first-generation 15-digit IDs.
struct PersonalNumberMaskIDTests {
  /// E3: every shape the older mask left (digit positions 7–14 starred, whatever the grouping or
  /// script) shows only its last four now.
  @Test(arguments: [
    ("A 110105 ******** 1234 a", "A ****** ******** 1234 a"),
    ("B １１０１０５********１２３４ b", "B **************１２３４ b"),
    ("C 1101 05** **** **12 34 c", "C **** **** **** **12 34 c"),
    ("D 110105-********-123X d", "D ******-********-123X d"),
    ("E 110105 **** **** 1234 e", "E ****** **** **** 1234 e"),
    ("F 110105********123x f", "F **************123x f"),
    ("id 110105********1234 \\u{7}", "id **************1234 \\u{7}"),
    ("caller id 110105********1234 complained", "caller id **************1234 complained"),
    ("138 **** 5678 110105 ******** 1234", "138 **** 5678 ****** ******** 1234"),
  ])
  func e3_everyShapeOfTheOldMaskShowsOnlyTheLastFour(text: String, masked: String) {
    #expect(PersonalNumberMask.mask(text) == masked)
    #expect(PersonalNumberMask.mask(masked) == masked, "its own fixed point")
  }

  /// E3: what is not the older mask's shape is left as written.
  @Test(arguments: [
    "110105 ******* 1234", "110105 ******** 12345", "1101055 ******** 1234", "rating ******** 1234",
    "138****5678", "2021 ******** 1234", "**************1234",
  ])
  func e3_otherStarredTextIsKept(text: String) {
    #expect(PersonalNumberMask.mask(text) == text)
  }

  /// E4: the check character after a separator, or written as a look-alike, is the ID's: masked.
  @Test(arguments: [
    ("x 11010519900101123 X y", "x **************123 X y"),
    ("x 11010519900101123-X y", "x **************123-X y"),
    ("x 11010519900101123Ⅹ y", "x **************123Ⅹ y"),
    ("x 11010519900101123ⅹ y", "x **************123ⅹ y"),
    ("x 11010519900101123✕ y", "x **************123✕ y"),
    ("x 11010519900101123× y", "x **************123× y"),
    ("x 11010519900101123Ｘ y", "x **************123Ｘ y"),
    ("x 11010519900101123ｘ y", "x **************123ｘ y"),
    ("x 11010519900101123Х y", "x **************123Х y"),
    ("身份证 110105 19900101 123 X", "身份证 ****** ******** 123 X"),
  ])
  func e4_aCheckCharacterSplitOffOrALookAlikeIsTheIDs(text: String, masked: String) {
    #expect(PersonalNumberMask.mask(text) == masked)
    #expect(PersonalNumberMask.carriesPersonalNumber(text))
  }

  /// E4: a first-generation ID (15 digits: region, YYMMDD, sequence) keeps its last four.
  @Test(arguments: [
    ("旧身份证 110105900101123", "旧身份证 ***********1123"),
    ("x 110105 900101 123 y", "x ****** *****1 123 y"),
    ("x 110105-900101-123 y", "x ******-*****1-123 y"),
  ])
  func e4_aFifteenDigitIDIsMasked(text: String, masked: String) {
    #expect(PersonalNumberMask.mask(text) == masked)
  }

  /// Fifteen digits that cannot be an ID (no province, no birth date) are kept: waybills, IMEIs.
  @Test(arguments: ["SF 990105900101123", "waybill 110105901301123", "110105900132123", "202112011234567"])
  func e4_fifteenDigitsThatAreNoIDAreKept(text: String) {
    #expect(PersonalNumberMask.mask(text) == text)
  }

  /// A mobile number followed by a word starting with X is still masked as a mobile.
  @Test func aMobileBeforeAnXWordIsMasked() {
    #expect(PersonalNumberMask.mask("13812345678 Xu") == "138****5678 Xu")
  }

  /// Kept as a design choice (docs/reliability-round3-emask.md): 18 digits are masked as an ID whether or
  /// not they are one (the safe error), and letters that look like digits are letters.
  @Test func keptChoices() {
    #expect(PersonalNumberMask.mask("订单202112011234567890号") == "订单**************7890号")
    #expect(PersonalNumberMask.mask("l38l2345678") == "l38l2345678")
    #expect(PersonalNumberMask.mask("138o12345678") == "138o12345678")
  }
}
