import Foundation
import LinkAuditCore
import LinkAuditStore

/// Where an instant falls in a time zone: the start of its local month and
/// of its quarter, as UTC milliseconds. Logs come in time order, so one cached
/// month answers almost every event; the months met before are kept too, for
/// times out of order (a batch's first restrictions, sorted by URL), where
/// every miss asked the zone's rules again (ICU: 2% of an import's storing thread).
package struct MonthLocator {
  package let parser: TimestampParser
  private var low: Int64 = 1
  private var high: Int64 = 0
  private var month: Int64 = 0
  private var quarter: Int64 = 0
  /// The months located so far (start, next month's start, quarter start), the newest last.
  private var months: [(low: Int64, high: Int64, quarter: Int64)] = []
  /// Months kept: a log's few years, a few KB.
  private static let monthsKept = 64
  private var dayLow: Int64 = 1
  private var dayHigh: Int64 = 0

  package init(timeZone: TimeZone) { parser = TimestampParser(timeZone: timeZone) }

  package mutating func locate(_ ms: Int64) -> (month: Int64, quarter: Int64) {
    if ms >= low && ms < high { return (month, quarter) }
    if let m = months.last(where: { ms >= $0.low && ms < $0.high }) {
      (low, high, month, quarter) = (m.low, m.high, m.low, m.quarter)
      return (month, quarter)
    }
    let (y, m, _) = parser.localDate(of: Timestamp(milliseconds: ms))
    month = parser.startOfDay(year: y, month: m, day: 1).milliseconds
    let next =
      m == 12 ? parser.startOfDay(year: y + 1, month: 1, day: 1) : parser.startOfDay(year: y, month: m + 1, day: 1)
    quarter = Quarter(year: y, number: (m - 1) / 3 + 1).bounds(in: parser.timeZone).start.milliseconds
    // A month whose first midnight a clock change skipped is not cached.
    (low, high) = month <= ms ? (month, next.milliseconds) : (1, 0)
    if low <= high {
      if months.count == Self.monthsKept { months.removeFirst() }
      months.append((low, high, quarter))
    }
    return (month, quarter)
  }

  /// The start of the local day `ms` falls in.
  package mutating func day(_ ms: Int64) -> Int64 {
    if ms >= dayLow && ms < dayHigh { return dayLow }
    let (y, m, d) = parser.localDate(of: Timestamp(milliseconds: ms))
    let start = parser.startOfDay(year: y, month: m, day: d).milliseconds
    // The next local midnight, found from a time safely inside the next day.
    let (y2, m2, d2) = parser.localDate(of: Timestamp(milliseconds: start + 30 * 3_600_000))
    let next = parser.startOfDay(year: y2, month: m2, day: d2).milliseconds
    // A day whose midnight a clock change skipped is not cached.
    (dayLow, dayHigh) = start <= ms && ms < next ? (start, next) : (1, 0)
    return start
  }
}

/// The attributes an event is counted by in `event_month`, as small codes:
/// hashing it costs a few nanoseconds on the import's storing thread.
package struct RollupKey: Hashable {
  package var batch: Int64
  package var month: Int64
  package var host: Int64
  package var scene: UInt8
  package var action: UInt8
  /// 0: none, 1: scene_rule, 2 + the category's index.
  package var reason: UInt8
  package var detectedBy: UInt8
  /// Index into the accumulator's policy versions, -1 for none.
  package var policy: Int32
}

/// A day of a batch, for `event_day`.
package struct DayKey: Hashable {
  package var batch: Int64
  package var day: Int64
}

/// A decision (its position in `DecisionIndex.complaintIDs`) in a month, for `decision_month`.
package struct DecisionMonth: Hashable {
  package var decision: Int32
  package var month: Int64
}

/// A decision's taps of one action in a month, for `decision_tap`.
package struct DecisionTapKey: Hashable {
  package var decision: Int32
  package var month: Int64
  package var action: UInt8
}

/// Taps under decisions, each once, for `covered_tap`: principle 0 for every
/// decision, `prescribed` the strictest treatment (1 warn, 2 block) of those covering it.
package struct CoveredTapKey: Hashable {
  package var month: Int64
  package var principle: UInt8
  package var prescribed: UInt8
  package var action: UInt8
}

/// A user in a quarter: the pseudonym's 128 bits, so the buffer holds no strings.
package struct UserQuarterKey: Hashable, Comparable {
  package var quarter: Int64
  package var user: UserBits

  package static func < (a: Self, b: Self) -> Bool {
    (a.quarter, a.user.high, a.user.low) < (b.quarter, b.user.high, b.user.low)
  }
}

/// The codes of `RollupKey`, and the text each stands for.
package enum RollupCodes {
  package static let scenes = Scene.allCases.map(\.rawValue)
  package static let actions = LinkAction.allCases.map(\.rawValue)
  package static let detectors = DetectedBy.allCases.map(\.rawValue)
  /// A treatment by its strictness (open 0 < warn 1 < block 2), as `covered_tap.prescribed` writes it.
  package static let treatments = ["open", "warn", "block"]
  package static let reasons: [String?] = [nil, "scene_rule"] + Category.allCases.map(\.rawValue)
  package static let principles: [Int64?] = [nil, nil] + Category.allCases.map { Int64($0.principle.rawValue) }

  /// An enumeration's code: its position among its cases (offset 2 for a
  /// category, after none and scene_rule).
  package static let open = code(LinkAction.open)

  package static func code(_ v: Scene) -> UInt8 { UInt8(sceneCases.firstIndex(of: v)!) }
  package static func code(_ v: LinkAction) -> UInt8 { UInt8(actionCases.firstIndex(of: v)!) }
  package static func code(_ v: DetectedBy) -> UInt8 { UInt8(detectorCases.firstIndex(of: v)!) }
  package static func code(_ v: Category) -> UInt8 { UInt8(categoryCases.firstIndex(of: v)! + 2) }
  private static let sceneCases = Array(Scene.allCases)
  private static let actionCases = Array(LinkAction.allCases)
  private static let detectorCases = Array(DetectedBy.allCases)
  private static let categoryCases = Array(Category.allCases)

  /// A reason's code: 0 when none is given, 1 for scene_rule, else its category's.
  package static func reason(_ category: Category?, given: Bool) -> UInt8 { given ? category.map(code) ?? 1 : 0 }
}

/// 128 bits of a 32-digit hexadecimal pseudonym, and back.
package enum PseudonymBits {
  package static func bits(_ text: String) -> (UInt64, UInt64) {
    var high: UInt64 = 0
    var low: UInt64 = 0
    var i = 0
    for c in text.utf8 {
      let v: UInt64 =
        switch c {
        case 48...57: UInt64(c - 48)
        case 97...102: UInt64(c - 87)
        case 65...70: UInt64(c - 55)
        default: 0
        }
      if i < 16 { high = high << 4 | v } else if i < 32 { low = low << 4 | v }
      i += 1
    }
    return (high, low)
  }

  package static func text(_ user: UserBits) -> String {
    String(unsafeUninitializedCapacity: 32) { buffer in
      write(user, into: buffer)
      return 32
    }
  }

  /// Writes the 32 digits into `buffer` (at least 32 bytes), without a String.
  package static func write(_ user: UserBits, into buffer: UnsafeMutableBufferPointer<UInt8>) {
    for i in 0..<16 {
      buffer[15 - i] = hexDigits[Int(user.high >> (4 * UInt64(i)) & 15)]
      buffer[31 - i] = hexDigits[Int(user.low >> (4 * UInt64(i)) & 15)]
    }
  }
}
