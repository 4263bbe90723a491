import Foundation
import Testing

/// Issue 30, the eighth attack's `make report` finding (red-team H12a): an
/// inbox holding only git's `.gitkeep` (or Finder's `.DS_Store`) is empty to
/// the demo and to scripts/report.sh alike, so `make report` writes the demo
/// into it; any other entry, hidden ones included, is still someone's (G2).
/// Through the built binary and the script. Rows: docs/reliability-round5-hmask.md.
@Suite struct EighthAttackDemoTests {
  let dir = TemporaryDirectory()

  func run(_ arguments: [String]) throws -> LinkauditBinary.Run {
    try LinkauditBinary.run(arguments, database: dir.file("d.db"))
  }

  @Test func h12_aFolderHoldingOnlyPlaceholdersIsEmptyToTheDemo() throws {
    let fm = FileManager.default
    let kept = dir.file("kept")
    try fm.createDirectory(atPath: kept, withIntermediateDirectories: true)
    for name in [".gitkeep", ".DS_Store"] { _ = fm.createFile(atPath: kept + "/" + name, contents: Data()) }
    let made = try run(["demo", kept, "--events", "10"])
    #expect(made.status == 0, "\(made.stderr)")
    #expect(fm.fileExists(atPath: kept + "/.gitkeep") && fm.fileExists(atPath: kept + "/filer.yaml"))
    // A hidden file of any other name (a key), or a link under the placeholder's name, is someone's.
    for (name, link) in [(".linkaudit.key", false), (".gitkeep", true)] {
      let other = dir.file("other-\(name)-\(link)")
      try fm.createDirectory(atPath: other, withIntermediateDirectories: true)
      if link {
        try fm.createSymbolicLink(atPath: other + "/" + name, withDestinationPath: dir.file("kept/filer.yaml"))
      } else {
        _ = fm.createFile(atPath: other + "/" + name, contents: Data("ab\n".utf8))
      }
      let refused = try run(["demo", other, "--events", "10"])
      #expect(refused.status != 0)
      #expect(refused.stderr.contains("is not empty (it holds \(name)"), "\(refused.stderr)")
      #expect(try fm.contentsOfDirectory(atPath: other) == [name])
    }
  }

  /// `make report`'s script with an inbox of `.gitkeep` alone: the demo is written, imported and filed.
  @Test func h12_makeReportWritesTheDemoIntoAnInboxKeptByGit() throws {
    let inbox = dir.file("data/inbox")
    try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: inbox + "/.gitkeep", contents: Data())
    let script = LinkauditBinary.packageRoot.appendingPathComponent("scripts/report.sh").path
    let result = try LinkauditBinary.run(
      [
        "BIN=\(LinkauditBinary.path)", "DB=\(dir.file("d.db"))", "INBOX=\(inbox)", "QUARTER=latest",
        "DEMO_EVENTS=300", "bash", script,
      ], database: dir.file("d.db"), executable: "/usr/bin/env", in: URL(fileURLWithPath: dir.path))
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("is empty; writing the demo data set"), "\(result.stderr)")
    #expect(!result.stderr.contains("is not empty"), "\(result.stderr)")
    #expect(FileManager.default.fileExists(atPath: inbox + "/filer.yaml"))
  }
}
