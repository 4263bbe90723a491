import LinkAuditCore

/// The host parser of the WHATWG URL Standard for http and https: the host a
/// browser opens for the text between `//` (and any `user@`) and the port.
///
/// The IPv4 and IPv6 parsers and the forbidden code points
/// are written here because libidn2 has none of them (percent-decoding is Core's); the Unicode mapping and
/// validity of names are libidn2's (`IDNA.toASCII`).
enum HostParser {
  enum Host: Equatable {
    /// An IPv4 address (dotted decimal) or an IPv6 address in brackets, as a browser serialises it.
    case address(String)
    /// A domain name in ASCII (punycode) form, lower-case.
    case domain(String)
  }

  static func parse(_ input: String) throws(URLError) -> Host {
    let bytes = Array(input.utf8)
    if bytes.first == UInt8(ascii: "[") {
      guard bytes.count >= 2, bytes.last == UInt8(ascii: "]") else { throw URLError(reason: "a valid IPv6 host") }
      return .address("[" + (try ipv6(bytes[1..<(bytes.count - 1)])) + "]")
    }
    // Percent-decoded, then read as UTF-8 with U+FFFD for what is not UTF-8,
    // which no name may hold (https://example.com%80/ is refused).
    let decoded = bytes.contains(UInt8(ascii: "%")) ? LinkAuditCore.percentDecoded(bytes) : bytes
    let name = String(decoding: decoded, as: UTF8.self)
    // Checked before IDNA too: libidn2 reads a C string, so a NUL must never reach it.
    try refuseForbidden(name)
    let ascii: String
    do {
      ascii = try IDNA.toASCII(name)
    } catch {
      throw URLError(reason: "a valid host name (\((error as? HostnameError)?.message ?? "\(error)"))")
    }
    guard !ascii.isEmpty else { throw URLError(reason: "a valid host name (nothing is left of it)") }
    // Mapping can make one: a full-width ＜ is <.
    try refuseForbidden(ascii)
    if endsInANumber(ascii) { return .address(try ipv4(ascii)) }
    return .domain(ascii)
  }

  /// The forbidden domain code points: C0 controls, space, DEL and `#%/:<>?@[\]^|`.
  static func isForbidden(_ c: UInt8) -> Bool {
    c <= 0x20 || c == 0x7F || c == UInt8(ascii: "#") || c == UInt8(ascii: "%") || c == UInt8(ascii: "/")
      || c == UInt8(ascii: ":") || c == UInt8(ascii: "<") || c == UInt8(ascii: ">") || c == UInt8(ascii: "?")
      || c == UInt8(ascii: "@") || c == UInt8(ascii: "[") || c == UInt8(ascii: "\\") || c == UInt8(ascii: "]")
      || c == UInt8(ascii: "^") || c == UInt8(ascii: "|")
  }

  private static func refuseForbidden(_ name: String) throws(URLError) {
    if let c = name.utf8.first(where: isForbidden) {
      let shown = c > 0x20 && c < 0x7F ? "\"\(Character(Unicode.Scalar(c)))\"" : "U+" + hex(UInt16(c), width: 4)
      throw URLError(reason: "a valid host name (\(shown) cannot be part of a host)")
    }
  }

  // MARK: IPv4

  /// A name whose last label (after a final dot) is a number is an IPv4
  /// address or nothing: http://foo.09 is refused, http://0x7f.1 opens 127.0.0.1.
  static func endsInANumber(_ ascii: String) -> Bool {
    var parts = ascii.split(separator: ".", omittingEmptySubsequences: false)
    if parts.last?.isEmpty == true {
      if parts.count == 1 { return false }
      parts.removeLast()
    }
    guard let last = parts.last, !last.isEmpty else { return false }
    return last.utf8.allSatisfy(ASCII.isDigit) || ipv4Number(last) != nil
  }

  /// One part of an IPv4 address: decimal, `0x` hexadecimal or `0` octal; nil
  /// when it is not a number. Values past 2³² stop growing: they are refused anyway.
  static func ipv4Number(_ part: Substring) -> UInt64? {
    var digits = part.utf8
    guard !digits.isEmpty else { return nil }
    var radix: UInt64 = 10
    if digits.count >= 2, digits.first == UInt8(ascii: "0"),
      digits[digits.index(after: digits.startIndex)] | 0x20 == UInt8(ascii: "x")
    {
      radix = 16
      digits = digits.dropFirst(2)
    } else if digits.count >= 2, digits.first == UInt8(ascii: "0") {
      radix = 8
      digits = digits.dropFirst()
    }
    var value: UInt64 = 0
    for c in digits {
      let d: UInt64
      switch radix {
      case 16:
        guard ASCII.isHexDigit(c) else { return nil }
        d = UInt64(ASCII.hexValue(c))
      case 8:
        guard c >= 0x30, c <= 0x37 else { return nil }
        d = UInt64(c - 0x30)
      default:
        guard ASCII.isDigit(c) else { return nil }
        d = UInt64(c - 0x30)
      }
      value = min(value * radix + d, 1 << 33)
    }
    return value
  }

  static func ipv4(_ ascii: String) throws(URLError) -> String {
    let invalid = URLError(reason: "a valid IPv4 address (a host whose last label is a number)")
    var parts = ascii.split(separator: ".", omittingEmptySubsequences: false)
    if parts.count > 1, parts.last?.isEmpty == true { parts.removeLast() }
    guard parts.count <= 4 else { throw invalid }
    var numbers: [UInt64] = []
    for part in parts {
      guard let n = ipv4Number(part) else { throw invalid }
      numbers.append(n)
    }
    guard numbers.dropLast().allSatisfy({ $0 <= 255 }), numbers.last! < 1 << (8 * (5 - UInt64(numbers.count)))
    else { throw invalid }
    var address = numbers.last!
    for (i, n) in numbers.dropLast().enumerated() { address += n << (8 * (3 - UInt64(i))) }
    return "\(address >> 24).\(address >> 16 & 0xFF).\(address >> 8 & 0xFF).\(address & 0xFF)"
  }

  // MARK: IPv6

  /// The WHATWG IPv6 parser (eight 16-bit pieces, one `::`, an IPv4 tail) and
  /// serialiser (lower-case hex, the first longest run of zeros as `::`).
  static func ipv6(_ input: ArraySlice<UInt8>) throws(URLError) -> String {
    let invalid = URLError(reason: "a valid IPv6 host")
    let c = Array(input)
    var address = [UInt16](repeating: 0, count: 8)
    var piece = 0
    var compress: Int?
    var p = 0
    func at(_ k: Int) -> UInt8? { k < c.count ? c[k] : nil }
    if at(p) == UInt8(ascii: ":") {
      guard at(p + 1) == UInt8(ascii: ":") else { throw invalid }
      p += 2
      piece += 1
      compress = piece
    }
    while let ch = at(p) {
      guard piece < 8 else { throw invalid }
      if ch == UInt8(ascii: ":") {
        guard compress == nil else { throw invalid }
        p += 1
        piece += 1
        compress = piece
        continue
      }
      var value = 0
      var length = 0
      while length < 4, let h = at(p), ASCII.isHexDigit(h) {
        value = value * 16 + ASCII.hexValue(h)
        p += 1
        length += 1
      }
      if at(p) == UInt8(ascii: ".") {
        guard length > 0, piece <= 6 else { throw invalid }
        p -= length
        var numbersSeen = 0
        while at(p) != nil {
          if numbersSeen > 0 {
            guard at(p) == UInt8(ascii: "."), numbersSeen < 4 else { throw invalid }
            p += 1
          }
          guard let first = at(p), ASCII.isDigit(first) else { throw invalid }
          var part: Int?
          while let d = at(p), ASCII.isDigit(d) {
            let digit = Int(d - 0x30)
            if let current = part {
              guard current != 0 else { throw invalid }  // no leading zeros
              part = current * 10 + digit
            } else {
              part = digit
            }
            guard part! <= 255 else { throw invalid }
            p += 1
          }
          address[piece] = address[piece] &* 0x100 &+ UInt16(part!)
          numbersSeen += 1
          if numbersSeen == 2 || numbersSeen == 4 { piece += 1 }
        }
        guard numbersSeen == 4 else { throw invalid }
        break
      } else if at(p) == UInt8(ascii: ":") {
        p += 1
        guard at(p) != nil else { throw invalid }
      } else if at(p) != nil {
        throw invalid
      }
      address[piece] = UInt16(value)
      piece += 1
    }
    if let compress {
      var swaps = piece - compress
      piece = 7
      while piece != 0, swaps > 0 {
        address.swapAt(piece, compress + swaps - 1)
        piece -= 1
        swaps -= 1
      }
    } else {
      guard piece == 8 else { throw invalid }
    }
    // The first longest run of two or more zero pieces is written `::`.
    var best: (start: Int, length: Int)?
    var k = 0
    while k < 8 {
      var end = k
      while end < 8, address[end] == 0 { end += 1 }
      if end - k >= 2, end - k > (best?.length ?? 0) { best = (k, end - k) }
      k = max(end, k + 1)
    }
    var out = ""
    var i = 0
    while i < 8 {
      if let best, i == best.start {
        out += i == 0 ? "::" : ":"
        i += best.length
        continue
      }
      out += String(address[i], radix: 16)
      if i != 7 { out += ":" }
      i += 1
    }
    return out
  }

  private static func hex(_ v: UInt16, width: Int) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, width - s.count)) + s
  }
}
