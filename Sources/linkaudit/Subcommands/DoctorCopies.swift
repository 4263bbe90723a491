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
  /// hashing; a zip is unpacked as verify unpacks one (bounded), the folder
  /// in it whose manifest is the filed one, not the zip as one package: a
  /// bundle's cover letter or other version is no part of that copy
  /// (red-team I3); a tar is named as not checked file by file, verify
  /// reading folders and zips only. One bound for all the copies together,
  /// folders and zips alike (bytes hashed or unpacked, each folder's known
  /// before it is read): many bombs stop once (red-team H6, I5); past it, a
  /// copy is named as not checked, with why (red-team I9).
  /// `places` are the folders in sight a report stages in (reports/, the
  /// database's folder, the current one): only a staging there that a run
  /// of this tool holds now is passed over (red-team L2).
  func copyFindings(_ copies: [PackageFolder.InSight], key: Result<PackagePublicKey, Error>?, places: [String])
    throws -> [Doctor.Finding]
  {
    let stagingPlaces = Set(places.map { FileIdentity($0).canonical })
    var seen = Set<String>()
    let bound = PackageArchive.largestTotal
    var findings: [Doctor.Finding] = []
    var left = bound
    // Each folder of a zip checked walks the zip's entries once: bounded as the bytes are (red-team J2).
    var walked = 0
    for copy in copies {
      // A report's staging that a run of this tool (`-PID-TOKEN`) holds locked now fills as it goes: not a copy
      // yet. Any other copy so named (a dead run's, an earlier version's, one in handed/) is checked (red-team L2).
      // Never passed over silently (red-team M3): a lock held for ever would hide an altered copy.
      if stagingHeld(copy.path, in: stagingPlaces) == true {
        findings.append(
          Doctor.Finding(
            .warning, "packages",
            "\(TableSink.flat(copy.path)): a report's staging, locked by a run at work now: not checked; run linkaudit doctor again once no report runs (if none does, the lock is another process's: run linkaudit verify \(TableSink.flat(copy.path)))"
          ))
        continue
      }
      // A zip holding the same manifest twice (a folder, and an archive inside it) is one copy to check.
      guard seen.insert("\(copy.path)\u{0}\(ReportPackage.sha256(copy.manifest))").inserted else { continue }
      let shown = TableSink.flat(copy.path)
      let manifest = try? Manifest.decode(copy.manifest, path: copy.path)
      let named =
        manifest.map { "\(TableSink.flat($0.quarter)) version \($0.filing?.version ?? 0)" } ?? "a filed version"
      // A copy a bound left unchecked is a problem: doctor cannot vouch for it, and which copies a bound
      // reaches is the archive's order (red-team K1); one no bound reaches (a tar) stays a warning.
      func notChecked(_ label: String, _ why: String, _ severity: Doctor.Finding.Severity = .problem) {
        findings.append(
          Doctor.Finding(
            severity, "packages", "\(label): holds \(named)'s manifest as filed, but its files are not checked\(why)"))
      }
      // In a bundle, verify of the whole names its other entries (N9): the package's folder is what to verify.
      func spent(_ folder: String? = nil) -> String {
        ": doctor's \(bound >> 30) GiB for copies was spent on the copies before it; "
          + (folder.map { "unpack it and run linkaudit verify on its \($0.isEmpty ? "files" : TableSink.flat($0))" }
            ?? "run linkaudit verify \(shown)")
      }
      // A folder holding the manifest as `MANIFEST.JSON` is that version to a case-insensitive disk, and no
      // package to this one: doctor cannot check it as one (red-team K6).
      if !copy.isArchive, let spelling = copy.manifestSpelling {
        findings.append(
          Doctor.Finding(
            .problem, "packages",
            "\(shown): holds \(named)'s manifest as filed, named \(TableSink.flat(spelling)): a case-insensitive disk (macOS's, Windows') reads it as \(ReportPackage.manifestName) and takes the folder for that version; its files are not checked here: rename it \(ReportPackage.manifestName), then run linkaudit verify \(shown)"
          ))
        continue
      }
      guard copy.isArchive else {
        // Its manifest is a filed version's very bytes: that filing knows its metrics.csv's size.
        let filing = try Filing.find(in: db, manifestSHA256: ReportPackage.sha256(copy.manifest)).first
        let cost =
          manifest.map {
            ReportPackage.bytesToHash(
              directory: copy.path, manifest: $0, filed: FiledPackage.filedSizes($0, filing: filing))
          } ?? 0
        guard cost <= left else {
          notChecked(
            shown,
            left < bound
              ? spent()
              : ": its listed files are \(Int(clamping: cost).grouped) bytes in all, more than the \(bound >> 30) GiB doctor reads of copies in all (a package is a few MiB); run linkaudit verify \(shown)"
          )
          continue
        }
        left -= cost
        let s = try FiledPackage.standing(
          of: copy.path, database: db, key: key, keyPath: signingKey.path, shown: copy.path)
        findings += verdict(
          OnDisk(
            path: copy.path, isArchive: false, manifest: s.manifest, problems: s.problems, notes: s.notes,
            unchecked: s.unchecked), shown: shown,
          what: stagingHeld(copy.path, in: stagingPlaces) == false
            ? "a report's staging left by a killed run, altered since (the next report into its folder leaves it as it is)"
            : nil)
        continue
      }
      guard left > 0 else {
        notChecked(shown, spent())
        continue
      }
      // The folders in the zip whose manifest is the filed one; none: in an archive inside it, or under `\` names.
      let place = PackageArchive.folders(holding: copy.manifest, in: copy.path)
      // The copies the zip holds where no folder check reaches: an archive inside it, names with `\` (red-team L1).
      let outOfReach = place == nil ? [] : PackageFolder.copiesOutOfReach(of: copy.manifest, in: copy.path) ?? []
      // A zip inside it holding one copy is checked as a zip in sight is; what stays unchecked is named below.
      let unreached = try checkInside(outOfReach, of: copy, shown: shown, key: key, left: &left, findings: &findings)
      let hidden = PackageFolder.listed(unreached.map(TableSink.flat))
      if let place, place.folders.isEmpty {
        guard outOfReach.isEmpty || !unreached.isEmpty else { continue }
        // Alone, nothing in it is vouched for: a warning, as a tar copy is (K1's row); beside a folder checked, a problem.
        notChecked(
          shown,
          unreached.isEmpty
            ? " (its manifest is in no folder of this zip as verify reads one: in an archive inside it, or under names with `\\`?): unpack it and run linkaudit verify on the package's folder"
            : " (its manifest is in no folder of this zip as verify reads one: \(hidden)): unpack it and run linkaudit verify on the package's folder",
          .warning)
        continue
      }
      // A zip of one package alone is verified as it is; a bundle's package, at its folder.
      let alone = place.map { $0.folders.count == 1 && $0.outside == 0 } ?? true
      let folders = place.map { $0.folders.map(Optional.some) } ?? [nil]
      // Up to `foldersChecked` folders, and no further once `differencesNamed` of them are not as filed (red-team L5).
      var checked = 0
      var differing = 0
      for folder in folders.prefix(Self.foldersChecked) {
        guard differing < Self.differencesNamed else { break }
        checked += 1
        guard left > 0 else {
          notChecked(shown, spent(alone ? nil : folder))
          break
        }
        let entries = place?.entries ?? 0
        guard walked + entries <= Self.entriesWalked else {
          notChecked(
            shown,
            ": doctor walks \(Self.entriesWalked.grouped) zip entries for copies in all, spent on the copies before it; run linkaudit verify on the package's folder in \(shown)"
          )
          break
        }
        walked += entries
        let found = try archive(copy.path, key: key, nameChecked: false, budget: left, under: folder)
        left -= min(left, found.unpacked)
        // Within a bundle, the folder checked is named; a zip of one package alone is the zip.
        let label = alone ? shown : "\(shown) (\(folder.map { $0.isEmpty ? "its top" : TableSink.flat($0) } ?? ""))"
        guard !found.spent else {
          notChecked(label, spent(alone ? nil : folder))
          break
        }
        // Not a zip (a tar, plain or gzip'd), or past the bound: its manifest is the filed one, its files unseen here.
        guard found.manifest != nil else {
          notChecked(
            label,
            found.problems.contains { $0.contains("not a zip archive") }
              ? " (doctor and verify read a package's files in a folder or a zip): unpack it and run linkaudit verify on the folder"
              : " (\(found.problems.map(TableSink.flat).joined(separator: "; "))): run linkaudit verify \(shown)",
            found.problems.contains { $0.contains("not a zip archive") } ? .warning : .problem)
          continue
        }
        let told = verdict(
          found, shown: label,
          inside: alone ? nil : (shown, folder.map { $0.isEmpty ? "files" : TableSink.flat($0) } ?? ""))
        findings += told
        if !told.isEmpty { differing += 1 }
        if told.isEmpty, let outside = place?.outside, outside > 0 {
          findings.append(
            Doctor.Finding(
              .ok, "packages",
              "\(label): \(named) as filed (every file, nothing added, the signature); the archive's \(outside) other file(s) are no part of that package and not checked here"
            ))
        }
      }
      // Thousands of folders holding the filed manifest: those checked named, the rest said in one line.
      if folders.count > checked, checked == Self.foldersChecked || differing == Self.differencesNamed {
        findings.append(
          Doctor.Finding(
            .problem, "packages",
            "\(shown): and \((folders.count - checked).grouped) more copies of \(named) in it, not checked (doctor checks up to \(Self.foldersChecked) folders of one zip, and stops at \(Self.differencesNamed) not as filed): run linkaudit verify on each"
          ))
      }
      // Beside the folders checked, a copy an extractor writes out too, perhaps over them: doctor cannot vouch for it.
      if !unreached.isEmpty {
        findings.append(
          Doctor.Finding(
            .problem, "packages",
            "\(shown): holds \(named)'s manifest as filed \(unreached.count) more time(s) where doctor does not check the files: \(hidden): unpacking them writes their files out too, perhaps over the folder checked; unpack each and run linkaudit verify on it (doctor checks folders and zips of one package's folder: a copy kept as a tar, or in an archive inside an archive, stays unchecked here: keep it as a zip, or out of this folder)"
          ))
      }
    }
    return findings
  }

  /// The folders of one zip holding the filed manifest that doctor checks
  /// (a bundle holds one or two), and the zip entries it walks for copies in
  /// all (each folder checked walks its zip once): a zip of thousands of
  /// folders costs a few checks, not thousands of walks (red-team J2).
  /// A zip of one copy per recipient is checked in full up to 64 folders; a
  /// zip of thousands of damaged copies stops at 8 named (red-team L5).
  static let (foldersChecked, differencesNamed, entriesWalked) = (64, 8, 400_000)

  /// Checks each zip inside the zip `copy` that holds the filed manifest in
  /// one folder, as a copy in sight is (unpacked aside, bounded by `left`):
  /// its line when it is not as filed, none when it is (red-team L1: a
  /// bundle of the package's folder and its archive is as filed). Returns
  /// what stays unchecked (a tar, `\` names, a bundle inside), as shown.
  private func checkInside(
    _ places: [PackageFolder.OutOfReach], of copy: PackageFolder.InSight, shown: String,
    key: Result<PackagePublicKey, Error>?, left: inout UInt64, findings: inout [Doctor.Finding]
  ) throws -> [String] {
    var unreached: [String] = []
    // As many as the folders of one zip checked: a bundle of a thousand archives costs no more (red-team L5).
    var checked = 0
    for place in places {
      guard place.isZip, left > 0, checked < Self.foldersChecked,
        let inner = PackageFolder.entryBytes(place.entry, of: copy.path)
      else {
        unreached.append(place.shown)
        continue
      }
      let scratch = PackageFolder.scratchFolder(.unpack)
      defer { try? FileManager.default.removeItem(atPath: scratch) }
      let file = (scratch as NSString).appendingPathComponent("inner.zip")
      guard mkdir(scratch, 0o700) == 0,
        (try? inner.write(to: URL(fileURLWithPath: file), options: .withoutOverwriting)) != nil,
        let inside = PackageArchive.folders(holding: copy.manifest, in: file), inside.folders.count == 1
      else {
        unreached.append(place.shown)
        continue
      }
      checked += 1
      // Its bytes written aside count against the copies' bound, as what it unpacks to does.
      left -= min(left, UInt64(inner.count))
      let found = try archive(file, key: key, nameChecked: false, budget: left, under: inside.folders[0])
      left -= min(left, found.unpacked)
      guard !found.spent, found.manifest != nil else {
        unreached.append(place.shown)
        continue
      }
      findings += verdict(
        found, shown: "\(shown) (\(TableSink.flat(place.entry)))", inside: (shown, TableSink.flat(place.entry)))
      // What the inner zip holds where its folder check does not reach is unchecked too (red-team M4).
      if let deeper = PackageFolder.copiesOutOfReach(of: copy.manifest, in: file), !deeper.isEmpty {
        unreached += deeper.map { "\(place.shown) › \($0.shown)" }
      }
    }
    return unreached
  }

  /// A staging name of this version's runs (`.NAME.writing-PID-TOKEN`,
  /// `.previous-…`) directly in a folder report stages in: whether its run
  /// holds it locked now; nil for any other name or place (red-team L2).
  func stagingHeld(_ path: String, in places: Set<String>) -> Bool? {
    let name = (path as NSString).lastPathComponent
    guard name.hasPrefix("."), let staged = PackageFolder.stagedFor(name), staged.tail.contains("-") else {
      return nil
    }
    let parent = (path as NSString).deletingLastPathComponent
    // A link is never a run's staging (runs stage folders and archives), and a lock cannot be taken on one.
    var info = stat()
    guard places.contains(FileIdentity(parent.isEmpty ? "." : parent).canonical), lstat(path, &info) == 0,
      [S_IFDIR, S_IFREG].contains(info.st_mode & S_IFMT)
    else { return nil }
    // An archive's run holds its lock: a running process of that id is no proof (PID 1 always runs: red-team M3).
    if info.st_mode & S_IFMT == S_IFREG {
      let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
      guard fd >= 0 else { return false }
      defer { close(fd) }
      guard flock(fd, LOCK_SH | LOCK_NB) == 0 else { return true }
      flock(fd, LOCK_UN)
      return false
    }
    return PackageFolder.isInUse(path)
  }

  /// A copy's line: not as filed (its differences), or its signature not
  /// verified; none when it is as filed.
  /// `what` says what the copy is, when it is not a copy under a name of its own.
  /// `inside` names the archive and what in it the copy is, for advice that can be run.
  private func verdict(
    _ found: OnDisk, shown: String, what: String? = nil, inside: (archive: String, part: String)? = nil
  ) -> [Doctor.Finding] {
    let advice =
      inside.map { "unpack \($0.archive) and run linkaudit verify on its \($0.part) for more" }
      ?? "linkaudit verify \(shown) says more"
    guard let manifest = found.manifest, let version = manifest.filing?.version else {
      // Its manifest in sight is a filed one's, but the copy's own cannot be read as it (a link: red-team Q3).
      guard !found.problems.isEmpty else { return [] }
      return [
        Doctor.Finding(
          .problem, "packages",
          "\(shown): holds a filed version's manifest, but is not checked as a package: \(found.problems.map(TableSink.flat).joined(separator: "; ")) (\(what ?? "a copy under a name of its own, perhaps the one handed over"); \(advice))"
        )
      ]
    }
    let named = "\(TableSink.flat(manifest.quarter)) version \(version)"
    if !found.problems.isEmpty {
      return [
        Doctor.Finding(
          .problem, "packages",
          "\(shown): \(named) is not as filed, \(found.problems.count) difference(s): \(found.problems.map(TableSink.flat).joined(separator: "; ")) (\(what ?? "a copy under a name of its own, perhaps the one handed over"); \(advice))"
        )
      ]
    }
    if let why = found.unchecked {
      return [
        Doctor.Finding(
          .problem, "packages",
          "\(shown): \(named): every file as filed, but its signature is not verified: \(TableSink.flat(why))")
      ]
    }
    return []
  }

  /// Why a report of the filed version `filing` into the quarter's folder
  /// refuses to write it there, as report's own rule (`checkReplaceable`)
  /// says, or nil when it would write it (red-team H10: a package folder
  /// whose manifest.json was deleted is no folder report replaces).
  func refusedFolder(for filing: Filing) -> String? {
    let folder = (reports as NSString).appendingPathComponent(
      filing.quarter + PackageArchive.zoneSuffix(filing.timeZone))
    // A link on the way is refused by a report without --out (red-team J3): no promise that it writes (K7).
    // A folder named with --reports is the user's, written with --out through a link too (red-team L11).
    if isDefaultPlace, DefaultPlace.isLink(reports) || DefaultPlace.isLink(folder) {
      return
        "\(TableSink.flat(DefaultPlace.isLink(reports) ? reports : folder)) is a link (named above), so linkaudit report without --out does not write \(TableSink.flat(filing.quarter)) version \(filing.version) again there"
    }
    // reports a file or a pipe: a report without --out is refused (red-team L9e).
    if isDefaultPlace, PackageFolder.notAFolder(reports) != nil {
      return
        "\(TableSink.flat(reports)) is not a folder (named above), so linkaudit report without --out does not write \(TableSink.flat(filing.quarter)) version \(filing.version) again there"
    }
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
      // A manifest spelt in another case: the advice of doctor's line for that folder, in one wording (red-team M6).
      if lacking, let spelling = PackageFolder.manifestSpelling(in: folder) {
        return
          "\(TableSink.flat(folder)) holds \(TableSink.flat(spelling)), \(Manifest.otherCase); report refuses to write there until then"
      }
      return lacking
        ? "\(TableSink.flat(folder)) holds files but no manifest.json (a package's, its manifest gone?): report refuses to write there, so it does not write \(named) again; move \(TableSink.flat(folder)) aside (keep it if it is the copy handed over), then linkaudit report writes the filed bytes"
        : "\(TableSink.flat(folder)): a report of \(named) into it is refused: \(TableSink.flat(refused.message))"
    } catch {
      return nil
    }
  }
}
