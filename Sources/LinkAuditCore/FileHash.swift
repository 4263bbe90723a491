import Crypto
import Foundation

/// The SHA-256 of a file, read a megabyte at a time: what a batch is known by
/// (a file already imported is skipped) and what a manifest records.
package enum FileHash {
  package static func sha256(ofFile path: String) throws -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      throw FileError(file: path, message: "cannot open: \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    var hasher = SHA256()
    // One buffer for the whole file: FileHandle's fresh Data a read is a
    // fresh mapping (Memory.returnLargeBlocks) to fault in and unmap. The
    // quarter shape's 125 MB: 0.21-0.25 CPU-s and 32,000 page faults before,
    // 0.11-0.12 CPU-s and 1,600 with one buffer (the import hashes before it reads).
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n == 0 { break }
      guard n > 0 else {
        if errno == EINTR { continue }
        throw FileError(file: path, message: "cannot read: \(String(cString: strerror(errno)))")
      }
      buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0.prefix(n))) }
    }
    return hex(hasher.finalize())
  }
}
