import Foundation

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
}

public struct URLError: Error, Equatable, Sendable {
  public let reason: String
}

/// Parses and normalises URLs, remembering the answer per host because a log
/// repeats the same few thousand hosts millions of times.
public final class URLNormaliser {
  private let suffixes: PublicSuffixList
  private var hosts: [Substring: (host: String, ascii: String, domain: String)] = [:]
  private static let cacheLimit = 200_000

  public init(suffixes: PublicSuffixList = PublicSuffixList()) {
    self.suffixes = suffixes
  }

  public func normalise(_ raw: String) throws(URLError) -> ExternalURL {
    let url = raw.trimmingCharacters(in: .whitespaces)
    guard let schemeEnd = url.range(of: "://") else {
      throw URLError(reason: "an absolute http or https URL")
    }
    let scheme = url[..<schemeEnd.lowerBound].lowercased()
    guard scheme == "http" || scheme == "https" else {
      throw URLError(reason: "an http or https URL")
    }
    let afterScheme = url[schemeEnd.upperBound...]
    let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
    var authority = afterScheme[..<authorityEnd]
    var rest = afterScheme[authorityEnd...]
    if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }

    var userinfo: Substring = ""
    if let at = authority.lastIndex(of: "@") {
      userinfo = authority[...at]
      authority = authority[authority.index(after: at)...]
    }
    var hostPart = authority
    var port: Substring = ""
    if authority.first == "[" {
      guard let close = authority.firstIndex(of: "]") else { throw URLError(reason: "a valid IPv6 host") }
      hostPart = authority[...close]
      port = authority[authority.index(after: close)...]
    } else if let colon = authority.lastIndex(of: ":") {
      hostPart = authority[..<colon]
      port = authority[colon...]
    }
    if !port.isEmpty {
      guard port.first == ":", port.dropFirst().allSatisfy(\.isASCIIDigit) else {
        throw URLError(reason: "a numeric port")
      }
      if port == ":" || (scheme == "http" && port == ":80") || (scheme == "https" && port == ":443") {
        port = ""
      }
    }
    guard !hostPart.isEmpty else { throw URLError(reason: "a URL with a host") }
    let resolved = try resolve(hostPart)
    let normalised = scheme + "://" + userinfo + resolved.host + port + rest
    return ExternalURL(normalised: normalised, host: resolved.host, hostASCII: resolved.ascii, domain: resolved.domain)
  }

  private func resolve(_ host: Substring) throws(URLError) -> (host: String, ascii: String, domain: String) {
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
        let ascii = try IDNA.toASCII(String(host))
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

  private static func isIPv4(_ host: Substring) -> Bool {
    let parts = host.split(separator: ".", omittingEmptySubsequences: false)
    return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCIIDigit) }
  }
}

extension Character {
  var isASCIIDigit: Bool { isASCII && isNumber }
}
