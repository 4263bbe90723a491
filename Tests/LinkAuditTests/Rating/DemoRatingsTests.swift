import Foundation
import LinkAudit
import LinkAuditCore
import LinkAuditDemo
import LinkAuditImport
import LinkAuditStore
import Testing

/// The shipped rating model on the demo's three quarters: the deterioration
/// the demo injects (Bilibili's b23.tv from 2021-Q4 on) is caught within two
/// quarters, and no platform moves two grades on one complaint.
@Suite struct DemoRatingsTests {
  static let quarters = ["2021-Q3", "2021-Q4", "2022-Q1"].map { Quarter($0)! }

  @Test func theInjectedDeteriorationIsCaughtAndNoComplaintMovesTwoGrades() throws {
    let store = TestStore()
    let inbox = store.dir.file("inbox")
    _ = try DemoGenerator(events: 120_000, seed: 2021).write(to: inbox)
    let db = try store.open()
    _ = try store.importer(db).importInbox(inbox)
    let model = try RatingModel.load(path: PlatformRatingsTests.templates + "/rating-model.yaml")
    let zone = TimeZone(identifier: "Asia/Shanghai")!
    var bilibili: [Int] = []
    for q in Self.quarters {
      let r = try QuarterRatings(database: db, quarter: q, timeZone: zone, model: model)
      let rated = r.ratings.filter(\.isRated)
      #expect(rated.count >= 10, "\(q): \(rated.count) rated")
      for p in rated {
        let now = model.gradeRank(p.counts, pooled: r.pooled)
        for delta: Int64 in p.counts.violations > 0 ? [1, -1] : [1] {
          #expect(
            abs(model.gradeRank(p.counts, pooled: r.pooled, complaints: delta) - now) <= 1,
            "\(q) \(p.platformID): \(delta) complaint moves two grades")
        }
      }
      let b = try #require(r.ratings.first { $0.platformID == "bilibili" })
      #expect(b.isRated)
      bilibili.append(model.grades.firstIndex { $0.grade == b.grade }!)
    }
    // Before (2021-Q3) it is graded at least one grade better than two quarters into the deterioration.
    #expect(bilibili[2] > bilibili[0], "Bilibili's grades by quarter: \(bilibili)")
    // What it rests on: its restriction rate, several times what it was, and the evidence adds up to it.
    let first = try QuarterRatings(database: db, quarter: Self.quarters[0], timeZone: zone, model: model)
    let last = try QuarterRatings(database: db, quarter: Self.quarters[2], timeZone: zone, model: model)
    let before = try #require(first.ratings.first { $0.platformID == "bilibili" })
    let after = try #require(last.ratings.first { $0.platformID == "bilibili" })
    #expect(
      after.restrictionRate! > 3 * before.restrictionRate!, "\(before.restrictionRate!) → \(after.restrictionRate!)")
    #expect(last.evidence.restrictions(of: "bilibili").map(\.events).reduce(0, +) == after.counts.restrictions)
  }
}
