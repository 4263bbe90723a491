import LinkAuditCore
import Testing

/// A mobile or ID number with a group in brackets (red-team H7): brackets, ASCII and full-width, `()`
/// `[]` `（）` `［］` `【】` `〔〕`, are separators like a space or a dash, whatever grouping follows (3+8
/// as well as 3+4+4, 6+12 and 6+8+4 for an ID), for the mask and for `carriesPersonalNumber` (the
/// filer, name and id rules) alike. 3+8 written with `.`, `/` or `·` stays as written (the B3 rule
/// kept: `139.12345678` is a decimal, `1381234/5678` a fraction).
struct PersonalNumberMaskEighthAttackTests {
  /// H7: the attacker's list, each masked; I4's other brackets, quotes and dashes.
  static let h7: [(String, String)] = [
    ("(138)12345678", "(138)****5678"),
    ("138)12345678", "138)****5678"),
    ("（138）12345678", "（138）****5678"),
    ("[138]12345678", "[138]****5678"),
    ("［138］12345678", "［138］****5678"),
    ("138【1234】5678", "138【****】5678"),
    ("〔138〕12345678", "〔138〕****5678"),
    ("x [138]12345678 y", "x [138]****5678 y"),
    ("(110105)199001011234", "(******)********1234"),
    ("110105【19900101】1234X", "******【********】1234X"),
    ("(110105)(19900101)1234", "(******)(********)1234"),
    ("联系人(138)12345678 或 （139）12345678", "联系人(138)****5678 或 （139）****5678"),
    ("李示例 (138)12345678", "李示例 (138)****5678"),
    ("ZZ Shop 客服(138)12345678", "ZZ Shop 客服(138)****5678"),
    ("(138)1234-5678", "(138)****-5678"),
    ("(138) 1234 5678", "(138) **** 5678"),
    ("138(1234)5678", "138(****)5678"),
    ("+86(138)12345678", "+86(138)****5678"),
    ("110105(19900101)1234", "******(********)1234"),
    // Attacking the fix: the other brackets.
    ("{138}12345678", "{138}****5678"),
    ("<138>12345678", "<138>****5678"),
    ("「138」12345678", "「138」****5678"),
    ("『138』12345678", "『138』****5678"),
    ("《138》12345678", "《138》****5678"),
    ("〈138〉12345678", "〈138〉****5678"),
    ("｛138｝12345678", "｛138｝****5678"),
    ("＜138＞12345678", "＜138＞****5678"),
    ("(138)(1234)(5678)", "(138)(****)(5678)"),
    ("a(13812345678)b", "a(138****5678)b"),
    // I4: any bracket, quote or dash Unicode names so, not only the forms listed.
    ("﹙138﹚12345678", "﹙138﹚****5678"),
    ("⁽138⁾12345678", "⁽138⁾****5678"),
    ("₍138₎12345678", "₍138₎****5678"),
    ("❨138❩12345678", "❨138❩****5678"),
    ("⟨138⟩12345678", "⟨138⟩****5678"),
    ("〘138〙12345678", "〘138〙****5678"),
    ("⦅138⦆12345678", "⦅138⦆****5678"),
    ("\"138\"12345678", "\"138\"****5678"),
    ("“138”12345678", "“138”****5678"),
    ("«138»12345678", "«138»****5678"),
    ("‹138›12345678", "‹138›****5678"),
    ("‘138’12345678", "‘138’****5678"),
    ("138⁃1234⁃5678", "138⁃****⁃5678"),
    ("138⸺1234⸺5678", "138⸺****⸺5678"),
    // J6: the ASCII apostrophe quotes a group as `"` does; the wave dash 〜 is a dash (Pd).
    ("'138'12345678", "'138'****5678"),
    ("x '138'12345678 y", "x '138'****5678 y"),
    ("138〜12345678", "138〜****5678"),
    ("138〜1234〜5678", "138〜****〜5678"),
    ("x 138〜12345678 y", "x 138〜****5678 y"),
    ("'110105'199001011234", "'******'********1234"),
    // Attacking the fix: the full-width apostrophe and the backtick quote alike.
    ("＇138＇12345678", "＇138＇****5678"),
    // K3: the full-width quote and backtick, the acute accent, the modifier apostrophe and the primes.
    ("138＂12345678", "138＂****5678"), ("138｀12345678", "138｀****5678"), ("138´12345678", "138´****5678"),
    ("138ʼ12345678", "138ʼ****5678"), ("138′12345678", "138′****5678"), ("″138″12345678", "″138″****5678"),
    ("`138`12345678", "`138`****5678"),
  ]

  @Test(arguments: h7)
  func h7_aNumberWithAGroupInBracketsIsMasked(text: String, masked: String) {
    #expect(PersonalNumberMask.mask(text) == masked)
    #expect(PersonalNumberMask.mask(masked) == masked, "its own fixed point")
    #expect(PersonalNumberMask.carriesPersonalNumber(text), "a filer value, name or id carrying it is refused")
    #expect(!PersonalNumberMask.carriesPersonalNumber(masked))
  }

  /// H7: an ID in brackets is an ID to the filer's phone and email rule too.
  @Test func h7_anIDInBracketsIsAnID() {
    #expect(PersonalNumberMask.carriesIDNumber("(110105)199001011234"))
    #expect(PersonalNumberMask.carriesIDNumber("110105【19900101】1234X"))
    #expect(!PersonalNumberMask.carriesIDNumber("(138)12345678"))
  }

  /// H7: what brackets also write stays as written, and 3+8 with `.`, `/`, `·` is the B3 rule's (kept).
  @Test(arguments: [
    "(2021)12", "(2021)1234号", "v1.3.8", "192.168.1.100", "(138)", "[1]", "(010)12345678", "(0755)12345678",
    "〔2021〕12号", "【2021】12345", "138.12345678", "138/12345678", "138·12345678", "139.12345678",
    "f(1)(3)", "（2021）第138号", "2021(12)31", "订单(2021)12345678", "<td>138</td><td>1234</td>", "a<1381>b",
    "“2021”12", "«2021»第12号", "\"2021\"", "(2021)京0105民初12345号",
    // J6: what the apostrophe and the wave dash also write.
    "'2021'12", "don't call 138 before 12", "it's 2021'12'31", "rock'n'roll 138'12", "1〜3", "2021〜2022",
    "10:00〜12:00", "138~12345678", "138～12345678", "CHF 1'380'000",
    "`2021`12", "＇2021＇12",
  ])
  func h7_lookalikesAreKept(text: String) {
    #expect(PersonalNumberMask.mask(text) == text)
    #expect(!PersonalNumberMask.carriesPersonalNumber(text))
  }

  /// H7: the corpus promise (whatever the rule finds, the mask masks) over this list as well.
  @Test func h7_whatTheRuleFindsTheMaskMasks() {
    for text in Self.h7.map(\.0) + PersonalNumberMaskSeventhAttackTests.corpus {
      let masked = PersonalNumberMask.mask(text)
      #expect(PersonalNumberMask.mask(masked) == masked, "\(text)")
      guard PersonalNumberMask.carriesPersonalNumber(text) else { continue }
      #expect(!PersonalNumberMask.carriesPersonalNumber(masked), "\(text) → \(masked)")
    }
  }
}
