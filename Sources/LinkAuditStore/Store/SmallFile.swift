import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A small input file a user names (filer.yaml, findings.yaml): its size
/// checked before anything is read, so a huge file is refused unread, and a
/// pipe or a device is never opened for a blocking read (red-team E6).
package enum SmallFile {
  package enum Problem: Error, Equatable {
    /// Not a regular file, or not readable: why, as a message's cause.
    case unreadable(String)
    /// Its size in bytes, over the limit.
    case tooLarge(Int64)
  }

  /// The bytes of the regular file at `path`, at most `limit` of them.
  package static func read(_ path: String, limit: Int) -> Result<Data, Problem> {
    if let problem = FileIdentity.notARegularFile(path) { return .failure(.unreadable(problem.reason)) }
    // Non-blocking, and checked again on the descriptor: the name may have been swapped for a pipe since.
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { return .failure(.unreadable("cannot open: \(String(cString: strerror(errno)))")) }
    let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    var info = stat()
    guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
      return .failure(.unreadable("is not a regular file (a pipe, a socket or a device): not read"))
    }
    guard info.st_size <= limit else { return .failure(.tooLarge(Int64(info.st_size))) }
    // At most one byte more than the limit: a file that grows while read is still refused.
    guard let data = try? handle.read(upToCount: limit + 1) ?? Data() else {
      return .failure(.unreadable("cannot be read"))
    }
    guard data.count <= limit else { return .failure(.tooLarge(Int64(data.count))) }
    return .success(data)
  }
}
