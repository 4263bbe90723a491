import Foundation
import LinkAuditCore
import LinkAuditImport
import LinkAuditRollup
import LinkAuditStore
import Testing

/// The URL runs keep every URL's first event and opens through flushes and
/// merges, and the first restriction of a URL follows late files both ways.
@Suite struct URLHistoryTests {
  @Test func aBlockDecodesToWhatWasEncoded() {
    let entries: [(key: Int64, history: URLHistory)] = [
      (-5, URLHistory(firstSeen: 1_000, opens: [])), (7, URLHistory(firstSeen: -3, opens: [1, 2, 1_700_000_000_000])),
    ]
    let decoded = URLRuns.decode(.blob(URLRuns.encode(entries)))
    #expect(decoded.map(\.key) == [-5, 7])
    #expect(decoded.map(\.history) == entries.map(\.history))
  }

  @Test func runsMergeAndEveryURLKeepsItsFirstEventAndOpens() throws {
    let store = TestStore()
    let db = try store.open()
    let runs = try URLRuns(database: db)
    // Run 1: keys 1 (seen at 10, opened at 30) and 2 (opened at 5).
    try runs.add(key: 1, at: 30, opened: true)
    try runs.add(key: 2, at: 5, opened: true)
    try runs.add(key: 1, at: 10, opened: false)
    try runs.flush()
    // Run 2 is as large as run 1, so the two are merged: key 1 gains an earlier event and an open.
    try runs.add(key: 1, at: 3, opened: true)
    try runs.add(key: 3, at: 50, opened: false)
    try runs.flush()
    #expect(try db.rows("SELECT DISTINCT run FROM url_run").count == 1)
    // Run 3: one URL, under half the merged run's three: kept apart.
    try runs.add(key: 2, at: 1, opened: false)
    try runs.flush()
    #expect(try db.rows("SELECT DISTINCT run FROM url_run").count == 2)
    let found = try runs.histories(of: [1, 2, 3, 4])
    #expect(found[1].map { ($0.firstSeen, $0.opens.sorted()) } ?? (0, []) == (3, [3, 30]))
    #expect(found[2].map { ($0.firstSeen, $0.opens.sorted()) } ?? (0, []) == (1, [5]))
    #expect(found[3].map { ($0.firstSeen, $0.opens) } ?? (0, [0]) == (50, []))
    #expect(found[4] == nil)
    #expect(found[1]?.opens(before: 30) == 1)
  }

  @Test func manyURLsAcrossBlocksAreAllFound() throws {
    let store = TestStore()
    let db = try store.open()
    let runs = try URLRuns(database: db)
    // More than a block's worth, in two runs of different sizes, keys spread over the whole range.
    let keys = (0..<1_000).map { Int64(bitPattern: UInt64($0) &* 0x9E37_79B9_7F4A_7C15) }
    for (i, k) in keys.enumerated() { try runs.add(key: k, at: Int64(i), opened: i % 2 == 0) }
    try runs.flush()
    for (i, k) in keys.prefix(100).enumerated() { try runs.add(key: k, at: -Int64(i) - 1, opened: false) }
    try runs.flush()
    let found = try runs.histories(of: Set(keys))
    #expect(found.count == keys.count)
    for (i, k) in keys.enumerated() {
      #expect(found[k]?.firstSeen == (i < 100 ? -Int64(i) - 1 : Int64(i)))
      #expect(found[k]?.opens == (i % 2 == 0 ? [Int64(i)] : []))
    }
  }

  /// A link log of `rows` (after the header), loaded as one batch.
  static func load(_ store: TestStore, _ name: String, _ rows: String) throws {
    let header = "event_id,occurred_at,scene,user_id,url,action,reason,detected_by\n"
    try store.load([(.links, try store.dir.write(name, header + rows + "\n"))])
  }

  /// Times are local (Asia/Shanghai); no policy is loaded, which the time to action does not need.
  @Test func aRestrictionFindsEarlierOpensInEarlierFilesAndALateFileMovesItEarlier() throws {
    let store = TestStore()
    let u = "https://bad.example.org/x"
    try Self.load(
      store, "a.csv",
      """
      a1,2021-10-01 00:00:00,group_chat,u1,\(u),open,,
      a2,2021-10-02 00:00:00,group_chat,u2,\(u),open,,
      a3,2021-10-02 06:00:00,group_chat,u2,https://other.example.org/,open,,
      """)
    try Self.load(
      store, "b.csv",
      """
      b1,2021-10-03 00:00:00,moments,u3,\(u),block,fraud,automated
      b2,2021-10-04 00:00:00,moments,u3,\(u),open,,
      """)
    func row() throws -> [String?] {
      try store.rows(
        """
        SELECT first_seen, first_restricted, detected_by, hours_to_action, opens_before FROM url_restriction
        WHERE principle = 1
        """
      ).first?.map(\.text) ?? []
    }
    // First seen 10-01 00:00 (16:00 UTC the day before), blocked 48 h later; the two opens before it
    // were in the earlier file, the open after it does not count.
    #expect(
      try row() == ["2021-09-30T16:00:00.000Z", "2021-10-02T16:00:00.000Z", "automated", "48.0", "2"])
    #expect(try store.scalar("SELECT count(*) FROM url_restriction").integer == 1)
    // A late file: an earlier open, and a warning before the block, found by a user's report.
    try Self.load(
      store, "c.csv",
      """
      c1,2021-09-30 12:00:00,group_chat,u4,\(u),open,,
      c2,2021-10-02 12:00:00,group_chat,u4,\(u),warn_back,fraud,user_report
      """)
    // First seen 09-30 12:00, first restricted 10-02 12:00 (48 h), opens before it: c1, a1, a2.
    #expect(
      try row() == ["2021-09-30T04:00:00.000Z", "2021-10-02T04:00:00.000Z", "user_report", "48.0", "3"])
    #expect(try Rollups.differences(try store.open(.readOnly)) == [])
  }
}

extension URLHistoryTests {
  /// Restrictions written before the batch ends (here after every two) still
  /// see the events not yet in a run, and events noted after them.
  @Test func restrictionsWrittenMidBatchSeeTheEventsNotYetInARun() throws {
    let store = TestStore()
    let db = try store.open()
    let runs = try URLRuns(database: db)
    let restrictions = try URLRestrictions(database: db, timeZone: TimeZone(identifier: "Asia/Shanghai")!, limit: 2)
    let hour: Int64 = 3_600_000
    func event(_ key: Int64, _ hours: Int64, opened: Bool = false, principle: Int64? = nil) throws {
      try runs.add(key: key, at: hours * hour, opened: opened)
      try restrictions.note(
        url: key, at: hours * hour, principle: principle, detectedBy: 0, url: principle.map { _ in "u\(key)" },
        runs: runs)
    }
    try event(1, 0, opened: true)
    try event(2, 1, opened: true)
    try event(1, 5, principle: 1)
    try event(2, 3, principle: 1)  // the second restriction: both are written now, from pending events
    try event(1, -2, opened: true)  // an earlier open of URL 1 after it was written
    try event(3, 4, principle: 2)
    try runs.flush()
    try restrictions.finish(runs: runs)
    let rows = try db.rows(
      "SELECT principle, url_key, hours_to_action, opens_before FROM url_restriction ORDER BY url_key"
    ).map { $0.map(\.text) }
    #expect(rows == [["1", "1", "7.0", "2"], ["1", "2", "2.0", "1"], ["2", "3", "0.0", "0"]])
  }
}
