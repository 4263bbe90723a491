import Crypto
import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import LinkAuditWeb

/// Replaces personal identifiers with HMAC-SHA256 pseudonyms under a secret key
/// kept outside the database, so the database never holds a raw id and the
/// same user gets the same pseudonym in every import.
///
/// The HMAC is RFC 2104 over swift-crypto's SHA-256, with its two keyed states
/// computed once: swift-crypto's own `HMAC` goes through a generic
/// `DataProtocol` path that took 1.43 µs a pseudonym against 0.80 µs this way
/// (1,000,000 ids, release build, same machine and run; docs/benchmarks.md).
/// `PseudonymiserTests` holds the two equal. A value without state, so the
/// reading thread of an import makes the pseudonyms, and the raw id goes no further.
public struct Pseudonymiser: Sendable {
  /// SHA-256 after the key XOR ipad block, and after the key XOR opad block.
  private let inner: SHA256
  private let outer: SHA256
  /// The first 16 bytes of the HMAC, as 32 hex digits: collisions are out of
  /// reach (2⁻⁶⁴ at four billion users) and the column stays readable.
  public static let length = 32

  public init(key: SymmetricKey) {
    var block = key.withUnsafeBytes { Array($0) }
    if block.count > SHA256.blockByteCount { block = Array(SHA256.hash(data: block)) }
    block += repeatElement(0, count: SHA256.blockByteCount - block.count)
    var inner = SHA256()
    var outer = SHA256()
    block.map { $0 ^ 0x36 }.withUnsafeBytes { inner.update(bufferPointer: $0) }
    block.map { $0 ^ 0x5c }.withUnsafeBytes { outer.update(bufferPointer: $0) }
    (self.inner, self.outer) = (inner, outer)
    // One rule for the fingerprint: the report tells the database's key in a file by it too (red-team F9).
    fingerprint = SecretFile.pseudonymKeyFingerprint(key.withUnsafeBytes { Array($0) })
  }

  /// Names the key without revealing it: what the database records, so a
  /// different key is noticed before it makes a second pseudonym for a user.
  public let fingerprint: String

  /// HMAC = H(key ⊕ opad ‖ H(key ⊕ ipad ‖ message)), from the two keyed states.
  private static func mac(_ inner: SHA256, _ outer: SHA256, _ bytes: UnsafeRawBufferPointer) -> SHA256.Digest {
    var i = inner
    i.update(bufferPointer: bytes)
    var o = outer
    i.finalize().withUnsafeBytes { o.update(bufferPointer: $0) }
    return o.finalize()
  }

  /// Loads the key file, creating it with mode 0600 and 32 random bytes when absent.
  /// A key file others can read is refused: with it, pseudonyms can be tested against guesses.
  public init(keyFile path: String) throws {
    if !FileManager.default.fileExists(atPath: path) {
      var bytes = [UInt8](repeating: 0, count: 32)
      var generator = SystemRandomNumberGenerator()
      for i in bytes.indices { bytes[i] = generator.next() }
      // A key another process made at the same moment wins; this one is dropped.
      _ = try SecretFile.create(at: path, contents: hex(bytes) + "\n")
    }
    guard let bytes = SecretFile.pseudonymKey(fromText: try SecretFile.read(path)) else {
      throw FileError(file: path, message: "key file must hold at least 32 hexadecimal digits")
    }
    self.init(key: SymmetricKey(data: bytes))
  }

  /// The pseudonym as stored: 32 lower-case hexadecimal digits.
  public func pseudonym(_ identifier: String) -> String { PseudonymBits.text(bits(identifier)) }

  /// The pseudonym's 128 bits (the HMAC's first 16 bytes, big-endian), which
  /// the rollups count users by and `PseudonymBits` writes as its text.
  package func bits(_ identifier: String) -> UserBits {
    var id = identifier
    let digest = id.withUTF8 { Self.mac(inner, outer, UnsafeRawBufferPointer($0)) }
    return digest.withUnsafeBytes { raw in
      UserBits(
        high: UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)),
        low: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    }
  }
}
