extension String {
  /// The string without leading and trailing spaces and tabs. Foundation's
  /// `trimmingCharacters(in:)` costs more than the rest of a row's import, and
  /// the contract only asks for blanks to be trimmed.
  var trimmed: String {
    let u = utf8
    guard let first = u.first, let last = u.last else { return self }
    func blank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
    if !blank(first) && !blank(last) { return self }
    guard let start = u.firstIndex(where: { !blank($0) }) else { return "" }
    let end = u.lastIndex(where: { !blank($0) })!
    return String(self[start...end])
  }

  /// True when the string is empty or only spaces and tabs.
  var isBlank: Bool { utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 } }
}

/// RFC 4180 quoting: a field with a comma, quote, CR or LF is quoted, quotes doubled.
func csvLine(_ fields: [String]) -> String {
  fields.map { f in
    f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
      ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
  }.joined(separator: ",")
}
