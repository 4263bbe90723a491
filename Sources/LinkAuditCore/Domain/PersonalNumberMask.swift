import Foundation

/// Masks mainland mobile numbers (11 digits, 1[3-9]…) and resident ID numbers
/// (17 digits and a digit or X) in free text: 138****5678, **************123X
/// (an ID keeps only its last four characters, as the regulator's review asked:
/// the region and birth date of its first ten identify a person too).
///
/// Numbers are found as people write them: in any script's decimal digits
/// (full-width １３８…, Arabic-Indic ١٣٨…), in Chinese numerals (一三八…,
/// 壹叁捌…, 〇/零), circled or superscript (①③⑧, ¹³⁸), in groups
/// (`138 1234 5678`, `1381 2345 678`, `138-1234-5678`, `138.1234.5678`,
/// `138/1234/5678`, `138,1234,5678`, `138:1234:5678`, `(138)1234-5678`,
/// `110105 19900101 123X`) split by any space (thin, hair, figure…), line
/// separator or invisible character, digit by digit (`1 3 8 1 2 3 4 5 6 7 8`)
/// and after a country code (`+86`, `0086`). Only a whole number is masked (a
/// run of digit groups with nothing but the grouping between them), so order
/// numbers, dates and the like are kept. Letters stay letters: `l38l2345678`
/// and `138o12345678` are not read as numbers (reading l, I, o, O as digits
/// would mask words, codes and hosts; docs/reliability.md, D3).
public enum PersonalNumberMask {
  public static func mask(_ text: String) -> String {
    // Again until nothing changes: a number masked may free the groups it
    // shared with its neighbour to make one of their own (`138 1234 1101 0519
    // 9001 0112 34`), and the mask's output must be its own fixed point.
    var current = text
    while true {
      guard let (next, again) = maskOnce(current) else { return hidingOldIDRegions(current) }
      guard again else { return hidingOldIDRegions(next) }
      current = next
    }
  }

  /// An ID number masked as this mask did before issue 32, as text imported
  /// or filed then still holds it: its digit positions 7–14 starred, its
  /// region code and birth year shown, in whatever grouping and script it was
  /// written (`110105********123X`, `110105 ******** 1234`,
  /// `1101 05** **** **12 34`, `１１０１０５********１２３４`: red-team E3). Its first
  /// six digits are starred too, so every output shows only the last four.
  static func hidingOldIDRegions(_ text: String) -> String {
    guard text.contains("*") else { return text }
    var s = Array(text.unicodeScalars)
    func unit(_ k: Int) -> Bool { k >= 0 && k < s.count && (s[k] == "*" || digit(s[k]) != nil) }
    var changed = false
    var i = 0
    while i < s.count {
      guard unit(i), !unit(i - 1) else {
        i += 1
        continue
      }
      // One token: groups of digits and stars joined by separators, as the mask read them.
      var groups: [Range<Int>] = []
      var j = i
      while true {
        let start = j
        while unit(j) { j += 1 }
        groups.append(start..<j)
        var k = j
        while k < s.count, k - j < 16, s[k] != "*", isSeparator(s[k]) { k += 1 }
        guard k > j, unit(k) else { break }
        j = k
      }
      // Its runs of whole groups of 18 characters, or 17 and the check character after them.
      var first = 0
      while first < groups.count {
        var found = false
        var count = 0
        for stop in first..<min(groups.count, first + 22) {
          count += groups[stop].count
          guard count <= 18 else { break }
          let checkAfter = stop == groups.count - 1 && checkCharacterAfter(groups[stop].upperBound, in: s) != nil
          guard count == 18 || (count == 17 && checkAfter) else { continue }
          let positions = groups[first...stop].flatMap { Array($0) }
          let starred = positions[6..<14].allSatisfy { s[$0] == "*" }
          let shown = positions[0..<6].allSatisfy { s[$0] != "*" } && positions[14...].allSatisfy { s[$0] != "*" }
          if starred, shown {
            for k in positions[0..<6] { s[k] = "*" }
            changed = true
            found = true
            first = stop + 1
            break
          }
        }
        if !found { first += 1 }
      }
      i = j
    }
    guard changed else { return text }
    var out = String.UnicodeScalarView()
    out.append(contentsOf: s)
    return String(out)
  }

  /// The position just past an ID's check character at `position` or after a
  /// few separators (`…123X`, `…123 X`, `…123-X`: red-team E4), or nil.
  static func checkCharacterAfter(_ position: Int, in s: [Unicode.Scalar]) -> Int? {
    var k = position
    while k < s.count, k - position < 3, s[k] != "*", isSeparator(s[k]) { k += 1 }
    guard k < s.count, isCheckCharacter(s[k]) else { return nil }
    return k + 1
  }

  /// X as an ID's check character is written, and what it is mistaken for:
  /// every Latin X Unicode folds to X under NFKC (full-width Ｘ ｘ, the Roman
  /// numeral Ⅹ ⅹ, circled Ⓧ ⓧ, the mathematical 𝐗 𝑿 𝖷…, squared 🅇, modifier ˣ
  /// and subscript ₓ: red-team F5), the Latin X forms NFKC keeps apart (negative
  /// circled and squared 🅧 🆇, parenthesized 🄧 ⒳, named a LATIN … LETTER X), and,
  /// by a list, signs and other scripts' letters that look like it: × ✕ ✖ ✗ ✘ ╳,
  /// Greek and Cyrillic Χ χ Х х (red-team E4).
  static func isCheckCharacter(_ s: Unicode.Scalar) -> Bool {
    switch s.value {
    case 0x58, 0x78, 0xD7, 0x2715, 0x2716, 0x2717, 0x2718, 0x2573, 0x3A7, 0x3C7, 0x425, 0x445: return true
    case 0..<0x80: return false
    default:
      // Only these categories hold a Latin X (a mark or a space is a separator, never the check character);
      // and a Han character, the most frequent after a number, is not normalised for nothing.
      switch s.properties.generalCategory {
      case .uppercaseLetter, .lowercaseLetter, .modifierLetter, .letterNumber, .otherSymbol: break
      default: return false
      }
      let folded = String(Character(s)).precomposedStringWithCompatibilityMapping
      if folded == "X" || folded == "x" { return true }
      guard let name = s.properties.name else { return false }
      return name.hasSuffix("LATIN CAPITAL LETTER X") || name.hasSuffix("LATIN SMALL LETTER X")
    }
  }

  /// The text with the numbers one pass finds masked, or nil when it finds
  /// none; `again` when a number masked left groups of its token that
  /// another pass may find a number in.
  private static func maskOnce(_ text: String, idsOnly: Bool = false) -> (String, again: Bool)? {
    var scalars = Array(text.unicodeScalars)
    var changed = false
    var again = false
    var i = 0
    while i < scalars.count {
      guard digit(scalars[i]) != nil else {
        i += 1
        continue
      }
      // One token: digit groups joined by separators (up to sixteen between
      // two groups: `138  --  1234  --  5678`), maybe an X at the end.
      var groups: [Range<Int>] = []
      // Whether the separators after each group hold punctuation.
      var punctuatedAfter: [Bool] = []
      var j = i
      while true {
        let start = j
        while j < scalars.count, digit(scalars[j]) != nil { j += 1 }
        groups.append(start..<j)
        var k = j
        while k < scalars.count, k - j < 16, isSeparator(scalars[k]) { k += 1 }
        guard k > j, k < scalars.count, digit(scalars[k]) != nil else { break }
        punctuatedAfter.append(scalars[j..<k].contains { punctuation.contains($0) })
        j = k
      }
      var end = j
      // The check character, joined to the last group or after a separator (`…123 X`: red-team E4).
      let xEnd = checkCharacterAfter(end, in: scalars)
      let hasX = xEnd != nil
      let xJoined = xEnd == end + 1
      if let xEnd { end = xEnd }
      let plus = i > 0 && (scalars[i - 1] == "+" || scalars[i - 1] == "＋")
      // The whole token, else the longest run of its groups that is a whole
      // number (`139,8765,4321 / 一三九…` is two numbers side by side); no
      // number is longer than 22 digits and groups, so few runs are tried.
      // A word joined after the number does not save it (`13812345678abc`, `… 5678ext`: red-team D3).
      let last = groups.count
      // Digits before each group: a run is tried only when its digits can make a number
      // (11 a mobile's, 12 one dialled with a leading 0, 13 or 15 one after 86 or 0086, 17 and an X or 18 an ID's).
      var before = [0]
      for g in groups { before.append(before[before.count - 1] + g.count) }
      var first = 0
      while first < last {
        var found = false
        var stop = min(last, first + 22)
        while stop > first {
          let run = first..<stop
          switch before[stop] - before[first] {
          case 11, 12, 13, 15, 17, 18: break
          default:
            stop -= 1
            continue
          }
          let punctuated = run.dropLast().contains { punctuatedAfter[$0] }
          // `138.12345678` is a decimal (a longitude), `1381234/5678` a
          // fraction, `10:30` a time, `1,380` money, `1~3` a range: with such
          // punctuation only three groups or more make a number.
          // An X after a separator may be a word's (`13812345678 Xu`): then the digits are tried alone. So
          // may one joined to them, when it would make the run too long for its number (`13812345678x801`,
          // an extension; `110105199001011234X`, a doubled check character: red-team G10), but only when
          // the run is the whole token, one unbroken group or an ID's 18 digits: `2021 138 1234 5678x` is
          // some other code.
          func masking(hasX: Bool) -> [Int]? {
            maskPositions(
              groups: Array(groups[run]), hasX: hasX, plus: plus && first == 0, anyGrouping: !punctuated,
              wholeToken: run == 0..<last, idsOnly: idsOnly, in: scalars)
          }
          let withX = hasX && stop == groups.count
          if !(punctuated && run.count < 3),
            let masked = masking(hasX: withX)
              ?? (withX && (!xJoined || run == 0..<last || run.count == 1 || before[stop] - before[first] == 18)
                ? masking(hasX: false) : nil)
          {
            for k in masked { scalars[k] = "*" }
            changed = true
            found = true
            again = again || run.count < groups.count
            break
          }
          stop -= 1
        }
        first = found ? stop : first + 1
      }
      i = end
    }
    guard changed else { return nil }
    var out = String.UnicodeScalarView()
    out.append(contentsOf: scalars)
    return (String(out), again)
  }

  /// A URL as an output shows it: its numbers masked as written and, where
  /// the URL encodes them (`%20` or `+` between the groups, `%2B86` before
  /// one), as a browser decodes them; the decoded form is shown when it
  /// holds a number to mask.
  public static func maskURL(_ url: String) -> String {
    let direct = mask(url)
    guard url.contains("%") || url.contains("+") else { return direct }
    let decoded = percentDecoded(url)
    let masked = mask(decoded)
    return masked == decoded ? direct : masked
  }

  /// `%HH` escapes decoded (bytes that do not make UTF-8 kept as written), `+` read as a space.
  static func percentDecoded(_ text: String) -> String {
    // `+` is read as a space before the escapes are decoded: `%2B` stays a plus.
    let bytes = LinkAuditCore.percentDecoded(text.utf8.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: " ") : $0 })
    return String(validating: bytes, as: UTF8.self) ?? text
  }

  /// True when `text` holds a resident ID number anywhere (found as the mask
  /// finds one, or 18 digits, or 17 and a check character, joined to anything:
  /// `110105199001011234@qq.com`), a mobile number aside: the filer's phone and
  /// email may be a mobile, never an ID (red-team F15).
  public static func carriesIDNumber(_ text: String) -> Bool {
    if maskOnce(text, idsOnly: true) != nil { return true }
    return digitRuns(text).contains { $0.digits.count == 18 || ($0.digits.count == 17 && $0.checkAfter) }
  }

  /// Every run of digits in `text` (any script's), and whether a check character follows it.
  private static func digitRuns(_ text: String) -> [(digits: [Int], checkAfter: Bool)] {
    let scalars = Array(text.unicodeScalars)
    var runs: [(digits: [Int], checkAfter: Bool)] = []
    var i = 0
    while i < scalars.count {
      guard digit(scalars[i]) != nil else {
        i += 1
        continue
      }
      var j = i
      while j < scalars.count, digit(scalars[j]) != nil { j += 1 }
      runs.append((scalars[i..<j].map { digit($0)! }, j < scalars.count && isCheckCharacter(scalars[j])))
      i = j
    }
    return runs
  }

  /// True when `text` holds a mobile or ID number anywhere, however it is
  /// joined to what surrounds it (`13812345678-01`, `13812345678a`,
  /// `110105199001011234-2`): a run of digits that is one, or that the mask finds.
  public static func carriesPersonalNumber(_ text: String) -> Bool {
    if mask(text) != text { return true }
    return digitRuns(text).contains { run in
      (run.digits.count == 11 && run.digits[0] == 1 && (3...9).contains(run.digits[1]))
        || run.digits.count == 18 || (run.digits.count == 17 && run.checkAfter)
    }
  }

  /// The scalar positions to mask in a token, or nil when it is not a whole mobile or ID number.
  /// `anyGrouping`: the groups are joined by spaces, dashes, brackets, marks or invisible characters alone, as a
  /// number is read out in any grouping (`138 12 34 56 78`, `1381-2345678`: red-team D3); with
  /// punctuation only the usual groupings count, since `.`, `/` and the like write other things too.
  private static func maskPositions(
    groups: [Range<Int>], hasX: Bool, plus: Bool, anyGrouping: Bool, wholeToken: Bool, idsOnly: Bool,
    in s: [Unicode.Scalar]
  ) -> [Int]? {
    let positions = groups.flatMap { Array($0) }
    let digits = positions.map { digit(s[$0])! }
    let lengths = groups.map(\.count)
    // A country code before a mobile number: +86 or 0086, joined to it or a group of its own.
    var skip = 0
    if !hasX {
      // 86 written before the number (+86, 86 138…, or joined: 8613812345678 as a URL's tel=%2B86… reads).
      if plus || lengths[0] == 2 || lengths == [13], digits.count == 13, digits.starts(with: [8, 6]) {
        skip = 2
      } else if digits.count == 15, digits.starts(with: [0, 0, 8, 6]) {
        skip = 4
      } else if digits.count == 12, digits[0] == 0 {
        // A mobile dialled from a landline in another city: 0 before it (`013812345678`: red-team F5).
        skip = 1
      }
    }
    var local = lengths
    if skip > 0 {
      if lengths[0] == skip {
        local.removeFirst()
      } else if lengths[0] > skip {
        local[0] -= skip
      } else {
        return nil
      }
    }
    // Unbroken, grouped the way numbers are read out (3-4-4, 4-4-3, 3-8, 7-4), digit by digit, or in five
    // groups or more of two digits or more (`138.12.34.56.78`: red-team F5; an IP address has four, a date three).
    if !idsOnly, !hasX, digits.count - skip == 11, digits[skip] == 1, (3...9).contains(digits[skip + 1]),
      anyGrouping || [[11], [3, 4, 4], [4, 4, 3], [3, 8], [7, 4]].contains(local) || local.allSatisfy({ $0 == 1 })
        || (local.count >= 5 && local.allSatisfy { $0 >= 2 })
    {
      return Array(positions[(skip + 3)..<(skip + 7)])
    }
    // A first-generation ID (15 digits: region, birth date YYMMDD, sequence), still found in older records
    // (red-team E4), in any grouping by spaces and dashes when it is the whole token (`1101 0590 0101 123`:
    // red-team F5; inside a longer one, fifteen of its digits are more likely part of an 18-digit ID or a
    // mobile beside one), or with its birth date written as a date (`110105 90.01.01 123`). Fifteen digits
    // write other things too (IMEIs, waybills), so its province and birth date must be ones an ID can hold.
    if !hasX, skip == 0, digits.count == 15,
      (anyGrouping && wholeToken) || [[15], [6, 6, 3], [6, 9]].contains(lengths) || isDated(lengths, year: 2),
      isProvince(digits[0] * 10 + digits[1]), isMonthAndDay(digits, at: 8)
    {
      return Array(positions[0..<11])
    }
    let idLengths: [[Int]] =
      hasX ? [[17], [6, 8, 3], [6, 4, 4, 3], [4, 4, 4, 4, 1]] : [[18], [6, 8, 4], [6, 4, 4, 4], [4, 4, 4, 4, 2]]
    if digits.count == (hasX ? 17 : 18),
      anyGrouping || idLengths.contains(lengths) || (isDated(lengths, year: 4) && isMonthAndDay(digits, at: 10))
    {
      // Only the last four characters shown (three digits and the X, or four digits).
      return Array(positions[0..<14])
    }
    return nil
  }

  /// An ID whose birth date is written as a date, with any punctuation (`110105 1990.01.01 1234`,
  /// `110105-1990/01/01-123X`: red-team F5): the region's six digits, the year's `year`, month and day in
  /// two each, and the rest in one group.
  private static func isDated(_ lengths: [Int], year: Int) -> Bool {
    lengths.count == 5 && lengths[0] == 6 && lengths[1] == year && lengths[2] == 2 && lengths[3] == 2
  }

  /// Whether the digits at `position` and after are a month and a day (MMDD).
  private static func isMonthAndDay(_ digits: [Int], at position: Int) -> Bool {
    (1...12).contains(digits[position] * 10 + digits[position + 1])
      && (1...31).contains(digits[position + 2] * 10 + digits[position + 3])
  }

  /// The provinces' codes an ID number starts with (GB/T 2260).
  private static func isProvince(_ code: Int) -> Bool {
    [
      11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62,
      63,
      64, 65, 71, 81, 82, 83,
    ].contains(code)
  }

  /// Between the groups of one number: every space (Unicode's Zs: thin,
  /// hair, figure, narrow no-break…), line and paragraph separators, every
  /// invisible character (Default_Ignorable_Code_Point: zero-width spaces and
  /// joiners, U+034F, variation selectors), every dash (hyphen, the dashes
  /// U+2010–U+2015, the hyphen bullet U+2043 (I4), minus, their small and full-width forms), the brackets
  /// and the punctuation below, and every mark written as a quote (`isQuoteLike`).
  static func isSeparator(_ s: Unicode.Scalar) -> Bool {
    switch s.value {
    case 0x2D, 0x2010...0x2015, 0x2043, 0x2212, 0xFE58, 0xFE63, 0xFF0D, 0x2028, 0x2029:
      return true
    default:
      // The ASCII quote, apostrophe and backtick quote a group (`"138"12345678`, `'138'12345678`: red-team I4, J6).
      if s.isASCII {
        return s == " " || s == "\"" || s == "'" || s == "`" || brackets.contains(s) || punctuation.contains(s)
      }
      // A combining mark on a digit (a keycap, an underline, a stroke) or between groups hides
      // nothing: the number displays whole (red-team D3).
      // Any bracket, quote or dash Unicode names so (its Ps, Pe, Pi, Pf and Pd categories: `﹙138﹚`, `“138”`,
      // `«138»`, `⁽138⁾`, `⸺`) is one too, not only the forms listed (red-team I4).
      return brackets.contains(s) || punctuation.contains(s)
        || Self.groupingCategories.contains(s.properties.generalCategory)
        || s.properties.generalCategory == .spaceSeparator
        || s.properties.isDefaultIgnorableCodePoint || s.properties.generalCategory == .nonspacingMark
        || s.properties.generalCategory == .enclosingMark || isQuoteLike(s)
    }
  }

  /// A mark written as an apostrophe, a quote or a prime, by its class, not
  /// by a list that grows with each attack (red-team J6, K3, L8): every
  /// modifier symbol and modifier letter (Unicode's Sk and Lm: the spacing
  /// accents ´ ¨ ˝ ΄ ᾽, the modifier apostrophes ʼ ʻ ʽ, the tone marks ˊ ˋ
  /// an input method types, the stress mark ˈ, the full-width backtick),
  /// every other punctuation or symbol Unicode names an apostrophe, a
  /// quotation mark, a prime, a geresh or gershayim (′ ″ ‵ ⁗ ＂ ＇ ׳ ״ ՚ ❛),
  /// and the saltillo ꞌ, a letter written as an apostrophe. Quotes a group
  /// (`138ʻ12345678`) as `'` does; what such marks also write (`5′11″`,
  /// `39°54′27″N`, `CHF 1´380´000.00`) has no number's length of digits.
  /// A mark that is an ID's check character (the modifier ˣ) is that, not this.
  package static func isQuoteLike(_ s: Unicode.Scalar) -> Bool {
    if isCheckCharacter(s) { return false }
    switch s.properties.generalCategory {
    case .modifierSymbol, .modifierLetter: return true
    // The saltillo, Ꞌ and ꞌ: letters, written as an apostrophe (in Mexican languages' orthographies).
    case .uppercaseLetter, .lowercaseLetter: return s.value == 0xA78B || s.value == 0xA78C
    case .otherPunctuation, .otherSymbol:
      guard let name = s.properties.name else { return false }
      let words = name.split(separator: " ")
      return words.contains("APOSTROPHE") || words.contains("PRIME") || words.contains("GERESH")
        || words.contains("GERSHAYIM") || name.contains("QUOTATION MARK")
    default: return false
    }
  }

  /// Unicode's brackets, quotes and dashes, whatever their form (red-team I4).
  private static let groupingCategories: Set<Unicode.GeneralCategory> = [
    .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation, .dashPunctuation,
  ]

  /// Brackets around a group (`(138)12345678`, `138)12345678`, `（138）12345678`, `[138]12345678`,
  /// `138【1234】5678`, `(110105)199001011234`, `{138}…`, `<138>…`, `《138》…`, `「138」…`: red-team H7): separators like a space or a dash, so any
  /// grouping they make counts (3+8 as well as 3+4+4; 6+12 and 6+8+4 for an ID). A bracket writes no
  /// decimal, fraction or time, so nothing a number's length of digits in brackets writes is kept.
  private static let brackets: Set<Unicode.Scalar> = [
    "(", ")", "[", "]", "{", "}", "<", ">", "\u{FF08}", "\u{FF09}", "\u{FF3B}", "\u{FF3D}", "\u{FF5B}", "\u{FF5D}",
    "\u{FF1C}", "\u{FF1E}", "\u{3010}", "\u{3011}", "\u{3014}", "\u{3015}", "\u{3016}", "\u{3017}",
    // The CJK angle and corner brackets: 〈〉《》「」『』 (red-team H7, attacking the fix).
    "\u{3008}", "\u{3009}", "\u{300A}", "\u{300B}", "\u{300C}", "\u{300D}", "\u{300E}", "\u{300F}",
  ]

  /// Separators that also write decimals, fractions, paths, names, times,
  /// money and ranges (`.`, `/`, `_`, `,`, `·`, `:`, `~`, and their
  /// full-width forms): with them only three groups or more make a number, so
  /// `138.12345678` (a decimal), `138/12345678` (a fraction) and `138·12345678`
  /// stay as written (red-team H7, the B3 rule kept).
  private static let punctuation: Set<Unicode.Scalar> = [
    ".", "/", "_", ",", ":", "~", "\u{B7}", "\u{30FB}", "\u{3001}", "\u{FF0E}", "\u{FF0F}", "\u{FF3F}",
    "\u{FF0C}", "\u{FF1A}", "\u{FF5E}", "\u{FF65}",
    // And what else a number was seen split by (red-team D3): `| * ; # + =` and the long-vowel mark ー.
    // Not the apostrophe, a quote (red-team J6), nor the wave dash 〜 (U+301C): a dash, Unicode's Pd, like
    // the wavy dash 〰; listed here it had escaped the dash rule (red-team J6). `~` and `～` are no dashes.
    // The half-width long-vowel mark ｰ as ー (both modifier letters, which are quote-like otherwise: L8).
    "|", "*", ";", "#", "+", "=", "\u{30FC}", "\u{FF70}", "\u{FF5C}", "\u{FF0A}", "\u{FF1B}", "\u{FF03}", "\u{FF1D}",
    // The ideographic and half-width full stops, the hyphenation point and the backslash (red-team F5).
    "\u{3002}", "\u{FF61}", "\u{2027}", "\\", "\u{FF3C}",
  ]

  /// The value of a digit as any script writes it: Unicode's decimal digits
  /// (ASCII, full-width, Arabic-Indic…), and every character whose numeric
  /// value is a whole number 0 to 9: circled and superscript digits, Chinese
  /// numerals (一…九, 〇, 零, the financial 壹…玖); and 幺, 1 read out in a number.
  static func digit(_ s: Unicode.Scalar) -> Int? {
    if s.isASCII { return (48...57).contains(s.value) ? Int(s.value - 48) : nil }
    if s == "幺" { return 1 }
    guard s.properties.numericType != nil, let value = s.properties.numericValue, value >= 0, value <= 9,
      value == value.rounded()
    else { return nil }
    return Int(value)
  }
}
