import Foundation
import LinkAuditCore

/// The bytes of a zip archive against what its central directory says.
///
/// verify reads an archive through its central directory, as every
/// extractor that seeks does; a reader that goes front to back (Java's
/// `ZipInputStream`, a streaming unzip) reads the local entries in file
/// order instead. An archive is what its central directory says only when
/// the listed entries (local header, data, data descriptor) tile the file
/// from offset 0 to the central directory with no gap, no overlap and
/// nothing unlisted, each local header names the file and the sizes its
/// central entry gives, and one end record closes the file with nothing
/// after it; a zip64 end record, if there is one, names the directory the
/// end record names. Anything else lets two readers see two packages
/// (red-team C5, D12).
enum ArchiveLayout {
  /// Each way the archive `data`, named `shown`, departs from that; empty
  /// for an archive linkaudit writes (zip64 included, should a package
  /// ever need it). An archive that is no zip at all is left to the reader
  /// that opens it.
  static func problems(of data: Data, shown: String) -> [String] {
    check(of: data, shown: shown).problems
  }

  /// The problems, and whether ZIPFoundation may be let read the entries:
  /// not when the directory, a local header or an entry's data lies past
  /// the archive's end, for its reader then traps on offsets over
  /// Int64.max instead of failing.
  /// Not readable either: an end record that names another disk or counts
  /// its entries two ways (a split archive's piece), a damaged or missing
  /// (zip64) end record or directory, a directory that holds another number
  /// of entries than its end record counts (ZIPFoundation reads as many as
  /// the end record says, and traps on a directory past the end: red-team H2, H4).
  static func check(of data: Data, shown: String) -> (problems: [String], readable: Bool) {
    let reading = inspect(data, shown: shown)
    return (reading.problems, reading.readable)
  }

  /// `check`, with the entries ZIPFoundation cannot unpack: encrypted
  /// (a password-protected zip) or compressed with a method other than
  /// stored or deflate (bzip2, LZMA, zstd…), by name (red-team H4).
  static func inspect(_ data: Data, shown: String) -> (problems: [String], readable: Bool, sealed: [String]) {
    let reader = Reader(data: data)
    let problems = reader.problems(shown: shown)
    return (problems, !reader.reach.beyond, reader.reach.sealed)
  }

  private final class Reach {
    /// Not to be handed to ZIPFoundation (see `check`).
    var beyond = false
    var sealed: [String] = []
  }

  private struct Entry {
    let name: [UInt8]
    let flags: Int
    let method: Int
    let crc: UInt64
    var compressedSize: UInt64
    var uncompressedSize: UInt64
    var offset: UInt64
    var zip64: Bool
  }

  private struct Reader {
    let data: Data
    let reach = Reach()
    var count: Int { data.count }

    func u16(_ at: Int) -> UInt64? {
      guard at >= 0, at <= count - 2 else { return nil }  // no `at + 2`: an offset may be Int.max
      let b = data.startIndex + at
      return UInt64(data[b]) | UInt64(data[b + 1]) << 8
    }
    func u32(_ at: Int) -> UInt64? {
      guard let lo = u16(at), let hi = u16(at + 2) else { return nil }
      return lo | hi << 16
    }
    func u64(_ at: Int) -> UInt64? {
      guard let lo = u32(at), let hi = u32(at + 4) else { return nil }
      return lo | hi << 32
    }
    func bytes(_ at: Int, _ length: Int) -> [UInt8]? {
      guard at >= 0, length >= 0, at <= count, length <= count - at else { return nil }
      return [UInt8](data[(data.startIndex + at)..<(data.startIndex + at + length)])
    }

    static let (localSignature, centralSignature, endSignature): (UInt64, UInt64, UInt64) =
      (0x0403_4B50, 0x0201_4B50, 0x0605_4B50)
    static let (zip64EndSignature, zip64LocatorSignature, descriptorSignature): (UInt64, UInt64, UInt64) =
      (0x0606_4B50, 0x0706_4B50, 0x0807_4B50)

    /// The zip64 extended information (extra field 0x0001) of an extra
    /// field area: the values that stand for 0xFFFFFFFF fields, in order.
    func zip64Values(extraAt start: Int, length: Int) -> [UInt64]? {
      var p = start
      while p + 4 <= start + length {
        guard let id = u16(p), let size = u16(p + 2) else { return nil }
        if id == 1 {
          return (0..<Int(size) / 8).compactMap { u64(p + 4 + $0 * 8) }
        }
        p += 4 + Int(size)
      }
      return nil
    }

    func problems(shown: String) -> [String] {
      // The end record: the last signature in the final 64 KiB + 22 bytes (a comment's most).
      guard count >= 22 else {
        reach.beyond = true
        return []
      }
      var end = count - 22
      while end >= max(0, count - 22 - 0xFFFF), u32(end) != Self.endSignature { end -= 1 }
      guard end >= 0, u32(end) == Self.endSignature else {
        reach.beyond = true
        return []
      }
      var problems: [String] = []
      let after = count - (end + 22)
      if after > 0 {
        problems.append(
          "\(shown): \(after) byte(s) after the archive's end record (a comment or appended data): an archive linkaudit writes ends with its end record"
        )
      }
      guard var entries = u16(end + 10), var cdSize = u32(end + 12), var cdOffset = u32(end + 16),
        u16(end + 4) == 0, u16(end + 6) == 0, u16(end + 8) == entries
      else {
        reach.beyond = true
        return problems + ["\(shown): the archive's end record names other disks: an archive in parts is no package"]
      }
      // The central directory ends where the end record (or the zip64 end record) begins.
      // ZIPFoundation (verify's reader) and Python take a zip64 record and
      // locator whenever they sit right before the end record, placeholders
      // or not; Java, Go and Info-ZIP follow the end record's own fields. So
      // both must name one directory (red-team D12).
      var cdEnd = UInt64(end)
      let locator = end - 20
      let placeholders = entries == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF
      if placeholders || u32(locator) == Self.zip64LocatorSignature {
        // The record is read where those readers read it: the 56 bytes right before the locator.
        let record = locator - 56
        guard u32(locator) == Self.zip64LocatorSignature, let recordDisk = u32(locator + 4),
          let pointed = u64(locator + 8), let disks = u32(locator + 16), u32(record) == Self.zip64EndSignature,
          let recordSize = u64(record + 4), let needed = u16(record + 14), let disk = u32(record + 16),
          let startDisk = u32(record + 20), let onDisk = u64(record + 24), let n = u64(record + 32),
          let size = u64(record + 40), let offset = u64(record + 48)
        else {
          reach.beyond = true
          return problems + ["\(shown): the archive's zip64 end record is missing or damaged"]
        }
        guard recordDisk == 0, disks == 1, disk == 0, startDisk == 0, onDisk == n else {
          reach.beyond = true
          return problems + [
            "\(shown): the archive's zip64 end record names other disks: an archive in parts is no package"
          ]
        }
        if pointed != UInt64(record) {
          problems.append(
            "\(shown): the archive's zip64 locator points at offset \(pointed), not at the zip64 end record right before it (offset \(record)): readers differ on which record they take"
          )
        } else if recordSize != 44 {
          problems.append(
            "\(shown): the archive's zip64 end record gives its size as \(recordSize) bytes, not 44 (no extensible data): readers differ on where it starts"
          )
        }
        if needed < 45 {
          problems.append(
            "\(shown): the archive's zip64 end record asks for zip version \(needed / 10).\(needed % 10), below 4.5: some readers skip it and some take it"
          )
        }
        var differ: [String] = []
        if entries != 0xFFFF, entries != n { differ.append("\(entries) entries against \(n)") }
        if cdSize != 0xFFFF_FFFF, cdSize != size { differ.append("\(cdSize) bytes against \(size)") }
        if cdOffset != 0xFFFF_FFFF, cdOffset != offset { differ.append("offset \(cdOffset) against \(offset)") }
        if !differ.isEmpty {
          problems.append(
            "\(shown): the archive's end record and its zip64 end record name two central directories (end record against zip64 end record: \(differ.joined(separator: ", "))): a reader that follows one and a reader that follows the other see two packages"
          )
        }
        (entries, cdSize, cdOffset, cdEnd) = (n, size, offset, UInt64(record))
      }
      guard cdOffset <= cdEnd, cdSize <= cdEnd - cdOffset else {
        reach.beyond = true
        return problems + ["\(shown): the archive's central directory lies outside the archive"]
      }
      if cdOffset + cdSize != cdEnd {
        problems.append(
          "\(shown): \(cdEnd - cdOffset - cdSize) byte(s) between the central directory and the end record that it does not list"
        )
      }
      // The central directory: every entry, with its local header's place.
      var listed: [Entry] = []
      var p = Int(cdOffset)
      for _ in 0..<min(entries, UInt64(count) / 46 + 1) {
        guard u32(p) == Self.centralSignature, let flags = u16(p + 8), let method = u16(p + 10),
          let crc = u32(p + 16), let compressed = u32(p + 20), let uncompressed = u32(p + 24),
          let nameLength = u16(p + 28), let extraLength = u16(p + 30), let commentLength = u16(p + 32),
          let offset = u32(p + 42), let name = bytes(p + 46, Int(nameLength))
        else {
          reach.beyond = true
          return problems + ["\(shown): the archive's central directory is damaged"]
        }
        var entry = Entry(
          name: name, flags: Int(flags), method: Int(method), crc: crc, compressedSize: compressed,
          uncompressedSize: uncompressed, offset: offset, zip64: false)
        if uncompressed == 0xFFFF_FFFF || compressed == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
          var values = zip64Values(extraAt: p + 46 + Int(nameLength), length: Int(extraLength)) ?? []
          func take(_ field: inout UInt64) {
            if field == 0xFFFF_FFFF, !values.isEmpty { field = values.removeFirst() }
          }
          take(&entry.uncompressedSize)
          take(&entry.compressedSize)
          take(&entry.offset)
          entry.zip64 = true
        }
        let size = UInt64(count)
        if entry.offset >= size || entry.compressedSize > size || (entry.method == 0 && entry.uncompressedSize > size) {
          reach.beyond = true
          if entry.method == 0, entry.uncompressedSize > size, entry.compressedSize <= size {
            problems.append(
              "\(displayable(String(decoding: name, as: UTF8.self))): stored, \(entry.uncompressedSize) bytes, more than the archive holds"
            )
          }
        }
        if entry.flags & 1 != 0 || (entry.method != 0 && entry.method != 8) {
          reach.sealed.append(String(decoding: name, as: UTF8.self))
        }
        listed.append(entry)
        p += 46 + Int(nameLength) + Int(extraLength) + Int(commentLength)
      }
      if UInt64(p) != cdOffset + cdSize {
        reach.beyond = true
        problems.append(
          "\(shown): the archive's central directory does not hold the \(entries) entries its end record counts")
      }
      // The local entries, in file order, must tile the file up to the central directory.
      var position: UInt64 = 0
      for entry in listed.sorted(by: { $0.offset < $1.offset }) {
        let named = displayable(String(decoding: entry.name, as: UTF8.self))
        if entry.offset > position {
          problems.append(unlisted(entry.offset - position, at: position, shown: shown))
        } else if entry.offset < position {
          problems.append("\(named): its local entry overlaps the one before it")
        }
        let at = Int(clamping: entry.offset)
        guard u32(at) == Self.localSignature, let method = u16(at + 8), let crc = u32(at + 14),
          var compressed = u32(at + 18), var uncompressed = u32(at + 22), let nameLength = u16(at + 26),
          let extraLength = u16(at + 28), let name = bytes(at + 30, Int(nameLength))
        else {
          problems.append("\(named): no local entry where the central directory places it")
          position = max(position, entry.offset)
          continue
        }
        if name != entry.name {
          problems.append(
            "\(named): its local entry names another file (\(displayable(String(decoding: name, as: UTF8.self))))")
        }
        // A zip64 field in the local header means zip64 sizes there and in the descriptor.
        let localZip64 = zip64Values(extraAt: at + 30 + Int(nameLength), length: Int(extraLength))
        if compressed == 0xFFFF_FFFF || uncompressed == 0xFFFF_FFFF, let values = localZip64, values.count >= 2 {
          (uncompressed, compressed) = (values[0], values[1])
        }
        guard entry.compressedSize <= UInt64(count) else {
          problems.append("\(named): its size runs past the end of the archive")
          continue
        }
        let dataEnd = entry.offset + 30 + nameLength + extraLength + entry.compressedSize
        var entryEnd = dataEnd
        var agrees = method == UInt64(entry.method)
        if entry.flags & 0x8 != 0 {
          // Sizes and CRC after the data, in a descriptor (with or without its signature; zip64: 8-byte sizes).
          var d = Int(clamping: dataEnd)
          if u32(d) == Self.descriptorSignature { d += 4 }
          let wide = entry.zip64 || localZip64 != nil
          let sizes = wide ? (u64(d + 4), u64(d + 12)) : (u32(d + 4), u32(d + 8))
          agrees = agrees && u32(d) == entry.crc && sizes.0 == entry.compressedSize && sizes.1 == entry.uncompressedSize
          entryEnd = UInt64(d + (wide ? 20 : 12))
        } else {
          agrees =
            agrees && crc == entry.crc && compressed == entry.compressedSize && uncompressed == entry.uncompressedSize
        }
        if !agrees {
          problems.append("\(named): its local entry gives another size, checksum or method than the central directory")
        }
        position = max(position, entryEnd)
      }
      if position < cdOffset {
        problems.append(unlisted(cdOffset - position, at: position, shown: shown))
      } else if position > cdOffset {
        problems.append("\(shown): the last local entry runs into the central directory")
      }
      return problems
    }

    func unlisted(_ length: UInt64, at offset: UInt64, shown: String) -> String {
      "\(shown): \(length) byte(s) at offset \(offset) that its central directory does not list (a reader that reads the archive front to back, as Java's ZipInputStream does, takes them for files of the package)"
    }
  }
}
