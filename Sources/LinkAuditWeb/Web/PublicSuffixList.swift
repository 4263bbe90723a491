import CLinkAuditIDN2
import CLinkAuditPSL
import Foundation
import LinkAuditCore

/// Errors from libpsl and libidn2, with the library's own message.
public struct HostnameError: Error, LocalizedError, Equatable {
  public let host: String
  public let message: String
  public var errorDescription: String? { "invalid host \"\(host)\": \(message)" }
}

/// IDNA conversions between Unicode and ASCII (punycode) host names, as a
/// browser makes them (UTS #46 non-transitional processing, without the hyphen
/// rules or STD3 rules, per the WHATWG URL Standard), via libidn2.
public enum IDNA {
  private static let nontransitional = Int32(IDN2_NONTRANSITIONAL.rawValue | IDN2_NO_ALABEL_ROUNDTRIP.rawValue)
  private static let transitional = Int32(IDN2_TRANSITIONAL.rawValue | IDN2_NO_ALABEL_ROUNDTRIP.rawValue)

  /// Lower-cased ASCII form (`例子.中国` → `xn--fsqu00a.xn--fiqs8s`, `faß.de` → `xn--fa-hia.de`).
  public static func toASCII(_ host: String) throws -> String {
    if host.utf8.allSatisfy({ $0 < 0x80 }) && !hasALabel(host) { return host.lowercased() }
    // Label by label: libidn2 applies the IDNA2008 hyphen rules to every
    // label, ASCII ones too (ab--cd.com, -a-.com), which a browser does not.
    // U+3002, U+FF0E and U+FF61 separate labels like a dot (UTS #46 maps them to it).
    var labels: [String] = []
    var label = ""
    do {
      for scalar in host.unicodeScalars {
        if scalar == "." || scalar == "\u{3002}" || scalar == "\u{FF0E}" || scalar == "\u{FF61}" {
          labels.append(try labelToASCII(label))
          label = ""
        } else {
          label.unicodeScalars.append(scalar)
        }
      }
      labels.append(try labelToASCII(label))
      // The bidi rule over the whole name, which libidn2 checks label by label only.
      if labels.contains(where: { $0.hasPrefix("xn--") }),
        let why = BidiRule.violation(
          try toUnicode(labels.joined(separator: ".")).split(separator: ".", omittingEmptySubsequences: false))
      {
        throw HostnameError(host: host, message: why)
      }
    } catch let error as HostnameError {
      // The whole name in the message: a label alone is hard to find in a file.
      throw HostnameError(host: host, message: error.message)
    }
    return labels.joined(separator: ".")
  }

  private static func labelToASCII(_ label: String) throws -> String {
    if label.utf8.allSatisfy({ $0 < 0x80 }) {
      let lower = label.lowercased()
      return lower.hasPrefix("xn--") ? try checkedALabel(lower) : lower
    }
    // libidn2 reads a C string: a NUL would cut the name short.
    guard !label.utf8.contains(0) else { throw HostnameError(host: label, message: "a host holds no NUL") }
    var out: UnsafeMutablePointer<CChar>?
    let rc = idn2_to_ascii_8z(label, &out, nontransitional)
    // libidn2 checks labels against IDNA2008, which refuses the symbols and
    // emoji that UTS #46 allows (https://%e2%98%83 opens xn--n3h, ☃), and
    // against code point tables older than its UTS #46 mapping table (Unicode
    // 14.0), so it calls the letters of Unicode 12 to 14 unassigned (taoⰯbao.com
    // opens xn--taobao-kg8d.com). Its transitional mode skips those checks and
    // maps the same as the non-transitional one except for ß, ς and the
    // joiners, so it answers for a refused label without them. It skips the
    // bidi check too, which toASCII makes over the whole name (BidiRule).
    if rc == Int32(IDN2_DISALLOWED.rawValue) || rc == Int32(IDN2_UNASSIGNED.rawValue),
      !label.unicodeScalars.contains(where: { ["\u{DF}", "\u{3C2}", "\u{200C}", "\u{200D}"].contains($0) })
    {
      idn2_free(out)
      out = nil
      let retry = idn2_to_ascii_8z(label, &out, transitional)
      if retry != Int32(IDN2_OK.rawValue), let newer = newerThanTables(label) {
        idn2_free(out)
        throw HostnameError(host: label, message: newer)
      }
      return try take(out, rc: retry, host: label)
    }
    return try take(out, rc: rc, host: label)
  }

  /// The Unicode version of libidn2's UTS #46 mapping table (2.3.3: 14.0; U+2B738 is
  /// known, U+2B739 of 15.0 is not). A later character cannot be mapped as a browser maps it.
  static let tablesVersion = (major: 14, minor: 0)

  /// Why a label with a character newer than `tablesVersion` is refused, or nil when it has none.
  static func newerThanTables(_ label: String) -> String? {
    guard
      let newer = label.unicodeScalars.first(where: {
        guard let age = $0.properties.age else { return false }
        return (age.major, age.minor) > tablesVersion
      }), let age = newer.properties.age
    else { return nil }
    return "\(codePoint(newer)) is a character of Unicode \(age.major).\(age.minor), newer than the Unicode "
      + "\(tablesVersion.major).\(tablesVersion.minor) tables of this tool's IDNA library (libidn2): the contract "
      + "refuses such a host, as the host a browser opens cannot be told"
  }

  /// An A-label (`xn--…`, lower-case) as UTS #46 checks it: its punycode
  /// decoded, the Unicode label must be valid as it is (mapping it changes
  /// nothing, no disallowed code point, joiners only in context), i.e. turned
  /// back into ASCII it gives the same A-label. libidn2 can check this only
  /// against IDNA2008, which refuses what browsers open (xn--ls8h, 💩), so
  /// the round trip is made here: xn--taobao-uf0c, taobao + U+200D, is refused.
  private static func checkedALabel(_ label: String) throws -> String {
    // The contract's DNS limit first: decoding is quadratic in the label's length.
    guard label.utf8.count <= 63 else {
      throw HostnameError(host: label, message: message(Int32(IDN2_TOO_BIG_LABEL.rawValue)))
    }
    guard let decoded = Punycode.decode(label.utf8.dropFirst(4)) else {
      throw HostnameError(host: label, message: "\(label) is not valid punycode")
    }
    guard decoded.contains(where: { !$0.isASCII }) else {
      throw HostnameError(host: label, message: "\(label) is an A-label (xn--) with no character outside ASCII")
    }
    let unicode = String(String.UnicodeScalarView(decoded))
    let shown = decoded.map { $0.properties.isAlphabetic || $0.isASCII ? String($0) : codePoint($0) }.joined()
    let again: String
    do {
      again = try labelToASCII(unicode)
    } catch let error as HostnameError {
      throw HostnameError(host: label, message: "\(label) stands for \(shown), which is refused (\(error.message))")
    }
    guard again == label else {
      throw HostnameError(
        host: label,
        message:
          "\(label) stands for \(shown), which a browser writes \"\(again)\": an A-label must be its own label's form")
    }
    return label
  }

  private static func codePoint(_ s: Unicode.Scalar) -> String {
    let hex = String(s.value, radix: 16, uppercase: true)
    return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
  }

  /// The name has a label starting `xn--` in any case: it must be checked as punycode.
  private static func hasALabel(_ host: String) -> Bool {
    var atLabelStart = true
    var u = host.utf8[...]
    while let c = u.first {
      if atLabelStart, u.count >= 4, c | 0x20 == 0x78, u.dropFirst().first! | 0x20 == 0x6E,
        u.dropFirst(2).starts(with: "--".utf8)
      {
        return true
      }
      atLabelStart = c == UInt8(ascii: ".")
      u = u.dropFirst()
    }
    return false
  }

  /// libidn2's message, and for the rules a browser does not apply (the
  /// contract keeps them: docs/data-contract.md), which rule and why.
  private static func message(_ rc: Int32) -> String {
    switch rc {
    case Int32(IDN2_2HYPHEN.rawValue), Int32(IDN2_HYPHEN_STARTEND.rawValue):
      "a label outside ASCII may not start or end with - nor have -- in its third and fourth places: "
        + "the contract keeps this IDNA2008 rule, which no registry waives"
    case Int32(IDN2_PUNYCODE_BIG_OUTPUT.rawValue), Int32(IDN2_TOO_BIG_LABEL.rawValue),
      Int32(IDN2_TOO_BIG_DOMAIN.rawValue):
      "a label's punycode form may not be longer than 63 characters: the contract keeps this DNS limit"
    default: String(cString: idn2_strerror(rc))
    }
  }

  /// Unicode form (`xn--fsqu00a.xn--fiqs8s` → `例子.中国`); ASCII names come back lower-cased.
  public static func toUnicode(_ asciiHost: String) throws -> String {
    guard hasALabel(asciiHost) else { return asciiHost.lowercased() }
    // Label by label, for the same reason as toASCII; decoded here, as libidn2
    // cannot read every A-label a browser makes (Punycode).
    return try asciiHost.lowercased().split(separator: ".", omittingEmptySubsequences: false).map { label in
      guard label.hasPrefix("xn--") else { return String(label) }
      guard let decoded = Punycode.decode(label.utf8.dropFirst(4)) else {
        throw HostnameError(host: asciiHost, message: "\(label) is not valid punycode")
      }
      return String(String.UnicodeScalarView(decoded))
    }.joined(separator: ".")
  }

  private static func take(_ out: UnsafeMutablePointer<CChar>?, rc: Int32, host: String) throws -> String {
    guard rc == Int32(IDN2_OK.rawValue), let out else {
      idn2_free(out)
      throw HostnameError(host: host, message: message(rc))
    }
    defer { idn2_free(out) }
    return String(cString: out)
  }
}

/// The Public Suffix List, to find the registrable domain of a host.
///
/// Uses the system's current list (Debian's `publicsuffix` package) when present,
/// else the list compiled into libpsl.
public final class PublicSuffixList {
  private let context: OpaquePointer
  private let owned: Bool

  public init() {
    if let latest = psl_latest(nil) {
      context = latest
      owned = true
    } else {
      context = psl_builtin()
      owned = false
    }
  }

  deinit {
    if owned { psl_free(context) }
  }

  /// The registrable domain of an ASCII (punycode) host, or nil when the host is
  /// itself a public suffix or has no dot.
  public func registrableDomain(asciiHost: String) -> String? {
    // The answer points into the argument, so read it while the C string lives.
    asciiHost.withCString { host in psl_registrable_domain(context, host).map { String(cString: $0) } }
  }

  /// The registrable domain of any host, Unicode or punycode, in Unicode form:
  /// `例子.中国` and `xn--fsqu00a.xn--fiqs8s` both give `例子.中国`.
  public func registrableDomain(of host: String) throws -> String? {
    // libpsl only matches the normalised form, so convert before asking.
    let ascii = try IDNA.toASCII(host)
    return try registrableDomain(asciiHost: ascii).map(IDNA.toUnicode)
  }
}
