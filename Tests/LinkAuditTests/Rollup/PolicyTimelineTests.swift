import Foundation
import LinkAuditCore
import LinkAuditImport
import LinkAuditRollup
import LinkAuditStore
import Testing

/// One rule for "the policy in force at t": the timeline the import and the
/// reassignment use, and the `policy_period` view the metric SQL reads.
@Suite struct PolicyTimelineTests {
  @Test func theTimelineAndThePolicyPeriodViewDrawTheSamePeriods() throws {
    let store = try MetricCatalogueTests.loaded()
    let db = try store.open(.readOnly)
    let timeline = try PolicyTimeline(database: db)
    #expect(timeline.names == ["2021.01-baseline", "2021.09-phase1"])
    let view = try db.rows("SELECT version, effective_from, effective_until FROM policy_period ORDER BY effective_from")
    #expect(view.count == timeline.names.count)
    for row in view {
      let period = try #require(timeline.period(of: row[0].text ?? ""))
      #expect(period.from == row[1].text)
      #expect(period.until == row[2].text)
    }
    #expect(timeline.period(of: "2021.09-phase1")?.until == PolicyTimeline.endOfTime)
  }

  @Test func anInstantBelongsToTheVersionWhoseStartItHasReached() throws {
    let store = try MetricCatalogueTests.loaded()
    let timeline = try PolicyTimeline(database: try store.open(.readOnly))
    let phase1 = try #require(TimestampParser.utc.parse("2021-09-16T16:00:00.000Z"))
    #expect(timeline.index(at: Timestamp(milliseconds: phase1.milliseconds - 1)) == 0)
    #expect(timeline.index(at: phase1) == 1)
    #expect(timeline.index(at: Timestamp(milliseconds: 0)) == nil)
  }

  @Test func everyStoredEventCarriesTheVersionTheTimelineGivesItsTime() throws {
    // Policies imported after the events: each event is reassigned by the timeline's periods.
    let store = TestStore()
    try store.load([
      (.links, try store.dir.write("links.csv", MetricCatalogueTests.links)),
      (.policies, fixture("policy-phase1.md")), (.policies, fixture("policy-baseline.md")),
    ])
    let db = try store.open(.readOnly)
    let timeline = try PolicyTimeline(database: db)
    for row in try db.rows("SELECT occurred_at, policy_version FROM link_event") {
      let t = try TimestampParser.stored(row[0].text, at: "link_event.occurred_at")
      #expect(row[1].text == timeline.index(at: t).map { timeline.names[$0] }, "\(row[0])")
    }
  }

  @Test func aStoredVersionTheTimelineLacksIsCorruption() throws {
    let store = try MetricCatalogueTests.loaded()
    let timeline = try PolicyTimeline(database: try store.open(.readOnly))
    #expect(throws: CorruptValueError(place: "link_event.policy_version", value: "v9")) {
      try timeline.index(named: "v9", at: "link_event.policy_version")
    }
    #expect(try timeline.index(named: nil, at: "link_event.policy_version") == nil)
  }
}
