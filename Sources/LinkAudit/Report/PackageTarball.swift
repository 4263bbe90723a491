import Foundation
import LinkAuditCore
import ZIPFoundation

/// A report package handed over as a tar, plain or gzip'd (`tar czf q4.tgz
/// -C reports 2021-Q4`), told by what it holds, whatever its name: a tar
/// entry `manifest.json` (at any depth) that decodes as a linkaudit
/// manifest (red-team F13). Other compressed forms (xz, bzip2, zstd, 7z,
/// rar) are not looked into: linkaudit links no reader of them.
extension PackageFolder {
  /// The most bytes a tar is read to (unpacked): a bomb stops here, in a
  /// second or two (1 GiB took 19 s of a debug build on the shared machine).
  /// A package's manifest past them (after a register of millions of rows) is not seen.
  static let largestTarball = 256 << 20

  /// `path` (a regular file, not a link) is a tar or a gzip'd tar holding a linkaudit package's manifest.
  static func isPackageTarball(_ path: String) -> Bool {
    if case .manifests = tarballContent(path) { return true }
    return false
  }

  /// `path` read as a tar, plain or gzip'd, mapped and unpacked as a stream
  /// (whatever its size on disk: red-team G4), as far as a linkaudit manifest.
  static func tarballContent(_ path: String, budget: UnpackBudget = UnpackBudget()) -> ArchiveContent {
    guard head(of: path) != nil,
      let bytes = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
    else { return .notAnArchive("cannot be read") }
    return tarContent(bytes, nested: false, budget: budget)
  }

  /// `bytes` read as a tar, plain or gzip'd: a `manifest.json` entry at any
  /// depth that decodes as linkaudit's, or (`nested` false) an entry that is
  /// itself a zip or a tar, read in turn (red-team G3). Not read past
  /// `largestTarball` unpacked bytes nor `largestEntryCount` entries: said (`notRead`).
  static func tarContent(_ bytes: Data, nested: Bool, budget: UnpackBudget) -> ArchiveContent {
    let gzip = bytes.count >= 18 && bytes[bytes.startIndex] == 0x1F && bytes[bytes.startIndex + 1] == 0x8B
    guard gzip || (bytes.count >= 512 && TarScan.isHeader(bytes.prefix(512))) else {
      return .notAnArchive("not a tar")
    }
    let scan = TarScan(nested: nested, budget: budget)
    do {
      if gzip {
        guard let start = deflateStart(bytes) else { return .notAnArchive("not a gzip stream") }
        _ = try Data.decompress(
          size: Int64(bytes.count - start), bufferSize: 1 << 16, skipCRC32: true,
          provider: { position, size in
            // Always `size` bytes (zlib is told so): past the end, zeros, which no deflate stream
            // reads on from for long (a stored block's lengths disagree), and not for ever.
            let from = start + Int(position)
            guard from <= bytes.count + (1 << 20) else { throw TarScan.Outcome.notFound }
            var chunk =
              from < bytes.count
              ? bytes.subdata(in: (bytes.startIndex + from)..<(bytes.startIndex + min(bytes.count, from + size)))
              : Data()
            if chunk.count < size { chunk.append(Data(count: size - chunk.count)) }
            return chunk
          }, consumer: { try scan.feed($0) })
      } else {
        var at = 0
        while at < bytes.count {
          try scan.feed(
            bytes.subdata(in: (bytes.startIndex + at)..<(bytes.startIndex + min(bytes.count, at + (1 << 20)))))
          at += 1 << 20
        }
      }
    } catch {}
    if let cut = scan.cutShort { scan.unread.append(cut) }
    // A gzip'd zip or xz (`q4.zip.gz`) is no tar, and holds what may be a package: named (red-team M1).
    if gzip, let first = scan.firstBlock, !TarScan.isHeader(first) {
      if let kind = PackageFolder.InnerArchive(head: first) {
        scan.unread.append("\(kind.rawValue), gzip'd (no tar): \(PackageFolder.notReadThrough)")
      } else if let sealed = PackageFolder.sealedFormat(first) {
        scan.unread.append("gzip'd: \(PackageFolder.sealedWhy(sealed))")
      }
    }
    // A gzip stream that ends before its tar does: a gzip of more than one member
    // (`cat a.gz b.gz`), read by tar and gunzip whole, or a copy cut short (red-team H4).
    if gzip, scan.cutShort == nil, !scan.ended {
      scan.unread.append(
        "its gzip stream ends before its tar does (a gzip of more than one member, or cut short): \(notReadThrough)")
    }
    guard scan.manifests.isEmpty else {
      return .manifests(scan.manifests, unread: scan.unread.isEmpty ? nil : listed(scan.unread))
    }
    guard scan.unread.isEmpty else { return .notRead(listed(scan.unread)) }
    return .notAnArchive("a tar holding no linkaudit package")
  }

  /// Where a gzip member's deflate stream begins, past its header (RFC 1952), or nil.
  static func deflateStart(_ data: Data) -> Int? {
    let b = [UInt8](data.prefix(1 << 16))
    guard b.count >= 18, b[0] == 0x1F, b[1] == 0x8B, b[2] == 8 else { return nil }
    let flags = b[3]
    var i = 10
    if flags & 4 != 0 {
      guard i + 2 <= b.count else { return nil }
      i += 2 + (Int(b[i]) | Int(b[i + 1]) << 8)
    }
    for flag: UInt8 in [8, 16] where flags & flag != 0 {
      while i < b.count, b[i] != 0 { i += 1 }
      i += 1
    }
    if flags & 2 != 0 { i += 2 }
    return i < b.count ? i : nil
  }
}

/// Reads a tar stream as it comes, a chunk at a time, keeping only a
/// header, a long name, a candidate manifest or an archive inside it
/// (red-team G3): it keeps every linkaudit manifest (red-team H3) and ends
/// (by throwing `Outcome`) at the archive's end, at a header that is not one, or past
/// `PackageFolder.largestTarball` bytes (`cutShort` says so).
final class TarScan {
  enum Outcome: Error { case notFound }

  /// Every linkaudit manifest seen, in the tar and the archives inside it: each a claim (red-team H3).
  var manifests: [Data] = []
  private var seenManifests = Set<Data>()
  /// The tar's end (a zero block) or a block that is no header was reached: read to its end.
  var ended = false

  private enum Unit {
    case header
    case manifest(Int)
    case longName(Int)
    case pax(Int)
    /// An entry's first bytes, to tell an archive inside: its size, and its name.
    case probe(Int, String)
    /// An archive inside, read whole (at most `largestInnerArchive`), then in turn.
    case inner(Int, String, PackageFolder.InnerArchive)
  }

  /// Reading an archive found inside one: its own inner archives are named, not read.
  let nested: Bool
  /// Why the tar was not read to its end (a bound), once the scan stopped.
  var cutShort: String?
  /// The archives inside not read (too deep, too large), each with why.
  var unread: [String] = []
  /// The stream's first block: what a gzip'd file that is no tar holds.
  var firstBlock: Data?

  /// Shared with the archive this one lies in: bytes unpacked and entries read, all told.
  let budget: PackageFolder.UnpackBudget

  init(nested: Bool = false, budget: PackageFolder.UnpackBudget = .init()) {
    self.nested = nested
    self.budget = budget
  }

  private var unit = Unit.header
  private var pending = Data()
  private var skip = 0
  private var nextName: String?

  /// A 512-byte block is a tar header: its checksum (the sum of its bytes,
  /// the checksum field read as spaces) is the one it records.
  static func isHeader(_ block: Data) -> Bool {
    guard block.count == 512 else { return false }
    return block.withUnsafeBytes { raw -> Bool in
      let b = raw.bindMemory(to: UInt8.self)
      guard let recorded = number(ArraySlice(b[148..<156])) else { return false }
      var sum = 8 * 32
      for i in 0..<148 { sum &+= Int(b[i]) }
      for i in 156..<512 { sum &+= Int(b[i]) }
      return sum == recorded
    }
  }

  // The most entries read is `budget`'s (`PackageFolder.largestEntryCount`): a tar of
  // many small files stops there (300,000 empty entries took 156 s of a debug build before it).

  func feed(_ chunk: Data) throws {
    budget.bytes -= chunk.count
    guard budget.bytes >= 0 else {
      cutShort = "more than \(PackageFolder.largestTarball >> 20) MiB unpacked: not read past them"
      throw Outcome.notFound
    }
    var rest = chunk[...]
    while true {
      if skip > 0 {
        let n = min(skip, rest.count)
        skip -= n
        rest = rest.dropFirst(n)
      }
      guard skip == 0 else { return }
      let size = self.size(of: unit)
      let n = min(size - pending.count, rest.count)
      pending.append(rest.prefix(n))
      rest = rest.dropFirst(n)
      guard pending.count == size else { return }
      try complete()
      if rest.isEmpty, skip == 0, self.size(of: unit) > 0 { return }
    }
  }

  private func size(of unit: Unit) -> Int {
    switch unit {
    case .header: 512
    case .manifest(let n), .longName(let n), .pax(let n): n
    case .probe(let n, _): min(n, 512)
    case .inner(let n, _, _): n
    }
  }

  private static func padding(_ size: Int) -> Int { (512 - size % 512) % 512 }

  private func complete() throws {
    let data = pending
    pending = Data()
    switch unit {
    case .header:
      budget.entries -= 1
      guard budget.entries >= 0 else {
        cutShort =
          "more than \(PackageFolder.largestEntryCount.grouped) entries: not read past them"
        throw Outcome.notFound
      }
      let b = [UInt8](data)
      if firstBlock == nil { firstBlock = data }
      guard !b.allSatisfy({ $0 == 0 }), Self.isHeader(data), let size = Self.size(b[124..<136]), size >= 0 else {
        ended = true
        throw Outcome.notFound
      }
      let type = b[156]
      let long = nextName
      nextName = nil
      var name = long ?? Self.text(b[0..<100])
      if long == nil, b[257..<262].elementsEqual("ustar".utf8) {
        let prefix = Self.text(b[345..<500])
        if !prefix.isEmpty { name = prefix + "/" + name }
      }
      while name.hasPrefix("./") { name.removeFirst(2) }
      // In any case, as a case-insensitive disk reads it (red-team K6, L4).
      let isManifest = name.split(separator: "/").last.map { ReportPackage.isManifestName($0) } ?? false
      switch type {
      case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
        if isManifest, size <= 16 << 20 {
          unit = .manifest(size)
          return
        }
        if !isManifest, size >= 18 {
          unit = .probe(size, name)
          return
        }
      case UInt8(ascii: "L") where size <= 1 << 16:
        unit = .longName(size)
        return
      case UInt8(ascii: "x") where size <= 1 << 16:
        unit = .pax(size)
        return
      default: break
      }
      skip = size + Self.padding(size)
    case .manifest(let size):
      // One the tar holds again is decoded once.
      if seenManifests.insert(data).inserted, (try? Manifest.decode(data, path: "")) != nil { manifests.append(data) }
      unit = .header
      skip = Self.padding(size)
    case .probe(let size, let name):
      unit = .header
      let shown = escapingControls(name)
      guard let kind = PackageFolder.InnerArchive(head: data) else {
        // xz, bzip2, 7z…, or a program that may be a self-extracting zip: named, never passed over (red-team M1).
        if let why = PackageFolder.notUnpackedWhy(head: data, name: name) { unread.append("\(shown): \(why)") }
        skip = size - data.count + Self.padding(size)
        return
      }
      if nested {
        if kind != .zip || !PackageFolder.officeSuffixes.contains(where: { name.lowercased().hasSuffix($0) }) {
          unread.append("\(shown): \(kind.rawValue) inside an archive inside it: not looked into (one level deep)")
        }
      } else if size > PackageFolder.largestInnerArchive {
        unread.append(
          "\(shown): \(kind.rawValue) of \(size.grouped) bytes, more than the \(PackageFolder.largestInnerArchive >> 20) MiB an archive inside an archive is read to"
        )
      } else if size > data.count {
        // The rest of it follows: kept with the head already read.
        pending = data
        unit = .inner(size, name, kind)
        return
      } else {
        try readInner(data, name: shown, kind: kind)
      }
      skip = size - data.count + Self.padding(size)
    case .inner(let size, let name, let kind):
      unit = .header
      skip = Self.padding(size)
      try readInner(data, name: escapingControls(name), kind: kind)
    case .longName(let size):
      nextName = Self.text(data[...])
      unit = .header
      skip = Self.padding(size)
    case .pax(let size):
      // Records "LENGTH key=value\n"; only the path matters here.
      for record in String(decoding: data, as: UTF8.self).split(separator: "\n") {
        if let eq = record.firstIndex(of: "="), record[..<eq].hasSuffix(" path") {
          nextName = String(record[record.index(after: eq)...])
        }
      }
      unit = .header
      skip = Self.padding(size)
    }
  }

  /// An archive inside, read in turn: its manifest ends the scan; what it left unread is named.
  private func readInner(_ data: Data, name: String, kind: PackageFolder.InnerArchive) throws {
    switch kind == .zip
      ? PackageFolder.zipContent(data, nested: true, budget: budget)
      : PackageFolder.tarContent(data, nested: true, budget: budget)
    {
    case .manifests(let inner, let innerUnread):
      manifests += inner
      if let innerUnread { unread.append("\(name): \(innerUnread)") }
    case .notRead(let why): unread.append("\(name): \(why)")
    case .notAnArchive, .unread: return
    }
  }

  /// A header's text field: up to its first zero byte.
  private static func text<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
  }

  /// An octal field (spaces and zero bytes around it), or nil.
  private static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
    let digits = bytes.filter { $0 != 0 && $0 != 32 }
    guard !digits.isEmpty, digits.count <= 21, digits.allSatisfy({ (48...55).contains($0) }) else { return nil }
    return digits.reduce(0) { $0 * 8 + Int($1 - 48) }
  }

  /// The size field: octal, or GNU's base-256 (its first byte's top bit set) for big files.
  private static func size(_ bytes: ArraySlice<UInt8>) -> Int? {
    guard let first = bytes.first, first & 0x80 != 0 else { return number(bytes) }
    let tail = bytes.dropFirst().suffix(7)
    guard bytes.dropFirst().dropLast(7).allSatisfy({ $0 == 0 }), first == 0x80 else { return nil }
    return tail.reduce(0) { $0 << 8 | Int($1) }
  }
}
