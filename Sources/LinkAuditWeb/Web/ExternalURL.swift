import Foundation
import LinkAuditCore

/// An external link as the contract sees it: validated, normalised, with its host
/// in both forms and its registrable domain.
public struct ExternalURL: Equatable, Sendable {
  /// Scheme and host lower-cased, host in Unicode, default port and fragment
  /// removed, path and query byte for byte: what decisions on a URL match against.
  public var normalised: String
  /// Lower-case Unicode host (`例子.中国`).
  public var host: String
  /// Lower-case ASCII host (`xn--fsqu00a.xn--fiqs8s`).
  public var hostASCII: String
  /// Registrable domain in Unicode form; the host itself for IP addresses and
  /// names with no registrable part (`localhost`).
  public var domain: String
  /// The URL carried a user name or password (`user:pass@host`): dropped
  /// from `normalised`, and worth a warning (it is a phishing pattern).
  public var hadUserinfo = false
  /// The URL as shared, with any user name and password replaced by `***`:
  /// credentials are never stored.
  public var shared = ""
  /// A label of the host mixes scripts (`tаobao.com`, Cyrillic а): stored as
  /// its own host, and worth a warning (it imitates another site).
  public var mixesScripts = false
}

public struct URLError: Error, Equatable, Sendable {
  public let reason: String
}

/// Parses and normalises URLs as a browser reads them (WHATWG URL Standard,
/// special schemes http and https), remembering the host's answer because a
/// log repeats the same few thousand hosts millions of times.
public final class URLNormaliser {
  private let suffixes: PublicSuffixList
  private var hosts: [String: ResolvedHost] = [:]
  private static let cacheLimit = 200_000

  private struct ResolvedHost {
    var host: String
    var ascii: String
    var domain: String
    var mixesScripts: Bool
  }

  public init(suffixes: PublicSuffixList = PublicSuffixList()) {
    self.suffixes = suffixes
  }

  public func normalise(_ raw: String) throws(URLError) -> ExternalURL {
    // Works on the UTF-8 bytes: String index arithmetic costs more than the rest of an import row.
    var url = raw
    return try url.withUTF8 { b in
      // A browser removes every tab and newline before it parses (http://ho<TAB>st/ opens host).
      guard Self.holdsTabOrNewline(b) else {
        return Result { () throws(URLError) in try parse(b) }
      }
      let kept = b.filter { $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
      return kept.withUnsafeBufferPointer { k in Result { () throws(URLError) in try parse(k) } }
    }.get()
  }

  /// Eight bytes at a time (a byte below 0x0E in a word sends the rest to the
  /// exact test): this pass over every URL costs a tenth of `normalise` byte by byte.
  private static func holdsTabOrNewline(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    var i = 0
    if let base = b.baseAddress {
      let raw = UnsafeRawPointer(base)
      while i + 8 <= b.count {
        let x = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        if (x &- 0x0E0E_0E0E_0E0E_0E0E) & ~x & 0x8080_8080_8080_8080 != 0 { break }
        i += 8
      }
    }
    while i < b.count {
      if b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { return true }
      i += 1
    }
    return false
  }

  private func parse(_ b: UnsafeBufferPointer<UInt8>) throws(URLError) -> ExternalURL {
    // Leading and trailing C0 controls and spaces are trimmed, as a browser does.
    var start = 0
    var n = b.count
    while start < n, b[start] <= 0x20 { start += 1 }
    while n > start, b[n - 1] <= 0x20 { n -= 1 }
    var i = start
    func isSchemeByte(_ c: UInt8) -> Bool {
      ASCII.isLetter(c) || ASCII.isDigit(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: "-")
        || c == UInt8(ascii: ".")
    }
    guard i < n, ASCII.isLetter(b[i]) else { throw URLError(reason: "an absolute http or https URL") }
    while i < n, isSchemeByte(b[i]) { i += 1 }
    guard i < n, b[i] == UInt8(ascii: ":") else { throw URLError(reason: "an absolute http or https URL") }
    let scheme: String
    switch i - start {
    case 4 where ASCII.equalsLowercased(b, from: start, "http"): scheme = "http"
    case 5 where ASCII.equalsLowercased(b, from: start, "https"): scheme = "https"
    default: throw URLError(reason: "an http or https URL")
    }
    // A browser skips any run of slashes and backslashes after a special
    // scheme: http:example.com, http:/example.com and http:\\example.com open example.com.
    var authorityStart = i + 1
    while authorityStart < n, b[authorityStart] == UInt8(ascii: "/") || b[authorityStart] == UInt8(ascii: "\\") {
      authorityStart += 1
    }
    // A backslash ends the authority like a slash, so http://evil.com\@item.taobao.com/ opens evil.com.
    var authorityEnd = authorityStart
    while authorityEnd < n, b[authorityEnd] != UInt8(ascii: "/"), b[authorityEnd] != UInt8(ascii: "?"),
      b[authorityEnd] != UInt8(ascii: "#"), b[authorityEnd] != UInt8(ascii: "\\")
    {
      authorityEnd += 1
    }
    var restEnd = authorityEnd
    while restEnd < n, b[restEnd] != UInt8(ascii: "#") { restEnd += 1 }
    // The last @ ends the user name and password (user@name@host has the user name "user@name").
    var hostStart = authorityStart
    for k in authorityStart..<authorityEnd where b[k] == UInt8(ascii: "@") { hostStart = k + 1 }
    // The host ends at the first colon outside [brackets] (an IPv6 address holds colons).
    var hostEnd = hostStart
    var inBrackets = false
    while hostEnd < authorityEnd {
      let c = b[hostEnd]
      if c == UInt8(ascii: "[") { inBrackets = true }
      if c == UInt8(ascii: "]") { inBrackets = false }
      if c == UInt8(ascii: ":"), !inBrackets { break }
      hostEnd += 1
    }
    guard hostStart < hostEnd else { throw URLError(reason: "a URL with a host") }
    func text(_ from: Int, _ to: Int) -> String {
      String(decoding: UnsafeBufferPointer(rebasing: b[from..<to]), as: UTF8.self)
    }
    var port = ""
    if hostEnd < authorityEnd {
      var value = 0
      for k in (hostEnd + 1)..<authorityEnd {
        guard ASCII.isDigit(b[k]) else { throw URLError(reason: "a numeric port") }
        value = value * 10 + Int(b[k] - 48)
        guard value <= 65535 else { throw URLError(reason: "a port from 0 to 65535") }
      }
      // :0080 is port 80; an empty port (host:) is no port.
      if hostEnd + 1 < authorityEnd, value != (scheme == "http" ? 80 : 443) { port = ":" + String(value) }
    }
    let resolved = try resolve(text(hostStart, hostEnd))
    var normalised = scheme
    normalised.reserveCapacity(n - start + 8)
    normalised += "://"
    normalised += resolved.host
    normalised += port
    // The path as a browser reads it: backslashes are slashes (WHATWG, special schemes).
    var queryStart = authorityEnd
    var backslash = false
    while queryStart < restEnd, b[queryStart] != UInt8(ascii: "?") {
      if b[queryStart] == UInt8(ascii: "\\") { backslash = true }
      queryStart += 1
    }
    if backslash {
      normalised += text(authorityEnd, queryStart).replacingOccurrences(of: "\\", with: "/")
      normalised += text(queryStart, restEnd)
    } else {
      normalised += text(authorityEnd, restEnd)
    }
    let hadUserinfo = hostStart > authorityStart
    return ExternalURL(
      normalised: normalised, host: resolved.host, hostASCII: resolved.ascii, domain: resolved.domain,
      hadUserinfo: hadUserinfo,
      shared: hadUserinfo ? text(start, authorityStart) + "***@" + text(hostStart, n) : "",
      mixesScripts: resolved.mixesScripts)
  }

  private func resolve(_ host: String) throws(URLError) -> ResolvedHost {
    if let known = hosts[host] { return known }
    let answer: ResolvedHost
    switch try HostParser.parse(host) {
    case .address(let address):
      answer = ResolvedHost(host: address, ascii: address, domain: address, mixesScripts: false)
    case .domain(var ascii):
      // A fully qualified name's final dot names the same site (taobao.com. is taobao.com).
      if ascii.utf8.count > 1, ascii.hasSuffix("."), !ascii.hasSuffix("..") { ascii.removeLast() }
      do {
        let unicode = try IDNA.toUnicode(ascii)
        let domain = try suffixes.registrableDomain(asciiHost: ascii).map(IDNA.toUnicode) ?? unicode
        answer = ResolvedHost(
          host: unicode, ascii: ascii, domain: domain, mixesScripts: Homograph.mixesScripts(unicode))
      } catch {
        throw URLError(reason: "a valid host name (\((error as? HostnameError)?.message ?? "\(error)"))")
      }
    }
    if hosts.count >= Self.cacheLimit { hosts.removeAll(keepingCapacity: true) }
    hosts[host] = answer
    return answer
  }
}

/// Byte tests on ASCII, without building Characters on the hot path.
enum ASCII {
  static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
  static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
  static func isHexDigit(_ c: UInt8) -> Bool { isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) }
  static func hexValue(_ c: UInt8) -> Int { isDigit(c) ? Int(c - 0x30) : Int((c | 0x20) - 0x61 + 10) }
  /// `b[from...]` is `lower` (lower-case ASCII) in any case.
  static func equalsLowercased(_ b: UnsafeBufferPointer<UInt8>, from: Int, _ lower: StaticString) -> Bool {
    let l = UnsafeBufferPointer(start: lower.utf8Start, count: lower.utf8CodeUnitCount)
    guard from + l.count <= b.count else { return false }
    for k in 0..<l.count where b[from + k] | (isLetter(b[from + k]) ? 0x20 : 0) != l[k] { return false }
    return true
  }
}

extension Character {
  package var isASCIIDigit: Bool { isASCII && isNumber }
}
