import CLinkAuditZlib
import Foundation

/// Raw deflate of a stream of bytes, with its CRC-32: a zip entry's data.
final class Deflater {
  private var stream = z_stream()
  private var output = [UInt8](repeating: 0, count: 1 << 17)
  private(set) var crc: UInt32 = 0
  private(set) var inputSize: UInt64 = 0
  private(set) var outputSize: UInt64 = 0
  private var open = true

  init(level: Int32) throws {
    let rc = linkaudit_deflate_init_raw(&stream, level)
    guard rc == Z_OK else { throw ZipError(message: "cannot start compression (zlib \(rc))") }
  }

  deinit { if open { deflateEnd(&stream) } }

  /// Compresses `bytes`, handing compressed output to `emit`.
  func compress(_ bytes: UnsafeBufferPointer<UInt8>, finish: Bool, _ emit: (UnsafeBufferPointer<UInt8>) throws -> Void)
    throws
  {
    if let base = bytes.baseAddress, bytes.count > 0 {
      crc = UInt32(crc32(uLong(crc), base, uInt(bytes.count)))
    }
    inputSize += UInt64(bytes.count)
    stream.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress)
    stream.avail_in = uInt(bytes.count)
    let flush = finish ? Z_FINISH : Z_NO_FLUSH
    while true {
      let (rc, produced) = output.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
        stream.next_out = out.baseAddress
        stream.avail_out = uInt(out.count)
        let rc = deflate(&stream, flush)
        return (rc, out.count - Int(stream.avail_out))
      }
      guard rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR else {
        throw ZipError(message: "compression failed (zlib \(rc))")
      }
      if produced > 0 {
        outputSize += UInt64(produced)
        try output.withUnsafeBufferPointer { try emit(UnsafeBufferPointer(rebasing: $0[0..<produced])) }
      }
      if finish ? rc == Z_STREAM_END : (stream.avail_in == 0 && stream.avail_out != 0) { break }
    }
    if finish {
      deflateEnd(&stream)
      open = false
    }
  }
}

public struct ZipError: Error, LocalizedError, Equatable {
  public let message: String
  public var errorDescription: String? { message }
}

/// A zip file written front to back: each entry streamed and deflated, its
/// sizes and CRC in a data descriptor after it, the directory at the end.
/// Entries over 4 GiB are refused rather than written without ZIP64.
final class ZipWriter {
  private let handle: FileHandle
  private let path: String
  private var offset: UInt64 = 0
  private var entries: [(name: String, offset: UInt64, crc: UInt32, compressed: UInt64, size: UInt64)] = []
  private var buffer: [UInt8] = []
  /// A fixed time for every entry (1980-01-01), so the same content gives the same bytes.
  private let dosTime: UInt16 = 0
  private let dosDate: UInt16 = (0 << 9) | (1 << 5) | 1

  init(path: String) throws {
    guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
      throw ZipError(message: "cannot create \(path)")
    }
    handle = h
    self.path = path
    buffer.reserveCapacity(1 << 20)
  }

  private func put(_ v: UInt16) { buffer.append(UInt8(v & 0xFF)); buffer.append(UInt8(v >> 8)) }
  private func put(_ v: UInt32) { for i in 0..<4 { buffer.append(UInt8((v >> (8 * UInt32(i))) & 0xFF)) } }

  /// A size or an offset as the 32-bit field it goes in: refused, never
  /// trapped on, when it does not fit (this writer does not do ZIP64).
  private func field32(_ v: UInt64) throws -> UInt32 { try Self.field32(v, path: path) }

  static func field32(_ v: UInt64, path: String) throws -> UInt32 {
    guard v < 0xFFFF_FFFF else {
      throw ZipError(message: "\(path): the spreadsheet exceeds 4 GiB; narrow the query")
    }
    return UInt32(v)
  }

  private func field16(_ v: Int) throws -> UInt16 {
    guard let x = UInt16(exactly: v), x != 0xFFFF else {
      throw ZipError(message: "\(path): too many parts or too long a name for a zip file")
    }
    return x
  }

  private func flush() throws {
    try handle.write(contentsOf: buffer)
    offset += UInt64(buffer.count)
    buffer.removeAll(keepingCapacity: true)
  }

  private func raw(_ bytes: UnsafeBufferPointer<UInt8>) throws {
    buffer.append(contentsOf: bytes)
    if buffer.count >= 1 << 20 { try flush() }
  }

  /// Starts an entry; write its data with the returned deflater through `write(_:into:)`.
  func begin(_ name: String) throws -> Deflater {
    try flush()
    let nameLength = try field16(name.utf8.count)
    _ = try field32(offset)
    entries.append((name, offset, 0, 0, 0))
    put(UInt32(0x0403_4b50))
    put(UInt16(20))
    put(UInt16(0x0808))  // data descriptor follows; names are UTF-8
    put(UInt16(8))  // deflate
    put(dosTime)
    put(dosDate)
    put(UInt32(0))
    put(UInt32(0))
    put(UInt32(0))
    put(nameLength)
    put(UInt16(0))
    buffer.append(contentsOf: name.utf8)
    return try Deflater(level: 1)
  }

  func write(_ bytes: UnsafeBufferPointer<UInt8>, with deflater: Deflater, finish: Bool = false) throws {
    try deflater.compress(bytes, finish: finish) { try raw($0) }
  }

  func end(_ deflater: Deflater) throws {
    try write(UnsafeBufferPointer(start: nil, count: 0), with: deflater, finish: true)
    let (compressed, size) = (try field32(deflater.outputSize), try field32(deflater.inputSize))
    let i = entries.count - 1
    entries[i].crc = deflater.crc
    entries[i].compressed = deflater.outputSize
    entries[i].size = deflater.inputSize
    put(UInt32(0x0807_4b50))
    put(deflater.crc)
    put(compressed)
    put(size)
  }

  /// A whole small entry at once.
  func add(_ name: String, _ text: String) throws {
    let d = try begin(name)
    var text = text
    try text.withUTF8 { try write($0, with: d) }
    try end(d)
  }

  func close() throws {
    try flush()
    let directoryStart = try field32(offset)
    let count = try field16(entries.count)
    for e in entries {
      put(UInt32(0x0201_4b50))
      put(UInt16(20))
      put(UInt16(20))
      put(UInt16(0x0808))
      put(UInt16(8))
      put(dosTime)
      put(dosDate)
      put(e.crc)
      put(try field32(e.compressed))
      put(try field32(e.size))
      put(try field16(e.name.utf8.count))
      put(UInt16(0))
      put(UInt16(0))
      put(UInt16(0))
      put(UInt16(0))
      put(UInt32(0))
      put(try field32(e.offset))
      buffer.append(contentsOf: e.name.utf8)
    }
    let directorySize = UInt64(buffer.count)
    put(UInt32(0x0605_4b50))
    put(UInt16(0))
    put(UInt16(0))
    put(count)
    put(count)
    put(try field32(directorySize))
    put(directoryStart)
    put(UInt16(0))
    try flush()
    _ = try field32(offset)
    try handle.close()
  }
}
