import Crypto
import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import LinkAuditWeb

/// Replaces personal identifiers with HMAC-SHA256 pseudonyms under a secret key
/// kept outside the database, so the database never holds a raw id and the
/// same user gets the same pseudonym in every import.
public final class Pseudonymiser {
  /// Keyed once; each pseudonym starts from a copy, which saves the key schedule per row.
  private let keyed: HMAC<SHA256>
  /// The first 16 bytes of the HMAC, as 32 hex digits: collisions are out of
  /// reach (2⁻⁶⁴ at four billion users) and the column stays readable.
  public static let length = 32

  public init(key: SymmetricKey) {
    keyed = HMAC<SHA256>(key: key)
    var probe = keyed
    probe.update(data: Data("linkaudit pseudonym key fingerprint v1".utf8))
    fingerprint = hex(Array(probe.finalize()))
  }

  /// Names the key without revealing it: what the database records, so a
  /// different key is noticed before it makes a second pseudonym for a user.
  public let fingerprint: String

  /// Loads the key file, creating it with mode 0600 and 32 random bytes when absent.
  /// A key file others can read is refused: with it, pseudonyms can be tested against guesses.
  public convenience init(keyFile path: String) throws {
    let fm = FileManager.default
    if !fm.fileExists(atPath: path) {
      var bytes = [UInt8](repeating: 0, count: 32)
      var generator = SystemRandomNumberGenerator()
      for i in bytes.indices { bytes[i] = generator.next() }
      let text = hex(bytes) + "\n"
      // Written whole under another name, then linked into place: a process
      // starting at the same moment finds either no key or a whole one, and
      // the one that loses the race uses the winner's.
      let temporary = path + ".new-\(getpid())"
      let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
      guard fd >= 0 else {
        throw FileError(file: path, message: "cannot create key file: \(String(cString: strerror(errno)))")
      }
      defer { unlink(temporary) }
      let written = text.withCString { write(fd, $0, strlen($0)) }
      let synced = fsync(fd) == 0
      close(fd)
      guard written == text.utf8.count, synced else {
        throw FileError(file: path, message: "cannot write key file: \(String(cString: strerror(errno)))")
      }
      if link(temporary, path) != 0, errno != EEXIST {
        throw FileError(file: path, message: "cannot create key file: \(String(cString: strerror(errno)))")
      }
    }
    var info = stat()
    guard stat(path, &info) == 0 else {
      throw FileError(file: path, message: "cannot read key file: \(String(cString: strerror(errno)))")
    }
    guard info.st_mode & 0o077 == 0 else {
      throw FileError(
        file: path,
        message:
          "key file is readable by other users (mode \(String(info.st_mode & 0o777, radix: 8))); run chmod 600 \(path)")
    }
    let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    guard let bytes = unhex(text), bytes.count >= 16 else {
      throw FileError(file: path, message: "key file must hold at least 32 hexadecimal digits")
    }
    self.init(key: SymmetricKey(data: bytes))
  }

  /// A pseudonym with its 128 bits, which the rollups count users by.
  public struct Pseudonym {
    public let text: String
    public let high: UInt64
    public let low: UInt64
  }

  /// Recent pseudonyms: logs repeat the same users many times, and an HMAC
  /// costs more than a lookup. Emptied when full, so memory stays bounded.
  private var memo: [String: Pseudonym] = [:]
  private static let memoLimit = 65_536

  public func pseudonym(_ identifier: String) -> String { pseudonymWithBits(identifier).text }

  public func pseudonymWithBits(_ identifier: String) -> Pseudonym {
    if let known = memo[identifier] { return known }
    if memo.count >= Self.memoLimit { memo.removeAll(keepingCapacity: true) }
    let text = computePseudonym(identifier)
    let (high, low) = PseudonymBits.bits(text)
    let result = Pseudonym(text: text, high: high, low: low)
    memo[identifier] = result
    return result
  }

  private func computePseudonym(_ identifier: String) -> String {
    var id = identifier
    var hmac = keyed
    id.withUTF8 { hmac.update(data: UnsafeRawBufferPointer($0)) }
    let mac = hmac.finalize()
    return mac.withUnsafeBytes { hex($0.prefix(Self.length / 2)) }
  }
}
