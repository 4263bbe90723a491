import CLinkAuditZlib
import Foundation
import LinkAuditCore
import LinkAuditRollup
import LinkAuditStore
import LinkAuditWeb

public enum TextEncoding: String, Sendable, CaseIterable {
  case utf8 = "utf-8"
  case gb18030

  public init?(name: String) {
    switch name.lowercased() {
    case "utf-8", "utf8": self = .utf8
    case "gb18030", "gbk", "gb2312": self = .gb18030
    default: return nil
    }
  }
}

/// Streams a file's bytes as UTF-8: gzip is undone (zlib reads plain files
/// unchanged), GB18030 is transcoded with iconv, a UTF-8 BOM is dropped.
/// Memory stays at a few buffers whatever the file's size.
package final class ByteSource {
  package let path: String
  private let file: gzFile
  private let converter: iconv_t?
  private var raw: [UInt8]
  private var rawStart = 0
  private var rawEnd = 0
  private var rawEOF = false
  private var rawNewlines = 0
  private var atStart = true
  package static let chunk = 1 << 18

  package init(path: String, encoding: TextEncoding) throws {
    self.path = path
    guard let f = gzopen(path, "rb") else {
      throw FileError(file: path, message: "cannot open: \(String(cString: strerror(errno)))")
    }
    gzbuffer(f, UInt32(Self.chunk))
    file = f
    raw = [UInt8](repeating: 0, count: Self.chunk)
    if encoding == .gb18030 {
      let cd = iconv_open("UTF-8", "GB18030")
      guard cd != iconv_t(bitPattern: -1) else {
        gzclose(f)
        throw FileError(file: path, message: "this system's iconv cannot convert GB18030")
      }
      converter = cd
    } else {
      converter = nil
    }
  }

  deinit {
    gzclose(file)
    if let converter { iconv_close(converter) }
  }

  private func readRaw(into p: UnsafeMutableRawPointer, count: Int) throws -> Int {
    let n = gzread(file, p, UInt32(count))
    // zlib reports a compressed file that stops early (truncated, damaged)
    // as an error beside the bytes it could read: the file is refused whole,
    // never imported in part.
    var code: Int32 = 0
    let message = gzerror(file, &code).map { String(cString: $0) } ?? "read error"
    if n < 0 || (code != Z_OK && code != Z_STREAM_END) {
      if code == Z_BUF_ERROR || code == Z_DATA_ERROR {
        throw FileError(
          file: path,
          message:
            "the compressed file is damaged or cut short (\(message); gzip -t fails on it): it cannot be read to its end, so none of it is imported"
        )
      }
      throw FileError(file: path, message: "cannot read: \(message)")
    }
    return Int(n)
  }

  /// Fills `buffer` with up to its size of UTF-8 bytes; returns 0 at the end.
  package func read(into buffer: UnsafeMutableBufferPointer<UInt8>) throws -> Int {
    var n: Int
    if let converter {
      n = try transcode(converter, into: buffer)
    } else {
      n = try readRaw(into: buffer.baseAddress!, count: buffer.count)
    }
    if atStart, n > 0 {
      if converter == nil, let encoding = Self.utf16(UnsafeBufferPointer(rebasing: buffer[0..<n])) {
        throw FileError(
          file: path, line: 1,
          message:
            "the file is \(encoding), which linkaudit does not read: save it as UTF-8 (or GB18030 with --encoding gb18030)"
        )
      }
      // Every byte-order mark before the text is dropped: an editor that
      // saved a file twice leaves two, and the header is what follows them.
      var skip = 0
      while n - skip >= 3, buffer[skip] == 0xEF, buffer[skip + 1] == 0xBB, buffer[skip + 2] == 0xBF { skip += 3 }
      if skip > 0 {
        n -= skip
        if n > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + skip, n) }
        if n == 0 { return try read(into: buffer) }
      }
      atStart = false
    }
    return n
  }

  /// The name of the UTF-16 form a file's first bytes show, if any: its
  /// byte-order mark, or (without one) a zero byte beside every ASCII
  /// character of the header, which is how UTF-16 stores them.
  static func utf16(_ b: UnsafeBufferPointer<UInt8>) -> String? {
    var b = b
    // Behind a UTF-8 byte-order mark (an editor that added one to a UTF-16 file).
    while b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { b = UnsafeBufferPointer(rebasing: b[3...]) }
    if b.count >= 4, b[0] == 0xFF, b[1] == 0xFE, b[2] == 0, b[3] == 0 { return "UTF-32 (little-endian)" }
    if b.count >= 4, b[0] == 0, b[1] == 0, b[2] == 0xFE, b[3] == 0xFF { return "UTF-32 (big-endian)" }
    if b.count >= 2, b[0] == 0xFF, b[1] == 0xFE { return "UTF-16 (little-endian, with a byte-order mark)" }
    if b.count >= 2, b[0] == 0xFE, b[1] == 0xFF { return "UTF-16 (big-endian, with a byte-order mark)" }
    let pairs = min(b.count, 16) / 2
    guard pairs >= 2 else { return nil }
    let pairsRange = 0..<pairs
    if b.count >= 8,
      (0..<2).allSatisfy({ b[4 * $0] != 0 && b[4 * $0 + 1] == 0 && b[4 * $0 + 2] == 0 && b[4 * $0 + 3] == 0 })
    {
      return "UTF-32 (little-endian)"
    }
    if pairsRange.allSatisfy({ b[2 * $0] != 0 && b[2 * $0 + 1] == 0 }) { return "UTF-16 (little-endian)" }
    if pairsRange.allSatisfy({ b[2 * $0] == 0 && b[2 * $0 + 1] != 0 }) { return "UTF-16 (big-endian)" }
    return nil
  }

  private func transcode(_ cd: iconv_t, into buffer: UnsafeMutableBufferPointer<UInt8>) throws -> Int {
    while true {
      if rawStart == rawEnd || (rawEnd - rawStart < 4 && !rawEOF) {
        // Keep an incomplete multi-byte sequence and read more behind it.
        let keep = rawEnd - rawStart
        if keep > 0 { raw.withUnsafeMutableBytes { _ = memmove($0.baseAddress!, $0.baseAddress! + rawStart, keep) } }
        rawStart = 0
        rawEnd = keep
        if !rawEOF {
          let got = try raw.withUnsafeMutableBytes { try readRaw(into: $0.baseAddress! + keep, count: $0.count - keep) }
          if got == 0 { rawEOF = true }
          rawEnd += got
        }
        if rawEnd == 0 { return 0 }
      }
      let before = rawStart
      var inLeft = rawEnd - rawStart
      var outLeft = buffer.count
      let rc: Int = raw.withUnsafeMutableBytes { rawBuf in
        var inPtr: UnsafeMutablePointer<CChar>? = (rawBuf.baseAddress! + rawStart).assumingMemoryBound(to: CChar.self)
        var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(
          to: CChar.self)
        return iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
      }
      let err = errno
      let consumed = (rawEnd - rawStart) - inLeft
      // Newlines are single bytes in GB18030 and never part of a multi-byte
      // character, so counting them in the input gives the line of a bad byte.
      rawNewlines += raw[before..<(before + consumed)].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
      rawStart += consumed
      let produced = buffer.count - outLeft
      if rc == -1 && err == EILSEQ {
        throw FileError(file: path, line: rawNewlines + 1, message: "invalid GB18030 byte sequence")
      }
      if rc == -1 && err == EINVAL && rawEOF && produced == 0 {
        throw FileError(file: path, line: rawNewlines + 1, message: "file ends inside a GB18030 character")
      }
      if produced > 0 { return produced }
      if rawEOF && rawStart == rawEnd { return 0 }
    }
  }
}
