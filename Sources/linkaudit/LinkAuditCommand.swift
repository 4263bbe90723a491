import ArgumentParser
import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditDemo
import LinkAuditImport
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore

@main
struct LinkAuditCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "linkaudit",
    abstract: "Audit external-link management and write the quarterly regulator report.",
    discussion: """
      Imports link logs, complaints, policy versions and the platform registry into one \
      SQLite file, then reports a quarter under the four principles of the External Link \
      Content Management Standards. Every command takes --db (default linkaudit.db or \
      $LINKAUDIT_DB). linkaudit --version prints the version.
      """,
    // No `version:` here: argument-parser would list "--version Show the
    // version" in every subcommand's help, where verify's --version N takes
    // the name (red-team B8); a flag of the root's would take verify's
    // --version too. `linkaudit --version` alone is read in main().
    subcommands: [
      Import.self, Report.self, Query.self, Ratings.self, Demo.self, Verify.self, Schema.self, DoctorCommand.self,
      Keys.self, Filings.self, Export.self,
    ]
  )

  /// Runs the command; a failure of the file system is said as a sentence
  /// (its cause, such as "No space left on device"), never as an NSError dump.
  static func main() {
    if CommandLine.arguments.dropFirst() == ["--version"] {
      print(LinkAuditVersion.current)
      return
    }
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      let error = FileSystemError.plain(error)
      let code = exitCode(for: error)
      guard code != .success else { exit(withError: error) }  // --help, --version
      // A message may carry a name or value from the input: its control
      // characters are shown, never sent to the terminal (one funnel for every error).
      let message = escapingControls(fullMessage(for: error), keepingLineBreaks: true)
      if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
      Foundation.exit(code.rawValue)
    }
  }
}

/// What Foundation reports of a file operation, in one line.
struct FileSystemError: Error, LocalizedError {
  let message: String
  var errorDescription: String? { message }

  /// Foundation's errors made plain; every other error as it is.
  static func plain(_ error: Error) -> Error {
    let ns = error as NSError
    guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return error }
    var cause = ns.localizedFailureReason ?? ""
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
      cause = String(cString: strerror(Int32(underlying.code)))
    } else if ns.domain == NSPOSIXErrorDomain {
      cause = String(cString: strerror(Int32(ns.code)))
    }
    let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
    let what = path.map { "cannot write or read \($0)" } ?? "a file operation failed"
    return FileSystemError(message: cause.isEmpty ? "\(what): \(ns.localizedDescription)" : "\(what): \(cause)")
  }
}
