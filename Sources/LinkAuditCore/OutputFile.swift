import Foundation

/// Every file a command writes whole under its own name (a package's
/// files, its workbooks, through libxlsxwriter too) is opened by this one
/// rule: created or truncated, never through a symbolic link put where it
/// goes, and never a pipe or a device put there (opened without waiting,
/// then refused) (red-team E11, F15).
package enum OutputFile {
  /// The open file's descriptor, blocking as usual; the caller closes it.
  package static func open(_ path: String) throws -> Int32 {
    let fd = Foundation.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o666)
    guard fd >= 0 else {
      let why =
        errno == ELOOP
        ? "is a symbolic link: a file is never written through one"
        : errno == ENXIO ? "is a pipe, not a file: not written" : "cannot write: \(String(cString: strerror(errno)))"
      throw FileError(file: path, message: why)
    }
    var info = stat()
    guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
      close(fd)
      throw FileError(file: path, message: "is a pipe, a socket or a device, not a file: not written")
    }
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    return fd
  }
}
