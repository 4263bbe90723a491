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
  /// `keyFile` is the key import will use (beside the database, by the
  /// rule import resolves it with), not the path the database recorded: a
  /// database moved or restored without its key is told so (red-team B13).
  /// Read-only: a missing key is named, never made.
  package static func pseudonymKey(_ db: Database, keyFile path: String) throws -> Finding {
    let check = "pseudonym key"
    let recorded = try db.scalar("SELECT value FROM setting WHERE name = 'pseudonym_key_path'").text
    guard let fingerprint = try db.scalar("SELECT value FROM setting WHERE name = 'pseudonym_key_fingerprint'").text
    else {
      return Finding(.ok, check, "no pseudonym made yet: the first import makes or takes the key")
    }
    let shown = escapingControls(path)
    // Where the database says its key was, when that is not where import looks.
    let elsewhere = recorded.flatMap { $0 == FileIdentity(path).canonical ? nil : $0 }
    let recordedNote =
      elsewhere.map { "; the database recorded the key at \(escapingControls($0)), but import uses \(shown)" } ?? ""
    var info = stat()
    guard stat(path, &info) == 0 else {
      // The key where the database last saw it: say how import would take it.
      if let elsewhere, FileManager.default.fileExists(atPath: elsewhere) {
        let there = escapingControls(elsewhere)
        return Finding(
          .problem, check,
          "\(shown) is missing, and import uses it: the database's pseudonyms were made with the key it recorded at \(there) (fingerprint \(fingerprint.prefix(12))…); copy that key beside the database, or import with --key-file \(there)"
        )
      }
      return Finding(
        .problem, check,
        "\(shown) is missing: the database's pseudonyms were made with a key (fingerprint \(fingerprint.prefix(12))…); restore it from its backup before the next import\(recordedNote)"
      )
    }
    if let why = FileIdentity.notARegularFile(path) {
      return Finding(.problem, check, "\(shown) \(why.reason)\(recordedNote)")
    }
    guard info.st_mode & 0o077 == 0 else {
      return Finding(
        .problem, check,
        "\(shown) is readable by other users (mode \(String(info.st_mode & 0o777, radix: 8))): run chmod 600 \(shown)\(recordedNote)"
      )
    }
    let actual: String
    do {
      actual = try Pseudonymiser(keyFile: path).fingerprint
    } catch {
      return Finding(.problem, check, "\(shown): \(error.localizedDescription)\(recordedNote)")
    }
    guard actual == fingerprint else {
      return Finding(
        .problem, check,
        "\(shown) is not the key the database was built with (fingerprint \(actual.prefix(12))…, database \(fingerprint.prefix(12))…)\(recordedNote)"
      )
    }
    return Finding(
      .ok, check,
      "\(shown): mode 600, the key the database's pseudonyms were made with\(recordedNote)")
  }

  /// The keys a run killed before it put them in place left under their
  /// temporary name (`SecretFile.strayTemporaries(in:)`): private keys no
  /// command uses, named so that they are not left lying about (red-team
  /// F15). Looked for, whatever key they were for, in the folders of
  /// `signingKey` and `pseudonymKey`, the database's and the current one
  /// (red-team G9: `keys new --signing-key k2.pem` killed leaves
  /// `k2.pem.new-…`; the filings record a key's fingerprint, not where it
  /// was made, so doctor --signing-key names another folder to look in).
  /// Read-only: named, never removed.
  package static func strayKeys(signingKey: String, pseudonymKey: String, database: String) -> [Finding] {
    var seen = Set<String>()
    let folders = [parentPath(signingKey), parentPath(pseudonymKey), parentPath(database), ""].filter {
      seen.insert(FileIdentity($0.isEmpty ? "." : $0).canonical).inserted
    }
    let signing = FileIdentity(signingKey)
    let pseudonym = FileIdentity(pseudonymKey)
    return folders.flatMap { SecretFile.strayTemporaries(in: $0) }.map { found in
      let stray = found.path
      let shown = escapingControls(stray)
      let key = FileIdentity(found.key)
      let remedy: String
      if !found.provenOurs {
        // A name of an earlier version's shape may be a person's: said so, and left to them.
        remedy =
          "named as earlier linkaudit versions named their temporaries, but a person may name a key so: linkaudit leaves it; remove it if it is no key of yours"
      } else if !found.isPrivateKey || key.isSame(as: pseudonym) {
        remedy = "remove it"
      } else if key.isSame(as: signing) {
        remedy = "the next linkaudit keys new removes it"
      } else {
        remedy = "the next linkaudit keys new of a key in its folder removes it"
      }
      let what =
        FileIdentity(stray).isSame(as: key)
        ? "a second name of the key \(escapingControls(found.key)), left by a run killed as it put the key in place"
        : "a private key left by a run killed before it put it in place at \(escapingControls(found.key)): no command uses it"
      return Finding(.warning, "stray key", "\(shown): \(what); \(remedy) (rm \(shown))")
    }
  }
}
