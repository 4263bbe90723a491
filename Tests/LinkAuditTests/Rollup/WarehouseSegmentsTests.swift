import Foundation
import LinkAuditCore
import LinkAuditImport
import LinkAuditRollup
import LinkAuditStore
import Testing

@Suite struct WarehouseSegmentsTests {
  let store = TestStore()

  /// 2022-Q1 in Asia/Shanghai is 90 days; a policy in force from
  /// 2022-02-10 12:00 (04:00Z) cuts that day in two: 91 stretches, each
  /// with its day's start and the version in force.
  @Test func aQuarterIsCutAtEveryLocalMidnightAndEveryPolicyStart() throws {
    try store.load([(.policies, fixture("policy-baseline.md"))])
    let late = try store.dir.write(
      "late.md",
      try String(contentsOfFile: fixture("policy-phase1.md"), encoding: .utf8)
        .replacingOccurrences(of: "2021-09-17T00:00:00+08:00", with: "2022-02-10T12:00:00+08:00"))
    try store.load([(.policies, late)])
    let db = try store.open(.readOnly)
    defer { db.close() }
    let zone = TimeZone(identifier: "Asia/Shanghai")!
    let (start, end) = Quarter(year: 2022, number: 1).bounds(in: zone)
    let rows = WarehouseSegments.rows(
      from: start.milliseconds, to: end.milliseconds, zone: zone, policies: try PolicyTimeline(database: db))
    #expect(rows.count == 91)
    func iso(_ ms: String) -> String { Timestamp(milliseconds: Int64(ms)!).iso }
    #expect(
      rows.first == [
        String(start.milliseconds), String(start.milliseconds + 86_400_000), String(start.milliseconds),
        String(start.milliseconds), "2021.01-baseline",
      ])
    let cut = try #require(rows.firstIndex { iso($0[1]) == "2022-02-10T04:00:00.000Z" })
    #expect(iso(rows[cut][0]) == "2022-02-09T16:00:00.000Z")
    #expect(rows[cut][4] == "2021.01-baseline")
    #expect(iso(rows[cut][3]) == "2022-01-31T16:00:00.000Z")  // February's start
    #expect(iso(rows[cut + 1][0]) == "2022-02-10T04:00:00.000Z")
    #expect(iso(rows[cut + 1][1]) == "2022-02-10T16:00:00.000Z")
    #expect(iso(rows[cut + 1][2]) == "2022-02-09T16:00:00.000Z")
    #expect(rows[cut + 1][4] == "2021.09-phase1")
    #expect(iso(rows.last![1]) == "2022-03-31T16:00:00.000Z")
    // Contiguous: each stretch starts where the one before ends.
    #expect(zip(rows, rows.dropFirst()).allSatisfy { $0[1] == $1[0] })
    // The hash a bundle carries changes with the policies in force.
    let before = try WarehouseSegments.sha256(database: db, quarter: Quarter(year: 2022, number: 1))
    #expect(before != (try WarehouseSegments.sha256(database: db, quarter: Quarter(year: 2021, number: 4))))
  }

  /// Where a zone changes its clocks, days are 23 or 25 hours long.
  @Test func daysFollowTheZonesClockChanges() throws {
    let db = try store.open()
    defer { db.close() }
    let zone = TimeZone(identifier: "America/New_York")!
    let (start, end) = Quarter(year: 2021, number: 1).bounds(in: zone)
    let rows = WarehouseSegments.rows(
      from: start.milliseconds, to: end.milliseconds, zone: zone, policies: try PolicyTimeline(database: db))
    #expect(rows.count == 90)
    let lengths = rows.map { (Int64($0[1])! - Int64($0[0])!) / 3_600_000 }
    #expect(lengths.filter { $0 == 23 }.count == 1)  // 2021-03-14
    #expect(lengths.filter { $0 == 24 }.count == 89)
    #expect(rows.allSatisfy { $0[4] == "" })
    #expect(Set(rows.map { $0[3] }).count == 3)
  }
}
