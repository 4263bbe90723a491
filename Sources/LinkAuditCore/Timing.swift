import Foundation

/// `LINKAUDIT_TIMING=1` prints how long each figure and each step of a report
/// took, on stderr: where the time goes, measured on the user's own data.
package enum Timing {
  package static let enabled = ProcessInfo.processInfo.environment["LINKAUDIT_TIMING"] != nil

  package static func start() -> Date? { enabled ? Date() : nil }

  package static func report(_ label: @autoclosure () -> String, since began: Date?) {
    guard let began else { return }
    FileHandle.standardError.write(
      Data("\(label()): \(String(format: "%.3f", Date().timeIntervalSince(began))) s\n".utf8))
  }

  package static func measure<T>(_ label: @autoclosure () -> String, _ body: () throws -> T) rethrows -> T {
    let began = start()
    defer { report(label(), since: began) }
    return try body()
  }
}
