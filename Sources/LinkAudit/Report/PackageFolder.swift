import Foundation
import LinkAuditCore
import LinkAuditStore
import ZIPFoundation

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

  /// The most a package's manifest.json is read of: it lists a package's
  /// files, batches and policies, a few kilobytes; the archive check reads as much.
  package static let manifestLimit = 16 << 20

  /// The bytes of the manifest.json in `folder`, its size checked before it
  /// is read (SmallFile, as filer.yaml's: red-team E6, F12): a huge file
  /// named so anywhere in sight is refused unread, and no link is followed.
  package static func manifestBytes(in folder: String) -> Result<Data, ReportError> {
    let path = (folder as NSString).appendingPathComponent(ReportPackage.manifestName)
    if let why = notARegularFile(path) { return .failure(ReportError(message: why)) }
    switch SmallFile.read(path, limit: manifestLimit) {
    case .success(let data): return .success(data)
    case .failure(.unreadable(let why)): return .failure(ReportError(message: why))
    case .failure(.tooLarge(let size)):
      return .failure(
        ReportError(
          message:
            "is \(size.grouped) bytes, more than a manifest holds (at most \(manifestLimit >> 20) MiB): not read"
        ))
    }
  }

  /// The two folders a report keeps beside its package while it writes: the
  /// new package, then the old one moved aside. Hidden, and named by run:
  /// `.NAME.KIND-PID-TOKEN`, the token drawn once a process, so a run that
  /// gets a killed run's PID again (a container's PID 1, another PID
  /// namespace sharing the folder) never takes that run's name (red-team D2).
  package enum Sibling: String { case writing, previous }

  /// This process's mark in its staging names: eight hex digits, drawn once,
  /// with a letter among them: a date (`20231201`) or any other run of
  /// decimal digits is never a run's token, so a user's `.2021-Q4.previous-2023-20231201`
  /// is never taken for a report's staging (red-team F7).
  package static let runToken: String = {
    while true {
      let n = UInt32.random(in: .min ... .max)
      let digits = String(n, radix: 16)
      let token = String(repeating: "0", count: 8 - digits.count) + digits
      if isRunToken(Substring(token)) { return token }
    }
  }()

  /// The shape of a run's token: eight lowercase hex digits, at least one a letter.
  static func isRunToken(_ token: Substring) -> Bool {
    token.count == 8 && token.allSatisfy { $0.isASCII && ($0.isNumber || ("a"..."f").contains($0)) }
      && token.contains { ("a"..."f").contains($0) }
  }

  package static func sibling(of target: String, _ kind: Sibling, pid: Int32 = getpid()) -> String {
    (parentPath(target) as NSString).appendingPathComponent(
      ".\((target as NSString).lastPathComponent).\(kind.rawValue)-\(pid)-\(runToken)")
  }

  /// The folder a staging name (`.NAME.writing-…`, `.NAME.previous-…`, the
  /// hidden names and the visible ones earlier versions used) stages for,
  /// `NAME`, found by its known suffix (red-team D6: `.2021-Q4.final.writing-…`
  /// is `2021-Q4.final`'s), or nil for any other name.
  package static func stagedFor(_ name: String) -> (folder: String, kind: Sibling, tail: Substring)? {
    for kind in [Sibling.writing, .previous] {
      guard let range = name.range(of: ".\(kind.rawValue)-", options: .backwards) else { continue }
      let tail = name[range.upperBound...]
      guard owner(tail) != nil else { continue }
      var folder = name[..<range.lowerBound]
      if folder.hasPrefix(".") { folder = folder.dropFirst() }
      guard !folder.isEmpty else { continue }
      return (String(folder), kind, tail)
    }
    return nil
  }

  /// Who wrote a staging name, from what follows `KIND-`: `PID-TOKEN` (a
  /// run of this version, told alive by its lock), or `PID` alone (earlier
  /// versions', told alive by its process, never this one: it names no such folder).
  static func owner(_ tail: Substring) -> (pid: Int32, token: Substring?)? {
    let parts = tail.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
    guard let digits = parts.first, !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
      let pid = Int32(digits), pid > 0
    else { return nil }
    guard parts.count == 2 else { return (pid, nil) }
    let token = parts[1]
    guard isRunToken(token) else { return nil }
    return (pid, token)
  }

  /// A hidden name shaped as a staging name (`.NAME.writing-…`, `.NAME.previous-…`)
  /// whose tail is no run's (`PID-TOKEN`, or an earlier version's `PID`):
  /// the folder it seems to stage for, or nil. Such an entry is a user's
  /// (`.2021-Q4.previous-2023-20231201`, a dated copy): never removed nor
  /// moved, and named by report and doctor (red-team F7).
  package static func stagingLookalike(_ name: String) -> String? {
    guard name.hasPrefix("."), stagedFor(name) == nil else { return nil }
    for kind in [Sibling.writing, .previous] {
      guard let range = name.range(of: ".\(kind.rawValue)-", options: .backwards) else { continue }
      let folder = name[name.index(after: name.startIndex)..<range.lowerBound]
      if !folder.isEmpty { return String(folder) }
    }
    return nil
  }

  /// Why a staging-like name is left: said the same by report and doctor.
  package static let lookalikeNote =
    "named like a report's staging, but not a name linkaudit gives (its runs end theirs in -PID-TOKEN, the token eight hex digits with a letter a-f among them): left as it is, never removed; give it a visible name if it is yours"

  /// The staging entries of runs still at work are held locked (flock, the
  /// kernel's: a kill releases it) from the moment they are made until this
  /// process ends or gives them up; path to descriptor.
  private static let held = LockBox<[String: Int32]>([:])

  /// Makes this run's staging folder for `target`, new (a name there already
  /// is refused, never removed: it is no other run's, as the token says) and
  /// locked before anything is written into it. A cleaner that took it, in
  /// the instant between mkdir and the lock, for a dead run's and removed it
  /// is seen (the name no longer leads to the folder locked), and the folder made again.
  package static func makeStaging(for target: String) throws -> String {
    let path = sibling(of: target, .writing)
    for _ in 0..<8 {
      // Left by an earlier attempt of this very run (its transaction retried): this run's to remove.
      if held.withLock({ $0[path] != nil }) {
        try? FileManager.default.removeItem(atPath: path)
        releaseStaging(path)
      }
      guard mkdir(path, 0o777) == 0 else {
        throw FileError(
          file: path, message: "cannot make the report's staging folder: \(String(cString: strerror(errno)))")
      }
      let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
      guard fd >= 0 else { continue }
      var folder = stat()
      var named = stat()
      guard flock(fd, LOCK_EX) == 0, fstat(fd, &folder) == 0, lstat(path, &named) == 0,
        folder.st_dev == named.st_dev, folder.st_ino == named.st_ino
      else {
        close(fd)
        continue
      }
      hold(path, fd)
      return path
    }
    throw FileError(file: path, message: "cannot make the report's staging folder: removed each time it was made")
  }

  /// Locks this run's staging file (an archive being written), as `makeStaging` does a folder.
  package static func lockStaging(_ path: String) {
    let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else { return }
    guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
      close(fd)
      return
    }
    hold(path, fd)
  }

  private static func hold(_ path: String, _ fd: Int32) {
    let before = held.withLock { map -> Int32? in
      defer { map[path] = fd }
      return map[path]
    }
    if let before { close(before) }
  }

  /// Moves the package in `target` aside, to this run's `.previous-` name,
  /// locked first (the lock moves with the folder) so no other run takes it
  /// for a dead run's and puts it back meanwhile. Returns the name.
  package static func moveAside(_ target: String) throws -> String {
    let previous = sibling(of: target, .previous)
    let fd = open(target, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    if fd >= 0, flock(fd, LOCK_EX | LOCK_NB) != 0 {
      close(fd)
    } else if fd >= 0 {
      hold(previous, fd)
    }
    do {
      try FileManager.default.moveItem(atPath: target, toPath: previous)
    } catch {
      releaseStaging(previous)
      throw error
    }
    return previous
  }

  /// Gives up this run's lock on a staging name: done with (put in place,
  /// removed), or left for the next run to place.
  package static func releaseStaging(_ path: String) {
    if let fd = held.withLock({ $0.removeValue(forKey: path) }) { close(fd) }
  }

  /// A staging entry left by a run that is gone: locked here (the lock kept,
  /// returned, while it is handled, so a run cannot start on it meanwhile),
  /// or -1 for an entry of an earlier version whose process is gone. Nil
  /// while its run is alive, or when that cannot be told: it is left.
  static func claimLeftBy(_ path: String, tail: Substring) -> Int32? {
    guard let (pid, token) = owner(tail) else { return nil }
    guard let token else { return pid == getpid() || !isRunning(pid) ? -1 : nil }
    let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
    guard fd >= 0 else { return nil }
    guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
      close(fd)
      return nil
    }
    // An archive is locked just after ZIPFoundation makes it: in that instant, only its process tells a run at work.
    var info = stat()
    if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, token != runToken, isRunning(pid) {
      close(fd)
      return nil
    }
    return fd
  }

  /// The entry's run is alive (its lock held, or its process running): not
  /// to be touched, nor named as left. Reads only.
  package static func isInUse(_ path: String) -> Bool {
    guard let staged = stagedFor((path as NSString).lastPathComponent) else { return false }
    guard let fd = claimLeftBy(path, tail: staged.tail) else { return true }
    if fd >= 0 { close(fd) }
    return false
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
    // With its manifest there, a package's folder holds what it lists and no more: a note
    // (`notes.md`) in a copy of one is the user's, whatever its suffix (red-team F7).
    if case .success(let bytes) = manifestBytes(in: path), let manifest = try? Manifest.decode(bytes, path: path) {
      let listed = Set(manifest.files.keys).union([ReportPackage.manifestName, ReportPackage.signatureName])
      guard names.allSatisfy({ listed.contains($0) || $0.hasPrefix(".dat.nosync") }) else { return false }
    }
    return names.allSatisfy { name in
      let file = (path as NSString).appendingPathComponent(name)
      // Foundation's atomic-write temporary (`.dat.nosync…`), left by a kill mid-write by earlier versions (red-team D5).
      return
        ([".md", ".xlsx", ".csv", ".json", ".sig"].contains { name.hasSuffix($0) } || name.hasPrefix(".dat.nosync"))
        && notARegularFile(file) == nil && !holdsPrivateKey(file)
    }
  }

  /// Writes a package's file where it is named, directly: a file new to the
  /// staging folder, which is itself the unit put in place, so no temporary
  /// of a writer's is ever left in it by a kill (red-team D5).
  package static func writeFile(_ data: Data, to path: String) throws {
    let fd = try OutputFile.open(path)
    defer { close(fd) }
    try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
      var done = 0
      while done < buffer.count {
        let n = Foundation.write(fd, buffer.baseAddress! + done, buffer.count - done)
        if n < 0, errno == EINTR { continue }
        guard n > 0 else { throw FileError(file: path, message: "cannot write: \(String(cString: strerror(errno)))") }
        done += n
      }
    }
  }

  /// What a manifest left under a staging name is to the running database's ledger.
  package enum StagedStanding: Equatable {
    /// The ledger holds its bytes.
    case filed
    /// No filed version, or one this database wrote and never filed (a run killed before its commit): removable.
    case unfiled
    /// A filed version the ledger does not hold ("2021-Q4 version 2"): another database's claim, never removed.
    case foreign(String)

    /// A manifest with a filing block, told without a ledger: another's; one without, unfiled.
    static func withoutLedger(_ bytes: Data) -> StagedStanding {
      guard let manifest = try? JSONDecoder().decode(Manifest.self, from: bytes), let filing = manifest.filing else {
        return .unfiled
      }
      return .foreign("\(escapingControls(manifest.quarter)) version \(filing.version)")
    }
  }

  /// The siblings of `target` left by reports that are gone (killed: the
  /// staging's lock free, or for an earlier version's name its process gone;
  /// never by the PID alone, red-team D2): an old package moved aside while
  /// no package is in place is put back; the rest is removed. Also the
  /// visible names earlier versions used.
  /// `standing` tells a manifest against the running database's ledger: a
  /// package staged, filed and killed before it took its folder is put in
  /// place rather than removed, whatever its name's PID, so every filed
  /// version stays where a next run or doctor finds it; a filed version this
  /// ledger does not hold (another database's, red-team F3), folder or
  /// archive, is never removed nor moved: left, named. Without `standing`,
  /// every manifest with a filing block counts as another's. Returns the
  /// filed packages staged by killed reports that are still there (the
  /// folder taken), and a line for each entry left as someone's.
  /// `removing` false puts back and places only (a report does so before it
  /// writes, so that the folder holds its latest filed version), and removes
  /// nothing: a report removes only once its refusals are decided (red-team F3).
  @discardableResult
  package static func removeStaleSiblings(
    of target: String, standing: ((Data) -> StagedStanding)? = nil, removing: Bool = true
  ) -> (staged: [String], notes: [String]) {
    let fm = FileManager.default
    let parent = parentPath(target)
    let name = (target as NSString).lastPathComponent
    var staged: [String] = []
    var notes: [String] = []
    guard let names = try? fm.contentsOfDirectory(atPath: parent.isEmpty ? "." : parent) else { return ([], []) }
    // The packages staged first: a filed one takes a free folder before an old one is put back.
    let ordered = names.sorted().sorted { stagedFor($0)?.kind == .writing && stagedFor($1)?.kind != .writing }
    for entry in ordered {
      if stagingLookalike(entry) == name {
        let path = (parent as NSString).appendingPathComponent(entry)
        notes.append("\(escapingControls(path)): \(lookalikeNote)")
        continue
      }
      guard let (folder, kind, tail) = stagedFor(entry), folder == name else { continue }
      let path = (parent as NSString).appendingPathComponent(entry)
      // A visible name is never a report's staging (this version's are hidden and carry a
      // token): `2021-Q4.previous-2023` is the user's, whatever it holds (red-team E2).
      guard entry.hasPrefix(".") else {
        notes.append(
          "\(escapingControls(path)): named as the staging folders of earlier linkaudit versions were, but a visible name is the user's: left as it is"
        )
        continue
      }
      // A folder (a package being written, or moved aside), or a file (an archive being written).
      var info = stat()
      guard lstat(path, &info) == 0, [S_IFDIR, S_IFREG].contains(info.st_mode & S_IFMT),
        let lock = claimLeftBy(path, tail: tail)
      else { continue }
      defer { if lock >= 0 { close(lock) } }
      // Only what a report could have left is moved back or removed (red-team B6, C4): a folder
      // of someone's named so would be replaced and deleted whole once moved into the package's name.
      guard Self.couldBeReports(path) else {
        notes.append("\(path): named as a report's staging folder but holds what no report writes: left as it is")
        continue
      }
      let manifest = (path as NSString).appendingPathComponent(ReportPackage.manifestName)
      // Size-checked before it is read (red-team F12).
      let bytes: Data? =
        info.st_mode & S_IFMT == S_IFREG
        ? archiveManifest(path) : (try? manifestBytes(in: path).get())
      var stands = bytes.map { standing?($0) ?? StagedStanding.withoutLedger($0) }
      // What a folder held, moved aside, was filed (or no filed version at all): one naming a
      // version the ledger lacks is another's, even when this database could have written it.
      if kind == .previous, stands == .unfiled, let bytes { stands = StagedStanding.withoutLedger(bytes) }
      if case .some(.foreign(let named)) = stands {
        notes.append(
          "\(escapingControls(path)): \(named), left staged by a report of another database (or of this one before the backup it was restored from): never removed; left as it is"
        )
        continue
      }
      if kind == .previous, !exists(target), fm.fileExists(atPath: manifest) {
        try? fm.moveItem(atPath: path, toPath: target)
      } else if kind == .writing, stands == .filed {
        // A filed version staged by a killed report is never removed (red-team C2): put in
        // place while the folder is free, and whole; else the caller places it.
        if !exists(target), (try? ReportPackage.checkWritten(directory: path))?.isEmpty == true,
          (try? fm.moveItem(atPath: path, toPath: target)) != nil
        {
          notes.append("\(path): a filed package left staged by an earlier report: put in place in \(target)")
        } else {
          staged.append(path)
        }
      } else if info.st_mode & S_IFMT == S_IFDIR, fm.fileExists(atPath: manifest),
        (try? ReportPackage.checkWritten(directory: path))?.isEmpty != true
      {
        // A run's staging holds its files as its manifest lists them: one that does not was altered
        // after the run, and is not the run's to remove (red-team M10).
        notes.append(
          "\(escapingControls(path)): named as a report's staging, but its files are not as its manifest lists (altered since?): never removed; left as it is (run linkaudit verify on it)"
        )
      } else if owner(tail)?.token != nil {
        // Removed only under this version's own name: hidden, token-named, its lock free (red-team E2).
        if removing { try? fm.removeItem(atPath: path) }
      } else {
        notes.append(
          "\(escapingControls(path)): left by a report of an earlier linkaudit version, unfiled: left as it is (remove it once you have looked)"
        )
      }
    }
    return (staged, notes)
  }

  /// Renames `from` to `to` only while nothing is at `to`: the name is
  /// claimed first with an empty folder (mkdir fails on any entry there, a
  /// link included), which rename(2) then replaces whole. A package is moved
  /// aside this way, never copied: a kill leaves it under one name or the other.
  /// An empty folder there is such a claim left by a kill between the two
  /// steps, and is reused (red-team D4): rename(2) replaces an empty folder only.
  package static func renameClaiming(_ from: String, to: String) throws {
    guard mkdir(to, 0o700) == 0 || (errno == EEXIST && isEmptyFolder(to)) else {
      throw FileError(file: to, message: "cannot move \(from) here: \(String(cString: strerror(errno)))")
    }
    guard rename(from, to) == 0 else {
      let why = String(cString: strerror(errno))
      rmdir(to)
      throw FileError(file: to, message: "cannot move \(from) here: \(why)")
    }
  }

  /// A folder (not a link to one) with nothing in it: at a `-vN` name, the
  /// claim `renameClaiming` makes, left by a kill before its rename.
  package static func isEmptyFolder(_ path: String) -> Bool {
    var info = stat()
    guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR,
      let names = try? FileManager.default.contentsOfDirectory(atPath: path)
    else { return false }
    return names.isEmpty
  }

  /// Runs `body` holding an exclusive lock on `.NAME.lock` beside `target`:
  /// the installs of one folder, by any process, one at a time (red-team
  /// B16), without waiting for an import as the database's write lock would.
  package static func withFolderLock<T>(_ target: String, _ body: () throws -> T) throws -> T {
    let path =
      (parentPath(target).isEmpty ? "" : parentPath(target) + "/") + ".\((target as NSString).lastPathComponent).lock"
    let lock = try lockFile(path)
    defer { unlock(path, lock) }
    return try body()
  }

  /// Opens (makes, when missing) the lock file at `path` and locks it
  /// exclusively, waiting for the process that holds it; `waiting` hears
  /// once that another holds it. The lock file is removed while held (`unlock`);
  /// a process that opened it before finds it gone once it has the lock,
  /// and takes the new one. A kill releases the lock (the kernel's), leaving
  /// at most an empty dot-file. Only the run's own lock file (or an empty
  /// one a killed run left) is removed, never a file of someone's so named (red-team C4).
  private static func lockFile(_ path: String, waiting: (() -> Void)? = nil) throws -> (fd: Int32, created: Bool) {
    var told = false
    while true {
      var created = true
      var fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0o600)
      if fd < 0, errno == EEXIST {
        created = false
        fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        if fd < 0, errno == ENOENT { continue }  // removed meanwhile by the run that held it
      }
      guard fd >= 0 else {
        let why = errno == ELOOP ? "a symbolic link, not followed" : String(cString: strerror(errno))
        throw FileError(file: path, message: "cannot open the lock of its folder: \(why)")
      }
      if flock(fd, LOCK_EX | LOCK_NB) != 0 {
        if errno == EWOULDBLOCK, !told {
          told = true
          waiting?()
        }
        guard flock(fd, LOCK_EX) == 0 else {
          let why = String(cString: strerror(errno))
          close(fd)
          throw FileError(file: path, message: "cannot lock: \(why)")
        }
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
      return (fd, created || held.st_size == 0)
    }
  }

  private static func unlock(_ path: String, _ lock: (fd: Int32, created: Bool)) {
    if lock.created { unlink(path) }
    close(lock.fd)
  }

  /// The lock of the filings into one folder of packages (`.linkaudit.lock`
  /// in the package folder's parent, `reports/`), held by a report from
  /// before its claim check until its version is committed and in place
  /// (red-team F2): the check that no package in sight claims the version's
  /// number and the filing are one step against any other report, of any
  /// database, filing into that folder, which waits (and is told so). The
  /// folders made for it are removed on release when they are empty still (a
  /// refused run leaves none). Taken once per run: a retried transaction keeps it.
  package final class ReportsLock {
    private var held: (path: String, fd: Int32, created: Bool)?
    private var made: [String] = []

    package init() {}

    deinit { release() }

    /// Takes the lock of `parent` (made, with the folders above it, when missing); again, nothing.
    package func take(in parent: String, waiting: @escaping (String) -> Void) throws {
      guard held == nil else { return }
      let folder = parent.isEmpty ? "." : parent
      var above = folder
      var made: [String] = []
      while !above.isEmpty, above != ".", !PackageFolder.exists(above), parentPath(above) != above {
        made.append(above)
        above = parentPath(above)
      }
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      self.made = made
      let path = (folder as NSString).appendingPathComponent(PackageFolder.reportsLockName)
      do {
        let lock = try PackageFolder.lockFile(path) {
          waiting(
            "\(escapingControls(path)): another report is filing into \(escapingControls(folder)) now: waiting for it to end"
          )
        }
        held = (path, lock.fd, lock.created)
      } catch {
        release()
        throw error
      }
    }

    /// Gives the lock up, and removes the folders `take` made that are still empty.
    package func release() {
      if let held { PackageFolder.unlock(held.path, (held.fd, held.created)) }
      held = nil
      for folder in made { rmdir(folder) }
      made = []
    }
  }

  /// The name of a reports folder's filing lock (`ReportsLock`).
  package static let reportsLockName = ".linkaudit.lock"

  /// A staging name this process holds (its own package or archive being written).
  package static func isHeldHere(_ path: String) -> Bool { held.withLock { $0[path] != nil } }

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
      // Doctor writes a zip inside a bundle aside as `inner.zip` before it unpacks it (red-team L1, M8).
      return names.allSatisfy {
        let file = (path as NSString).appendingPathComponent($0)
        return $0 == "package"
          ? onlyScratch(file, unpacked: false)
          : $0 == "inner.zip" && notARegularFile(file) == nil && !holdsPrivateKey(file)
      }
    }
    return names.allSatisfy { name in
      let file = (path as NSString).appendingPathComponent(name)
      return notARegularFile(file) == nil && !holdsPrivateKey(file)
    }
  }

  /// What `path` is when it is there and neither a folder nor a link: "a
  /// file", "a FIFO (a named pipe)"…, told by lstat, never opened; else nil
  /// (red-team M6: report called a pipe "a file").
  package static func notAFolder(_ path: String) -> String? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    switch info.st_mode & S_IFMT {
    case S_IFDIR, S_IFLNK: return nil
    case S_IFREG: return "a file"
    case S_IFIFO: return "a FIFO (a named pipe)"
    case S_IFSOCK: return "a socket"
    default: return "a device"
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
      throw OutputPathError(
        message: "--out \(directory): \(above) is \(notAFolder(above) ?? "a file"), not a folder: name a folder")
    }
    // A link left after `folderName` resolved what it could leads nowhere (red-team D7).
    var link = stat()
    if lstat(directory, &link) == 0, link.st_mode & S_IFMT == S_IFLNK, stat(directory, &link) != 0 {
      // Named for what it is: a loop leads somewhere, round and round (red-team E12).
      let what =
        errno == ELOOP ? "a symbolic link in a loop (it leads back to itself)" : "a symbolic link that leads nowhere"
      throw OutputPathError(message: "--out \(directory) is \(what): name a folder")
    }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else { return }
    guard isDirectory.boolValue else {
      throw OutputPathError(
        message:
          "--out \(directory) is \(notAFolder(directory) ?? "a file"), not a report folder: refusing to replace it")
    }
    let contents = (try? entries(of: directory)) ?? []
    if contents.isEmpty { return }
    let manifest: Manifest
    do {
      manifest = try Manifest.read(from: directory)
    } catch let error as ReportError {
      let why =
        contents.contains(ReportPackage.manifestName)
        ? error.message
        // A manifest in another case is named, as doctor names it (red-team L9).
        : manifestSpelling(in: directory).map {
          "no manifest.json: it holds \(escapingControls($0)), \(Manifest.otherCase)"
        } ?? "no manifest.json"
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
      // Not "which report did not write": a folder an earlier version let report write in here is one (red-team F6).
      throw OutputPathError(
        message:
          "--out \(directory) holds \(name) (\(what)), which its manifest does not list: refusing to replace the folder, which would delete it; move it out first"
      )
    }
  }

  /// The file begins as a PEM private key does (a signing key kept in the wrong place).
  static func holdsPrivateKey(_ path: String) -> Bool {
    guard let (data, _) = head(of: path) else { return false }
    return beginsAsPrivateKey(String(decoding: data, as: UTF8.self))
  }

  private static func beginsAsPrivateKey(_ head: String) -> Bool {
    head.contains("-----BEGIN") && head.contains("PRIVATE KEY-----")
  }

  /// The first 4 KiB of a regular file and its size, or nil for anything
  /// else: a device or a pipe is never opened (an open alone can act), and
  /// one put there meanwhile is opened without waiting and not read; no link is followed.
  static func head(of path: String) -> (Data, size: Int64)? {
    guard notARegularFile(path) == nil else { return nil }
    let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    var info = stat()
    guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
    return ((try? handle.read(upToCount: 4096)) ?? Data(), Int64(info.st_size))
  }

  /// What tells a pseudonym key's file from other text of hexadecimal
  /// digits, which reads the same (red-team F9: a SHA-256 is 64 digits, as
  /// the key is): the fingerprint the database recorded of its own key, and
  /// the digests the tool prints for people to keep (the signing key's).
  package struct KnownKeys: Sendable {
    package var pseudonymKeyFingerprint: String?
    package var printedDigests: Set<String> = []

    package init(pseudonymKeyFingerprint: String? = nil, printedDigests: Set<String> = []) {
      self.pseudonymKeyFingerprint = pseudonymKeyFingerprint
      self.printedDigests = printedDigests
    }
  }

  /// A secret key file of the kinds this tool makes, by its content (any
  /// name), or nil. "a PEM private key" (the signing key). For text of
  /// hexadecimal digits alone, as `.linkaudit.key` is written: "this
  /// database's pseudonym key" when its fingerprint is the one recorded;
  /// else, when only its owner may read it (a key is written so, and read
  /// only so), a file that may be one, named with what was found; a
  /// digest the tool printed, or one others may read, is no key (red-team
  /// F9). Only a regular file of at most 4 KiB is read: no link is
  /// followed, no pipe opened.
  package static func secretKeyKind(_ path: String, known: KnownKeys = .init()) -> String? {
    guard let (data, size) = head(of: path) else { return nil }
    let text = String(decoding: data, as: UTF8.self)
    if beginsAsPrivateKey(text) { return "a PEM private key" }
    guard size <= 4096, let key = SecretFile.pseudonymKey(fromText: text) else { return nil }
    if let recorded = known.pseudonymKeyFingerprint, SecretFile.pseudonymKeyFingerprint(key) == recorded {
      return "this database's pseudonym key"
    }
    let digits = text.trimmingCharacters(in: .whitespacesAndNewlines)
    var info = stat()
    guard !known.printedDigests.contains(digits.lowercased()), lstat(path, &info) == 0, info.st_mode & 0o077 == 0
    else { return nil }
    return
      "\(digits.count) hexadecimal digits alone, readable by its owner only: a file that may be a pseudonym key; a checksum kept there reads the same, and is taken for no key once others may read it (chmod 644)"
  }

  /// What a folder handed over takes with it, as far as the key rules look:
  /// its entries and those of its immediate subfolders (folders, not links
  /// to them), as paths under `folder`, each folder's sorted. Two levels: a
  /// key or a package copied into a subfolder goes with the folder (red-team
  /// E9); deeper is left, so that no check walks a whole tree (a home folder).
  static func twoLevels(_ folder: String) -> [String] {
    let fm = FileManager.default
    // The current folder's entries are named as they are (`2021-Q4`, not `./2021-Q4`).
    let top = ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).sorted().map {
      folder == "." ? $0 : (folder as NSString).appendingPathComponent($0)
    }
    return top
      + top.flatMap { sub -> [String] in
        var info = stat()
        guard lstat(sub, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return [] }
        return ((try? fm.contentsOfDirectory(atPath: sub)) ?? []).sorted().map {
          (sub as NSString).appendingPathComponent($0)
        }
      }
  }

  /// `folder`, or one of its immediate subfolders, holds a report package
  /// folder (one with a linkaudit manifest) or a filing's archive, by its
  /// name (`linkaudit-2021-Q4-v1.zip`) or by what it holds, whatever its
  /// name: both are handed over, so no key is kept beside them (red-team
  /// C12, D11, E9).
  package static func holdsPackage(_ folder: String) -> Bool { packageFound(in: folder) != nil }

  /// The first package folder or filing's archive `holdsPackage` finds, with
  /// what it is, for the refusal to name (red-team F13: a zip of the
  /// package's files alone, a tar or a tar.gz of it, are archives of it too).
  package static func packageFound(in folder: String) -> (path: String, what: String)? {
    packageFound(among: twoLevels(folder))
  }

  /// The first of `paths` that is a package folder or a filing's archive, with what it is.
  package static func packageFound(among paths: [String]) -> (path: String, what: String)? {
    for path in paths {
      if FiledPackage.isArchiveName((path as NSString).lastPathComponent) { return (path, "a filing's archive") }
      if (try? Manifest.read(from: path)) != nil { return (path, "a report package") }
      var info = stat()
      guard lstat(path, &info) == 0 else { continue }
      // A link to an archive is read as the archive, as a link to a package folder is (red-team I2).
      var source = path
      if info.st_mode & S_IFMT == S_IFLNK {
        guard let target = followed(path) else { continue }
        (source, info) = target
      }
      guard info.st_mode & S_IFMT == S_IFREG, info.st_size >= 22 else { continue }
      switch packageArchiveContent(source) {
      case .manifests(let manifests, _)
      where manifests.contains(where: { (try? Manifest.decode($0, path: path)) != nil }):
        let tar = head(of: source).map { InnerArchive(head: $0.0) != .zip } ?? false
        return (path, tar ? "a report package's archive (tar)" : "a report package's archive (zip)")
      // An archive not read through may hold one: refused beside, as report files no new version past it (red-team H4).
      case .notRead(let why):
        return (
          path,
          "an archive not read through (\(escapingControls(why))): it may be a report package's archive (what is not read may hold one under any name); if it is your own and holds no linkaudit package, move the archive out of that folder"
        )
      default: continue
      }
    }
    return nil
  }

  /// What a file is, read as a filing's archive.
  package enum ArchiveContent: Equatable {
    /// Not a zip at all (a pipe, an empty file, junk, a download cut short), or a zip of no package: why.
    case notAnArchive(String)
    /// A link: told by its name only.
    case unread
    /// The manifest.json of each package folder it holds, the archives inside
    /// it included (not yet decoded; never empty): each is a claim (red-team H3);
    /// and what it holds that was not read through, if anything: a claim may
    /// lie past it too (red-team I1: v1 readable, v2 sealed beside it).
    case manifests([Data], unread: String?)
    /// An archive holding no package as far as it was read, but not read
    /// through because of a bound (its entries, its size unpacked, an
    /// archive inside one inside it): why. A claim may lie past it, so
    /// report files no new version while one is in sight (red-team G3, G4).
    case notRead(String)
  }

  /// Reads `path` as a filing's archive, as far as its manifest's entry: a
  /// regular file only (fstat before any read: a pipe is never read), ending
  /// as a zip does, mapped, not read whole: the layout check and the reader
  /// touch the end record, the central directory and the local headers, so
  /// a big zip (a 70 MiB scan beside the package, a sparse 3 GiB file) is
  /// read as fast as a small one (red-team G4). An archive whose offsets lead
  /// past its end is not opened (ZIPFoundation would trap on it). One answer
  /// for `keys new` (E9) and report's claim check (red-team F10).
  package static func archiveContent(_ path: String, budget: UnpackBudget = UnpackBudget()) -> ArchiveContent {
    // A link is not followed, nor waved through: it is told by its name, as before (it may lead to a filing's archive).
    var link = stat()
    if lstat(path, &link) == 0, link.st_mode & S_IFMT == S_IFLNK { return .unread }
    if let why = notARegularFile(path) { return .notAnArchive(why) }
    guard let (data, size) = head(of: path) else { return .notAnArchive("cannot be read") }
    guard size > 0 else { return .notAnArchive("an empty file") }
    guard let handle = FileHandle(forReadingAtPath: path) else { return .notAnArchive("cannot be read") }
    let tail = (try? handle.seek(toOffset: UInt64(max(0, size - 65_557)))).flatMap { try? handle.readToEnd() }
    try? handle.close()
    let ends = tail.map { $0.range(of: Data([0x50, 0x4B, 0x05, 0x06])) != nil } ?? false
    guard data.starts(with: Data("PK".utf8)) else {
      // A zip's end record after other bytes: a self-extracting archive (a stub, then the zip), read by unzip (red-team H4).
      return ends
        ? .notRead("a zip after other bytes (a self-extracting archive?): \(notReadThrough)")
        : .notAnArchive("not a zip archive: it does not begin as one")
    }
    guard ends else {
      return .notAnArchive("not a whole zip (no end record: a download cut short?)")
    }
    guard let bytes = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
      return .notAnArchive("cannot be read")
    }
    return zipContent(bytes, nested: false, budget: budget)
  }

  /// What one archive in sight may cost, the archives inside it included:
  /// bytes unpacked and entries looked at (`largestTarball`,
  /// `largestEntryCount`). A bundle of many archives, each a bomb, stops
  /// here, not once per archive inside (red-team G3).
  package final class UnpackBudget {
    var bytes = PackageFolder.largestTarball
    var entries = PackageFolder.largestEntryCount
    package init() {}
  }

  /// The most entries of one archive looked at: a package has a few dozen,
  /// a handover bundle a few more; a zip or tar of many small files is not
  /// read past it, and said so (red-team G4).
  package static let largestEntryCount = 10_000

  /// The most bytes an archive inside an archive is unpacked to, in memory,
  /// to be read in turn (red-team G3): a package's archive is a few MiB.
  package static let largestInnerArchive = 64 << 20

  /// `bytes` read as a zip, as far as a linkaudit manifest: an entry
  /// `manifest.json` at any depth, or (`nested` false) an entry that is
  /// itself a zip or a tar, plain or gzip'd, told by its first bytes
  /// whatever its name, read in turn, one level deep (red-team G3). What is
  /// not read because of a bound is `notRead`, named.
  package static func zipContent(_ bytes: Data, nested: Bool, budget: UnpackBudget) -> ArchiveContent {
    if let count = zipEntryCount(bytes), count > UInt64(largestEntryCount) {
      return .notRead(
        "holds \(Int(clamping: count).grouped) entries, more than the \(largestEntryCount.grouped) an archive is read for a package"
      )
    }
    // A split archive's piece or a damaged end record or directory is never handed to
    // ZIPFoundation (it traps on offsets past the data: red-team H2), nor taken for no package (H4).
    let layout = ArchiveLayout.inspect(bytes, shown: "")
    guard layout.readable else { return .notRead("a split or damaged zip: \(notReadThrough)") }
    guard let archive = try? Archive(data: bytes, accessMode: .read, pathEncoding: nil) else {
      return .notRead("a zip this reader cannot open: \(notReadThrough)")
    }
    var unread: [String] = []
    var manifests: [Data] = []
    var seenManifests = Set<Data>()
    // Encrypted entries, or compressed with a method other than stored and deflate: never unpacked here.
    let sealed = Set(layout.sealed)
    if !sealed.isEmpty {
      unread.append(
        "\(sealed.count) entr\(sealed.count == 1 ? "y" : "ies") encrypted or compressed with a method this reader cannot unpack (bzip2, LZMA…), not read (\(listed(sealed.sorted().map { escapingControls($0) })))"
      )
    }
    for entry in archive where entry.type == .file && !sealed.contains(entry.path) {
      if nested {
        budget.entries -= 1
        guard budget.entries >= 0 else {
          unread.append(
            "more than \(largestEntryCount.grouped) entries with the archives inside it: not read past them")
          break
        }
      }
      // `\` as well as `/`: Windows' own zip (PowerShell 5.1's Compress-Archive) writes it (red-team H4).
      let parts = entry.path.split(omittingEmptySubsequences: false) { $0 == "/" || $0 == "\\" }
      // At any depth: a zip of the package's files alone (zip -j) is a package's archive too (red-team F13).
      // In any case: `MANIFEST.JSON` is the manifest on a case-insensitive disk (red-team K6).
      if let last = parts.last, ReportPackage.isManifestName(last) {
        guard entry.uncompressedSize <= UInt64(manifestLimit) else { continue }
        // Every manifest is read now, not the first only: their bytes count against the archive's bound (red-team H3).
        budget.bytes -= Int(entry.uncompressedSize)
        guard budget.bytes >= 0 else {
          unread.append(
            "\(escapingControls(entry.path)): more than \(largestTarball >> 20) MiB unpacked with the manifests and archives before it: not read past them"
          )
          break
        }
        let manifest: Data
        do { manifest = try unpacked(entry, of: archive, limit: manifestLimit) } catch {
          unread.append("\(escapingControls(entry.path)): cannot be unpacked: \(notReadThrough)")
          continue
        }
        // Every manifest is a claim, not the first only (red-team H3); one the archive holds again is read once.
        if seenManifests.insert(manifest).inserted, (try? Manifest.decode(manifest, path: "")) != nil {
          manifests.append(manifest)
        }
        continue
      }
      guard entry.uncompressedSize >= 18 else { continue }
      let head = entryHead(entry, of: archive)
      let shown = escapingControls(entry.path)
      guard let kind = InnerArchive(head: head) else {
        // xz, bzip2, 7z…, a program with a zip after its stub: never unpacked here, so named (red-team M1).
        if let why = notUnpackedWhy(head: head, name: entry.path) { unread.append("\(shown): \(why)") }
        continue
      }
      if nested {
        // An office document is a zip too, and a bundle's letter may be one: not an archive to name.
        if kind == .zip, officeSuffixes.contains(where: { entry.path.lowercased().hasSuffix($0) }) { continue }
        unread.append("\(shown): \(kind.rawValue) inside an archive inside it: not looked into (one level deep)")
        continue
      }
      guard entry.uncompressedSize <= UInt64(largestInnerArchive) else {
        unread.append(
          "\(shown): \(kind.rawValue) of \(Int(clamping: entry.uncompressedSize).grouped) bytes, more than the \(largestInnerArchive >> 20) MiB an archive inside an archive is read to"
        )
        continue
      }
      budget.bytes -= Int(entry.uncompressedSize)
      guard budget.bytes >= 0 else {
        unread.append(
          "\(shown): more than \(largestTarball >> 20) MiB unpacked with the archives inside it: not read past them")
        break
      }
      let inner: Data
      do { inner = try unpacked(entry, of: archive, limit: largestInnerArchive) } catch {
        unread.append("\(shown): \(kind.rawValue) that cannot be unpacked (\(error.localizedDescription))")
        continue
      }
      switch kind == .zip
        ? zipContent(inner, nested: true, budget: budget) : tarContent(inner, nested: true, budget: budget)
      {
      case .manifests(let inner, let innerUnread):
        manifests += inner
        if let innerUnread { unread.append("\(shown): \(innerUnread)") }
      case .notRead(let why): unread.append("\(shown): \(why)")
      case .notAnArchive, .unread: continue
      }
    }
    guard manifests.isEmpty else { return .manifests(manifests, unread: unread.isEmpty ? nil : listed(unread)) }
    guard unread.isEmpty else { return .notRead(listed(unread)) }
    return .notAnArchive("a zip holding no linkaudit package")
  }

  /// What a `notRead` says of the part it could not read.
  static let notReadThrough = "not read through"

  /// `entry` unpacked into memory, refused past `limit` bytes whatever its
  /// central directory says of its size (a header may lie).
  static func unpacked(_ entry: Entry, of archive: Archive, limit: Int) throws -> Data {
    var data = Data()
    _ = try archive.extract(entry) { chunk in
      guard data.count + chunk.count <= limit else { throw ReportError(message: "too large") }
      data.append(chunk)
    }
    return data
  }

  /// The first few of `items`, and how many more: a bundle of thousands of
  /// archives is named in a line, not thousands.
  package static func listed(_ items: [String], first: Int = 3) -> String {
    items.prefix(first).joined(separator: "; ") + (items.count > first ? "; and \(items.count - first) more" : "")
  }

  /// Names a zip inside a nested archive carries as a document, not an archive (OOXML, ODF).
  static let officeSuffixes = [".xlsx", ".docx", ".pptx", ".odt", ".ods", ".odp"]

  /// An archive or compressed file this reader does not unpack, told by
  /// its first bytes (xz, bzip2, 7z, zstd, RAR): a package in one is not
  /// read through, so it is named and cuts a claim check short, never
  /// passed over as no archive (red-team M1: a version 2 handed over as
  /// `.tar.xz` let a second, different version 2 be filed).
  static func sealedFormat(_ head: Data) -> String? {
    let b = [UInt8](head.prefix(8))
    func starts(_ magic: [UInt8]) -> Bool { b.count >= magic.count && Array(b.prefix(magic.count)) == magic }
    if starts([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return "an xz-compressed file" }
    if starts([0x42, 0x5A, 0x68]), b.count >= 4, (0x31...0x39).contains(b[3]) { return "a bzip2-compressed file" }
    if starts([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) { return "a 7z archive" }
    if starts([0x28, 0xB5, 0x2F, 0xFD]) { return "a zstd-compressed file" }
    if starts(Array("Rar!".utf8) + [0x1A, 0x07]) { return "a RAR archive" }
    return nil
  }

  /// What a sealed format's entry or file is said to be, `sealedFormat`'s name first.
  static func sealedWhy(_ format: String) -> String {
    "\(format), which linkaudit does not unpack (it reads zip and tar, plain or gzip'd): \(notReadThrough)"
  }

  /// A self-extracting archive's names: a program (a stub) with a zip after
  /// it, which unzip and Windows open as a zip (red-team M1).
  static let selfExtractingSuffixes = [".exe", ".sfx"]

  /// Why an entry `name` whose first bytes are `head`, no archive this
  /// reader reads, is not read through: a sealed format, or a program that
  /// may be a self-extracting zip; nil for any other file (red-team M1). One
  /// rule for the zip and the tar readers.
  static func notUnpackedWhy(head: Data, name: String) -> String? {
    if let sealed = sealedFormat(head) { return sealedWhy(sealed) }
    guard selfExtractingSuffixes.contains(where: { name.lowercased().hasSuffix($0) }) else { return nil }
    return "a program that may be a self-extracting zip: \(notReadThrough)"
  }

  /// The first `count` bytes of a zip's entry, the rest never unpacked: what it is, told by content.
  static func entryHead(_ entry: Entry, of archive: Archive, count: Int = 512) -> Data {
    var head = Data()
    _ = try? archive.extract(entry, bufferSize: count) { chunk in
      head.append(chunk.prefix(count - head.count))
      if head.count >= count { throw CancellationError() }
    }
    return head
  }

  /// What an entry's first bytes say it is: an archive read in turn, or nil.
  enum InnerArchive: String {
    case zip = "a zip"
    case gzip = "a gzip'd tar"
    case tar = "a tar"

    init?(head: Data) {
      let b = [UInt8](head.prefix(512))
      if b.count >= 4, b[0] == 0x50, b[1] == 0x4B, b[2] == 3 || b[2] == 5, b[3] == 4 || b[3] == 6 {
        self = .zip
      } else if b.count >= 18, b[0] == 0x1F, b[1] == 0x8B {
        self = .gzip
      } else if b.count == 512, TarScan.isHeader(Data(b)) {
        self = .tar
      } else {
        return nil
      }
    }
  }

  /// The entries a zip's end record counts (its zip64 record's, when it
  /// defers to one), read from its last 64 KiB: nil when there is none.
  static func zipEntryCount(_ data: Data) -> UInt64? {
    let count = data.count
    guard count >= 22 else { return nil }
    func u(_ at: Int, _ width: Int) -> UInt64? {
      guard at >= 0, at <= count - width else { return nil }
      return (0..<width).reduce(UInt64(0)) { $0 | UInt64(data[data.startIndex + at + $1]) << (8 * $1) }
    }
    var end = count - 22
    while end >= max(0, count - 22 - 0xFFFF), u(end, 4) != 0x0605_4B50 { end -= 1 }
    guard end >= 0, let entries = u(end + 10, 2) else { return nil }
    guard entries == 0xFFFF, u(end - 20, 4) == 0x0706_4B50, let record = u(end - 20 + 8, 8),
      record <= UInt64(count), u(Int(record), 4) == 0x0606_4B50
    else { return entries }
    return u(Int(record) + 32, 8) ?? entries
  }

  /// The manifest's bytes of a filing's archive, told by its content whatever
  /// its name (red-team E9, F1, F10): `archiveContent`'s manifest when it
  /// decodes as linkaudit's. One rule for keys new, report's claim check and doctor.
  package static func archiveManifest(_ path: String) -> Data? {
    guard case .manifests(let manifests, _) = archiveContent(path) else { return nil }
    return manifests.first { (try? Manifest.decode($0, path: path)) != nil }
  }

  /// The places in the zip at `path` holding `manifest` (a filed version's
  /// bytes) that doctor's copy check, reading the zip's folders as verify
  /// does, never reaches: an archive inside it (a zip or a tar, read one
  /// level deep as the claim check reads one) and a folder under names with
  /// `\` (PowerShell 5.1's), each as the zip shows it. An extractor writes
  /// them out all the same, perhaps over a folder doctor vouched for
  /// (red-team L1). Nil when the zip is not read so (the claim check names why).
  package static func copiesOutOfReach(of manifest: Data, in path: String) -> [OutOfReach]? {
    guard notARegularFile(path) == nil,
      let bytes = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped),
      (zipEntryCount(bytes) ?? 0) <= UInt64(largestEntryCount)
    else { return nil }
    let layout = ArchiveLayout.inspect(bytes, shown: "")
    guard layout.readable, let archive = try? Archive(data: bytes, accessMode: .read, pathEncoding: nil) else {
      return nil
    }
    let sealed = Set(layout.sealed)
    let budget = UnpackBudget()
    var found: [OutOfReach] = []
    var folders = Set<String>()
    for entry in archive where entry.type == .file && !sealed.contains(entry.path) {
      let parts = entry.path.split(omittingEmptySubsequences: false) { $0 == "/" || $0 == "\\" }
      if let last = parts.last, ReportPackage.isManifestName(last) {
        // Under `/` names alone, a folder the copy check reads; under `\`, one it does not.
        guard !ReportPackage.isManifestName(entry.path.split(separator: "/").last ?? ""),
          entry.uncompressedSize == UInt64(manifest.count),
          (try? unpacked(entry, of: archive, limit: manifest.count)) == manifest
        else { continue }
        let folder = String(entry.path.dropLast(last.count))
        if folders.insert(folder).inserted {
          found.append(OutOfReach(entry: folder, shown: "\(escapingControls(folder)) (names with `\\`)", isZip: false))
        }
        continue
      }
      guard entry.uncompressedSize >= 18, entry.uncompressedSize <= UInt64(largestInnerArchive) else { continue }
      guard let kind = InnerArchive(head: entryHead(entry, of: archive)) else { continue }
      budget.bytes -= Int(entry.uncompressedSize)
      guard budget.bytes >= 0, let inner = try? unpacked(entry, of: archive, limit: largestInnerArchive) else {
        continue
      }
      let content =
        kind == .zip ? zipContent(inner, nested: true, budget: budget) : tarContent(inner, nested: true, budget: budget)
      if case .manifests(let held, _) = content, held.contains(manifest) {
        found.append(
          OutOfReach(
            entry: entry.path, shown: "\(escapingControls(entry.path)) (\(kind.rawValue) inside it)",
            isZip: kind == .zip))
      }
    }
    return found
  }

  /// A place of a zip holding a filed manifest out of the copy check's reach:
  /// the entry (an archive's, or the folder of `\` names), as shown, and
  /// whether it is a zip (doctor checks one as it checks a zip in sight).
  package struct OutOfReach: Equatable, Sendable {
    package var entry: String
    package var shown: String
    package var isZip: Bool
  }

  /// The bytes of the entry `name` of the zip at `path`, at most `largestInnerArchive`: an archive inside it.
  package static func entryBytes(_ name: String, of path: String) -> Data? {
    guard notARegularFile(path) == nil,
      let bytes = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped),
      ArchiveLayout.inspect(bytes, shown: "").readable,
      let archive = try? Archive(data: bytes, accessMode: .read, pathEncoding: nil),
      let entry = archive[name], entry.type == .file
    else { return nil }
    return try? unpacked(entry, of: archive, limit: largestInnerArchive)
  }

  /// The most entries `packagesInSight` looks at in one place (its own and its subfolders' together).
  package static let sightLimit = 4096

  /// A name report gives a package or an archive, hidden or not: a quarter's
  /// folder (`2021-Q4`, `2021-Q4-UTC-v2`, `.2021-Q4.writing-…`, `2021-Q4 copy`),
  /// an archive (`linkaudit-…`, `.linkaudit-….zip.writing-…`), or a name in
  /// `also` (the `--out` folder's own, and its `-vN`). What a working folder
  /// is looked at for (red-team F1): other databases' packages under other
  /// names (a test's `out/`) are theirs.
  package static func isToolNamed(_ name: String, also: [String] = []) -> Bool {
    let bare = name.hasPrefix(".") ? String(name.dropFirst()) : name
    return bare.hasPrefix("linkaudit-") || Quarter(String(bare.prefix(7))) != nil
      || also.contains { !$0.isEmpty && bare.hasPrefix($0) }
  }

  /// A package a folder holds in sight: a folder with a linkaudit manifest,
  /// or a filing's archive told by its content; `manifest` its manifest's bytes.
  package struct InSight: Equatable {
    package var path: String
    package var manifest: Data
    package var isArchive: Bool
    /// A folder's manifest under another case (`MANIFEST.JSON`), nil when `manifest.json`.
    package var manifestSpelling: String? = nil
  }

  /// The name under which `folder` holds its manifest in another case
  /// (`MANIFEST.JSON`, `Manifest.json`): what a case-insensitive disk opens as
  /// `manifest.json`, and this one does not (red-team K6). The first, sorted.
  package static func manifestSpelling(in folder: String) -> String? {
    manifestNames(in: folder).first { $0 != ReportPackage.manifestName }
  }

  /// Every name in `folder` that is `manifest.json` to a case-insensitive
  /// disk, `manifest.json` itself first, the others sorted.
  static func manifestNames(in folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter(ReportPackage.isManifestName).sorted {
      $0 == ReportPackage.manifestName || ($1 != ReportPackage.manifestName && $0 < $1)
    }
  }

  /// The packages `folder` holds, by content and whatever their names, hidden
  /// ones included: its entries and its subfolders' at any depth
  /// (`anyDepth`, red-team H5), at most `sightLimit` of them, breadth first
  /// (red-team F1); an archive holding several is each of them (H3), and
  /// archives are opened only within `budget`, shared by one check (H8). A link is read through to the folder
  /// or regular file it leads to, named as the link (`followed`, red-team I2); no pipe is opened; a manifest
  /// over 16 MiB is not read. `cut` says the folder held more than was looked at.
  /// `named` (a working folder's: `isToolNamed`) looks at the folder's own
  /// entries only, those so named: a working folder holds other databases'
  /// packages, each in a folder of its own.
  package static func packagesInSight(
    _ folder: String, named: ((String) -> Bool)? = nil, budget: SightBudget = SightBudget()
  ) -> (
    found: [InSight], cut: Bool, unread: [NotRead]
  ) {
    let walk =
      named.map { named in
        (
          entries: ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted().filter(named).map {
            folder == "." ? $0 : (folder as NSString).appendingPathComponent($0)
          }, unread: [NotRead]()
        )
      } ?? anyDepth(folder)
    let entries = walk.entries
    var found: [InSight] = []
    var unread = walk.unread
    // What is read, by device and inode: a link to what is in sight already (`reports/latest -> 2021-Q4`) is read once.
    var read = Set<FileKey>()
    for path in entries.prefix(sightLimit) {
      var info = stat()
      guard lstat(path, &info) == 0 else { continue }
      // A link is read through to what it leads to, named as the link (red-team I2: `reports/handed/2021-Q4 ->
      // /media/usb/2021-Q4`): a folder or a regular file only; a dangling link, or one to a pipe, a device or
      // the kernel's files, is never opened.
      var source = path
      if info.st_mode & S_IFMT == S_IFLNK {
        guard let target = followed(path) else {
          // A link to what is not there may lead to the copy handed over (a drive not mounted): said, and the
          // check is cut short, as for an archive not read; a loop, a pipe or a device can hold no package.
          if let why = leadsNowhere(path) { unread.append(NotRead(path: path, why: why)) }
          continue
        }
        (source, info) = target
      }
      switch info.st_mode & S_IFMT {
      case S_IFDIR:
        guard read.insert(FileKey(info)).inserted else { continue }
        // Every name a case-insensitive disk (macOS's, Windows') reads as manifest.json is a manifest there
        // (red-team K6): each is a claim, a folder holding two both (L3).
        for name in manifestNames(in: source) {
          var manifest = (source as NSString).appendingPathComponent(name)
          // A manifest that is a link is read through, as a zip of its folder holds what it leads to (red-team M9).
          var link = stat()
          if lstat(manifest, &link) == 0, link.st_mode & S_IFMT == S_IFLNK, let target = followed(manifest),
            target.info.st_mode & S_IFMT == S_IFREG
          {
            manifest = target.path
          }
          guard notARegularFile(manifest) == nil,
            case .success(let bytes) = SmallFile.read(manifest, limit: manifestLimit),
            (try? Manifest.decode(bytes, path: manifest)) != nil
          else { continue }
          found.append(
            InSight(
              path: path, manifest: bytes, isArchive: false,
              manifestSpelling: name == ReportPackage.manifestName ? nil : name))
        }
      // Not opened unless its size can be an archive's: a kernel's file (`/proc`, `/sys`) says 0.
      case S_IFREG where info.st_size >= 22:
        // Past the run's budget, an archive is not opened: named, with the others past it (red-team H8).
        guard read.insert(FileKey(info)).inserted else { continue }
        guard budget.bytes > 0, budget.entries > 0 else {
          budget.skipped.append(path)
          continue
        }
        let one = UnpackBudget()
        defer {
          budget.bytes -= largestTarball - one.bytes
          budget.entries -= largestEntryCount - one.entries
        }
        switch packageArchiveContent(source, budget: one) {
        case .manifests(let manifests, let why):
          for bytes in manifests where (try? Manifest.decode(bytes, path: path)) != nil {
            found.append(InSight(path: path, manifest: bytes, isArchive: true))
          }
          // What it holds past what was read is named and cuts the check short, as an archive not read at all (red-team I1).
          if let why { unread.append(NotRead(path: path, why: why)) }
        case .notRead(let why): unread.append(NotRead(path: path, why: why))
        case .notAnArchive, .unread: continue
        }
      default: continue
      }
    }
    return (found, entries.count > sightLimit, unread)
  }

  /// What one claim check (a report's, doctor's) may unpack of all the
  /// archives in sight together: each archive has its own bound
  /// (`UnpackBudget`), and an archive is opened only while the check has
  /// unpacked less than `largestRunUnpack` bytes and `largestRunEntries`
  /// entries in all; the archives past it are `skipped`, said in one line
  /// (red-team H8: forty 300 KB tar.gz bombs took doctor 42 s).
  package final class SightBudget {
    package var bytes = PackageFolder.largestRunUnpack
    var entries = PackageFolder.largestRunEntries
    package var skipped: [String] = []
    package init() {}
  }

  /// The most bytes one claim check unpacks from all the archives in sight: four archives' worth.
  package static let largestRunUnpack = 4 * largestTarball
  /// The most entries one claim check looks at in all the archives in sight: four archives' worth.
  package static let largestRunEntries = 4 * largestEntryCount

  /// What `SightBudget.skipped` says, after the first few of them and their count.
  package static let skippedWhy =
    "not opened: the archives in sight before them took the \(largestRunUnpack >> 20) MiB (or \(largestRunEntries.grouped) entries) one check unpacks in all"

  /// The entries of `folder` and of its subfolders at any depth, breadth
  /// first, each folder's sorted, at most `sightLimit` + 1 of them: a copy
  /// two folders down (`reports/2021/Q4/第2版.zip`) is in sight (red-team
  /// H5). A link to a folder is walked as a folder, named as the link
  /// (`reports/handed/2021-Q4 -> /media/usb/2021-Q4`: red-team I2), each
  /// folder once (by device and inode: a loop, or a link to a folder in
  /// sight already, is not walked again); a link to a folder holding
  /// `folder` (`/`, `..`) is not walked (it holds everything around), and is
  /// `unread`, named: what it leads to is not looked at.
  static func anyDepth(_ folder: String) -> (entries: [String], unread: [NotRead]) {
    let fm = FileManager.default
    var found: [String] = []
    var unread: [NotRead] = []
    let root = FileIdentity(folder).canonical
    var walked = Set<FileKey>()
    var info = stat()
    if stat(folder, &info) == 0 { walked.insert(FileKey(info)) }
    var queue = [folder]
    var next = 0
    while next < queue.count, found.count <= sightLimit {
      let current = queue[next]
      next += 1
      let names = ((try? fm.contentsOfDirectory(atPath: current)) ?? []).sorted()
      for name in names {
        // The current folder's entries are named as they are (`2021-Q4`, not `./2021-Q4`).
        let path = current == "." ? name : (current as NSString).appendingPathComponent(name)
        found.append(path)
        if lstat(path, &info) == 0 {
          switch info.st_mode & S_IFMT {
          case S_IFDIR: if walked.insert(FileKey(info)).inserted { queue.append(path) }
          case S_IFLNK:
            guard let target = followed(path), target.info.st_mode & S_IFMT == S_IFDIR else { break }
            if target.path == "/" || root.hasPrefix(target.path + "/") {
              unread.append(
                NotRead(
                  path: path,
                  why:
                    "a link to \(escapingControls(target.path)), a folder holding \(escapingControls(folder)): not followed, its packages not looked for (remove the link)"
                ))
            } else if walked.insert(FileKey(target.info)).inserted {
              queue.append(path)
            }
          default: break
          }
        }
        if found.count > sightLimit { break }
      }
    }
    return (found, unread)
  }

  /// A file or folder by device and inode: the same one however it is reached (a link, a second link).
  struct FileKey: Hashable {
    var device: UInt64
    var inode: UInt64
    init(_ info: stat) {
      device = UInt64(info.st_dev)
      inode = UInt64(info.st_ino)
    }
  }

  /// What the link at `path` leads to, for reading only (writing never
  /// follows a link): its canonical path and `stat`, when it is a folder or
  /// a regular file; nil for a dangling link, a loop, or one to a pipe, a
  /// socket, a device or a file of the kernel's (`/proc`, `/sys`), never opened.
  static func followed(_ path: String) -> (path: String, info: stat)? {
    guard let resolved = realpath(path, nil) else { return nil }
    let target = String(cString: resolved)
    free(resolved)
    var info = stat()
    guard stat(target, &info) == 0, info.st_mode & S_IFMT == S_IFDIR || info.st_mode & S_IFMT == S_IFREG else {
      return nil
    }
    // One look at the mount table per device, not per link: thousands of links in sight stay cheap.
    let device = UInt64(info.st_dev)
    let kernels =
      kernelDevices.withLock { $0[device] }
      ?? {
        let found = FileIdentity.kernelFileSystem(target) != nil
        kernelDevices.withLock { $0[device] = found }
        return found
      }()
    return kernels ? nil : (target, info)
  }

  /// Why the link at `path` is not read, when what it leads to is not there
  /// at all (`/media/usb/2021-Q4`, its drive not mounted): the copy handed
  /// over may lie there, unseen; nil for a loop or a link that resolves.
  static func leadsNowhere(_ path: String) -> String? {
    var info = stat()
    guard stat(path, &info) != 0, errno == ENOENT || errno == ENOTDIR else { return nil }
    let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
    return
      "a link to \(escapingControls(target)), which is not there (a drive not mounted, a share not connected?): what it leads to is not looked at; connect it, or remove the link if it leads to no linkaudit package"
  }

  /// Whether a device holds a file system of the kernel's, once looked up (`followed`).
  private static let kernelDevices = LockBox<[UInt64: Bool]>([:])

  /// An archive in sight not read through (`ArchiveContent.notRead`): where, and why.
  package struct NotRead: Equatable, Sendable {
    package var path: String
    package var why: String
  }

  /// `path` read as a package's archive, a zip or a tar (plain or gzip'd),
  /// told by its first bytes: one sight for report's claim check, doctor and
  /// keys new (red-team F13, G3).
  package static func packageArchiveContent(_ path: String, budget: UnpackBudget = UnpackBudget()) -> ArchiveContent {
    guard let (first, _) = head(of: path) else { return archiveContent(path, budget: budget) }
    if let sealed = sealedFormat(first) { return .notRead(sealedWhy(sealed)) }
    switch InnerArchive(head: first) {
    case .gzip?, .tar?: return tarballContent(path, budget: budget)
    default: return archiveContent(path, budget: budget)
    }
  }

  /// The secret keys (`secretKeyKind`) in `folder` or its immediate
  /// subfolders, hidden ones included, as paths under `folder`, with their kind.
  package static func secretKeys(in folder: String, known: KnownKeys = .init()) -> [(path: String, kind: String)] {
    twoLevels(folder).compactMap { path in secretKeyKind(path, known: known).map { (path, $0) } }
  }

  /// Refuses a package folder `directory` beside a secret key (the signing
  /// key, the pseudonym key), in its folder or one of that folder's immediate
  /// subfolders: the folder holding packages is the one handed over
  /// (red-team D11, E9; the other way round from C12). The database's own
  /// folder is exempt, as for `keys new`: the key's default place, a working
  /// folder whatever else it holds.
  package static func checkNoKeyBeside(
    _ directory: String, database: String, protecting protected: ProtectedFiles, known: KnownKeys = .init()
  ) throws {
    let folder = parentPath(FileIdentity(directory).canonical)
    guard !folder.isEmpty, !isKeysDefaultPlace(folder, database: database), !isSharedScratch(folder),
      let found = secretKeys(in: folder, known: known).first
    else { return }
    // Named as the user named the folder: `e/sub/k.pem` for `--out e/2021-Q4`.
    let inside = String(found.path.dropFirst(folder.hasSuffix("/") ? folder.count : folder.count + 1))
    let key =
      parentPath(directory).isEmpty ? inside : (parentPath(directory) as NSString).appendingPathComponent(inside)
    let role =
      protected.entries.first { FileIdentity($0.path).isSame(as: FileIdentity(found.path)) }?.role ?? found.kind
    // Beside the database is no advice when the database lies there too (a folder named reports, or one inside it).
    let instead =
      FileIdentity(parentPath(FileIdentity(database).canonical)).isWithin(folder)
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

  /// The system's shared temporary folder (`/tmp`, `/var/tmp`, `/dev/shm`,
  /// by its canonical path (not `TMPDIR`: red-team K4), writable by all
  /// with the sticky bit set: everyone's scratch, never a folder of packages
  /// handed over whole, so neither key rule looks into it, report's `--out`
  /// nor keys new's and import's (red-team I7: a package someone left right
  /// in /tmp refused every key made for a database under /tmp/*/, as report
  /// refused `--out` into /tmp for anyone's key there). Any other folder is
  /// judged as any folder, whatever its mode: a team's drop folder made
  /// `chmod 1777` is where packages are handed over (red-team J5).
  package static func isSharedScratch(_ folder: String) -> Bool {
    let canonical = FileIdentity(folder).canonical
    guard systemScratch.contains(canonical) else { return false }
    var info = stat()
    guard stat(folder, &info) == 0 else { return false }
    return info.st_mode & mode_t(S_ISVTX) != 0 && info.st_mode & mode_t(S_IWOTH) != 0
  }

  /// The system's temporary folders, canonical: the fixed ones only, not `TMPDIR`, which anyone may point
  /// at a team's drop folder (red-team K4).
  private static let systemScratch: Set<String> = Set(
    ["/tmp", "/var/tmp", "/dev/shm"].map { FileIdentity($0).canonical })

  /// The folder holds a report package (a linkaudit manifest), or lies inside one.
  package static func packageHolding(_ path: String) -> String? {
    var folder = FileIdentity(path).canonical
    while folder != "/" && !folder.isEmpty {
      if isPackageFolder(folder) { return folder }
      folder = parentPath(folder)
    }
    return nil
  }

  /// A report package's folder: its manifest.json a regular file, beside a
  /// manifest.sig or read (size-checked) as a linkaudit manifest.
  static func isPackageFolder(_ folder: String) -> Bool {
    let manifest = (folder as NSString).appendingPathComponent(ReportPackage.manifestName)
    guard notARegularFile(manifest) == nil else { return false }
    if exists((folder as NSString).appendingPathComponent(ReportPackage.signatureName)) { return true }
    guard case .success(let bytes) = manifestBytes(in: folder) else { return false }
    return (try? Manifest.decode(bytes, path: manifest)) != nil
  }

  /// Refuses an `--out` inside a package folder, at any depth (`reports/2021-Q4-v1/2021-Q4`,
  /// `reports/2021-Q4/copy`): a package holds exactly what its manifest lists,
  /// and a folder written into it makes that filed version fail verify and
  /// blocks every later report of its folder (red-team F6). Reads only: the dry run refuses alike.
  package static func checkNotInsidePackage(_ directory: String) throws {
    let canonical = FileIdentity(directory).canonical
    var folder = parentPath(canonical)
    while !folder.isEmpty {
      if isPackageFolder(folder) {
        let named = (try? Manifest.read(from: folder)).map { " (\(escapingControls($0.identity)))" } ?? ""
        throw OutputPathError(
          message:
            "--out \(escapingControls(directory)) lies inside the report package \(escapingControls(folder))\(named): a package holds only the files its manifest lists, and a folder written into it would make it fail verify; name a folder outside any package (the quarter's own, or a new one beside it)"
        )
      }
      guard folder != "/" else { break }
      folder = parentPath(folder)
    }
  }
}
