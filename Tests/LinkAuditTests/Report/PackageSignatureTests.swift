import Foundation
import LinkAudit
import Testing

/// The package signing key: its file, its public half, and signatures that
/// openssl reads as linkaudit does.
@Suite struct PackageSignatureTests {
  let dir = TemporaryDirectory()

  @Test func aNewKeyIsPrivateToItsOwnerAndNeverReplaced() throws {
    let path = dir.file("signing.pem")
    let key = try SigningKey.create(at: path)
    var info = stat()
    #expect(stat(path, &info) == 0)
    #expect(info.st_mode & 0o777 == 0o600)
    #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
    // Loaded back, the same key.
    #expect(try SigningKey(path: path).publicKey == key.publicKey)
    // A second key at the same place is refused, and the first is untouched.
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    let error = #expect(throws: Error.self) { try SigningKey.create(at: path) }
    #expect(error?.localizedDescription.contains("refusing to replace a signing key") == true)
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    // A key others can read is refused: anyone could sign as the platform.
    chmod(path, 0o644)
    let readable = #expect(throws: Error.self) { try SigningKey(path: path) }
    #expect(readable?.localizedDescription.contains("readable by other users") == true)
  }

  @Test func thePublicKeyRoundTripsAndSignaturesAreDeterministic() throws {
    let key = try SigningKey.create(at: dir.file("k.pem"))
    let pub = dir.file("k.pub.pem")
    try key.publicKey.pem.write(toFile: pub, atomically: true, encoding: .utf8)
    let loaded = try PackagePublicKey(path: pub)
    #expect(loaded == key.publicKey)
    #expect(loaded.fingerprint.count == 64)
    let data = Data("manifest".utf8)
    let signature = try key.sign(data)
    #expect(signature.count == 64)
    // Ed25519 (RFC 8032) signs deterministically: a package written twice is byte-identical, its signature too.
    #expect(try key.sign(data) == signature)
    #expect(loaded.isValidSignature(signature, for: data))
    #expect(!loaded.isValidSignature(signature, for: Data("manifesto".utf8)))
    // The private key file is not a public key.
    #expect(throws: Error.self) { try PackagePublicKey(path: dir.file("k.pem")) }
  }

  /// A regulator without linkaudit checks a signature with openssl.
  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
  func opensslReadsTheKeysAndTheSignature() throws {
    let keyPath = dir.file("o.pem")
    let key = try SigningKey.create(at: keyPath)
    let pub = dir.file("o.pub.pem")
    try key.publicKey.pem.write(toFile: pub, atomically: true, encoding: .utf8)
    let data = dir.file("m.json")
    try "{\"quarter\" : \"2021-Q4\"}\n".write(toFile: data, atomically: true, encoding: .utf8)
    try key.sign(try Data(contentsOf: URL(fileURLWithPath: data))).write(to: URL(fileURLWithPath: dir.file("m.sig")))
    func openssl(_ arguments: [String]) throws -> (Int32, String) {
      let p = Process()
      p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
      p.arguments = arguments
      let out = Pipe()
      p.standardOutput = out
      p.standardError = out
      try p.run()
      let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      p.waitUntilExit()
      return (p.terminationStatus, text)
    }
    let derived = try openssl(["pkey", "-in", keyPath, "-pubout"])
    #expect(derived == (0, key.publicKey.pem))
    let verified = try openssl([
      "pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin", "-in", data, "-sigfile", dir.file("m.sig"),
    ])
    #expect(verified.0 == 0, "\(verified.1)")
    #expect(verified.1.contains("Signature Verified Successfully"))
  }
}
