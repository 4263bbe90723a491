extension String {
  /// The string without leading and trailing spaces and tabs. Foundation's
  /// `trimmingCharacters(in:)` costs more than the rest of a row's import, and
  /// the contract only asks for blanks to be trimmed.
  package var trimmed: String {
    let u = utf8
    guard let first = u.first, let last = u.last else { return self }
    func blank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
    if !blank(first) && !blank(last) { return self }
    guard let start = u.firstIndex(where: { !blank($0) }) else { return "" }
    let end = u.lastIndex(where: { !blank($0) })!
    return String(self[start...end])
  }

  /// True when the string is empty or only spaces and tabs.
  package var isBlank: Bool { utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 } }
}

/// RFC 4180 quoting: a field with a comma, quote, CR or LF is quoted, quotes doubled.
package func csvLine(_ fields: [String]) -> String {
  fields.map { f in
    f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
      ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
  }.joined(separator: ",")
}

/// The fields of one line `csvLine` wrote (RFC 4180: a quoted field may hold
/// commas and doubled quotes; the line holds no line break).
package func csvFields<S: StringProtocol>(_ line: S) -> [String] {
  var fields: [String] = []
  var field = ""
  var quoted = false
  var chars = line.makeIterator()
  var pending: Character? = chars.next()
  while let c = pending {
    pending = chars.next()
    if quoted {
      if c == "\"" {
        if pending == "\"" {
          field.append("\"")
          pending = chars.next()
        } else {
          quoted = false
        }
      } else {
        field.append(c)
      }
    } else if c == "\"" && field.isEmpty {
      quoted = true
    } else if c == "," {
      fields.append(field)
      field = ""
    } else {
      field.append(c)
    }
  }
  fields.append(field)
  return fields
}

/// OWASP's rule against CSV injection: the first characters with which a
/// spreadsheet reads a cell as a formula (= + - @, tab, carriage return).
package func startsLikeAFormula(_ first: UInt8?) -> Bool {
  guard let first else { return false }
  return first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
    || first == UInt8(ascii: "@") || first == 0x09 || first == 0x0D
}

/// Text for a CSV a person opens in Excel or WPS: a leading apostrophe
/// before a value that starts like a formula, so it shows as text.
package func spreadsheetText(_ value: String) -> String {
  startsLikeAFormula(value.utf8.first) ? "'" + value : value
}

/// Control characters (C0, DEL, C1) and Unicode noncharacters (U+FDD0-FDEF,
/// U+xFFFE/U+xFFFF), which no text value may hold: XML, and so a workbook, cannot carry them.
package func isControlOrNoncharacter(_ s: Unicode.Scalar) -> Bool {
  s.value < 0x20 || (0x7F...0x9F).contains(s.value) || (0xFDD0...0xFDEF).contains(s.value)
    || s.value & 0xFFFE == 0xFFFE
}

/// Bidirectional formatting characters (U+061C, U+200E-U+200F,
/// U+202A-U+202E, U+2066-U+2069): they reorder what a reader sees, so a
/// text can show other words than it holds (`exe.gnp` read as `png.exe`).
package func isBidiControl(_ s: Unicode.Scalar) -> Bool {
  s.value == 0x061C || (0x200E...0x200F).contains(s.value) || (0x202A...0x202E).contains(s.value)
    || (0x2066...0x2069).contains(s.value)
}

/// What no text value may hold: control characters, noncharacters and bidirectional controls.
package func isForbiddenInText(_ s: Unicode.Scalar) -> Bool { isControlOrNoncharacter(s) || isBidiControl(s) }

/// How a text value breaks the contract's rule for text: a control
/// character or noncharacter (tab, CR and LF allowed when `multiline`), or
/// more than `maxLength` characters counted as Unicode scalars (what Excel's
/// cell limit counts, and what a run of combining marks cannot hide behind).
/// One rule for rows and policy front matter; each says it in its own words.
package enum TextRuleBreach: Equatable {
  case forbidden(Unicode.Scalar)
  case tooLong(Int)

  package static func check(_ v: String, maxLength: Int, multiline: Bool = false) -> TextRuleBreach? {
    // Printable ASCII (nearly every value) needs no look at its scalars.
    if v.utf8.contains(where: { $0 < 0x20 || $0 >= 0x7F }) {
      for s in v.unicodeScalars where isForbiddenInText(s) {
        if multiline && (s == "\t" || s == "\n" || s == "\r") { continue }
        return .forbidden(s)
      }
    }
    if v.utf8.count > maxLength, v.unicodeScalars.count > maxLength { return .tooLong(v.unicodeScalars.count) }
    return nil
  }

  /// `U+001B`.
  package static func code(_ s: Unicode.Scalar) -> String { "U+" + String(format: "%04X", s.value) }
}

/// A name or message as a terminal shows it, whole: every control and
/// bidirectional character (a newline in a file name would forge a line of
/// its own, an escape sequence would drive the terminal) as `\u{…}`;
/// `keepingLineBreaks` for a message of several lines.
package func escapingControls(_ value: String, keepingLineBreaks: Bool = false) -> String {
  guard value.unicodeScalars.contains(where: isForbiddenInText) else { return value }
  var out = ""
  for s in value.unicodeScalars {
    if isForbiddenInText(s), !(keepingLineBreaks && (s == "\n" || s == "\t")) {
      out += "\\u{\(String(s.value, radix: 16, uppercase: true))}"
    } else {
      out.unicodeScalars.append(s)
    }
  }
  return out
}

/// A value as an error message may show it: personal numbers masked,
/// control and bidirectional characters escaped, cut to 60 characters.
package func displayable(_ value: String) -> String {
  let masked = PersonalNumberMask.mask(value)
  var out = ""
  var count = 0
  for s in masked.unicodeScalars {
    if count == 60 {
      out += "…"
      break
    }
    out += isForbiddenInText(s) ? "\\u{\(String(s.value, radix: 16, uppercase: true))}" : String(s)
    count += 1
  }
  return out
}

/// Text from the data (a policy title, a platform name, a host) as Markdown
/// shows it literally, in prose or in a table cell: every character Markdown
/// or HTML would read as syntax is escaped, line breaks become spaces, so a
/// value can neither break a table nor inject markup.
public func markdownText(_ text: String) -> String {
  var out = ""
  out.reserveCapacity(text.utf8.count)
  for c in text.unicodeScalars {
    switch c {
    case "\\", "|", "*", "_", "`", "[", "]", "<", ">", "#", "&", "~", "!":
      out.append("\\")
      out.unicodeScalars.append(c)
    case "\r": continue
    case "\n": out.append(" ")
    default: out.unicodeScalars.append(c)
    }
  }
  return out
}

/// Text inside a code span (`…`), where escapes do not work: no backtick,
/// no line break.
package func markdownCode(_ text: String) -> String {
  text.replacingOccurrences(of: "`", with: "'").replacingOccurrences(of: "\r", with: "")
    .replacingOccurrences(of: "\n", with: " ")
}
