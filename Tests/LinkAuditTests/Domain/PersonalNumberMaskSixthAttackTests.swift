import LinkAuditCore
import Testing

/// ID and mobile numbers as the sixth attack wrote them (red-team F5, F15): 15-digit IDs in any grouping,
/// a birth date written as a date, full stops and backslashes between groups, X in every form Unicode
/// folds to X; and what must survive beside them (dates, times, amounts, addresses).
struct PersonalNumberMaskSixthAttackTests {
  /// F5: the attacker's spellings, each masked (an ID keeps its last four, a mobile its first three and last four).
  @Test(arguments: [
    ("x 1101 0590 0101 123 y", "x **** **** ***1 123 y"),
    ("x 110105 9001 01123 y", "x ****** **** *1123 y"),
    ("x 110 105 900 101 123 y", "x *** *** *** **1 123 y"),
    ("x 110105-9001-01-123 y", "x ******-****-*1-123 y"),
    ("x 110105 90.01.01 123 y", "x ****** **.**.*1 123 y"),
    ("x 110105 1990.01.01 1234 y", "x ****** ****.**.** 1234 y"),
    ("x 110105 1990/01/01 1234 y", "x ****** ****/**/** 1234 y"),
    ("x 110105-1990.01.01-1234 y", "x ******-****.**.**-1234 y"),
    ("x 110105.1990.01.01.123X y", "x ******.****.**.**.123X y"),
    ("x 138。1234。5678 y", "x 138。****。5678 y"),
    ("x 138｡1234｡5678 y", "x 138｡****｡5678 y"),
    ("x 138‧1234‧5678 y", "x 138‧****‧5678 y"),
    ("x 138\\1234\\5678 y", "x 138\\****\\5678 y"),
    ("x 138＼1234＼5678 y", "x 138＼****＼5678 y"),
    ("x 138.12.34.56.78 y", "x 138.**.**.56.78 y"),
    ("x 013812345678 y", "x 0138****5678 y"),
    ("x 0138 1234 5678 y", "x 0138 **** 5678 y"),
    ("x 11010519900101123Ⓧ y", "x **************123Ⓧ y"),
    ("x 11010519900101123ⓧ y", "x **************123ⓧ y"),
    ("x 11010519900101123𝐗 y", "x **************123𝐗 y"),
    ("x 11010519900101123𝑿 y", "x **************123𝑿 y"),
    ("x 11010519900101123𝖷 y", "x **************123𝖷 y"),
    ("x 11010519900101123🅇 y", "x **************123🅇 y"),
    ("x 11010519900101123🅧 y", "x **************123🅧 y"),
    ("x 11010519900101123🆇 y", "x **************123🆇 y"),
    ("x 11010519900101123⒳ y", "x **************123⒳ y"),
    ("x 11010519900101123ˣ y", "x **************123ˣ y"),
    ("x 11010519900101123 Ⓧ y", "x **************123 Ⓧ y"),
    ("身份证 110105 1990.01.01 1234。", "身份证 ****** ****.**.** 1234。"),
    ("手机 138。1234。5678，身份证 1101 0590 0101 123。", "手机 138。****。5678，身份证 **** **** ***1 123。"),
  ])
  func f5_everySpellingOfTheAttackIsMasked(text: String, masked: String) {
    #expect(PersonalNumberMask.mask(text) == masked)
    #expect(PersonalNumberMask.mask(masked) == masked, "its own fixed point")
    #expect(PersonalNumberMask.carriesPersonalNumber(text), "an id or a filer value carrying it is refused")
  }

  /// F5: dates, times, amounts, addresses and versions in ordinary text are not numbers of a person: kept.
  @Test(arguments: [
    "2021.12.31", "from 2021.01.01 to 2021.03.31", "2021/12/31 10:30:45", "2021.12.31 10:30:45 1234",
    "192.168.100.10", "10.130.123.45", "¥13,812,345,678", "13:45, 14:30, 15:00", "v1.3.8.1234", "1.380.000元",
    "IMEI 8612 3456 7890 123", "2021年12月31日 13:45。", "第13。81条", "第138。1234号文件", "C:\\data\\2021\\12",
    "订单 2021.12.31 共 1380 元", "x 1101 0590 0132 123 y",
  ])
  func f5_datesAndAmountsInOrdinaryTextAreKept(text: String) {
    #expect(PersonalNumberMask.mask(text) == text)
  }

  /// F15: the filer's phone and email may be a mobile (the declared contact), never an ID number.
  @Test func f15_anIDNumberIsToldFromAMobile() {
    for text in [
      "110105199001011234", "110105199001011234@qq.com", "11010519900101123X", "1101 0590 0101 123",
      "110105 1990.01.01 1234", "id11010519900101123Ⓧ@example.com",
    ] {
      #expect(PersonalNumberMask.carriesIDNumber(text), "\(text)")
    }
    for text in [
      "13812345678", "138 1234 5678", "+86 138 1234 5678", "010-6552 0000", "compliance@example.com",
      "13812345678@qq.com",
    ] {
      #expect(!PersonalNumberMask.carriesIDNumber(text), "\(text)")
    }
  }

  /// D3, kept (docs/reliability.md): letters are read as letters, in the mask and in every rule
  /// built on it (ids, filer values, names), so a number spelt with letters is one nowhere.
  @Test func d3_lettersStayLettersEverywhere() {
    for text in ["l38l2345678", "138o12345678", "11O1O519900101123X"] {
      #expect(PersonalNumberMask.mask(text) == text)
      #expect(!PersonalNumberMask.carriesPersonalNumber(text))
      #expect(!PersonalNumberMask.carriesIDNumber(text))
    }
  }
}
