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
    line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)"
  }
}
