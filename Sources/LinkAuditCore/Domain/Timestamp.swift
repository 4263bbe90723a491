import Foundation

/// An instant, as milliseconds since 1970-01-01T00:00:00Z.
public struct Timestamp: Comparable, Hashable, Sendable {
  public var milliseconds: Int64

  public init(milliseconds: Int64) { self.milliseconds = milliseconds }

  /// This instant, to the millisecond.
  public static var now: Timestamp { Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000)) }

  public static func < (a: Timestamp, b: Timestamp) -> Bool { a.milliseconds < b.milliseconds }

  /// `2021-09-17T00:15:02.000Z`: fixed width, so text order is time order.
  public var iso: String { civilText(milliseconds, iso: true) }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` (iso) or `YYYY-MM-DD HH:MM:SS` of milliseconds
/// since the epoch of a clock (UTC or local), without a formatter per call.
package func civilText(_ ms: Int64, iso: Bool) -> String {
  let days = floorDiv(ms, 86_400_000)
  let msOfDay = ms - days * 86_400_000
  let (y, m, d) = CivilCalendar.civil(fromDays: days)
  var bytes = [UInt8](repeating: 0, count: iso ? 24 : 19)
  func put(_ v: Int64, _ at: Int, _ width: Int) {
    var v = v
    for i in stride(from: at + width - 1, through: at, by: -1) {
      bytes[i] = UInt8(48 + v % 10)
      v /= 10
    }
  }
  put(y, 0, 4); bytes[4] = 45; put(m, 5, 2); bytes[7] = 45; put(d, 8, 2); bytes[10] = iso ? 84 : 32
  put(msOfDay / 3_600_000, 11, 2); bytes[13] = 58; put(msOfDay / 60_000 % 60, 14, 2); bytes[16] = 58
  put(msOfDay / 1000 % 60, 17, 2)
  if iso {
    bytes[19] = 46
    put(msOfDay % 1000, 20, 3)
    bytes[23] = 90
  }
  return String(decoding: bytes, as: UTF8.self)
}

package func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

package enum CivilCalendar {
  /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
  package static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = floorDiv(y, 400)
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  package static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
    let z = z0 + 719_468
    let era = floorDiv(z, 146_097)
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
  }

  package static func daysInMonth(year: Int64, month: Int64) -> Int64 {
    switch month {
    case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }
}

/// Reads every timestamp form of the data contract:
/// ISO 8601 with an offset or `Z`; `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SS`
/// without one (read in `timeZone`); 10-digit epoch seconds; 13-digit epoch milliseconds.
/// Fractional seconds are kept to the millisecond.
public struct TimestampParser: Sendable {
  public let timeZone: TimeZone
  /// The offset of a zone with no transition since 1992 (Asia/Shanghai among
  /// them), which then needs no look-up per row, and the instant (UTC ms) of
  /// its last transition: before it the zone had others (China kept summer
  /// time from 1986 to 1991), so older times are looked up.
  private let fixedOffset: Int?
  private let fixedSince: Int64

  /// Reads what the database stores: UTC with milliseconds.
  public static let utc = TimestampParser(timeZone: TimeZone(identifier: "UTC")!)

  public init(timeZone: TimeZone) {
    self.timeZone = timeZone
    let probe = Date(timeIntervalSince1970: 700_000_000)
    guard timeZone.nextDaylightSavingTimeTransition(after: probe) == nil else {
      fixedOffset = nil
      fixedSince = .max
      return
    }
    fixedOffset = timeZone.secondsFromGMT(for: probe)
    var last = Date(timeIntervalSince1970: -2_208_988_800)  // 1900
    for _ in 0..<2_000 {
      guard let next = timeZone.nextDaylightSavingTimeTransition(after: last), next <= probe else { break }
      last = next
    }
    fixedSince = Int64(last.timeIntervalSince1970 * 1000)
  }

  /// The fixed offset, when it holds at instant `utc` (ms).
  private func fixed(at utc: Int64) -> Int? {
    guard let fixedOffset, utc >= fixedSince else { return nil }
    return fixedOffset
  }

  public static let expectation =
    "an ISO 8601 timestamp (2021-09-17T08:15:02+08:00), YYYY-MM-DD HH:MM:SS, or epoch seconds (10 digits) / milliseconds (13 digits)"

  public func parse(_ text: String) -> Timestamp? {
    var text = text
    return text.withUTF8 { parse(bytes: $0) }
  }

  package func parse(bytes b: UnsafeBufferPointer<UInt8>) -> Timestamp? {
    var start = 0
    var end = b.count
    while start < end, b[start] == 32 { start += 1 }
    while end > start, b[end - 1] == 32 { end -= 1 }
    let n = end - start
    func digit(_ i: Int) -> Int64? {
      let c = b[start + i]
      return c >= 48 && c <= 57 ? Int64(c - 48) : nil
    }
    func number(_ i: Int, _ width: Int) -> Int64? {
      var v: Int64 = 0
      for k in i..<(i + width) {
        guard let d = digit(k) else { return nil }
        v = v * 10 + d
      }
      return v
    }
    if n == 10 || n == 13, let v = number(0, n) {
      return Timestamp(milliseconds: n == 10 ? v * 1000 : v)
    }
    guard n >= 19, let year = number(0, 4), b[start + 4] == 45, let month = number(5, 2), b[start + 7] == 45,
      let day = number(8, 2), b[start + 10] == 84 || b[start + 10] == 32 || b[start + 10] == 116,
      let hour = number(11, 2), b[start + 13] == 58, let minute = number(14, 2), b[start + 16] == 58,
      let second = number(17, 2),
      (1...12).contains(month), day >= 1, day <= CivilCalendar.daysInMonth(year: year, month: month),
      hour < 24, minute < 60, second < 60
    else { return nil }
    var i = 19
    var millis: Int64 = 0
    if i < n, b[start + i] == 46 {  // fraction: keep milliseconds, drop the rest
      i += 1
      var digits = 0
      while i < n, let d = digit(i) {
        if digits < 3 { millis = millis * 10 + d }
        digits += 1
        i += 1
      }
      guard digits > 0 else { return nil }
      for _ in digits..<max(digits, 3) { millis *= 10 }
    }
    let local =
      (CivilCalendar.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second) * 1000
      + millis
    if i == n {
      return Timestamp(milliseconds: local - Int64(offset(forLocalMilliseconds: local)) * 1000)
    }
    let sign = b[start + i]
    if (sign == 90 || sign == 122) && i + 1 == n { return Timestamp(milliseconds: local) }
    guard sign == 43 || sign == 45 else { return nil }
    let offsetHours: Int64
    let offsetMinutes: Int64
    if n - i == 6, let oh = number(i + 1, 2), b[start + i + 3] == 58, let om = number(i + 4, 2) {
      (offsetHours, offsetMinutes) = (oh, om)
    } else if n - i == 5, let oh = number(i + 1, 2), let om = number(i + 3, 2) {
      (offsetHours, offsetMinutes) = (oh, om)
    } else if n - i == 3, let oh = number(i + 1, 2) {
      (offsetHours, offsetMinutes) = (oh, 0)
    } else {
      return nil
    }
    guard offsetHours < 24, offsetMinutes < 60 else { return nil }
    let offset = (offsetHours * 60 + offsetMinutes) * 60_000 * (sign == 45 ? -1 : 1)
    return Timestamp(milliseconds: local - offset)
  }

  /// The zone's offset for a wall-clock time, resolving DST gaps and overlaps the
  /// way Foundation does for the instant first guessed.
  package func offset(forLocalMilliseconds local: Int64) -> Int {
    // A day's margin: a wall-clock time near the last transition is looked up.
    if let fixedOffset, local - Int64(fixedOffset) * 1000 >= fixedSince + 86_400_000 { return fixedOffset }
    let guess = Date(timeIntervalSince1970: Double(local) / 1000)
    let first = timeZone.secondsFromGMT(for: guess)
    return timeZone.secondsFromGMT(for: guess.addingTimeInterval(-Double(first)))
  }

  /// Wall-clock date of an instant in this zone, as (year, month, day).
  public func localDate(of t: Timestamp) -> (year: Int, month: Int, day: Int) {
    let offset =
      fixed(at: t.milliseconds)
      ?? timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t.milliseconds) / 1000))
    let days = floorDiv(t.milliseconds + Int64(offset) * 1000, 86_400_000)
    let (y, m, d) = CivilCalendar.civil(fromDays: days)
    return (Int(y), Int(m), Int(d))
  }

  /// Wall-clock `YYYY-MM-DD HH:MM:SS` of an instant in this parser's time zone.
  public func localText(of t: Timestamp) -> String {
    let offset =
      fixed(at: t.milliseconds)
      ?? timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t.milliseconds) / 1000))
    return civilText(t.milliseconds + Int64(offset) * 1000, iso: false)
  }

  /// Midnight at the start of a local date, as an instant.
  public func startOfDay(year: Int, month: Int, day: Int) -> Timestamp {
    let local = CivilCalendar.days(year: Int64(year), month: Int64(month), day: Int64(day)) * 86_400_000
    return Timestamp(milliseconds: local - Int64(offset(forLocalMilliseconds: local)) * 1000)
  }
}
