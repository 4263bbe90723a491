import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import LinkAuditWeb

/// The inbox: every new file under DIR/{platforms,policies,links,complaints}/.
extension Importer {
  /// Imports every file not yet imported under DIR/{platforms,policies,links,complaints}/,
  /// registry and policies first so events are enriched against them at once.
  /// Anything there that is not an input file (`notes.txt`, a pipe) is
  /// skipped with a warning.
  public func importInbox(_ directory: String) throws -> [BatchSummary] {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw FileError(file: directory, message: "no such inbox folder")
    }
    var inputs: [(path: String, kind: InputKind)] = []
    var ignored: [BatchSummary] = []
    for kind in [InputKind.platforms, .policies, .links, .complaints] {
      let folder = (directory as NSString).appendingPathComponent(kind.rawValue)
      guard let names = try? fm.contentsOfDirectory(atPath: folder) else { continue }
      for name in names.filter({ !$0.hasPrefix(".") }).sorted() {
        let file = (folder as NSString).appendingPathComponent(name)
        let expected = kind == .policies ? ".md" : InputFormat.expectation
        let known = kind == .policies ? name.lowercased().hasSuffix(".md") : InputFormat(fileName: name) != nil
        let problem = FileIdentity.notARegularFile(file)
        if problem?.isFolder == true { continue }
        if let reason = problem?.reason ?? (known ? nil : "not a \(expected) file") {
          var skipped = BatchSummary(file: file, kind: kind, batchID: nil)
          skipped.ignored = true
          skipped.warnings = ["skipped: \(reason)"]
          ignored.append(skipped)
          continue
        }
        inputs.append((file, kind))
      }
    }
    do {
      return ignored + (try importAll(inputs, inbox: directory))
    } catch let error as ImportRunError {
      throw ImportRunError(completed: ignored + error.completed, underlying: error.underlying)
    } catch  where !ignored.isEmpty {
      throw ImportRunError(completed: ignored, underlying: error)
    }
  }
}
