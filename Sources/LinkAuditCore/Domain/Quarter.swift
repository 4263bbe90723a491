import Foundation

/// A calendar quarter, `2021-Q4`: the half-open interval from its first day
/// 00:00 to the next quarter's, in the report's time zone.
public struct Quarter: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let year: Int
  /// 1…4
  public let number: Int

  public init(year: Int, number: Int) {
    precondition((1...4).contains(number), "a quarter is numbered 1 to 4")
    self.year = year
    self.number = number
  }

  /// Parses `YYYY-Qn` (a lower-case q is accepted): four ASCII digits, a
  /// year from the Unix epoch on (no link log is older; `0021`, `+021` and
  /// `２０２１` are no year a report means), `Q`, one digit 1 to 4.
  public init?(_ text: String) {
    let u = Array(text.utf8)
    func digits(_ r: Range<Int>) -> Int? {
      var n = 0
      for b in u[r] {
        guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) else { return nil }
        n = n * 10 + Int(b - UInt8(ascii: "0"))
      }
      return n
    }
    guard u.count == 7, u[4] == UInt8(ascii: "-"), u[5] == UInt8(ascii: "Q") || u[5] == UInt8(ascii: "q"),
      let year = digits(0..<4), year >= Self.earliestYear, let n = digits(6..<7), (1...4).contains(n)
    else { return nil }
    self.init(year: year, number: n)
  }

  /// The first year a quarter may name: 1970, the Unix epoch.
  public static let earliestYear = 1970

  public var description: String { "\(year)-Q\(number)" }

  public static func < (a: Quarter, b: Quarter) -> Bool { (a.year, a.number) < (b.year, b.number) }

  public var previous: Quarter {
    number == 1 ? Quarter(year: year - 1, number: 4) : Quarter(year: year, number: number - 1)
  }
  public var next: Quarter {
    number == 4 ? Quarter(year: year + 1, number: 1) : Quarter(year: year, number: number + 1)
  }

  public var firstMonth: Int { (number - 1) * 3 + 1 }

  /// The quarter holding `t` in `timeZone`.
  public init(containing t: Timestamp, in timeZone: TimeZone) {
    let date = TimestampParser(timeZone: timeZone).localDate(of: t)
    self.init(year: date.year, number: (date.month - 1) / 3 + 1)
  }

  /// Start (inclusive) and end (exclusive) as instants.
  public func bounds(in timeZone: TimeZone) -> (start: Timestamp, end: Timestamp) {
    let parser = TimestampParser(timeZone: timeZone)
    let next = self.next
    return (
      parser.startOfDay(year: year, month: firstMonth, day: 1),
      parser.startOfDay(year: next.year, month: next.firstMonth, day: 1)
    )
  }

  /// The first day of each of its months, as instants, plus the end: the month buckets of charts.
  public func monthStarts(in timeZone: TimeZone) -> [Timestamp] {
    let parser = TimestampParser(timeZone: timeZone)
    var starts = (0..<3).map { parser.startOfDay(year: year, month: firstMonth + $0, day: 1) }
    starts.append(bounds(in: timeZone).end)
    return starts
  }
}
