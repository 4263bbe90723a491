import Foundation
import LinkAuditCore
import LinkAuditStore

extension Doctor.Finding {
  package init(_ severity: Severity, _ check: String, _ detail: String) {
    self.init(severity: severity, check: check, detail: detail)
  }
}

extension Doctor {
  /// The pseudonym key the database's pseudonyms were made with: present,
  /// readable by its owner only (mode 0600), and the one the database
  /// recorded. Without it the next import counts every user twice.
  /// Read-only: a missing key is named, never made.
  package static func pseudonymKey(_ db: Database, defaultKeyFile: String) throws -> Finding {
    let check = "pseudonym key"
    let recorded = try db.scalar("SELECT value FROM setting WHERE name = 'pseudonym_key_fingerprint'").text
    let path = try db.scalar("SELECT value FROM setting WHERE name = 'pseudonym_key_path'").text ?? defaultKeyFile
    guard let recorded else {
      return Finding(.ok, check, "no pseudonym made yet: the first import makes or takes the key")
    }
    var info = stat()
    guard stat(path, &info) == 0 else {
      return Finding(
        .problem, check,
        "\(path) is missing: the database's pseudonyms were made with a key (fingerprint \(recorded.prefix(12))…); restore it from its backup before the next import"
      )
    }
    if let why = FileIdentity.notARegularFile(path) { return Finding(.problem, check, "\(path) \(why.reason)") }
    guard info.st_mode & 0o077 == 0 else {
      return Finding(
        .problem, check,
        "\(path) is readable by other users (mode \(String(info.st_mode & 0o777, radix: 8))): run chmod 600 \(path)")
    }
    let fingerprint: String
    do {
      fingerprint = try Pseudonymiser(keyFile: path).fingerprint
    } catch {
      return Finding(.problem, check, "\(path): \(error.localizedDescription)")
    }
    guard fingerprint == recorded else {
      return Finding(
        .problem, check,
        "\(path) is not the key the database was built with (fingerprint \(fingerprint.prefix(12))…, database \(recorded.prefix(12))…)"
      )
    }
    return Finding(.ok, check, "\(path): mode 600, the key the database's pseudonyms were made with")
  }
}
