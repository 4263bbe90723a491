import Crypto
import Foundation

/// A key on disk that no other user may read: the pseudonym key and the
/// package signing key are written and checked by these rules alike.
package enum SecretFile {
  /// Writes `contents` at `path` with mode 0600, whole under another name,
  /// then linked into place: a process starting at the same moment finds
  /// either no file or a whole one. Returns false, writing nothing, when a
  /// file is already there (the one that lost the race, or an existing key).
  /// The temporary is locked while this process lives, so that a later
  /// run tells one left by a kill (`strayTemporaries`) from one at work.
  package static func create(at path: String, contents: String) throws -> Bool {
    // Its own leftovers first: a kill before the link left a whole key that nothing uses (red-team F15).
    // Only those named as this version names them: `KEY.new-PID` is also a name a person gives a key.
    // A signing key's run also removes those another key's run left in its folder: a private key no
    // command uses, lying about under a name only `create` gives (red-team G9: `keys new --signing-key k2.pem`).
    let name = (path as NSString).lastPathComponent
    let makesPrivateKey = contents.hasPrefix("-----BEGIN PRIVATE KEY-----")
    for stray in strayTemporaries(in: parentPath(path))
    where stray.provenOurs
      && ((stray.key as NSString).lastPathComponent == name || makesPrivateKey && stray.isPrivateKey)
    {
      unlink(stray.path)
    }
    let temporary = path + temporarySuffix + "\(getpid())-\(UUID().uuidString)"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else {
      throw FileError(file: path, message: "cannot create key file: \(String(cString: strerror(errno)))")
    }
    defer { unlink(temporary) }
    // Before a byte is written: an empty temporary is never taken for a stray key.
    _ = flock(fd, LOCK_EX)
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

  /// What `create` names its temporary by: the key's name, this, the process id.
  package static let temporarySuffix = ".new-"

  /// The temporaries `create` left beside `path` when killed before it put
  /// the key in place (`strayTemporaries(in:)`), of `path` only.
  package static func strayTemporaries(of path: String) -> [(path: String, provenOurs: Bool)] {
    let name = (path as NSString).lastPathComponent
    return strayTemporaries(in: parentPath(path)).filter { ($0.key as NSString).lastPathComponent == name }.map {
      ($0.path, $0.provenOurs)
    }
  }

  /// A key `create` left under its temporary name: `path`, and `key`, the
  /// path it was to be put at.
  package struct StrayKey: Equatable, Sendable {
    package var path: String
    package var key: String
    /// Named `KEY.new-PID-UUID`, as this version names them (see `strayTemporaries(in:)`).
    package var provenOurs: Bool
    /// A PEM private key (a signing key's), not a pseudonym key's hexadecimal text.
    package var isPrivateKey: Bool
  }

  /// The temporaries `create` left in `folder` (paths under it as given;
  /// "" is the current folder) when killed before it put the key in place,
  /// whatever key they were for (red-team G9: `--signing-key k2.pem` leaves
  /// `k2.pem.new-…`): a regular file of ours (not a link), named as
  /// `create` names them, whose process is gone and whose lock no process
  /// holds (a run in another PID namespace holds it), holding a whole key
  /// (a PEM private key, or a pseudonym key's hexadecimal text). Such a key
  /// was never in place, so nothing uses it; found without writing.
  /// `provenOurs`: named `KEY.new-PID-UUID`, as this version names them;
  /// `KEY.new-PID` (earlier versions) is also a name a person may give a
  /// key (`k.pem.new-2024`, red-team F7's lesson), so it is named, never removed.
  package static func strayTemporaries(in folder: String) -> [StrayKey] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder) else {
      return []
    }
    return names.sorted().compactMap { name -> StrayKey? in
      guard let marker = name.range(of: temporarySuffix, options: .backwards), marker.lowerBound > name.startIndex
      else { return nil }
      let parts = name[marker.upperBound...].split(separator: "-", maxSplits: 1)
      guard let digits = parts.first, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let pid = Int32(digits),
        pid > 0, parts.count == 1 || UUID(uuidString: String(parts[1])) != nil,
        kill(pid, 0) != 0 && errno == ESRCH
      else { return nil }
      let file = folder.isEmpty ? name : (folder as NSString).appendingPathComponent(name)
      let keyName = String(name[..<marker.lowerBound])
      let fd = open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
      guard fd >= 0 else { return nil }
      defer { close(fd) }
      var info = stat()
      guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid(),
        info.st_size <= 4096, flock(fd, LOCK_SH | LOCK_NB) == 0
      else { return nil }
      var buffer = [UInt8](repeating: 0, count: 4096)
      let n = readDescriptor(fd, &buffer)
      guard n > 0 else { return nil }
      let text = String(decoding: buffer[0..<n], as: UTF8.self)
      let isPrivateKey = text.hasPrefix("-----BEGIN PRIVATE KEY-----") && text.contains("-----END PRIVATE KEY-----")
      guard isPrivateKey || pseudonymKey(fromText: text) != nil else { return nil }
      return StrayKey(
        path: file, key: folder.isEmpty ? keyName : (folder as NSString).appendingPathComponent(keyName),
        provenOurs: parts.count == 2, isPrivateKey: isPrivateKey)
    }
  }

  /// The pseudonym key's fingerprint, which the database records: the
  /// HMAC-SHA256 of a fixed text under the key, as hexadecimal. It names
  /// the key without revealing it, and tells the database's own key in a
  /// file from any other text of hexadecimal digits (red-team F9).
  package static func pseudonymKeyFingerprint(_ key: [UInt8]) -> String {
    hex(
      Array(
        HMAC<SHA256>.authenticationCode(
          for: Array("linkaudit pseudonym key fingerprint v1".utf8), using: SymmetricKey(data: key))))
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

/// `read(2)` into `buffer`, out of reach of `SecretFile.read`'s name.
private func readDescriptor(_ fd: Int32, _ buffer: inout [UInt8]) -> Int {
  buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
}
