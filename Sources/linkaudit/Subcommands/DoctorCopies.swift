import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditImport
import LinkAuditQuery
import LinkAuditStore

/// doctor's look at the copies of filed versions in sight under names of
/// their own, and at the quarter's folder report would write a missing version into.
extension FilingChecks {
  /// Each package in sight outside the reports folder's own names whose
  /// manifest is a filed version's very bytes (the claim check's "held": no
  /// claim), checked as verify checks one: every listed file's SHA-256,
  /// nothing added, the signature against the one filed (red-team H6: the
  /// copy handed over may be the one altered). A folder costs its files'
  /// hashing; a zip is unpacked as verify unpacks one (bounded); a tar is
  /// named as not checked file by file, verify reading folders and zips only.
  func copyFindings(_ copies: [PackageFolder.InSight], key: Result<PackagePublicKey, Error>?) throws
    -> [Doctor.Finding]
  {
    var findings: [Doctor.Finding] = []
    // One bound for all the zip copies together, one archive's as verify unpacks it: many bombs stop once.
    var left = PackageArchive.largestTotal
    for copy in copies {
      // A report's staging (at work, or killed: named by its own lines) fills as it goes: not a copy.
      let name = (copy.path as NSString).lastPathComponent
      if name.hasPrefix("."), PackageFolder.stagedFor(name) != nil { continue }
      let shown = TableSink.flat(copy.path)
      let found: OnDisk
      if copy.isArchive {
        let named =
          (try? Manifest.decode(copy.manifest, path: copy.path)).map {
            "\(TableSink.flat($0.quarter)) version \($0.filing?.version ?? 0)"
          } ?? "a filed version"
        guard left > 0 else {
          findings.append(
            Doctor.Finding(
              .warning, "packages",
              "\(shown): holds \(named)'s manifest as filed, but its files are not checked: the copies before it took the \(PackageArchive.largestTotal >> 30) GiB doctor unpacks for copies in all; run linkaudit verify \(shown)"
            ))
          continue
        }
        found = try archive(copy.path, key: key, nameChecked: false, budget: left)
        left -= min(left, found.unpacked)
        // Not a zip (a tar, plain or gzip'd), or past the bound: its manifest is the filed one, its files unseen here.
        guard found.manifest != nil else {
          let why =
            found.problems.contains { $0.contains("not a zip archive") }
            ? "(doctor and verify read a package's files in a folder or a zip): unpack it and run linkaudit verify on the folder"
            : "(\(found.problems.map(TableSink.flat).joined(separator: "; "))): run linkaudit verify \(shown)"
          findings.append(
            Doctor.Finding(
              .warning, "packages", "\(shown): holds \(named)'s manifest as filed, but its files are not checked \(why)"
            ))
          continue
        }
      } else {
        let s = try FiledPackage.standing(
          of: copy.path, database: db, key: key, keyPath: signingKey.path, shown: copy.path)
        found = OnDisk(
          path: copy.path, isArchive: false, manifest: s.manifest, problems: s.problems, notes: s.notes,
          unchecked: s.unchecked)
      }
      guard let manifest = found.manifest, let version = manifest.filing?.version else { continue }
      let named = "\(TableSink.flat(manifest.quarter)) version \(version)"
      if !found.problems.isEmpty {
        findings.append(
          Doctor.Finding(
            .problem, "packages",
            "\(shown): \(named) is not as filed, \(found.problems.count) difference(s): \(found.problems.map(TableSink.flat).joined(separator: "; ")) (a copy under a name of its own, perhaps the one handed over; linkaudit verify \(shown) says more)"
          ))
      } else if let why = found.unchecked {
        findings.append(
          Doctor.Finding(
            .problem, "packages",
            "\(shown): \(named): every file as filed, but its signature is not verified: \(TableSink.flat(why))"))
      }
    }
    return findings
  }

  /// Why a report of the filed version `filing` into the quarter's folder
  /// refuses to write it there, as report's own rule (`checkReplaceable`)
  /// says, or nil when it would write it (red-team H10: a package folder
  /// whose manifest.json was deleted is no folder report replaces).
  func refusedFolder(for filing: Filing) -> String? {
    let folder = (reports as NSString).appendingPathComponent(
      filing.quarter + PackageArchive.zoneSuffix(filing.timeZone))
    guard PackageFolder.exists(folder) else { return nil }
    do {
      try PackageFolder.checkReplaceable(
        folder, quarter: filing.quarter, timeZone: filing.timeZone, protecting: ProtectedFiles(database: db.path))
      return nil
    } catch let refused as OutputPathError {
      let named = "\(TableSink.flat(filing.quarter)) version \(filing.version)"
      var isFolder: ObjCBool = false
      let lacking =
        FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) && isFolder.boolValue
        && !PackageFolder.exists((folder as NSString).appendingPathComponent(ReportPackage.manifestName))
      return lacking
        ? "\(TableSink.flat(folder)) holds files but no manifest.json (a package's, its manifest gone?): report refuses to write there, so it does not write \(named) again; move \(TableSink.flat(folder)) aside (keep it if it is the copy handed over), then linkaudit report writes the filed bytes"
        : "\(TableSink.flat(folder)): a report of \(named) into it is refused: \(TableSink.flat(refused.message))"
    } catch {
      return nil
    }
  }
}
