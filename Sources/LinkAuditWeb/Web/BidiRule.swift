/// The bidi rule (RFC 5893, section 2) over a whole name, as UTS #46 applies
/// it with CheckBidi, which browsers set: once a name has a right-to-left
/// label, every label must keep its direction. libidn2 checks a right-to-left
/// label alone, not the other labels of its name (`1a.א.com` passes it, a
/// browser refuses it), and skips the check where its transitional mode
/// answers for a symbol (`א☃.com`). Written here for those cases.
///
/// The bidi classes come from code-point ranges of the scripts written right
/// to left and from general categories, not from the Unicode data file: exact
/// for the letters, digits and marks of those scripts and of ASCII; other
/// punctuation and symbols count as ON (other neutral).
enum BidiRule {
  enum Class: Equatable { case l, r, al, an, en, es, cs, et, on, bn, nsm }

  /// Why the labels (Unicode) break the rule, or nil when they keep it or no label is right-to-left.
  static func violation(_ labels: [Substring]) -> String? {
    let classes = labels.map { $0.unicodeScalars.map(bidiClass) }
    guard classes.contains(where: { $0.contains { $0 == .r || $0 == .al || $0 == .an } }) else { return nil }
    for (label, c) in zip(labels, classes) where !c.isEmpty {
      let last = c.last { $0 != .nsm }
      if c.first == .r || c.first == .al {
        guard !c.contains(.l), [.r, .al, .en, .an].contains(last), !(c.contains(.en) && c.contains(.an)) else {
          return "the right-to-left label \(label) breaks the bidi rule (RFC 5893: it must end with a "
            + "right-to-left letter or a digit, hold no left-to-right letter, and not mix Arabic and European digits)"
        }
      } else if c.first == .l {
        guard !c.contains(where: { $0 == .r || $0 == .al || $0 == .an }), last == .l || last == .en else {
          return "in a name with a right-to-left label, the label \(label) must end with a letter or digit "
            + "and hold no right-to-left letter (the bidi rule, RFC 5893, as browsers apply it)"
        }
      } else {
        return "in a name with a right-to-left label, the label \(label) must start with a letter "
          + "(the bidi rule, RFC 5893, as browsers apply it)"
      }
    }
    return nil
  }

  static func bidiClass(_ s: Unicode.Scalar) -> Class {
    let category = s.properties.generalCategory
    if category == .nonspacingMark || category == .enclosingMark { return .nsm }
    switch s.value {
    case 0x30...0x39, 0xB2, 0xB3, 0xB9, 0x6F0...0x6F9, 0x2070, 0x2074...0x2079, 0x2080...0x2089, 0xFF10...0xFF19:
      return .en
    case 0x600...0x605, 0x660...0x669, 0x66B, 0x66C, 0x6DD, 0x890, 0x891, 0x8E2, 0x10E60...0x10E7E: return .an
    case 0x2B, 0x2D, 0x207A, 0x207B, 0x208A, 0x208B, 0x2212, 0xFB29, 0xFE62, 0xFE63, 0xFF0B, 0xFF0D: return .es
    case 0x2C, 0x2E, 0x2F, 0x3A, 0xA0, 0x60C, 0x202F, 0x2044, 0xFE50, 0xFE52, 0xFE55, 0xFF0C, 0xFF0E, 0xFF0F, 0xFF1A:
      return .cs
    case 0x23...0x25, 0xA2...0xA5, 0xB0, 0xB1, 0x609, 0x60A, 0x66A, 0x2030...0x2034, 0x20A0...0x20CF, 0xFF03...0xFF05:
      return .et
    case 0xAD, 0x180E, 0x200B...0x200D, 0x2060...0x2064, 0xFEFF: return .bn
    case 0x590...0x5FF, 0x7C0...0x85F, 0xFB1D...0xFB4F, 0x10800...0x10CFF, 0x10D40...0x10EBF, 0x10F00...0x10F2F,
      0x10F70...0x10FFF, 0x1E800...0x1EC6F, 0x1ECC0...0x1ECFF, 0x1ED50...0x1EDFF, 0x1EF00...0x1EFFF:
      return .r
    case 0x606...0x6FF, 0x700...0x7BF, 0x860...0x8FF, 0xFB50...0xFDFF, 0xFE70...0xFEFF, 0x10D00...0x10D3F,
      0x10EC0...0x10EFF, 0x10F30...0x10F6F, 0x1EC70...0x1ECBF, 0x1ED00...0x1ED4F, 0x1EE00...0x1EEFF:
      return .al
    default:
      switch category {
      case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .spacingMark,
        .decimalNumber, .letterNumber, .otherNumber:
        return .l
      default: return .on
      }
    }
  }
}
