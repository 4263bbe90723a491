import Crypto
import Foundation
import LinkAuditCore
import LinkAuditStore

/// The key a platform signs its packages with (Ed25519, RFC 8032), kept in
/// a file of its own (PKCS #8 PEM, mode 0600), apart from the pseudonym key:
/// the one proves who issued a filing, the other hides who tapped a link.
public struct SigningKey {
  let key: Curve25519.Signing.PrivateKey

  /// The signing key's default place: beside the database, as the pseudonym key is.
  public static let defaultName = Database.signingKeyName

  /// A new key at `path`; an existing file is never replaced (a platform
  /// that lost its key would lose the means to sign as itself).
  public static func create(at path: String) throws -> SigningKey {
    let key = Curve25519.Signing.PrivateKey()
    let pem = PEM.encode(label: "PRIVATE KEY", der: DER.pkcs8Prefix + Array(key.rawRepresentation))
    guard try SecretFile.create(at: path, contents: pem) else {
      // Named for what is there: a database or a note is no signing key (red-team F15).
      let what = whatIsAt(path)
      throw FileError(
        file: path,
        message: what == nil
          ? "a signing key is already there: refusing to replace a signing key"
          : "\(what!) is already there, not a signing key: refusing to replace it; name a new file for the key")
    }
    return SigningKey(key: key)
  }

  /// What lies at `path`, by its kind and first bytes, when it is not a
  /// PEM private key (nil): a link is named, never followed; a pipe is never opened.
  static func whatIsAt(_ path: String) -> String? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return "a file" }
    switch info.st_mode & S_IFMT {
    case S_IFLNK:
      return stat(path, &info) == 0 ? "a symbolic link" : "a symbolic link that leads nowhere"
    case S_IFDIR: return "a folder"
    case S_IFREG: break
    default: return "a pipe, a socket or a device"
    }
    guard let (head, size) = PackageFolder.head(of: path) else { return "a file" }
    if PackageFolder.holdsPrivateKey(path) { return nil }
    if head.starts(with: Data("SQLite format 3\u{0}".utf8)) { return "a database (SQLite)" }
    if size <= 4096, SecretFile.pseudonymKey(fromText: String(decoding: head, as: UTF8.self)) != nil {
      return "a file of hexadecimal digits alone (a pseudonym key, or a digest)"
    }
    return size == 0 ? "an empty file" : "a file of \(size) bytes"
  }

  public init(path: String) throws {
    guard let raw = DER.key(in: try SecretFile.read(path), label: "PRIVATE KEY", prefix: DER.pkcs8Prefix),
      let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
    else {
      throw FileError(file: path, message: "not an Ed25519 private key in PEM (linkaudit keys new writes one)")
    }
    self.key = key
  }

  init(key: Curve25519.Signing.PrivateKey) { self.key = key }

  public var publicKey: PackagePublicKey { PackagePublicKey(key: key.publicKey) }

  /// The 64-byte signature of `data`, as `manifest.sig` holds it.
  public func sign(_ data: Data) throws -> Data { try key.signature(for: data) }
}

/// The public half, which a regulator holds: PEM (SubjectPublicKeyInfo, RFC
/// 8410), so `openssl pkeyutl -verify` checks a package as well as linkaudit does.
public struct PackagePublicKey: Equatable {
  let key: Curve25519.Signing.PublicKey

  public static func == (a: PackagePublicKey, b: PackagePublicKey) -> Bool {
    a.key.rawRepresentation == b.key.rawRepresentation
  }

  public init(path: String) throws {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw FileError(file: path, message: "cannot read the public key")
    }
    guard let raw = DER.key(in: text, label: "PUBLIC KEY", prefix: DER.spkiPrefix),
      let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
    else {
      throw FileError(file: path, message: "not an Ed25519 public key in PEM (linkaudit keys public prints one)")
    }
    self.key = key
  }

  init(key: Curve25519.Signing.PublicKey) { self.key = key }

  /// The key from its 32 bytes, as the ledger keeps it; nil for anything else.
  public init?(raw: Data) {
    guard raw.count == 32, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return nil }
    self.key = key
  }

  /// The key's 32 bytes (RFC 8032), as the ledger keeps them.
  public var raw: Data { key.rawRepresentation }

  public var pem: String { PEM.encode(label: "PUBLIC KEY", der: DER.spkiPrefix + Array(key.rawRepresentation)) }

  /// SHA-256 of the key's 32 bytes, in hex: what the Cover and the manifest name.
  public var fingerprint: String { hex(SHA256.hash(data: key.rawRepresentation)) }

  public func isValidSignature(_ signature: Data, for data: Data) -> Bool {
    key.isValidSignature(signature, for: data)
  }
}

/// The fixed DER around an Ed25519 key (RFC 8410): the algorithm is the
/// only field, so a prefix is the whole encoding but the key.
enum DER {
  /// PrivateKeyInfo { version 0, AlgorithmIdentifier { id-Ed25519 }, OCTET STRING { OCTET STRING (32) } }
  static let pkcs8Prefix: [UInt8] = [
    0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
  ]
  /// SubjectPublicKeyInfo { AlgorithmIdentifier { id-Ed25519 }, BIT STRING (32 bytes, no unused bits) }
  static let spkiPrefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

  /// The key's 32 bytes from a PEM block `label` that is `prefix` and them; nil for anything else.
  static func key(in text: String, label: String, prefix: [UInt8]) -> Data? {
    guard let der = PEM.decode(label: label, text), der.count == prefix.count + 32,
      Array(der.prefix(prefix.count)) == prefix
    else { return nil }
    return Data(der.suffix(32))
  }
}

enum PEM {
  static func encode(label: String, der: [UInt8]) -> String {
    let body = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
    return "-----BEGIN \(label)-----\n\(body)\n-----END \(label)-----\n"
  }

  static func decode(label: String, _ text: String) -> [UInt8]? {
    let begin = "-----BEGIN \(label)-----"
    let end = "-----END \(label)-----"
    guard let b = text.range(of: begin), let e = text.range(of: end, range: b.upperBound..<text.endIndex) else {
      return nil
    }
    let body = text[b.upperBound..<e.lowerBound].filter { !$0.isWhitespace }
    return Data(base64Encoded: String(body)).map(Array.init)
  }
}
