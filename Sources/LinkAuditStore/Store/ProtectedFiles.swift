import Foundation
import LinkAuditCore

/// The files no output of linkaudit may overwrite or remove: the database
/// (with the `-wal`, `-shm` and `-journal` files SQLite keeps beside it), the
/// pseudonym key and the inputs of the command. Every output path is checked
/// against them before anything is written. Report packages and their
/// archives, which this library cannot read, are `OutputPlacement`'s (LinkAudit):
/// the commands check both (red-team G1).
public struct ProtectedFiles: Sendable {
  public struct Entry: Sendable {
    public let path: String
    public let role: String
  }

  public private(set) var entries: [Entry] = []

  public init(database: String? = nil, keyFile: String? = nil, inputs: [String] = []) {
    if let database {
      add(database, as: "the database")
      for suffix in ["-wal", "-shm", "-journal"] { add(database + suffix, as: "the database's \(suffix) file") }
    }
    if let keyFile { add(keyFile, as: "the pseudonym key") }
    for input in inputs { add(input, as: "an input file") }
  }

  public mutating func add(_ path: String, as role: String) { entries.append(Entry(path: path, role: role)) }

  /// Refuses `path` as an output file when it is (by name or, through a link,
  /// by identity) one of the protected files, or a folder.
  public func checkOutputFile(_ path: String, option: String) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
      throw OutputPathError(message: "\(option) \(path) is a folder: name a file")
    }
    let target = FileIdentity(path)
    for entry in entries where target.isSame(as: FileIdentity(entry.path)) {
      throw OutputPathError(
        message: "\(option) \(path) is \(entry.role) (\(entry.path)): refusing to overwrite it; choose another path")
    }
    // No output lands in an inbox, whatever the command (red-team A2).
    let folder = parentPath(path)
    try InboxFolders.refuseOutputFolder(folder.isEmpty ? "." : folder, option: "\(option) \(path): its folder")
  }

  /// Refuses `path` as a folder to be replaced when a protected file lies
  /// inside it, or when it is the root, the current folder or one of its parents.
  public func checkOutputFolder(_ path: String, option: String) throws {
    let folder = FileIdentity(path).canonical
    if folder == "/" || FileIdentity(FileManager.default.currentDirectoryPath).isWithin(folder) {
      throw OutputPathError(
        message: "\(option) \(path) is the current folder or holds it: name a folder of its own, e.g. reports/2021-Q4")
    }
    if let entry = entries.first(where: { FileIdentity($0.path).isWithin(folder) }) {
      // A name (or a link) leading to the file itself is that file, not a folder holding it (red-team E12).
      let isIt = FileIdentity(entry.path).canonical == folder
      throw OutputPathError(
        message: isIt
          ? "\(option) \(path) is \(entry.role) (\(entry.path)), a file: refusing to replace it; name a folder"
          : "\(option) \(path) holds \(entry.role) (\(entry.path)): refusing to replace that folder")
    }
    try InboxFolders.refuseOutputFolder(path, option: option)
  }
}

/// Where a path leads: its canonical name (links and `..` resolved, also when
/// the file does not exist yet) and, for an existing file, its device and inode.
package struct FileIdentity {
  package let canonical: String
  package let inode: (dev: UInt64, ino: UInt64)?

  package init(_ path: String) {
    let absolute =
      path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
    if let resolved = Self.realPath(absolute) {
      canonical = resolved
    } else {
      let parent = parentPath(absolute)
      let name = (absolute as NSString).lastPathComponent
      canonical = ((Self.realPath(parent) ?? (parent as NSString).standardizingPath) as NSString)
        .appendingPathComponent(name)
    }
    var info = stat()
    inode = stat(absolute, &info) == 0 ? (UInt64(info.st_dev), UInt64(info.st_ino)) : nil
  }

  /// Why `path` cannot be read as an input file, or nil for a regular file
  /// (a link is followed: a link to /dev/zero is a device). A "regular" file
  /// of the kernel's own file systems (/proc, /sys: `/proc/kmsg` reports size
  /// 0 and blocks until the kernel logs) is no file of data either.
  package static func notARegularFile(_ path: String) -> (isFolder: Bool, reason: String)? {
    var info = stat()
    guard stat(path, &info) == 0 else { return (false, "cannot open: \(String(cString: strerror(errno)))") }
    switch info.st_mode & S_IFMT {
    case S_IFREG:
      guard let system = kernelFileSystem(path) else { return nil }
      return (false, "is a file of the kernel's \(system) file system, not a file of data: not read")
    case S_IFDIR: return (true, "is a folder")
    default: return (false, "is not a regular file (a pipe, a socket or a device): not read")
    }
  }

  /// The name of the kernel file system `path` (followed) lies on, or nil:
  /// their files are views of the kernel, which may block or never end.
  /// Found by the mount table (`/proc/self/mountinfo`: the longest mount
  /// point holding the path, the last mounted there), as Swift sees no statfs.
  package static func kernelFileSystem(_ path: String) -> String? {
    #if os(Linux)
      guard let resolved = realPath(path), let handle = FileHandle(forReadingAtPath: "/proc/self/mountinfo") else {
        return nil
      }
      defer { try? handle.close() }
      guard let data = try? handle.read(upToCount: 4 << 20), let table = String(data: data, encoding: .utf8) else {
        return nil
      }
      var best: (point: String, type: String)?
      for line in table.split(separator: "\n") {
        // ID PARENT MAJOR:MINOR ROOT POINT OPTIONS [TAGS...] - TYPE SOURCE OPTIONS
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count > 6, let dash = fields[6...].firstIndex(of: "-"), dash + 1 < fields.count else { continue }
        let point = fields[4].replacingOccurrences(of: "\\040", with: " ").replacingOccurrences(
          of: "\\011", with: "\t"
        ).replacingOccurrences(of: "\\012", with: "\n").replacingOccurrences(of: "\\134", with: "\\")
        guard resolved == point || resolved.hasPrefix(point.hasSuffix("/") ? point : point + "/") else { continue }
        if best.map({ point.count >= $0.point.count }) ?? true { best = (point, String(fields[dash + 1])) }
      }
      guard let type = best?.type, kernelFileSystems.contains(type) else { return nil }
      return type
    #else
      return nil
    #endif
  }

  /// The kernel's own file systems: none holds a file of data.
  private static let kernelFileSystems: Set<String> = [
    "proc", "sysfs", "debugfs", "tracefs", "securityfs", "configfs", "efivarfs", "cgroup", "cgroup2", "bpf",
    "binfmt_misc", "fusectl", "pstore",
  ]

  /// The path is the canonical `folder` or lies inside it.
  package func isWithin(_ folder: String) -> Bool {
    canonical == folder || canonical.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/")
  }

  package func isSame(as other: FileIdentity) -> Bool {
    if canonical == other.canonical { return true }
    if let a = inode, let b = other.inode { return a.dev == b.dev && a.ino == b.ino }
    return false
  }

  private static func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }
}

/// An output path that would destroy something, said before anything is written.
public struct OutputPathError: Error, LocalizedError, Equatable {
  package init(message: String) {
    self.message = message
  }

  public let message: String
  public var errorDescription: String? { message }
}

/// The folders `import inbox` reads: DIR/{platforms,policies,links,complaints}/.
/// A file written there is imported next time (and, not being an input,
/// stops every later import), so no output goes into an inbox: one rule for
/// `--reject-file`, `export reference` and `ratings --notices`.
public enum InboxFolders {
  /// The kind folders of an inbox (`InputKind`'s names).
  public static let kinds = ["platforms", "policies", "links", "complaints"]

  /// Refuses `path` as a folder to write into when it lies inside `inbox`
  /// (the inbox a command is importing, when there is one), when it is an
  /// inbox (it holds a kind folder), when it is named as a kind folder
  /// (links/, complaints/, ...), or when it lies inside a kind folder of a
  /// folder holding two or more of them. Links and `..` are resolved first;
  /// the folder need not exist yet.
  public static func refuseOutputFolder(_ path: String, option: String, inbox: String? = nil) throws {
    let folder = FileIdentity(path)
    if let inbox, folder.isWithin(FileIdentity(inbox).canonical) {
      throw OutputPathError(
        message:
          "\(option) \(path) is inside the inbox \(inbox): its files would be imported next time; name a folder outside it"
      )
    }
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    if let kind = kinds.first(where: {
      fm.fileExists(atPath: (folder.canonical as NSString).appendingPathComponent($0), isDirectory: &isDirectory)
        && isDirectory.boolValue
    }) {
      throw OutputPathError(
        message:
          "\(option) \(path) is an inbox (it holds \(kind)/): its files would be imported next time; name a folder outside it"
      )
    }
    // The folder itself named as a kind folder, or inside one whose parent
    // holds another (a team's own "complaints" folder holding a workspace is no inbox).
    var ancestor = folder.canonical
    var isTarget = true
    while ancestor != "/" && !ancestor.isEmpty {
      let name = (ancestor as NSString).lastPathComponent
      let parent = (ancestor as NSString).deletingLastPathComponent
      if kinds.contains(name), isTarget || holdsKindFolders(parent) >= 2 {
        throw OutputPathError(
          message:
            "\(option) \(path) is in an inbox's \(name)/ folder: its files would be imported next time; name a folder outside it"
        )
      }
      (ancestor, isTarget) = (parent, false)
    }
  }

  private static func holdsKindFolders(_ folder: String) -> Int {
    kinds.filter {
      var isDirectory: ObjCBool = false
      return FileManager.default.fileExists(
        atPath: (folder as NSString).appendingPathComponent($0), isDirectory: &isDirectory) && isDirectory.boolValue
    }.count
  }
}
