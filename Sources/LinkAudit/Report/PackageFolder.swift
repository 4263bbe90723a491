import Foundation
import LinkAuditCore
import LinkAuditStore

/// A package folder as the file system holds it: what is in it, what may be
/// read, what `report` may replace, and the folders a report works in beside it.
package enum PackageFolder {
  /// Every entry of `directory`, dot-files and folders included, sorted: a
  /// package is exactly its manifest, so nothing there is left unseen.
  package static func entries(of directory: String) throws -> [String] {
    do {
      return try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    } catch {
      throw ReportError(message: "\(directory): cannot list the folder (\(error.localizedDescription))")
    }
  }

  /// Why `path` is not read as a package file, or nil for a regular file. A
  /// link is not followed (a package holds files, and a link to a pipe or a
  /// device would hang the reader): it is named as what it is.
  package static func notARegularFile(_ path: String) -> String? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return "cannot be read (\(String(cString: strerror(errno))))" }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return nil
    case S_IFDIR: return "not a regular file (a folder)"
    case S_IFLNK: return "not a regular file (a symbolic link)"
    default: return "not a regular file (a pipe, a socket or a device): not read"
    }
  }

  /// Something is at `path`, a dangling link included.
  package static func exists(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0
  }

  /// The bytes of a regular file, or why it is not read.
  package static func contents(of path: String) -> Result<Data, ReportError> {
    if let why = notARegularFile(path) { return .failure(ReportError(message: why)) }
    guard let data = FileManager.default.contents(atPath: path) else {
      return .failure(ReportError(message: "cannot be read"))
    }
    return .success(data)
  }

  /// The two folders a report keeps beside its package while it writes: the
  /// new package, then the old one moved aside. Hidden, and named by process.
  package enum Sibling: String { case writing, previous }

  package static func sibling(of target: String, _ kind: Sibling, pid: Int32 = getpid()) -> String {
    (parentPath(target) as NSString).appendingPathComponent(
      ".\((target as NSString).lastPathComponent).\(kind.rawValue)-\(pid)")
  }

  /// What only a report could have left under a staging name: a folder of
  /// nothing but a package's kinds of file (no folder, no link, no private
  /// key), or an archive being written (a zip, or empty). Anything else
  /// named so is someone's, and stays (red-team B6).
  static func couldBeReports(_ path: String) -> Bool {
    var info = stat()
    guard lstat(path, &info) == 0 else { return false }
    if info.st_mode & S_IFMT == S_IFREG {
      guard let handle = FileHandle(forReadingAtPath: path) else { return false }
      defer { try? handle.close() }
      let head = (try? handle.read(upToCount: 2)) ?? Data()
      return head.isEmpty || head == Data("PK".utf8)
    }
    guard info.st_mode & S_IFMT == S_IFDIR, let names = try? FileManager.default.contentsOfDirectory(atPath: path)
    else { return false }
    return names.allSatisfy { name in
      let file = (path as NSString).appendingPathComponent(name)
      return [".md", ".xlsx", ".csv", ".json", ".sig"].contains { name.hasSuffix($0) }
        && notARegularFile(file) == nil && !holdsPrivateKey(file)
    }
  }

  /// The siblings of `target` left by reports whose process is gone (killed):
  /// an old package moved aside while no package is in place is put back;
  /// the rest is removed. Also the visible names earlier versions used.
  /// `isFiled` tells a manifest the ledger holds: a package staged, filed and
  /// killed before it took its folder is put in place rather than removed,
  /// so every filed version stays where a next run or doctor finds it.
  /// Returns the filed packages staged by killed reports that are still
  /// there (the folder taken), and a line for each entry left as someone's.
  @discardableResult
  package static func removeStaleSiblings(of target: String, isFiled: ((Data) -> Bool)? = nil) -> (
    staged: [String], notes: [String]
  ) {
    let fm = FileManager.default
    let parent = parentPath(target)
    let name = (target as NSString).lastPathComponent
    var staged: [String] = []
    var notes: [String] = []
    guard let names = try? fm.contentsOfDirectory(atPath: parent.isEmpty ? "." : parent) else { return ([], []) }
    if let isFiled, !exists(target) {
      for entry in names.sorted() {
        for prefix in [".\(name).\(Sibling.writing.rawValue)-"] where entry.hasPrefix(prefix) {
          guard let pid = Int32(entry.dropFirst(prefix.count)), pid > 0, !isRunning(pid), !exists(target) else {
            continue
          }
          let path = (parent as NSString).appendingPathComponent(entry)
          guard couldBeReports(path),
            case .success(let bytes) = contents(
              of: (path as NSString).appendingPathComponent(ReportPackage.manifestName)),
            isFiled(bytes), (try? ReportPackage.checkWritten(directory: path))?.isEmpty == true
          else { continue }
          try? fm.moveItem(atPath: path, toPath: target)
        }
      }
    }
    for entry in names.sorted() {
      for kind in [Sibling.previous, .writing] {
        for prefix in [".\(name).\(kind.rawValue)-", "\(name).\(kind.rawValue)-"] where entry.hasPrefix(prefix) {
          guard let pid = Int32(entry.dropFirst(prefix.count)), pid > 0, !isRunning(pid) else { continue }
          let path = (parent as NSString).appendingPathComponent(entry)
          guard exists(path) else { continue }  // put in place above
          // A folder (a package being written, or moved aside), or a file (an archive being written).
          var info = stat()
          guard lstat(path, &info) == 0, [S_IFDIR, S_IFREG].contains(info.st_mode & S_IFMT) else { continue }
          // Only what a report could have left is moved back or removed (red-team B6, C4): a folder
          // of someone's named so would be replaced and deleted whole once moved into the package's name.
          guard Self.couldBeReports(path) else {
            notes.append("\(path): named as a report's staging folder but holds what no report writes: left as it is")
            continue
          }
          if kind == .previous, !fm.fileExists(atPath: target),
            fm.fileExists(atPath: (path as NSString).appendingPathComponent(ReportPackage.manifestName))
          {
            try? fm.moveItem(atPath: path, toPath: target)
          } else if kind == .writing, let isFiled,
            case .success(let bytes) = contents(
              of: (path as NSString).appendingPathComponent(ReportPackage.manifestName)), isFiled(bytes)
          {
            // A filed version staged by a killed report is never removed (red-team C2): the caller puts it in place.
            staged.append(path)
          } else {
            try? fm.removeItem(atPath: path)
          }
        }
      }
    }
    return (staged, notes)
  }

  /// Renames `from` to `to` only while nothing is at `to`: the name is
  /// claimed first with an empty folder (mkdir fails on any entry there, a
  /// link included), which rename(2) then replaces whole. A package is moved
  /// aside this way, never copied: a kill leaves it under one name or the other.
  package static func renameClaiming(_ from: String, to: String) throws {
    guard mkdir(to, 0o700) == 0 else {
      throw FileError(file: to, message: "cannot move \(from) here: \(String(cString: strerror(errno)))")
    }
    guard rename(from, to) == 0 else {
      let why = String(cString: strerror(errno))
      rmdir(to)
      throw FileError(file: to, message: "cannot move \(from) here: \(why)")
    }
  }

  /// Runs `body` holding an exclusive lock on `.NAME.lock` beside `target`:
  /// the installs of one folder, by any process, one at a time (red-team
  /// B16), without waiting for an import as the database's write lock would.
  /// The lock file is removed while held; a process that opened it before
  /// finds it gone once it has the lock, and takes the new one. A kill
  /// releases the lock (the kernel's), leaving at most an empty dot-file.
  package static func withFolderLock<T>(_ target: String, _ body: () throws -> T) throws -> T {
    let path =
      (parentPath(target).isEmpty ? "" : parentPath(target) + "/") + ".\((target as NSString).lastPathComponent).lock"
    while true {
      // Created by this run, or there already: only the run's own lock file (or
      // an empty one a killed run left) is removed, never a file of someone's so named (red-team C4).
      var created = true
      var fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0o600)
      if fd < 0, errno == EEXIST {
        created = false
        fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        if fd < 0, errno == ENOENT { continue }  // removed meanwhile by the run that held it
      }
      guard fd >= 0 else {
        throw FileError(file: path, message: "cannot open the lock of its folder: \(String(cString: strerror(errno)))")
      }
      guard flock(fd, LOCK_EX) == 0 else {
        let why = String(cString: strerror(errno))
        close(fd)
        throw FileError(file: path, message: "cannot lock: \(why)")
      }
      var held = stat()
      var named = stat()
      guard fstat(fd, &held) == 0, lstat(path, &named) == 0, held.st_dev == named.st_dev, held.st_ino == named.st_ino
      else {
        close(fd)
        continue
      }
      guard held.st_mode & S_IFMT == S_IFREG else {
        close(fd)
        throw FileError(file: path, message: "cannot lock: not a regular file (the lock of its folder is one)")
      }
      defer {
        if created || held.st_size == 0 { unlink(path) }
        close(fd)
      }
      return try body()
    }
  }

  /// The scratch folders verify and dry runs work in, under the system's
  /// temporary folder: `linkaudit-KIND-PID-UUID`, so one left by a killed
  /// process is known for its own and removed by the next run (red-team B17).
  package enum Scratch: String, CaseIterable { case unpack, verify, dryRun = "dry-run" }

  package static func scratchFolder(_ kind: Scratch) -> String {
    (NSTemporaryDirectory() as NSString).appendingPathComponent(
      "linkaudit-\(kind.rawValue)-\(getpid())-\(UUID().uuidString)")
  }

  /// Removes the scratch folders of processes that are gone: only names of
  /// exactly that shape, only folders (a link is never followed), and only
  /// when they hold nothing but what verify or a dry run writes there:
  /// regular files (an unpacked archive's under `package/`), no PEM private key.
  package static func removeStaleScratch(in temporary: String = NSTemporaryDirectory()) {
    let fm = FileManager.default
    guard let names = try? fm.contentsOfDirectory(atPath: temporary) else { return }
    for name in names {
      guard let kind = Scratch.allCases.first(where: { name.hasPrefix("linkaudit-\($0.rawValue)-") }) else { continue }
      let rest = name.dropFirst("linkaudit-\(kind.rawValue)-".count)
      let parts = rest.split(separator: "-", maxSplits: 1)
      guard parts.count == 2, parts[0].allSatisfy(\.isASCII), let pid = Int32(parts[0]), pid > 0,
        UUID(uuidString: String(parts[1])) != nil, !isRunning(pid)
      else { continue }
      let path = (temporary as NSString).appendingPathComponent(name)
      if onlyScratch(path, unpacked: kind == .unpack) { try? fm.removeItem(atPath: path) }
    }
  }

  /// A folder (not a link) of regular files and no key; for an unpacked
  /// archive, of nothing but such a folder named `package`.
  static func onlyScratch(_ path: String, unpacked: Bool) -> Bool {
    var info = stat()
    guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR,
      let names = try? FileManager.default.contentsOfDirectory(atPath: path)
    else { return false }
    if unpacked {
      return names.allSatisfy {
        $0 == "package" && onlyScratch((path as NSString).appendingPathComponent($0), unpacked: false)
      }
    }
    return names.allSatisfy { name in
      let file = (path as NSString).appendingPathComponent(name)
      return notARegularFile(file) == nil && !holdsPrivateKey(file)
    }
  }

  /// A process of this id exists (or cannot be told apart from one: not ours to signal).
  static func isRunning(_ pid: Int32) -> Bool { kill(pid, 0) == 0 || errno == EPERM }

  /// Refuses a `--out` whose replacement would lose something that is not a
  /// package: a file, a folder without a manifest, and in a package folder
  /// anything the package does not list (a signing key kept there, `make
  /// render`'s pages, a note) or any PEM private key.
  package static func checkReplaceable(
    _ directory: String, quarter: String, timeZone: String, protecting protected: ProtectedFiles
  ) throws {
    try protected.checkOutputFolder(directory, option: "--out")
    // A file where a folder on the way should be: refused as such, by the dry run too (red-team B15).
    var above = parentPath(directory)
    while !above.isEmpty, !exists(above), parentPath(above) != above { above = parentPath(above) }
    var info = stat()
    if !above.isEmpty, stat(above, &info) == 0, info.st_mode & S_IFMT != S_IFDIR {
      throw OutputPathError(message: "--out \(directory): \(above) is a file, not a folder: name a folder")
    }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else { return }
    guard isDirectory.boolValue else {
      throw OutputPathError(message: "--out \(directory) is a file, not a report folder: refusing to replace it")
    }
    let contents = (try? entries(of: directory)) ?? []
    if contents.isEmpty { return }
    let manifest: Manifest
    do {
      manifest = try Manifest.read(from: directory)
    } catch let error as ReportError {
      let why = contents.contains(ReportPackage.manifestName) ? error.message : "no manifest.json"
      throw OutputPathError(
        message:
          "--out \(directory) holds files and no linkaudit package (\(why)): refusing to replace it; name a new or empty folder"
      )
    }
    // Another quarter's (or zone's) filed package is never replaced by this one (red-team B12).
    guard manifest.quarter == quarter, manifest.timeZone == timeZone else {
      throw OutputPathError(
        message:
          "--out \(directory) holds the package of \(escapingControls(manifest.quarter)) (\(escapingControls(manifest.timeZone))), not of \(quarter) (\(timeZone)): refusing to replace it; name the quarter's own folder"
      )
    }
    for name in contents {
      let path = (directory as NSString).appendingPathComponent(name)
      let listed =
        manifest.files[name] != nil || name == ReportPackage.manifestName || name == ReportPackage.signatureName
      if listed && notARegularFile(path) == nil && !holdsPrivateKey(path) { continue }
      let what = holdsPrivateKey(path) ? "a PEM private key" : listed ? "not a regular file" : "not part of the package"
      throw OutputPathError(
        message:
          "--out \(directory) holds \(name) (\(what)), which report did not write: refusing to replace the folder; move it out first"
      )
    }
  }

  /// The file begins as a PEM private key does (a signing key kept in the wrong place).
  static func holdsPrivateKey(_ path: String) -> Bool {
    guard notARegularFile(path) == nil, let handle = FileHandle(forReadingAtPath: path) else { return false }
    defer { try? handle.close() }
    let head = String(decoding: (try? handle.read(upToCount: 4096)) ?? Data(), as: UTF8.self)
    return head.contains("-----BEGIN") && head.contains("PRIVATE KEY-----")
  }

  /// `folder` holds a report package folder (one with a linkaudit manifest)
  /// or a filing's archive (`linkaudit-2021-Q4-v1.zip`): both are handed
  /// over, so no key is kept beside them (red-team C12, D11).
  package static func holdsPackage(_ folder: String) -> Bool {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).contains {
      FiledPackage.isArchiveName($0)
        || (try? Manifest.read(from: (folder as NSString).appendingPathComponent($0))) != nil
    }
  }

  /// The PEM private keys lying directly in `folder`, hidden ones included, by name.
  package static func privateKeys(in folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted().filter {
      holdsPrivateKey((folder as NSString).appendingPathComponent($0))
    }
  }

  /// Refuses a package folder `directory` beside a PEM private key (the
  /// signing key above all): the folder holding packages is the one handed
  /// over (red-team D11, the other way round from C12). The database's own
  /// folder is exempt, as for `keys new`: the key's default place, a working
  /// folder whatever else it holds.
  package static func checkNoKeyBeside(_ directory: String, database: String, protecting protected: ProtectedFiles)
    throws
  {
    let folder = parentPath(FileIdentity(directory).canonical)
    guard !folder.isEmpty, !isKeysDefaultPlace(folder, database: database), let name = privateKeys(in: folder).first
    else { return }
    let key = (parentPath(directory).isEmpty ? name : (parentPath(directory) as NSString).appendingPathComponent(name))
    let role =
      protected.entries.first { FileIdentity($0.path).isSame(as: FileIdentity(key)) }?.role ?? "a PEM private key"
    // Beside the database is no advice when the database lies there too (a folder named reports).
    let instead =
      folder == parentPath(FileIdentity(database).canonical)
      ? "the database lies there too: move the database (with its keys) out of \(escapingControls(folder)), or name an --out elsewhere"
      : "keep the key apart from packages (beside the database, the default, or in a folder of its own) or name an --out elsewhere"
    throw OutputPathError(
      message:
        "--out \(directory): its folder holds \(escapingControls(key)) (\(role)), which would be handed over with the packages there: \(instead)"
    )
  }

  /// `folder` is the database's own, where the signing key is kept by
  /// default: a working folder whatever else it holds, unless it is named
  /// `reports` (red-team B9: a reports folder is handed over whole).
  package static func isKeysDefaultPlace(_ folder: String, database: String) -> Bool {
    folder == parentPath(FileIdentity(database).canonical) && (folder as NSString).lastPathComponent != "reports"
  }

  /// The folder holds a report package (a linkaudit manifest), or lies inside one.
  package static func packageHolding(_ path: String) -> String? {
    var folder = FileIdentity(path).canonical
    while folder != "/" && !folder.isEmpty {
      let manifest = (folder as NSString).appendingPathComponent(ReportPackage.manifestName)
      if notARegularFile(manifest) == nil, (try? Manifest.read(from: folder)) != nil { return folder }
      folder = parentPath(folder)
    }
    return nil
  }
}
