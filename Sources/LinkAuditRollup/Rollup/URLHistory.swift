import Foundation
import LinkAuditCore
import LinkAuditStore

/// The key a URL's history is kept under: FNV-1a (64 bits) of its normalised
/// form. Two URLs of one database share a key with a chance of about n²/2⁶⁵
/// (one in 370,000 at ten million distinct URLs); they would share a first
/// event and opens, nothing else.
package enum URLKey {
  package static func of(_ url: String) -> Int64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in url.utf8 {
      h ^= UInt64(b)
      h = h &* 0x0000_0100_0000_01b3
    }
    return Int64(bitPattern: h)
  }
}

/// What the time to action needs of one URL's events: the first of them,
/// and the times it was opened.
package struct URLHistory: Equatable, Sendable {
  package var firstSeen: Int64
  package var opens: [Int64]

  package init(firstSeen: Int64, opens: [Int64]) {
    self.firstSeen = firstSeen
    self.opens = opens
  }

  /// Opens strictly before `ms`.
  package func opens(before ms: Int64) -> Int64 { Int64(opens.lazy.filter { $0 < ms }.count) }

  mutating func absorb(_ other: URLHistory) {
    firstSeen = min(firstSeen, other.firstSeen)
    opens += other.opens
  }
}

/// Every URL's history, kept as sorted runs (`url_run`): an import sorts its
/// own URLs and appends them as a new run, and runs of similar size are
/// merged, so the table is written in key order and never updated in place.
/// A table keyed by URL and updated per event costs a random B-tree write
/// per distinct URL: 6.9 µs each at ten million URLs, more than the whole
/// import (docs/benchmarks.md). A lookup reads one block per run.
package final class URLRuns {
  /// Events held before they are written as a run (16 MB, reserved at once).
  package static let eventLimit = 1 << 20
  /// URLs per block: a lookup decodes one block.
  package static let blockSize = 64

  private let db: Database
  private let schema: String
  /// (key, time << 1 | opened), sorted into a run when written.
  private var pending: [(key: Int64, at: Int64)] = []
  private let insertBlock: Statement
  private let findBlock: Statement

  package init(database db: Database, schema: String = "main") throws {
    self.db = db
    self.schema = schema
    insertBlock = try db.prepare(
      "INSERT INTO \(schema).url_run (run, last_key, urls, entries) VALUES (?, ?, ?, ?)")
    findBlock = try db.prepare(
      "SELECT last_key, entries FROM \(schema).url_run WHERE run = ?1 AND last_key >= ?2 ORDER BY last_key LIMIT 1")
  }

  package func add(key: Int64, at ms: Int64, opened: Bool) throws {
    // Its whole size at once: growing by doubling would hold two copies at a time.
    if pending.capacity == 0 { pending.reserveCapacity(Self.eventLimit) }
    pending.append((key, ms << 1 | (opened ? 1 : 0)))
    if pending.count >= Self.eventLimit { try flush() }
  }

  /// Writes the events held as a run, then merges runs of similar size.
  package func flush() throws {
    guard !pending.isEmpty else { return }
    // By key only: a URL's first event is the least of its times, and its opens are a set.
    pending.sort { $0.key < $1.key }
    let run = try nextRun()
    var writer = BlockWriter(run: run, insert: insertBlock)
    var i = 0
    while i < pending.count {
      let key = pending[i].key
      var history = URLHistory(firstSeen: .max, opens: [])
      while i < pending.count && pending[i].key == key {
        let at = pending[i].at >> 1
        history.firstSeen = min(history.firstSeen, at)
        if pending[i].at & 1 == 1 { history.opens.append(at) }
        i += 1
      }
      try writer.append(key, history)
    }
    try writer.finish()
    pending.removeAll(keepingCapacity: false)
    try compact()
  }

  /// The histories of `keys` over every run and the events not yet written
  /// (keys absent from all are absent).
  package func histories(of keys: Set<Int64>) throws -> [Int64: URLHistory] {
    let sorted = keys.sorted()
    var found: [Int64: URLHistory] = [:]
    for (key, at) in pending where keys.contains(key) {
      let h = URLHistory(firstSeen: at >> 1, opens: at & 1 == 1 ? [at >> 1] : [])
      if found[key] == nil { found[key] = h } else { found[key]!.absorb(h) }
    }
    for run in try runs().map(\.run) {
      var block: (last: Int64, entries: [(key: Int64, history: URLHistory)])?
      for key in sorted {
        if block == nil || key > block!.last {
          try findBlock.bind([.integer(run), .integer(key)])
          defer { findBlock.reset() }
          guard try findBlock.step() else { break }
          block = (findBlock.int64(at: 0), Self.decode(findBlock.value(at: 1)))
        }
        guard let entries = block?.entries, let h = Self.find(key, in: entries) else { continue }
        if found[key] == nil { found[key] = h } else { found[key]!.absorb(h) }
      }
    }
    return found
  }

  /// The runs, oldest first, with how many URLs each holds.
  private func runs() throws -> [(run: Int64, urls: Int64)] {
    try db.rows("SELECT run, sum(urls) FROM \(schema).url_run GROUP BY run ORDER BY run").map {
      ($0[0].integer ?? 0, $0[1].integer ?? 0)
    }
  }

  private func nextRun() throws -> Int64 {
    (try db.scalar("SELECT max(run) FROM \(schema).url_run").integer ?? 0) + 1
  }

  /// While the newest run is at least half the size of the one before, the
  /// two become one: run sizes fall geometrically, so there are few runs
  /// and each URL is rewritten a few times over the database's life.
  private func compact() throws {
    var all = try runs()
    while all.count >= 2, all[all.count - 1].urls * 2 >= all[all.count - 2].urls {
      let (older, newer) = (all[all.count - 2], all[all.count - 1])
      let merged = try nextRun()
      let urls = try merge(older.run, newer.run, into: merged)
      try db.prepare("DELETE FROM \(schema).url_run WHERE run IN (?, ?)").run([
        .integer(older.run), .integer(newer.run),
      ])
      all.removeLast(2)
      all.append((merged, urls))
    }
  }

  /// Streams two runs into a third, in key order, one block of each in
  /// memory; returns how many URLs the third holds.
  private func merge(_ a: Int64, _ b: Int64, into run: Int64) throws -> Int64 {
    var left = try RunReader(database: db, schema: schema, run: a)
    var right = try RunReader(database: db, schema: schema, run: b)
    var writer = BlockWriter(run: run, insert: insertBlock)
    var x = try left.next()
    var y = try right.next()
    while x != nil || y != nil {
      if let l = x, y == nil || l.key < y!.key {
        try writer.append(l.key, l.history)
        x = try left.next()
      } else if let r = y, x == nil || r.key < x!.key {
        try writer.append(r.key, r.history)
        y = try right.next()
      } else {
        var h = x!.history
        h.absorb(y!.history)
        try writer.append(x!.key, h)
        (x, y) = (try left.next(), try right.next())
      }
    }
    try writer.finish()
    return writer.written
  }

  private static func find(_ key: Int64, in entries: [(key: Int64, history: URLHistory)]) -> URLHistory? {
    var (low, high) = (0, entries.count)
    while low < high {
      let mid = (low + high) / 2
      if entries[mid].key < key { low = mid + 1 } else { high = mid }
    }
    return low < entries.count && entries[low].key == key ? entries[low].history : nil
  }

  /// A block: per URL its key, first event and number of opens (8, 8 and 4
  /// bytes, little-endian), then the opens' times (8 bytes each).
  package static func encode(_ entries: [(key: Int64, history: URLHistory)]) -> [UInt8] {
    let size = entries.reduce(0) { $0 + 20 + 8 * $1.history.opens.count }
    return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
      let raw = UnsafeMutableRawBufferPointer(buffer)
      var at = 0
      func put<T: FixedWidthInteger>(_ v: T) {
        raw.storeBytes(of: v.littleEndian, toByteOffset: at, as: T.self)
        at += MemoryLayout<T>.size
      }
      for (key, h) in entries {
        put(key)
        put(h.firstSeen)
        put(UInt32(h.opens.count))
        for o in h.opens { put(o) }
      }
      count = at
    }
  }

  package static func decode(_ value: SQLValue) -> [(key: Int64, history: URLHistory)] {
    guard case .blob(let bytes) = value else { return [] }
    var entries: [(key: Int64, history: URLHistory)] = []
    bytes.withUnsafeBytes { raw in
      var at = 0
      func get<T: FixedWidthInteger>(_: T.Type) -> T {
        defer { at += MemoryLayout<T>.size }
        return T(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: T.self))
      }
      while at + 20 <= raw.count {
        let key = get(Int64.self)
        let first = get(Int64.self)
        let n = Int(get(UInt32.self))
        guard at + 8 * n <= raw.count else { break }
        var opens: [Int64] = []
        opens.reserveCapacity(n)
        for _ in 0..<n { opens.append(get(Int64.self)) }
        entries.append((key, URLHistory(firstSeen: first, opens: opens)))
      }
    }
    return entries
  }

  /// Writes a run's URLs, in key order, as blocks of `blockSize`.
  private struct BlockWriter {
    let run: Int64
    let insert: Statement
    var entries: [(key: Int64, history: URLHistory)] = []
    /// URLs written so far.
    var written: Int64 = 0

    init(run: Int64, insert: Statement) {
      self.run = run
      self.insert = insert
    }

    mutating func append(_ key: Int64, _ history: URLHistory) throws {
      entries.append((key, history))
      if entries.count == URLRuns.blockSize { try finish() }
    }

    mutating func finish() throws {
      guard let last = entries.last else { return }
      try insert.run([
        .integer(run), .integer(last.key), .integer(Int64(entries.count)), .blob(URLRuns.encode(entries)),
      ])
      written += Int64(entries.count)
      entries.removeAll(keepingCapacity: true)
    }
  }

  /// Reads a run's URLs in key order, a block at a time.
  private struct RunReader {
    let select: Statement
    var block: [(key: Int64, history: URLHistory)] = []
    var position = 0

    init(database db: Database, schema: String, run: Int64) throws {
      select = try db.prepare("SELECT entries FROM \(schema).url_run WHERE run = ? ORDER BY last_key")
      try select.bind([.integer(run)])
    }

    mutating func next() throws -> (key: Int64, history: URLHistory)? {
      while position == block.count {
        guard try select.step() else {
          select.reset()
          return nil
        }
        block = URLRuns.decode(select.value(at: 0))
        position = 0
      }
      defer { position += 1 }
      return block[position]
    }
  }
}

/// Each URL's first restriction for a category of each principle, with its
/// time to action (`url_restriction`): its first event, the detection of that
/// first restriction and the opens before it. A batch's restrictions and the
/// already restricted URLs it brought events of are recomputed when it ends,
/// from the URL's history over every run.
package final class URLRestrictions {
  private struct Key: Hashable {
    var principle: Int64
    var url: Int64
  }
  private struct First {
    var at: Int64
    var detectedBy: UInt8
    var url: String

    /// The earlier wins; at the same millisecond the later detector code
    /// (not `automated`), so a tie never raises the proactive rate.
    func isBefore(_ other: First) -> Bool {
      at != other.at ? at < other.at : detectedBy > other.detectedBy
    }
  }

  /// Restrictions held before they are written (with their URLs, a few MB).
  package static let defaultLimit = 16_384
  private let limit: Int

  private var batch: [Key: First] = [:]
  /// URLs restricted before this batch, and those of them this batch brought events of.
  private var known: Set<Int64>
  private var touched: Set<Int64> = []
  private let existing: Statement
  private let upsert: Statement
  private var locator: MonthLocator

  /// `timeZone` is the zone quarters are cut in (the rollups').
  package init(
    database db: Database, timeZone: TimeZone, schema: String = "main", limit: Int = defaultLimit
  ) throws {
    self.limit = limit
    locator = MonthLocator(timeZone: timeZone)
    known = Set(try db.rows("SELECT DISTINCT url_key FROM \(schema).url_restriction").compactMap { $0[0].integer })
    // By the primary key, a seek per principle (url_key alone would scan the table per URL).
    existing = try db.prepare(
      """
      SELECT principle, url_normalised, first_restricted, detected_by FROM \(schema).url_restriction
      WHERE principle IN (1, 2, 3, 4) AND url_key = ?
      """)
    upsert = try db.prepare(
      """
      INSERT OR REPLACE INTO \(schema).url_restriction (principle, url_key, url_normalised, first_seen,
        first_restricted, quarter_start, detected_by, hours_to_action, opens_before)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      """)
  }

  /// An event of `url` (its key): a restriction when `principle` is given.
  package func note(
    url key: Int64, at ms: Int64, principle: Int64?, detectedBy: UInt8, url: String?, runs: URLRuns
  ) throws {
    if known.contains(key) { touched.insert(key) }
    guard let principle, let url else { return }
    let first = First(at: ms, detectedBy: detectedBy, url: url)
    let k = Key(principle: principle, url: key)
    if let held = batch[k], !first.isBefore(held) { return }
    batch[k] = first
    if batch.count >= limit { try finish(runs: runs) }
  }

  /// Recomputes the URLs this batch restricted or brought events of, from
  /// their histories (`runs` must have been given every event noted).
  package func finish(runs: URLRuns) throws {
    let keys = touched.union(batch.keys.map(\.url))
    guard !keys.isEmpty else { return }
    var firsts = batch
    // Only a URL restricted before this batch has stored restrictions: a
    // lookup for each of the others found nothing (a fifth of this method's
    // time on the quarter shape, where most restricted URLs are new).
    for key in keys where known.contains(key) {
      try existing.bind([.integer(key)])
      defer { existing.reset() }
      while try existing.step() {
        let k = Key(principle: existing.int64(at: 0), url: key)
        let at = try TimestampParser.stored(existing.text(at: 2), at: "url_restriction.first_restricted").milliseconds
        guard let code = existing.text(at: 3), let detector = DetectedBy(rawValue: code) else {
          throw CorruptValueError(place: "url_restriction.detected_by", value: existing.text(at: 3))
        }
        let stored = First(at: at, detectedBy: RollupCodes.code(detector), url: existing.text(at: 1) ?? "")
        if let held = firsts[k], held.isBefore(stored) { continue }
        firsts[k] = stored
      }
    }
    let histories = try runs.histories(of: keys)
    for (k, first) in firsts.sorted(by: { ($0.key.principle, $0.key.url) < ($1.key.principle, $1.key.url) }) {
      let history = histories[k.url] ?? URLHistory(firstSeen: first.at, opens: [])
      let seen = min(history.firstSeen, first.at)
      try upsert.run([
        .integer(k.principle), .integer(k.url), .text(first.url), .text(Timestamp(milliseconds: seen).iso),
        .text(Timestamp(milliseconds: first.at).iso),
        .text(Timestamp(milliseconds: locator.locate(first.at).quarter).iso),
        .text(RollupCodes.detectors[Int(first.detectedBy)]),
        .real(Double(first.at - seen) / 3_600_000), .integer(history.opens(before: first.at)),
      ])
    }
    known.formUnion(batch.keys.map(\.url))
    batch.removeAll()
    touched.removeAll()
  }
}
