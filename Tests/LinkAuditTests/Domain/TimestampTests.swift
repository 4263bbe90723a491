import Foundation
import LinkAuditCore
import Testing

@Suite struct TimestampTests {
  let shanghai = TimestampParser(timeZone: TimeZone(identifier: "Asia/Shanghai")!)
  // 2021-09-17T00:15:02Z
  let instant: Int64 = 1_631_837_702_000

  @Test(arguments: [
    "2021-09-17T08:15:02+08:00", "2021-09-17T00:15:02Z", "2021-09-17T00:15:02z", "2021-09-17 08:15:02",
    "2021-09-17T08:15:02", "1631837702", "1631837702000", "2021-09-17T02:15:02+0200", "2021-09-16T22:15:02-02",
    " 2021-09-17 08:15:02 ",
  ])
  func everyContractFormGivesTheSameInstant(_ text: String) {
    #expect(shanghai.parse(text)?.milliseconds == instant)
  }

  @Test func fractionsKeepMilliseconds() {
    #expect(shanghai.parse("2021-09-17T00:15:02.5Z")?.milliseconds == instant + 500)
    #expect(shanghai.parse("2021-09-17T00:15:02.123456Z")?.milliseconds == instant + 123)
    #expect(shanghai.parse("1631837702123")?.milliseconds == instant + 123)
  }

  @Test(arguments: [
    "", "2021-13-01 00:00:00", "2021-02-29 00:00:00", "2021-09-17 24:00:00", "2021-09-17", "163183770",
    "16318377020", "2021/09/17 08:15:02", "2021-09-17T08:15:02+8", "2021-09-17T08:15:02.Z", "yesterday",
  ])
  func rejects(_ text: String) {
    #expect(shanghai.parse(text) == nil)
  }

  @Test func leapDayIsAccepted() {
    #expect(shanghai.parse("2020-02-29 12:00:00") != nil)
  }

  @Test func storedFormIsFixedWidthUTC() {
    #expect(Timestamp(milliseconds: instant).iso == "2021-09-17T00:15:02.000Z")
    #expect(Timestamp(milliseconds: 0).iso == "1970-01-01T00:00:00.000Z")
    #expect(Timestamp(milliseconds: -1).iso == "1969-12-31T23:59:59.999Z")
  }

  @Test func localTimeFollowsTheConfiguredZoneIncludingDaylightSaving() {
    let berlin = TimestampParser(timeZone: TimeZone(identifier: "Europe/Berlin")!)
    #expect(berlin.parse("2021-07-01 12:00:00")?.iso == "2021-07-01T10:00:00.000Z")  // CEST, UTC+2
    #expect(berlin.parse("2021-12-01 12:00:00")?.iso == "2021-12-01T11:00:00.000Z")  // CET, UTC+1
    let utc = TimestampParser(timeZone: TimeZone(identifier: "UTC")!)
    #expect(utc.parse("2021-09-17 00:15:02")?.milliseconds == instant)
  }

  @Test func localDateAndStartOfDay() {
    let t = shanghai.parse("2021-09-30T23:30:00+08:00")!
    #expect(shanghai.localDate(of: t) == (2021, 9, 30))
    #expect(shanghai.startOfDay(year: 2021, month: 10, day: 1).iso == "2021-09-30T16:00:00.000Z")
  }
}

@Suite struct ParentPathTests {
  @Test(arguments: [
    ("r", ""), ("rr", ""), ("a/r", "a"), ("/r", "/"), ("/", "/"), ("a/b/", "a"), ("a//b", "a"), ("/x/y.db", "/x"),
  ])
  func theFolderPartOfAPath(path: String, parent: String) {
    #expect(parentPath(path) == parent)
  }
}
