import Foundation

/// A key on disk that no other user may read: the pseudonym key and the
/// package signing key are written and checked by these rules alike.
package enum SecretFile {
  /// Writes `contents` at `path` with mode 0600, whole under another name,
  /// then linked into place: a process starting at the same moment finds
  /// either no file or a whole one. Returns false, writing nothing, when a
  /// file is already there (the one that lost the race, or an existing key).
  package static func create(at path: String, contents: String) throws -> Bool {
    let temporary = path + ".new-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
    guard fd >= 0 else {
      throw FileError(file: path, message: "cannot create key file: \(String(cString: strerror(errno)))")
    }
    defer { unlink(temporary) }
    let written = contents.withCString { write(fd, $0, strlen($0)) }
    let synced = fsync(fd) == 0
    close(fd)
    guard written == contents.utf8.count, synced else {
      throw FileError(file: path, message: "cannot write key file: \(String(cString: strerror(errno)))")
    }
    if link(temporary, path) != 0 {
      if errno == EEXIST { return false }
      throw FileError(file: path, message: "cannot create key file: \(String(cString: strerror(errno)))")
    }
    return true
  }

  /// A pseudonym key's bytes from its file's text: hexadecimal digits, at
  /// least 32 (16 bytes), blank space around them aside. The one rule for
  /// reading a key and for telling a key file where no key may lie.
  package static func pseudonymKey(fromText text: String) -> [UInt8]? {
    guard let bytes = unhex(text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count >= 16 else { return nil }
    return bytes
  }

  /// The file's text, refused when other users may read it: with a
  /// pseudonym key, pseudonyms can be tested against guesses; with a signing
  /// key, anyone can sign a package as the platform.
  package static func read(_ path: String) throws -> String {
    var info = stat()
    guard stat(path, &info) == 0 else {
      throw FileError(file: path, message: "cannot read key file: \(String(cString: strerror(errno)))")
    }
    guard info.st_mode & S_IFMT == S_IFREG else {
      let what = info.st_mode & S_IFMT == S_IFDIR ? "a folder" : "not a regular file"
      throw FileError(file: path, message: "is \(what), not a key file: name the key file itself")
    }
    guard info.st_mode & 0o077 == 0 else {
      throw FileError(
        file: path,
        message:
          "key file is readable by other users (mode \(String(info.st_mode & 0o777, radix: 8))); run chmod 600 \(path)")
    }
    return try String(contentsOfFile: path, encoding: .utf8)
  }
}
