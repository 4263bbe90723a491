import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditStore
import Testing

/// Issue 30, the seventh attack's key finding (red-team G9): a key a killed
/// `keys new --signing-key k2.pem` left under its temporary name
/// (`k2.pem.new-PID-UUID`) is named by doctor, whatever key it was for, in
/// the database's folder, the keys' and the current one (and the folder of
/// any --signing-key doctor is given); the next keys new of a key in its
/// folder removes it. Made by hand, as a kill leaves it. Through the built binary.
/// Rows: docs/reliability-round4-gout.md.
/// In FifthAttackKeyTests' suite, whose fixture it shares.
extension FifthAttackKeyTests {
  @Test func g9_aKeyLeftAtASigningKeyPathIsNamedAndRemoved() throws {
    try seeded(filing: false)
    let scratch = dir.file("scratch.pem")
    _ = try SigningKey.create(at: scratch)
    func leave(_ key: String, pid: Int32, uuid: Bool = true) throws -> String {
      let stray = key + ".new-\(pid)" + (uuid ? "-\(UUID().uuidString)" : "")
      try FileManager.default.copyItem(atPath: scratch, toPath: stray)
      chmod(stray, 0o600)
      return stray
    }
    let stray = try leave(dir.file("k2.pem"), pid: try endedProcessID())
    try makeFolder(dir.file("keys"))
    let away = try leave(dir.file("keys/k4.pem"), pid: try endedProcessID())
    let living = try leave(dir.file("k5.pem"), pid: getpid())
    let earlier = try leave(dir.file("k6.pem"), pid: try endedProcessID(), uuid: false)
    // A pseudonym key's temporary (hexadecimal text) is named too, but no signing key's run removes it.
    let pseudonym = dir.file("other.key.new-\(try endedProcessID())-\(UUID().uuidString)")
    try write(String(repeating: "ab", count: 32) + "\n", to: pseudonym, mode: 0o600)
    let storedStray = bytes(stray)

    let doctor = try run(["doctor"])
    #expect(
      doctor.stdout.contains(
        "stray key: \(stray): a private key left by a run killed before it put it in place at \(dir.file("k2.pem")): no command uses it; the next linkaudit keys new of a key in its folder removes it (rm \(stray))"
      ), "\(doctor.stdout)")
    #expect(
      doctor.stdout.contains(
        "stray key: \(pseudonym): a private key left by a run killed before it put it in place at \(dir.file("other.key")): no command uses it; remove it"
      ), "\(doctor.stdout)")
    #expect(doctor.stdout.contains("stray key: \(earlier): "), "\(doctor.stdout)")
    #expect(!doctor.stdout.contains(living) && !doctor.stdout.contains(away), "\(doctor.stdout)")
    #expect(bytes(stray) == storedStray)
    // The folder of a --signing-key doctor is given is looked in too.
    let named = try run(["doctor", "--signing-key", dir.file("keys/k4.pem")])
    #expect(
      named.stdout.contains(
        "stray key: \(away): a private key left by a run killed before it put it in place at \(dir.file("keys/k4.pem")): no command uses it; the next linkaudit keys new removes it"
      ), "\(named.stdout)")

    let made = try run(["keys", "new", "--signing-key", dir.file("k3.pem")])
    #expect(made.status == 0, "\(made.stderr)")
    #expect(!FileManager.default.fileExists(atPath: stray))
    for kept in [living, earlier, pseudonym, away] { #expect(FileManager.default.fileExists(atPath: kept), "\(kept)") }
    #expect(!(try run(["doctor"]).stdout.contains("stray key: \(stray)")))
    #expect(try run(["keys", "new", "--signing-key", dir.file("keys/k4.pem")]).status == 0)
    #expect(listing(dir.file("keys")) == ["k4.pem"])
  }
}
