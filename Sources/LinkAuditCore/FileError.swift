import Foundation

/// Why a file could not be read at all (as opposed to a bad row in it).
public struct FileError: Error, LocalizedError, Equatable {
  public let file: String
  public let line: Int?
  public let message: String

  public init(file: String, line: Int? = nil, message: String) {
    self.file = file
    self.line = line
    self.message = message
  }

  public var errorDescription: String? {
    let file = escapingControls(file)
    return line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)"
  }
}

/// The folder part of a path, "" for a bare name (as `NSString`'s
/// `deletingLastPathComponent`, which swift-corelibs-foundation traps on for
/// a one-character name such as `--out r`).
package func parentPath(_ path: String) -> String {
  var p = Substring(path)
  while p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
  guard let slash = p.lastIndex(of: "/") else { return "" }
  var parent = p[..<slash]
  while parent.hasSuffix("/") { parent = parent.dropLast() }
  return parent.isEmpty ? "/" : String(parent)
}
