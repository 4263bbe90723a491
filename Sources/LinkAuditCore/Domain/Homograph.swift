/// Homograph hosts (finding K3): a label that mixes scripts, such as `tаobao`
/// with a Cyrillic а, looks like another site's name.
///
/// A simple form of the UTS #39 "highly restrictive" level: a label's letters
/// come from one script, or from Latin with the scripts written beside it in
/// East Asia (Han with Hiragana and Katakana, Han with Bopomofo, Han with
/// Hangul). Digits, hyphens and combining marks belong to every script. The
/// scripts are told apart by code-point ranges of the blocks that hold them;
/// letters of the scripts not listed count as one further script, so they are
/// flagged when mixed with a listed one but not with each other. Whole-script
/// look-alikes (`аррӏе`, all Cyrillic) are not flagged: telling them needs
/// the confusables data, which this tool does not carry.
///
/// Three look-alike forms inside the allowed mixes are flagged too (finding
/// A22): a run of Han, kana, Bopomofo or Hangul letters right inside a Latin
/// word (`ta〇bao`, `taᄋbao`, `taロbao`: East Asian names set a Latin word
/// beside their own words, not one of their letters inside it); Latin letters
/// of phonetic notation (the IPA and Phonetic Extensions blocks but ə, which
/// Azerbaijani writes, and the dotless ȷ), which no language writes and many
/// of which copy a basic letter (`tɑobɑo`, `jd.cᴏm`, `ȷd`); and a character
/// like a dot between two Latin letters or digits (`taobao⸼com`, one label),
/// but the Catalan `l·l`.
public enum Homograph {
  enum Script: UInt32 {
    case latin = 1
    case greek = 2
    case cyrillic = 4
    case armenian = 8
    case hebrew = 16
    case arabic = 32
    case georgian = 64
    case cherokee = 128
    case han = 256
    case hiragana = 512
    case katakana = 1024
    case bopomofo = 2048
    case hangul = 4096
    case thai = 8192
    case other = 16384
    /// Not scripts: the look-alike forms of A22, named like scripts in the warning and on the sheet.
    case phoneticLatin = 32768
    case dotLookAlike = 65536

    static let names: [(script: Script, name: String)] = [
      (.latin, "Latin"), (.greek, "Greek"), (.cyrillic, "Cyrillic"), (.armenian, "Armenian"), (.hebrew, "Hebrew"),
      (.arabic, "Arabic"), (.georgian, "Georgian"), (.cherokee, "Cherokee"), (.han, "Han"), (.hiragana, "Hiragana"),
      (.katakana, "Katakana"), (.bopomofo, "Bopomofo"), (.hangul, "Hangul"), (.thai, "Thai"),
      (.other, "another script"), (.phoneticLatin, "phonetic Latin letters"), (.dotLookAlike, "a dot look-alike"),
    ]
  }

  /// The sets of scripts one label may combine.
  private static let allowed: [UInt32] = [
    Script.latin.rawValue | Script.han.rawValue | Script.hiragana.rawValue | Script.katakana.rawValue,
    Script.latin.rawValue | Script.han.rawValue | Script.bopomofo.rawValue,
    Script.latin.rawValue | Script.han.rawValue | Script.hangul.rawValue,
  ]

  /// True when a label of the (Unicode, lower-case) host mixes scripts.
  public static func mixesScripts(_ host: String) -> Bool { !mixedScripts(in: host).isEmpty }

  /// The scripts mixed in the first label of `host` that mixes them (`Latin,
  /// Cyrillic` for `tаobao.com`), in the order above; empty when none does.
  public static func mixedScripts(in host: String) -> [String] {
    // An ASCII host is all Latin: the common case costs one pass over its bytes.
    if host.utf8.allSatisfy({ $0 < 0x80 }) { return [] }
    for label in host.split(separator: ".") {
      let scalars = Array(label.unicodeScalars)
      var seen: UInt32 = 0
      var lookAlike: UInt32 = 0
      for (i, scalar) in scalars.enumerated() {
        let script = script(of: scalar)
        if let script { seen |= script.rawValue }
        if isPhoneticLatin(scalar) {
          lookAlike |= Script.latin.rawValue | Script.phoneticLatin.rawValue
        } else if let script, eastAsian & script.rawValue != 0, i > 0, Self.script(of: scalars[i - 1]) == .latin,
          let next = scalars[(i + 1)...].first(where: { eastAsian & (Self.script(of: $0)?.rawValue ?? 0) == 0 }),
          Self.script(of: next) == .latin
        {
          // The first letter of a run inside a Latin word: ta〇bao, ab中文cd, a中ロb.
          lookAlike |= Script.latin.rawValue | script.rawValue
        } else if dotLookAlikes.contains(scalar.value), i > 0, i + 1 < scalars.count,
          isLatinOrDigit(scalars[i - 1]), isLatinOrDigit(scalars[i + 1]),
          !(scalar.value == 0xB7 && scalars[i - 1] == "l" && scalars[i + 1] == "l")
        {
          lookAlike |= Script.dotLookAlike.rawValue
        }
      }
      if seen.nonzeroBitCount > 1 && !allowed.contains(where: { seen & $0 == seen }) {
        return Script.names.filter { (seen | lookAlike) & $0.script.rawValue != 0 }.map(\.name)
      }
      if lookAlike != 0 { return Script.names.filter { lookAlike & $0.script.rawValue != 0 }.map(\.name) }
    }
    return []
  }

  private static let eastAsian =
    Script.han.rawValue | Script.hiragana.rawValue | Script.katakana.rawValue | Script.bopomofo.rawValue
    | Script.hangul.rawValue

  /// Letters of phonetic notation: IPA Extensions but ə (Azerbaijani), the
  /// Phonetic Extensions and their Supplement, and the dotless ȷ.
  static func isPhoneticLatin(_ s: Unicode.Scalar) -> Bool {
    switch s.value {
    case 0x259: false
    case 0x237, 0x250...0x2AF, 0x1D00...0x1DBF: s.properties.isAlphabetic
    default: false
    }
  }

  /// Characters like a full stop that UTS #46 keeps in a label: middle dots,
  /// bullets, word separators (· ⸼ ・ ꞏ • ∙ ⋅ ᛫).
  static let dotLookAlikes: Set<UInt32> = [
    0xB7, 0x701, 0x702, 0x1427, 0x16EB, 0x2022, 0x2027, 0x2219, 0x22C5, 0x2E31, 0x2E33, 0x2E3C, 0x30FB, 0xA78F,
    0x10101,
  ]

  /// A dot look-alike fakes a label's end in a Latin name; between kana (ア・イ) it is punctuation.
  private static func isLatinOrDigit(_ s: Unicode.Scalar) -> Bool {
    script(of: s) == .latin || ("0"..."9").contains(s)
  }

  /// The script of a letter; nil for what every script shares (digits, `-`, marks, punctuation).
  static func script(of s: Unicode.Scalar) -> Script? {
    switch s.value {
    case 0x61...0x7A, 0x41...0x5A, 0xAA, 0xBA, 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x24F, 0x250...0x2AF, 0x1D00...0x1D7F,
      0x1E00...0x1EFF, 0x2C60...0x2C7F, 0xA720...0xA7FF, 0xAB30...0xAB6F, 0xFF21...0xFF3A, 0xFF41...0xFF5A:
      return .latin
    case 0x370...0x3FF, 0x1F00...0x1FFF: return .greek
    case 0x400...0x52F, 0x1C80...0x1C8F, 0x2DE0...0x2DFF, 0xA640...0xA69F: return .cyrillic
    case 0x530...0x58F: return .armenian
    case 0x590...0x5FF: return .hebrew
    case 0x600...0x6FF, 0x750...0x77F, 0x8A0...0x8FF, 0xFB50...0xFDFF, 0xFE70...0xFEFF: return .arabic
    case 0x10A0...0x10FF, 0x2D00...0x2D2F: return .georgian
    case 0x13A0...0x13FF, 0xAB70...0xABBF: return .cherokee
    case 0xE00...0xE7F: return .thai
    case 0x1100...0x11FF, 0x3130...0x318F, 0xA960...0xA97F, 0xAC00...0xD7FF: return .hangul
    case 0x3040...0x309F: return .hiragana
    case 0x30A0...0x30FF, 0x31F0...0x31FF, 0xFF66...0xFF9F: return .katakana
    case 0x3100...0x312F, 0x31A0...0x31BF: return .bopomofo
    case 0x2E80...0x2FDF, 0x3005, 0x3007, 0x3021...0x3029, 0x3038...0x303B, 0x3400...0x4DBF, 0x4E00...0x9FFF,
      0xF900...0xFAFF, 0x20000...0x3FFFF:
      return .han
    default:
      // Marks, digits and punctuation of any script, and symbols, count for none.
      let p = s.properties
      guard p.isAlphabetic, !(0x300...0x36F).contains(s.value), p.generalCategory != .nonspacingMark,
        p.generalCategory != .spacingMark, p.generalCategory != .enclosingMark
      else { return nil }
      return .other
    }
  }
}
