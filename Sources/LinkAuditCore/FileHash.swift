import Crypto
import Foundation

/// The SHA-256 of a file, read a megabyte at a time: what a batch is known by
/// (a file already imported is skipped) and what a manifest records.
package enum FileHash {
  package static func sha256(ofFile path: String) throws -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw FileError(file: path, message: "cannot open: \(String(cString: strerror(errno)))")
    }
    defer { try? handle.close() }
    var hasher = SHA256()
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
    return hex(hasher.finalize())
  }
}
