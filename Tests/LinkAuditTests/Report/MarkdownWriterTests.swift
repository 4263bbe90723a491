import Foundation
import LinkAudit
import LinkAuditStore
import Testing

@Suite struct MarkdownWriterTests {
  /// `n` decisions c0001… in register order; decision i had (i * 7) % 10 opens and i % 3 warned.
  static func register(_ n: Int) throws -> [ReportData.DecisionRow] {
    let store = TestStore()
    let db = try store.open()
    return try db.records(
      """
      WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < \(n))
      SELECT printf('c%04d', k) AS complaint_id, 1 AS principle, 'fraud' AS category, 'block_url' AS scope,
        'https://x.example/' || k AS target, '2021-10-01T00:00:00.000Z' AS received_at,
        '2021-10-02T00:00:00.000Z' AS resolved_at, '2021-10-02T01:00:00.000Z' AS stands_from,
        NULL AS stands_until, (k * 7) % 10 AS opens_in_quarter, k % 3 AS warned_in_quarter
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
    // Opens 9..0 come 30 decisions each: 9 to 4 fill 180 places; of the 30 with 3 opens, the 20
    // with the most warned (2, then 1; earlier first among equals) take the rest.
    let byOpens = Dictionary(grouping: shown, by: \.opens).mapValues(\.count)
    #expect(byOpens == [9: 30, 8: 30, 7: 30, 6: 30, 5: 30, 4: 30, 3: 20])
    let threes = all.filter { $0.opens == 3 }
    let keptThrees = Set(shown.filter { $0.opens == 3 }.map(\.complaintID))
    let expected = threes.filter { $0.warned == 2 } + threes.filter { $0.warned == 1 }
    #expect(keptThrees == Set(expected.prefix(20).map(\.complaintID)))
  }
}
