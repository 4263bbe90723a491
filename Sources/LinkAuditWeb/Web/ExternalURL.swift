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
}

public struct URLError: Error, Equatable, Sendable {
  public let reason: String
}

/// Parses and normalises URLs, remembering the answer per host because a log
/// repeats the same few thousand hosts millions of times.
public final class URLNormaliser {
  private let suffixes: PublicSuffixList
  private var hosts: [String: (host: String, ascii: String, domain: String)] = [:]
  private static let cacheLimit = 200_000

  public init(suffixes: PublicSuffixList = PublicSuffixList()) {
    self.suffixes = suffixes
  }

  public func normalise(_ raw: String) throws(URLError) -> ExternalURL {
    // Works on the UTF-8 bytes: String index arithmetic costs more than the rest of an import row.
    var url = raw.trimmed
    return try url.withUTF8 { b in Result { () throws(URLError) in try parse(b) } }.get()
  }

  private func parse(_ b: UnsafeBufferPointer<UInt8>) throws(URLError) -> ExternalURL {
    let n = b.count
    var i = 0
    while i < n, b[i] != UInt8(ascii: ":") { i += 1 }
    guard i + 2 < n, b[i + 1] == UInt8(ascii: "/"), b[i + 2] == UInt8(ascii: "/") else {
      throw URLError(reason: "an absolute http or https URL")
    }
    let scheme = String(decoding: UnsafeBufferPointer(rebasing: b[0..<i]), as: UTF8.self).lowercased()
    guard scheme == "http" || scheme == "https" else { throw URLError(reason: "an http or https URL") }
    // As browsers do (WHATWG URL, special schemes): a backslash ends the
    // authority like a slash, so http://evil.com\@item.taobao.com/ opens evil.com.
    let authorityStart = i + 3
    var authorityEnd = authorityStart
    while authorityEnd < n, b[authorityEnd] != UInt8(ascii: "/"), b[authorityEnd] != UInt8(ascii: "?"),
      b[authorityEnd] != UInt8(ascii: "#"), b[authorityEnd] != UInt8(ascii: "\\")
    {
      authorityEnd += 1
    }
    var restEnd = authorityEnd
    while restEnd < n, b[restEnd] != UInt8(ascii: "#") { restEnd += 1 }
    var hostStart = authorityStart
    for k in authorityStart..<authorityEnd where b[k] == UInt8(ascii: "@") { hostStart = k + 1 }
    var hostEnd = authorityEnd
    var portStart = authorityEnd
    if hostStart < authorityEnd, b[hostStart] == UInt8(ascii: "[") {
      var close = hostStart
      while close < authorityEnd, b[close] != UInt8(ascii: "]") { close += 1 }
      guard close < authorityEnd else { throw URLError(reason: "a valid IPv6 host") }
      hostEnd = close + 1
      portStart = hostEnd
    } else {
      var k = authorityEnd
      while k > hostStart {
        k -= 1
        if b[k] == UInt8(ascii: ":") {
          hostEnd = k
          portStart = k
          break
        }
      }
    }
    func text(_ from: Int, _ to: Int) -> String {
      String(decoding: UnsafeBufferPointer(rebasing: b[from..<to]), as: UTF8.self)
    }
    var port = ""
    if portStart < authorityEnd {
      guard portStart == hostEnd, b[portStart] == UInt8(ascii: ":"),
        b[(portStart + 1)..<authorityEnd].allSatisfy({ $0 >= 48 && $0 <= 57 })
      else { throw URLError(reason: "a numeric port") }
      port = text(portStart, authorityEnd)
      if port == ":" || (scheme == "http" && port == ":80") || (scheme == "https" && port == ":443") { port = "" }
    }
    guard hostStart < hostEnd else { throw URLError(reason: "a URL with a host") }
    // A fully qualified name's final dot names the same site (taobao.com. is taobao.com).
    var nameEnd = hostEnd
    if hostEnd - hostStart > 1, b[hostEnd - 1] == UInt8(ascii: "."), b[hostEnd - 2] != UInt8(ascii: ".") {
      nameEnd -= 1
    }
    let resolved = try resolve(text(hostStart, nameEnd))
    var normalised = scheme
    normalised.reserveCapacity(n + 8)
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
      shared: hadUserinfo ? text(0, authorityStart) + "***@" + text(hostStart, n) : "")
  }

  private func resolve(_ host: String) throws(URLError) -> (host: String, ascii: String, domain: String) {
    if let known = hosts[host] { return known }
    let answer: (host: String, ascii: String, domain: String)
    if host.first == "[" || Self.isIPv4(host) {
      let lower = host.lowercased()
      answer = (lower, lower, lower)
    } else {
      guard host.unicodeScalars.allSatisfy({ $0.value > 0x20 && !"/\\?#@%<>\"'` ".unicodeScalars.contains($0) }) else {
        throw URLError(reason: "a valid host name")
      }
      do {
        let ascii = try IDNA.toASCII(host)
        let unicode = try IDNA.toUnicode(ascii)
        let domain = try suffixes.registrableDomain(asciiHost: ascii).map(IDNA.toUnicode) ?? unicode
        answer = (unicode, ascii, domain)
      } catch {
        throw URLError(reason: "a valid host name (\((error as? HostnameError)?.message ?? "\(error)"))")
      }
    }
    if hosts.count >= Self.cacheLimit { hosts.removeAll(keepingCapacity: true) }
    hosts[host] = answer
    return answer
  }

  private static func isIPv4(_ host: String) -> Bool {
    let parts = host.split(separator: ".", omittingEmptySubsequences: false)
    return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCIIDigit) }
  }
}

extension Character {
  package var isASCIIDigit: Bool { isASCII && isNumber }
}
