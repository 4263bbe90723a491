import Crypto
import Foundation
import LinkAuditCore
import Testing

/// A file's SHA-256, read through one reused buffer: what a batch is known by.
@Suite struct FileHashTests {
  let dir = TemporaryDirectory()

  /// Sizes around the buffer's megabyte, and none: every byte hashed once.
  @Test(arguments: [0, 1, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 2 * (1 << 20) + 123])
  func aFileHashesAsItsBytesDo(size: Int) throws {
    var bytes = [UInt8](repeating: 0, count: size)
    var x: UInt64 = 7
    for i in bytes.indices {
      x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      bytes[i] = UInt8(truncatingIfNeeded: x >> 33)
    }
    let path = dir.file("f")
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    #expect(try FileHash.sha256(ofFile: path) == SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
  }

  @Test func aMissingFileOrAFolderIsNamedWithTheCause() throws {
    let missing = #expect(throws: FileError.self) { try FileHash.sha256(ofFile: dir.file("none.csv")) }
    #expect(missing?.file == dir.file("none.csv"))
    #expect(missing?.message == "cannot open: No such file or directory")
    let folder = #expect(throws: FileError.self) { try FileHash.sha256(ofFile: dir.path) }
    #expect(folder?.message == "cannot read: Is a directory")
  }
}
