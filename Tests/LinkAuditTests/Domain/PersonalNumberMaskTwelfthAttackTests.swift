import LinkAuditCore
import Testing

/// Issue 30, the twelfth attack's L8: marks written as an apostrophe or a
/// quote between digit groups left a phone number unmasked, one more list
/// entry per attack (J6, K3). Now a rule by class (`isQuoteLike`): every
/// modifier symbol and letter (Sk, Lm), every punctuation or symbol Unicode
/// names an apostrophe, quotation mark, prime, geresh or gershayim, and the
/// saltillo. What such marks also write has no number's length of digits and
/// stays as written. Rows: docs/reliability-round8-larc.md.
struct PersonalNumberMaskTwelfthAttackTests {
  /// L8: the attacker's marks, and others of the same classes.
  static let marks: [String] = [
    "\u{2BB}", "\u{2BD}", "\u{2C8}", "\u{2CA}", "\u{2CB}", "\u{2035}", "\u{2057}", "\u{A8}", "\u{2DD}", "\u{A78C}",
    "\u{5F3}", "\u{5F4}", "\u{1FBD}", "\u{384}", "\u{1FFD}",
    // The same classes beyond the attacker's list: ʾ ʿ (Lm), ՚ (Armenian apostrophe), ‶ (reversed double
    // prime), ❜ (a quotation mark ornament, So), Ꞌ (the capital saltillo), ˮ (double apostrophe, Lm), ¯ (Sk).
    "\u{2BE}", "\u{2BF}", "\u{55A}", "\u{2036}", "\u{275C}", "\u{A78B}", "\u{2EE}", "\u{AF}",
  ]

  @Test(arguments: marks)
  func l8_aQuoteLikeMarkBetweenGroupsIsASeparator(mark: String) {
    for (text, masked) in [
      ("x 138\(mark)12345678 y", "x 138\(mark)****5678 y"),
      ("\(mark)138\(mark)12345678", "\(mark)138\(mark)****5678"),
      ("138\(mark)1234\(mark)5678", "138\(mark)****\(mark)5678"),
      ("110105\(mark)199001011234", "******\(mark)********1234"),
    ] {
      #expect(PersonalNumberMask.mask(text) == masked, "\(text)")
      #expect(PersonalNumberMask.mask(masked) == masked, "its own fixed point: \(masked)")
      #expect(PersonalNumberMask.carriesPersonalNumber(text), "\(text)")
    }
  }

  /// L8: the K3 marks are still masked, now by the class rule, not a list.
  @Test func l8_theListedMarksAreMaskedByTheirClass() {
    for mark in ["＂", "｀", "´", "ʼ", "′", "″", "‴", "＇", "ʹ", "ʺ"] {
      #expect(PersonalNumberMask.isQuoteLike(mark.unicodeScalars.first!), "\(mark)")
      #expect(PersonalNumberMask.mask("138\(mark)12345678") == "138\(mark)****5678", "\(mark)")
    }
    // Not quote-like: letters (but the saltillo), digits, the degree sign, other punctuation.
    for other in ["a", "é", "ŉ", "中", "°", "§", "!", "¿", "٫", "〃"] {
      #expect(!PersonalNumberMask.isQuoteLike(other.unicodeScalars.first!), "\(other)")
    }
    // The modifier x is an ID's check character, never a separator before it.
    #expect(!PersonalNumberMask.isQuoteLike("ˣ"))
    #expect(PersonalNumberMask.mask("x 11010519900101123ˣ y") == "x **************123ˣ y")
  }

  /// L8: what those marks also write stays as written: heights, coordinates,
  /// Swiss amounts, decades, possessives, words in scripts that use them.
  @Test(arguments: [
    "5′11″", "39°54′27″N", "116°23′17″E", "CHF 1´380´000.00", "CHF 1ʹ380ʹ000.00", "the ʼ90s", "the 1990ʼs",
    "Hawaiʻi 96813", "2021ʻ12", "ˈ138 stress", "13ˊ8", "5¨11", "1˝2", "׳2021״", "ꞌ2021ꞌ12",
    "Q4ʼ2021 report 12", "138ｰ12345678", "138ー12345678",
  ])
  func l8_lookalikesAreKept(text: String) {
    #expect(PersonalNumberMask.mask(text) == text)
    #expect(!PersonalNumberMask.carriesPersonalNumber(text))
  }

  /// L8: the half-width long-vowel mark ｰ groups as ー does: three groups or more.
  @Test func l8_theHalfWidthLongVowelMarkIsTheFullWidthOnes() {
    #expect(PersonalNumberMask.mask("138ｰ1234ｰ5678") == "138ｰ****ｰ5678")
    #expect(PersonalNumberMask.mask("138ー1234ー5678") == "138ー****ー5678")
  }
}
