import Foundation
import LinkAudit
import LinkAuditStore
import Testing

@Suite struct MarkdownWriterTests {
  /// `n` decisions c0001… in register order; decision i had (i * 7) % 10 opens, i % 3 went on through a
  /// warning (so (i * 7) % 10 + i % 3 reached the page) and 5 blocks.
  static func register(_ n: Int) throws -> [ReportData.DecisionRow] {
    let store = TestStore()
    let db = try store.open()
    return try db.records(
      """
      WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < \(n))
      SELECT printf('c%04d', k) AS complaint_id, 1 AS principle, 'fraud' AS category, 'block_url' AS scope,
        'https://x.example/' || k AS target, '2021-10-01T00:00:00.000Z' AS received_at,
        '2021-10-02T00:00:00.000Z' AS resolved_at, '2021-10-02T01:00:00.000Z' AS stands_from,
        NULL AS stands_until, 'block' AS prescribed, (k * 7) % 10 AS opened, k % 3 AS proceeded, 0 AS went_back,
        5 AS blocked
      FROM i
      """, source: "test register"
    ).map(ReportData.DecisionRow.init)
  }

  @Test func aShortRegisterIsListedWhole() throws {
    let all = try Self.register(MarkdownWriter.decisionLimit)
    #expect(MarkdownWriter.decisionsShown(all).map(\.complaintID) == all.map(\.complaintID))
  }

  @Test func aLongRegisterListsThoseThatStoppedLeastInRegisterOrder() throws {
    let all = try Self.register(300)
    let shown = MarkdownWriter.decisionsShown(all)
    #expect(shown.count == MarkdownWriter.decisionLimit)
    // In register order, as the full register is.
    #expect(shown.map(\.complaintID) == shown.map(\.complaintID).sorted())
    // Reached (opens 9..0, each 30 decisions, plus 0-2 proceeded) ranks them; the 200 kept are
    // those with the most reached, then the most taps (the same order here), earlier first among equals.
    let ranked = all.indices.sorted { (all[$1].reached, all[$1].taps, $0) < (all[$0].reached, all[$0].taps, $1) }
    #expect(
      Set(shown.map(\.complaintID)) == Set(ranked.prefix(MarkdownWriter.decisionLimit).map { all[$0].complaintID }))
    #expect(shown.allSatisfy { $0.reached >= shown.map(\.reached).min()! })
    #expect(
      all.filter { $0.reached > shown.map(\.reached).min()! }.allSatisfy { d in
        shown.contains { $0.complaintID == d.complaintID }
      })
  }
}
