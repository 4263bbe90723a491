import Foundation
import LinkAuditCore
import Testing

/// Both keys (pseudonym, signing) are written and read by these rules.
@Suite struct SecretFileTests {
  let dir = TemporaryDirectory()

  @Test func aKeyIsWrittenPrivateOnceAndReadOnlyWhilePrivate() throws {
    let path = dir.file("k")
    #expect(try SecretFile.create(at: path, contents: "first\n"))
    var info = stat()
    #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
    // A second key at the same place writes nothing and says so.
    #expect(try !SecretFile.create(at: path, contents: "second\n"))
    #expect(try SecretFile.read(path) == "first\n")
    // No file left behind under the temporary name.
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["k"])
    chmod(path, 0o640)
    let error = #expect(throws: Error.self) { try SecretFile.read(path) }
    #expect(error?.localizedDescription.contains("readable by other users (mode 640)") == true)
  }
}
