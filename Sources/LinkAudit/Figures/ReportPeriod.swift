import Foundation
import LinkAuditCore
import LinkAuditStore

/// The quarter a report is about, in the report's time zone: its UTC bounds
/// as stored, its months, the quarter before it, and the `:start`/`:end`
/// every figure's SQL reads. One value in place of quarter-and-zone pairs, so
/// no figure can pair a quarter with another zone's bounds.
public struct ReportPeriod: Sendable, Hashable {
  public let quarter: Quarter
  public let timeZone: TimeZone
  /// The first instant of the quarter and the first after it, UTC.
  public let start: Timestamp
  public let end: Timestamp

  public init(_ quarter: Quarter, in timeZone: TimeZone) {
    self.quarter = quarter
    self.timeZone = timeZone
    (start, end) = quarter.bounds(in: timeZone)
  }

  /// The quarter before, in the same zone.
  public var previous: ReportPeriod { ReportPeriod(quarter.previous, in: timeZone) }

  /// The quarter `n` quarters before this one (0: this one).
  public func back(_ n: Int) -> ReportPeriod {
    (0..<n).reduce(self) { p, _ in p.previous }
  }

  /// The starts of the quarter's three months, then its end.
  public var monthStarts: [Timestamp] { quarter.monthStarts(in: timeZone) }

  /// Holds `t` (UTC text as stored): `start <= t < end`.
  public func contains(iso t: String) -> Bool { t >= start.iso && t < end.iso }

  /// The bound values of `:start` and `:end`, as stored (UTC text).
  public var parameters: [String: SQLValue] { [":start": .text(start.iso), ":end": .text(end.iso)] }
}
