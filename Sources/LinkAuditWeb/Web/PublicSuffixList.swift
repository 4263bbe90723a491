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

/// IDNA conversions between Unicode and ASCII (punycode) host names, via libidn2.
public enum IDNA {
  /// Lower-cased ASCII form (`例子.中国` → `xn--fsqu00a.xn--fiqs8s`).
  public static func toASCII(_ host: String) throws -> String {
    if host.utf8.allSatisfy({ $0 < 0x80 }) && !host.contains("xn--") && !host.contains("XN--") {
      return host.lowercased()
    }
    var out: UnsafeMutablePointer<CChar>?
    let rc = idn2_to_ascii_8z(host, &out, Int32(IDN2_NONTRANSITIONAL.rawValue))
    return try take(out, rc: rc, host: host)
  }

  /// Unicode form (`xn--fsqu00a.xn--fiqs8s` → `例子.中国`); ASCII names come back lower-cased.
  public static func toUnicode(_ asciiHost: String) throws -> String {
    guard asciiHost.contains("xn--") else { return asciiHost.lowercased() }
    var out: UnsafeMutablePointer<CChar>?
    let rc = idn2_to_unicode_8z8z(asciiHost.lowercased(), &out, 0)
    return try take(out, rc: rc, host: asciiHost)
  }

  private static func take(_ out: UnsafeMutablePointer<CChar>?, rc: Int32, host: String) throws -> String {
    guard rc == Int32(IDN2_OK.rawValue), let out else {
      throw HostnameError(host: host, message: String(cString: idn2_strerror(rc)))
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
