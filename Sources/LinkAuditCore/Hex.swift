import Crypto

@usableFromInline package let hexDigits = Array("0123456789abcdef".utf8)

/// Inlinable: it is generic, and called per row by the import's pseudonyms in
/// another module, where an unspecialised call cost 14% of an import of
/// 1,000,000 events from 366,000 users (perf, 2026-12-02).
@inlinable
package func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
  var out = [UInt8]()
  out.reserveCapacity(bytes.count * 2)
  for b in bytes {
    out.append(hexDigits[Int(b >> 4)])
    out.append(hexDigits[Int(b & 15)])
  }
  return String(decoding: out, as: UTF8.self)
}

/// The value of one ASCII hex digit (either case), nil for any other byte.
package func hexDigitValue(_ c: UInt8) -> UInt8? {
  switch c {
  case 48...57: c - 48
  case 97...102: c - 87
  case 65...70: c - 55
  default: nil
  }
}

package func unhex(_ text: String) -> [UInt8]? {
  let chars = Array(text.utf8)
  guard chars.count % 2 == 0 else { return nil }
  var out = [UInt8]()
  for i in stride(from: 0, to: chars.count, by: 2) {
    guard let hi = hexDigitValue(chars[i]), let lo = hexDigitValue(chars[i + 1]) else { return nil }
    out.append(hi << 4 | lo)
  }
  return out
}

/// `%HH` escapes decoded, every other byte as it is (WHATWG percent-decode):
/// one rule for a URL's host and for a URL shown masked.
package func percentDecoded(_ bytes: [UInt8]) -> [UInt8] {
  var out: [UInt8] = []
  out.reserveCapacity(bytes.count)
  var i = 0
  while i < bytes.count {
    if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let h = hexDigitValue(bytes[i + 1]),
      let l = hexDigitValue(bytes[i + 2])
    {
      out.append(h << 4 | l)
      i += 3
    } else {
      out.append(bytes[i])
      i += 1
    }
  }
  return out
}

package func hex(_ digest: SHA256.Digest) -> String { hex(Array(digest)) }
