import Crypto
import Foundation
import LinkAuditCore
import LinkAuditImport
import LinkAuditRollup
import Testing

/// The pseudonymiser computes HMAC-SHA256 from swift-crypto's SHA-256 with
/// its keyed states made once (faster than swift-crypto's `HMAC`, issue 17).
/// It must be that HMAC, byte for byte, or every user would get a second
/// pseudonym in a database built before the change.
@Suite struct PseudonymiserTests {
  @Test func isSwiftCryptosHMACForEveryKeyLength() {
    // Shorter than, equal to and longer than SHA-256's block (a longer key is hashed first).
    for keyLength in [16, 32, 63, 64, 65, 100] {
      let key = SymmetricKey(data: (0..<keyLength).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
      let pseudonymiser = Pseudonymiser(key: key)
      for id in ["", "a", "wx_123", String(repeating: "长", count: 40), String(repeating: "x", count: 200)] {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(id.utf8), using: key)
        #expect(pseudonymiser.pseudonym(id) == hex(Array(mac).prefix(16)), "key \(keyLength) bytes, id \(id.count)")
      }
      let probe = HMAC<SHA256>.authenticationCode(
        for: Data("linkaudit pseudonym key fingerprint v1".utf8), using: key)
      #expect(pseudonymiser.fingerprint == hex(Array(probe)))
    }
  }

  @Test func bitsAreWhatThePseudonymWrites() {
    let pseudonymiser = Pseudonymiser(key: SymmetricKey(data: [UInt8](repeating: 9, count: 32)))
    for id in ["alice", "bob", "wx_0", "wx_99999999"] {
      let bits = pseudonymiser.bits(id)
      let text = pseudonymiser.pseudonym(id)
      #expect(text.utf8.count == Pseudonymiser.length)
      #expect(PseudonymBits.text(bits) == text)
      #expect(UserBits(stored: text) == bits)
    }
    #expect(pseudonymiser.bits("alice") != pseudonymiser.bits("bob"))
  }
}
