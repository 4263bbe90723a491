import Foundation
import LinkAuditCore
import LinkAuditStore
import ZIPFoundation

/// The package as one file to hand over: `linkaudit-YYYY-Qn-vN.zip`, every
/// file of the package (its signature too) under a folder of that name,
/// reproducible byte for byte: names in order, one fixed mode, and each
/// entry dated by when the version was issued.
public enum PackageArchive {
  /// The archive's name for a quarter's version: `linkaudit-2021-Q4-v1.zip`,
  /// and `linkaudit-2021-Q4-UTC-v2.zip` in a zone other than the default.
  public static func name(quarter: Quarter, zone: String = defaultZone, version: Int) -> String {
    "linkaudit-\(quarter)\(zoneSuffix(zone))-v\(version).zip"
  }

  /// The zone quarters are cut in unless `--tz` says otherwise: names leave it out.
  public static let defaultZone = "Asia/Shanghai"

  /// `-UTC`, `-America-New_York`; empty for the default zone.
  public static func zoneSuffix(_ zone: String) -> String {
    zone == defaultZone ? "" : "-" + zone.replacingOccurrences(of: "/", with: "-")
  }

  /// Writes the files of the package in `directory` (those its manifest
  /// lists, the manifest and its signature) into `path`, whole under a hidden
  /// name first, then moved into place. An archive already at `path` is
  /// never replaced: left as it is when it holds the same bytes, refused otherwise.
  /// Returns false when the archive was there already. `checkOnly` (a dry
  /// run) writes the archive inside `directory`, compares, and puts nothing
  /// in place: the same refusal, nothing written beside the package.
  /// `staging` writes it under its hidden name only, for `putInPlace` once
  /// the ledger holds its version (red-team C1: no archive of a version not
  /// filed ever bears the final name, whatever kills the report in between).
  /// `standing` tells an archive a killed report left staged against the
  /// ledger (`PackageFolder.removeStaleSiblings`): another database's filed
  /// version is never removed (red-team F3).
  @discardableResult
  package static func write(
    directory: String, to path: String, folder: String, issuedAt: Timestamp, in zone: TimeZone,
    checkOnly: Bool = false, staging: Bool = false, standing: ((Data) -> PackageFolder.StagedStanding)? = nil
  ) throws -> Bool {
    let fm = FileManager.default
    let manifest = try Manifest.read(from: directory)
    let names = (Array(manifest.files.keys) + [ReportPackage.manifestName, ReportPackage.signatureName]).filter {
      PackageFolder.notARegularFile((directory as NSString).appendingPathComponent($0)) == nil
    }.sorted()
    if !checkOnly { PackageFolder.removeStaleSiblings(of: path, standing: standing) }
    let temporary =
      checkOnly
      ? (directory as NSString).appendingPathComponent("archive-check.zip") : PackageFolder.sibling(of: path, .writing)
    try? fm.removeItem(atPath: temporary)
    var keepStaged = false
    defer {
      if !keepStaged {
        try? fm.removeItem(atPath: temporary)
        PackageFolder.releaseStaging(temporary)
      }
    }
    let date = entryDate(issuedAt, in: zone)
    do {
      let archive = try Archive(url: URL(fileURLWithPath: temporary), accessMode: .create)
      // Locked as soon as it is made, so a run in another PID namespace sees it at work (red-team D2).
      if staging { PackageFolder.lockStaging(temporary) }
      for name in names {
        let data = try Data(contentsOf: URL(fileURLWithPath: (directory as NSString).appendingPathComponent(name)))
        try archive.addEntry(
          with: "\(folder)/\(name)", type: .file, uncompressedSize: Int64(data.count), modificationDate: date,
          permissions: 0o644, compressionMethod: .deflate
        ) { position, size in
          data.subdata(in: Int(position)..<Int(position) + size)
        }
      }
    }
    if PackageFolder.exists(path) {
      if PackageFolder.notARegularFile(path) == nil, fm.contentsEqual(atPath: path, andPath: temporary) { return false }
      throw OutputPathError(
        message:
          "\(path) is there already with other content: an archive handed over is never replaced; move it away if it is not the filed one"
      )
    }
    if checkOnly { return true }
    if staging {
      keepStaged = true
      return true
    }
    // link(2) refuses a name taken meanwhile, where a move would replace it.
    guard link(temporary, path) == 0 else {
      throw FileError(file: path, message: "cannot put the archive in place: \(String(cString: strerror(errno)))")
    }
    return true
  }

  /// Puts the archive `write(…, staging: true)` left under its hidden name
  /// at `path`, by link(2) (a name taken meanwhile is refused, never
  /// replaced, unless by the same bytes), and removes the hidden name.
  /// Returns false when the same archive was there already.
  @discardableResult
  public static func putInPlace(_ path: String) throws -> Bool {
    let temporary = PackageFolder.sibling(of: path, .writing)
    defer {
      try? FileManager.default.removeItem(atPath: temporary)
      PackageFolder.releaseStaging(temporary)
    }
    guard link(temporary, path) == 0 else {
      let why = errno
      if why == EEXIST, PackageFolder.notARegularFile(path) == nil,
        FileManager.default.contentsEqual(atPath: path, andPath: temporary)
      {
        return false
      }
      throw FileError(file: path, message: "cannot put the archive in place: \(String(cString: strerror(why)))")
    }
    return true
  }

  /// An archive not unpacked through because a bound lowered by the copies
  /// before it (doctor's: red-team H6) was spent: `left` bytes were left.
  public struct CopiesBoundSpent: Error, Equatable {
    public var left: UInt64
  }

  /// Where in the zip at `path` the package whose manifest is `manifest`
  /// lies: the folders (`2021-Q4-v1/`, `handover/2021-Q4-v1/`; "" for the
  /// archive's top, a package zipped flat: F13) whose `manifest.json` is
  /// those bytes, and how many files the zip holds outside them (a cover
  /// letter, another version, an archive inside it); no folder when it holds
  /// the package only inside an archive inside it; nil when it is no zip
  /// this reader opens (verify names why). Doctor checks each such folder as
  /// verify checks a package, not the bundle as one (red-team I3).
  /// One pass over the entries, each file's folders looked up in a set:
  /// thousands of folders cost what thousands of files do (red-team J2).
  /// `entries` is how many entries the zip lists: what checking one of its
  /// folders walks.
  public static func folders(holding manifest: Data, in path: String) -> (
    folders: [String], outside: Int, entries: Int
  )? {
    guard FileIdentity.notARegularFile(path) == nil,
      let bytes = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped),
      ArchiveLayout.check(of: bytes, shown: "").readable,
      let archive = try? Archive(data: bytes, accessMode: .read, pathEncoding: nil)
    else { return nil }
    var folders: [String] = []
    var found = Set<String>()
    var files: [String] = []
    var entries = 0
    for entry in archive {
      entries += 1
      guard entry.type != .directory else { continue }
      // Names read as `unpack` reads them (UTF-8 without the flag, I8), so a folder found here is the one unpacked.
      let path = entryName(entry)
      files.append(path)
      // In any case: `MANIFEST.JSON` is the manifest to a case-insensitive disk (red-team K6).
      guard entry.type == .file, ReportPackage.isManifestName((path as NSString).lastPathComponent),
        // Only an entry of the manifest's own size is unpacked, and no further: thousands of them cost little.
        entry.uncompressedSize == UInt64(manifest.count),
        (try? PackageFolder.unpacked(entry, of: archive, limit: manifest.count)) == manifest
      else { continue }
      // A name the zip holds twice is one folder, checked once (verify names the second).
      let folder = String(path.dropLast((path as NSString).lastPathComponent.count))
      if found.insert(folder).inserted { folders.append(folder) }
    }
    // A file is inside a folder found when one of the folders it lies in (each prefix up to a `/`) is one.
    let outside = files.filter { file in
      // A flat package's files are at the top: `docs\letter.txt` is in docs/ to the extractor that wrote it (red-team L10).
      if found.contains(""), !file.contains(where: { $0 == "/" || $0 == "\\" }) { return false }
      var prefix = ""
      for part in file.split(separator: "/", omittingEmptySubsequences: false).dropLast() {
        prefix += part + "/"
        if found.contains(prefix) { return false }
      }
      return true
    }
    return (folders, outside.count, entries)
  }

  /// The largest entry and the largest archive unpacked: a package is a few
  /// megabytes, and a hostile archive must not fill the disk.
  package static let (largestEntry, largestTotal): (UInt64, UInt64) = (512 << 20, 1 << 30)

  /// Unpacks an archive handed over into `scratch`, as the package folder it
  /// holds, for verify. Only regular files directly under one folder are
  /// taken; any other entry (a link, a subfolder, a `..`, a second folder, a
  /// name twice, a name no file system holds, a file at the archive's top)
  /// is named as the archive shows it and left out. Returns the folder,
  /// those problems, the package files named so (unreadable in the
  /// archive), which the checks after need not call missing again, and
  /// notes: a package zipped under another folder's name (`zip -r q4.zip
  /// 2021-Q4`, the README's folder) is said, not failed, every other check
  /// applying (red-team H11; the claim check takes such a zip as that
  /// version's archive too, F13).
  /// `budget` lowers the archive's bound (doctor's copies share one: red-team H6);
  /// past a lowered bound, `CopiesBoundSpent` is thrown, not the archive's size.
  /// `under` (doctor's, of a bundle: red-team I3) takes the package as the
  /// entries under that folder (`2021-Q4-v1/`; "" for the archive's top, a
  /// package zipped flat: F13), what else the archive holds no part of it.
  public static func unpack(
    _ path: String, into scratch: String, budget given: UInt64? = nil, under: String? = nil
  ) throws -> (
    folder: String, problems: [String], unread: Set<String>, notes: [String]
  ) {
    let budget = given ?? largestTotal
    // A link to the archive is followed (the file handed over may be linked from elsewhere); a pipe is not read.
    if let why = FileIdentity.notARegularFile(path) { throw FileError(file: path, message: why.reason) }
    let archive: Archive
    do {
      archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
    } catch {
      throw FileError(file: path, message: "not a zip archive (\(error.localizedDescription))")
    }
    // The bytes beyond what the central directory lists come first: a reader
    // that goes front to back would read another package (red-team C5).
    var problems: [String] = []
    var readable = true
    if let bytes = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) {
      (problems, readable) = ArchiveLayout.check(of: bytes, shown: displayable((path as NSString).lastPathComponent))
    }
    // Offsets past the archive's end are named above; ZIPFoundation would trap on them.
    let entries: AnyIterator<Entry> = readable ? archive.makeIterator() : AnyIterator { nil }
    // A zip of the package's files alone, at its top (`zip -j`, Finder's "Compress N items"), is the
    // package with no folder: verify reads it as doctor does, every entry still a file of it (red-team M6).
    let flat =
      under == nil && readable && archive.contains { ReportPackage.isManifestName(entryName($0)) }
      && archive.allSatisfy { !entryName($0).contains("/") }
    var top: String?
    var total: UInt64 = 0
    var seen = Set<String>()
    var unread = Set<String>()
    let folder = (scratch as NSString).appendingPathComponent("package")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    if let under {
      // The folder's own name, for the name rule below; a flat package has none.
      top = under.isEmpty ? nil : (String(under.dropLast()) as NSString).lastPathComponent
    }
    // Entries spelt another way that land in the package's folder, told once its manifest says which
    // files are the package's: over one of them, or a file added (red-team L7).
    var spelt: [(problem: Int, path: String, under: String)] = []
    func spelling(_ path: String, _ shown: String, under: String) -> Bool {
      guard let why = otherSpelling(of: path, under: under) else { return false }
      spelt.append((problems.count, path, under))
      problems.append("\(shown): \(why)")
      return true
    }
    var metadata: [(shown: String, of: String?)] = []
    // Every entry's path (a folder's without its `/`): what Finder's metadata must be of.
    var held = Set<String>()
    for entry in entries {
      let path = entryName(entry)
      let shown = displayable(path)
      held.insert(path.hasSuffix("/") ? String(path.dropLast()) : path)
      // macOS's metadata beside the package's folder, never in it (red-team L12): said, not failed. Unless the
      // package's folder is itself under `__MACOSX/` (doctor's) or is it (verify's: below).
      if isFinderMetadata(entry, named: path, in: archive), under.map({ $0.isEmpty || !path.hasPrefix($0) }) ?? true {
        // `__MACOSX/2021-Q4-v1/._metrics.csv` is of `2021-Q4-v1/metrics.csv`; a folder entry, of nothing.
        let name = (path as NSString).lastPathComponent
        let of =
          path.hasSuffix("/")
          ? nil : String(path.dropFirst("__MACOSX/".count).dropLast(name.count)) + String(name.dropFirst(2))
        metadata.append((shown, of))
        continue
      }
      let parts: [String]
      if let under {
        // A bundle's other entries are not this package's: not unpacked, not named (doctor says how many).
        let inside = path.hasPrefix(under) ? String(path.dropFirst(under.count)) : nil
        // A flat package's files are at the archive's top: a `/`, or a `\` (a separator to the Windows
        // extractor that wrote it: red-team L10), puts an entry in a folder beside them.
        guard let inside, !inside.isEmpty, !under.isEmpty || !inside.contains(where: { $0 == "/" || $0 == "\\" })
        else {
          // Unless an extractor writes it into the package's folder all the same (red-team J1): a difference, as verify's.
          _ = spelling(path, shown, under: under)
          continue
        }
        // `\` is a separator to a Windows extractor: `2021-Q4-v1/docs\letter.txt` is in a subfolder there.
        if inside.contains("\\"), spelling(path, shown, under: under) { continue }
        parts = [top ?? "/"] + inside.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
      } else if flat {
        parts = ["/", path]
      } else {
        parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
      }
      guard parts.count >= 1, !parts[0].isEmpty, parts[0] != ".", parts[0] != ".." else {
        problems.append("\(shown): an entry outside the package's folder")
        continue
      }
      // A flat archive (or a file beside the folder): no package file is at the archive's top.
      guard parts.count >= 2 else {
        problems.append("\(shown): not under the package's folder (the archive holds the package in one folder)")
        continue
      }
      if top == nil { top = parts[0] }
      guard parts[0] == top else {
        problems.append("\(shown): outside the package's folder \(displayable(top ?? ""))/")
        continue
      }
      if entry.type == .directory, parts.count <= 2, parts.last?.isEmpty != false { continue }
      guard parts.count == 2, !parts[1].isEmpty, parts[1] != ".", parts[1] != ".." else {
        problems.append("\(shown): not a file of the package's folder (a package holds no subfolder)")
        continue
      }
      guard entry.type == .file else {
        problems.append("\(shown): not a regular file (\(entry.type == .symlink ? "a symbolic link" : "a folder"))")
        continue
      }
      // The manifest under another case is the manifest to a case-insensitive disk, and checked as it
      // (red-team K6): unpacked as `manifest.json`, its name a difference.
      let name = ReportPackage.isManifestName(parts[1]) ? ReportPackage.manifestName : parts[1]
      guard seen.insert(name).inserted else {
        problems.append("\(shown): in the archive twice")
        continue
      }
      if name != parts[1] {
        problems.append(
          "\(shown): \(ReportPackage.manifestName) spelt in another case (a case-insensitive disk, macOS's or Windows', reads it as \(ReportPackage.manifestName); this name is no package's)"
        )
      }
      // A name no file system here holds (over 255 bytes) is no package file: named, and the rest goes on.
      guard parts[1].utf8.count <= 255 else {
        problems.append("\(shown): a name of \(parts[1].utf8.count) bytes, longer than a file name can be (255)")
        continue
      }
      let target = (folder as NSString).appendingPathComponent(name)
      guard FileManager.default.createFile(atPath: target, contents: nil),
        let out = FileHandle(forWritingAtPath: target)
      else {
        problems.append("\(shown): cannot be unpacked (\(String(cString: strerror(errno))))")
        continue
      }
      defer { try? out.close() }
      var size: UInt64 = 0
      do {
        _ = try archive.extract(entry) { chunk in
          size += UInt64(chunk.count)
          total += UInt64(chunk.count)
          guard size <= largestEntry, total <= budget else { throw ReportError(message: "too large") }
          try out.write(contentsOf: chunk)
        }
      } catch let error as ReportError {
        // A bound lowered by the copies before it is that bound's, not this archive's size (red-team I9).
        if size <= largestEntry, budget < largestTotal { throw CopiesBoundSpent(left: budget) }
        throw FileError(
          file: path,
          message:
            "\(shown): \(error.message) for a package file (over \(largestEntry >> 20) MiB, or the archive over \(largestTotal >> 30) GiB, unpacked)"
        )
      } catch Archive.ArchiveError.invalidCompressionMethod {
        // Not damage: a method (bzip2, LZMA…) other than the two a package is written with.
        problems.append(
          "\(shown): compressed with a method this verify cannot read (not stored or deflate): its content is not checked"
        )
        try? FileManager.default.removeItem(atPath: target)
        unread.insert(name)
      } catch {
        problems.append("\(shown): damaged in the archive (\(error.localizedDescription))")
        try? FileManager.default.removeItem(atPath: target)
        unread.insert(name)
      }
    }
    // A flat package (`under` "") has no folder whose name could lie.
    if under == "" || flat { top = nil }
    let manifest = try? Manifest.read(from: folder)
    if let manifest {
      let files = Set(manifest.files.keys).union([ReportPackage.manifestName, ReportPackage.signatureName])
      for (problem, path, under) in spelt {
        guard let why = otherSpelling(of: path, under: under, files: files) else { continue }
        problems[problem] = "\(displayable(path)): \(why)"
      }
    }
    if under == nil, top == "__MACOSX" {
      problems += metadata.map { "\($0.shown): in the package's folder, __MACOSX/ (macOS metadata, no package's file)" }
      metadata = []
    }
    // Finder writes metadata of what it zips only: `._NAME` of no entry of the archive is no Finder's, but
    // another entry, outside the package's folder (verify's; doctor counts it among the bundle's others).
    let orphans = metadata.filter { $0.of.map { !held.contains($0) } ?? false }
    if under == nil {
      problems += orphans.map { "\($0.shown): outside the package's folder \(displayable(top ?? ""))/" }
    }
    metadata.removeAll { $0.of.map { !held.contains($0) } ?? false }
    var notes: [String] = []
    if !metadata.isEmpty {
      notes.append(
        "__MACOSX/: \(metadata.count) entr\(metadata.count == 1 ? "y" : "ies") of macOS metadata (the AppleDouble files Finder adds to a zip; an extractor writes them, if at all, into a __MACOSX folder beside the package's, never into it): no part of the package, not checked"
      )
    }
    if let top, let manifest, let note = nameNote(top, of: manifest, packed: true) {
      notes.append(note)
    }
    return (folder, problems, unread, notes)
  }

  /// Why an entry not under `under` byte for byte is still no other entry of
  /// a bundle: spelt another way (`./2021-Q4-v1/metrics.csv`, a leading `/`,
  /// `\` for `/`, another case, trailing dots or spaces, the 8.3 short name), unzip, Python's extractall or a Windows or
  /// macOS extractor writes it into the package's folder (red-team J1); one
  /// with `..` may land anywhere. nil for an entry that lands outside the
  /// folder (a cover letter, another copy). A flat package (`under` "") is
  /// the archive's top: a top-level file spelt another way. What it does
  /// there: written over one of `files` (the package's, as its manifest lists
  /// them; unknown, nil), or a file added to the folder (red-team L7:
  /// `2021-Q~1/cover-letter.txt` overwrites nothing).
  package static func otherSpelling(of path: String, under: String, files: Set<String>? = nil) -> String? {
    func parts(_ name: String) -> [String] {
      name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).map(String.init).filter { $0 != "." }
    }
    var entry = parts(path)
    // Windows' long-path and device prefixes (`\\?\C:\…`, `\\.\C:\…`) and the NT namespace's (`\??\C:\…`)
    // name the drive's own paths (red-team K5).
    if path.hasPrefix("\\\\") || path.hasPrefix("//"), entry.first == "?" { entry.removeFirst() }
    if path.hasPrefix("\\??\\") || path.hasPrefix("/??/"), entry.first == "??" { entry.removeFirst() }
    // A drive (`C:/2021-Q4-v1/…`) is dropped by a Windows extractor as a leading `/` is by unzip.
    // Or drive-relative (`C:2021-Q4-v1\…`): the current folder of that drive, where the extractor writes (red-team M11).
    if let drive = entry.first, drive.count >= 2, drive.dropFirst().first == ":", drive.first?.isASCII == true,
      drive.first?.isLetter == true
    {
      if drive.count == 2 { entry.removeFirst() } else { entry[0] = String(drive.dropFirst(2)) }
    }
    // A part of dots and spaces alone is `..` to Windows, which drops a name's trailing dots and spaces.
    if entry.contains(where: { $0.allSatisfy { $0 == "." || $0 == " " } && $0.filter { $0 == "." }.count >= 2 }) {
      return "an entry with `..` in its path (an extractor may write it anywhere, into the package's folder too)"
    }
    // Windows drops a name's trailing dots and spaces: `2021-Q4-v1./` is that folder there.
    func same(_ part: String) -> String { windowsName(part).lowercased() }
    // Or names it by its 8.3 short name, where short names are on: `2021-Q~1` for `2021-Q4-v1` (red-team K5).
    func names(_ part: String, _ folder: String) -> Bool {
      same(part) == folder || isShortName(part, of: folder)
    }
    let folder = parts(under).map(same)
    // A flat package's top holds files only: a folder entry there (`docs/`, `2021-Q4-v1/`) is another entry of
    // the bundle, not a spelling of a package file (red-team K2).
    let isFolder = path.last == "/" || path.last == "\\"
    let lands =
      under.isEmpty
      ? entry.count == 1 && !isFolder
      : entry.count > folder.count && zip(entry, folder).allSatisfy { names($0.0, $0.1) }
    guard lands else { return nil }
    let rest = entry.dropFirst(folder.count)
    let over =
      files?.contains { file in
        let name = parts(file)
        return name.count == rest.count && zip(rest, name).allSatisfy { names($0.0, same($0.1)) }
      } ?? true
    return over
      ? "another spelling of a path in the package's folder (an extractor writes it over the package's file)"
      : "another spelling of the package's folder (an extractor writes it there: a file added to the package's folder)"
  }

  /// `part` could be the 8.3 short name Windows gives `name` (a file
  /// system with short names on opens either), in one of the two forms
  /// Windows makes: the long name's first six characters (all of them when
  /// it has fewer; five, four… when the number takes two digits, three…),
  /// `~` and a number (`2021-Q~1`, `2021-~12`); or, from the fifth name
  /// alike in a folder on, its first two characters, four hex digits of a
  /// hash of it, `~` and a number (`20D4F3~1`); then the first three
  /// characters of its extension (`MANIFE~1.JSO`). Spaces and every dot but
  /// the extension's are left out, and a character 8.3 cannot hold is `_`.
  /// Which number and hash it gets depends on what else the folder held, so
  /// any is taken; any other cut of the name is none (red-team L7: `2~1`,
  /// `2021~1` are no short name of `2021-Q4-v1`).
  package static func isShortName(_ part: String, of name: String) -> Bool {
    let short = Array(part)
    // The `~` before the number, in the name before its extension.
    guard let tilde = short[..<(short.lastIndex(of: ".") ?? short.endIndex)].lastIndex(of: "~") else { return false }
    let digits = short[(tilde + 1)...].prefix { $0.isASCII && $0.isNumber }
    guard !digits.isEmpty, digits.first != "0", tilde + 1 + digits.count <= 8 else { return false }
    let tail = short[(tilde + 1 + digits.count)...]
    guard tail.isEmpty || (tail.first == "." && tail.count <= 4) else { return false }
    let dot = name.lastIndex(of: ".")
    let base = Array((dot.map { name[..<$0] } ?? name[...]).filter { $0 != " " && $0 != "." })
    let ext = dot.map { Array(name[name.index(after: $0)...].filter { $0 != " " }.prefix(3)) } ?? []
    // One character of the short name for one of the long name's: the same letter in upper case, or `_`
    // for one 8.3 does not hold (`+,;=[]`, or outside ASCII).
    func alike(_ s: ArraySlice<Character>, _ l: ArraySlice<Character>) -> Bool {
      s.count == l.count
        && zip(s, l).allSatisfy { s, l in
          s.uppercased() == l.uppercased() || (s == "_" && (!l.isASCII || "+,;=[]".contains(l)))
        }
    }
    guard alike(tail.dropFirst(), ext[...]) else { return false }
    let head = short[..<tilde]
    guard !head.isEmpty else { return false }
    // The number's form: as many of the name's first characters as leave room for `~` and the number.
    if alike(head, base.prefix(min(base.count, 7 - digits.count))) { return true }
    // The hash's form: two of them, then four hex digits.
    let two = base.prefix(2)
    return head.count == two.count + 4 && alike(head.prefix(two.count), two)
      && head.dropFirst(two.count).allSatisfy { $0.isASCII && $0.isHexDigit }
  }

  /// An entry macOS's Finder (or `ditto -c -k --sequesterRsrc`) adds when it
  /// zips a folder: under `__MACOSX/`, a folder, or a file `._NAME` holding
  /// AppleDouble metadata (its first bytes 00 05 16 07), no part of its path
  /// `..`, `.` or dots and spaces alone (which Windows reads as those), and no
  /// `\`. An extractor writes it, if at all, into a `__MACOSX` folder beside
  /// the package's, never into it (red-team L12). Anything else under
  /// `__MACOSX/` is read as any other entry is.
  static func isFinderMetadata(_ entry: Entry, named path: String, in archive: Archive) -> Bool {
    guard path.hasPrefix("__MACOSX/"), !path.contains("\\") else { return false }
    var parts = path.split(separator: "/", omittingEmptySubsequences: false)
    if entry.type == .directory, parts.count > 1, parts.last == "" { parts.removeLast() }
    guard parts.allSatisfy({ part in !part.allSatisfy { $0 == "." || $0 == " " } }) else { return false }
    if entry.type == .directory { return true }
    guard entry.type == .file, parts.count >= 2, parts.last?.hasPrefix("._") == true else { return false }
    // Only its first bytes are read.
    return PackageFolder.entryHead(entry, of: archive, count: 4) == Data([0x00, 0x05, 0x16, 0x07])
  }

  /// `name` as Windows stores it: its trailing dots and spaces dropped
  /// (`2021-Q4-v1.` is `2021-Q4-v1` there). One rule for the spellings of a
  /// package's path (J1) and of its manifest's name (M2).
  package static func windowsName<S: StringProtocol>(_ name: S) -> String {
    String(name.reversed().drop { $0 == "." || $0 == " " }.reversed())
  }

  /// An entry's name: UTF-8 when the archive says so, and when it does not but
  /// the bytes are valid UTF-8 (Info-ZIP on Linux writes names so, without
  /// the flag); else code page 437, the zip format's own (red-team I8:
  /// `2021-Q4-第2版/` was shown as `2021-Q4-τ¼¼2τëê/`).
  package static func entryName(_ entry: Entry) -> String {
    let utf8 = entry.path(using: .utf8)
    return utf8.isEmpty ? entry.path : utf8
  }

  /// What a package's folder name reads as, when it reads as a quarter (and
  /// a version) as linkaudit names one, spelt loosely: `2021-Q3`,
  /// `2021-Q4-v2`, `linkaudit-2021-Q4-UTC-v2`, `2021-q4_V02`, `2021Q4-v2 (1)`.
  /// The version as its digits, leading zeros dropped (any length).
  static func namedLike(_ name: String) -> (quarter: Quarter, version: String?)? {
    let bare = name.lowercased().hasPrefix("linkaudit-") ? String(name.dropFirst("linkaudit-".count)) : name
    guard let head = bare.range(of: #"^[0-9]{4}-?[Qq][1-4]"#, options: .regularExpression),
      let last = bare[head].last, let quarter = Quarter(bare[head].prefix(4) + "-Q" + String(last))
    else { return nil }
    let rest = bare[head.upperBound...]
    guard let mark = rest.range(of: #"[-_ .][Vv][0-9]+"#, options: .regularExpression) else { return (quarter, nil) }
    let digits = rest[mark].drop { !$0.isNumber }.drop { $0 == "0" }
    return (quarter, digits.isEmpty ? "0" : String(digits))
  }

  /// verify's note on a package's name, one rule for a folder and an
  /// archive's folder (red-team I8): the name is no part of the package, the
  /// verdict names the quarter and version the manifest holds, and
  /// `--quarter`/`--filed-version` are how one holds a package to a version.
  /// So a name never fails verify; it is noted whenever it is none of the
  /// names linkaudit gives that package (the quarter's folder, its `-vN`
  /// folder, its archive's folder), whatever its spelling (red-team J7:
  /// `2021-Q4-第2版`, `2021-Q4 (v2)`, `Q4-2021-v2` holding version 1), and,
  /// for an archive, whenever its folder is not the one report --archive
  /// writes (red-team H11: doctor's word on an archive it does not rewrite).
  /// `nil` when there is nothing to say.
  public static func nameNote(_ name: String, of manifest: Manifest, packed: Bool) -> String? {
    guard let q = Quarter(manifest.quarter), let version = manifest.filing?.version else { return nil }
    let expected = (self.name(quarter: q, zone: manifest.timeZone, version: version) as NSString)
      .deletingPathExtension
    let folder = "\(q)\(zoneSuffix(manifest.timeZone))"
    let given = [folder, "\(folder)-v\(version)", expected]
    let holds = "\(q) version \(version)"
    // Read as linkaudit spells a name, when it is; any other name is said as none of those given (J7).
    let unlike: String? =
      if given.contains(name) {
        nil
      } else if let like = namedLike(name), like.quarter != q || like.version.map({ $0 != String(version) }) == true {
        "named like \(like.quarter)\(like.version.map { " version \($0)" } ?? ""), but holds \(holds)"
      } else {
        "none of the names linkaudit gives the package it holds, \(holds) (\(given.map { "\(displayable($0))/" }.joined(separator: ", ")))"
      }
    let noPart =
      "a folder's name is no part of the package (its files, their SHA-256 and the signature are checked all the same)"
    let hold = "give verify --quarter and --filed-version to hold a package to a quarter and version"
    if packed {
      guard name != expected else { return nil }
      return "packed as \(displayable(name))/, not \(expected)/\(unlike.map { ", \($0)" } ?? ""): \(noPart)"
        + (unlike == nil ? "" : "; \(hold)")
    }
    return unlike.map { "the folder \(displayable(name))/ is \($0): \(noPart); \(hold)" }
  }

  /// A zip entry keeps a date and time without a zone, and ZIPFoundation
  /// writes a date's UTC fields: the instant whose UTC fields are the issue
  /// time's in the report's zone, so the entry reads as the Cover does, and
  /// every machine, whatever its zone, writes the same bytes.
  static func entryDate(_ t: Timestamp, in zone: TimeZone) -> Date {
    var local = Calendar(identifier: .gregorian)
    local.timeZone = zone
    var utc = Calendar(identifier: .gregorian)
    utc.timeZone = TimeZone(identifier: "UTC")!
    let fields = local.dateComponents(
      [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(t.milliseconds) / 1000))
    return utc.date(from: fields) ?? Date(timeIntervalSince1970: 315_532_800)
  }
}
