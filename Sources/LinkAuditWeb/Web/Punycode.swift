/// The punycode decoder of RFC 3492, as the URL Standard's UTS #46 reads an
/// A-label.
///
/// Written here because libidn2's decoder refuses basic code points other than
/// letters, digits and `-`, which a browser reads: `https://tao㈀bao.com/` opens
/// `xn--tao()bao-kb5a.com` (UTS #46 maps ㈀ to `(ᄀ)`), and libidn2 cannot turn
/// that name back into Unicode.
enum Punycode {
  private static let base = 36
  private static let tMin = 1
  private static let tMax = 26
  private static let skew = 38
  private static let damp = 700
  /// RFC 3492's overflow bound (a 32-bit signed integer); nothing past U+10FFFF is a code point anyway.
  private static let maxInt = Int(Int32.max)

  /// The code points `encoded` (an A-label without its `xn--`) stands for, or
  /// nil when it is not punycode or names no code point.
  static func decode(_ encoded: Substring.UTF8View) -> [Unicode.Scalar]? {
    let input = Array(encoded)
    var output: [Unicode.Scalar] = []
    // The basic code points are those before the last `-`.
    var start = 0
    if let delimiter = input.lastIndex(of: UInt8(ascii: "-")) {
      for c in input[..<delimiter] {
        guard c < 0x80 else { return nil }
        output.append(Unicode.Scalar(c))
      }
      start = delimiter > 0 ? delimiter + 1 : 0
    }
    var n = 128
    var i = 0
    var bias = 72
    var p = start
    while p < input.count {
      let oldI = i
      var w = 1
      var k = base
      while true {
        guard p < input.count, let digit = digitValue(input[p]) else { return nil }
        p += 1
        guard digit <= (maxInt - i) / w else { return nil }
        i += digit * w
        let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
        if digit < t { break }
        guard w <= maxInt / (base - t) else { return nil }
        w *= base - t
        k += base
      }
      let count = output.count + 1
      bias = adapt(i - oldI, count: count, first: oldI == 0)
      guard i / count <= maxInt - n else { return nil }
      n += i / count
      i %= count
      // A basic code point may not be encoded; a surrogate or a value past U+10FFFF is none.
      guard n >= 0x80, let scalar = Unicode.Scalar(UInt32(clamping: n)) else { return nil }
      output.insert(scalar, at: i)
      i += 1
    }
    return output
  }

  private static func digitValue(_ c: UInt8) -> Int? {
    switch c {
    case UInt8(ascii: "a")...UInt8(ascii: "z"): Int(c - UInt8(ascii: "a"))
    case UInt8(ascii: "A")...UInt8(ascii: "Z"): Int(c - UInt8(ascii: "A"))
    case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(c - UInt8(ascii: "0")) + 26
    default: nil
    }
  }

  private static func adapt(_ delta: Int, count: Int, first: Bool) -> Int {
    var delta = first ? delta / damp : delta / 2
    delta += delta / count
    var k = 0
    while delta > ((base - tMin) * tMax) / 2 {
      delta /= base - tMin
      k += base
    }
    return k + (base - tMin + 1) * delta / (delta + skew)
  }
}
