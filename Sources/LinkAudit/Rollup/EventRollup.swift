import Foundation

/// Where an instant falls in a time zone: the start of its local month and
/// of its quarter, as UTC milliseconds. Logs come in time order, so one cached
/// month answers almost every event.
struct MonthLocator {
  let parser: TimestampParser
  private var low: Int64 = 1
  private var high: Int64 = 0
  private var month: Int64 = 0
  private var quarter: Int64 = 0

  init(timeZone: TimeZone) { parser = TimestampParser(timeZone: timeZone) }

  mutating func locate(_ ms: Int64) -> (month: Int64, quarter: Int64) {
    if ms >= low && ms < high { return (month, quarter) }
    let (y, m, _) = parser.localDate(of: Timestamp(milliseconds: ms))
    month = parser.startOfDay(year: y, month: m, day: 1).milliseconds
    let next =
      m == 12 ? parser.startOfDay(year: y + 1, month: 1, day: 1) : parser.startOfDay(year: y, month: m + 1, day: 1)
    quarter = Quarter(year: y, number: (m - 1) / 3 + 1).bounds(in: parser.timeZone).start.milliseconds
    // A month whose first midnight a clock change skipped is not cached.
    (low, high) = month <= ms ? (month, next.milliseconds) : (1, 0)
    return (month, quarter)
  }
}

/// The attributes an event is counted by in `event_month`, as small codes:
/// hashing it costs a few nanoseconds on the import's storing thread.
struct RollupKey: Hashable {
  var batch: Int64
  var month: Int64
  var host: Int64
  var scene: UInt8
  var action: UInt8
  /// 0: none, 1: scene_rule, 2 + the category's index.
  var reason: UInt8
  var detectedBy: UInt8
  /// Index into the accumulator's policy versions, -1 for none.
  var policy: Int32
}

/// A user in a quarter: the pseudonym's 128 bits, so the set holds no strings.
struct UserQuarterKey: Hashable {
  var quarter: Int64
  var high: UInt64
  var low: UInt64
}

/// The codes of `RollupKey`, and the text each stands for.
enum RollupCodes {
  static let scenes = Scene.allCases.map(\.rawValue)
  static let actions = LinkAction.allCases.map(\.rawValue)
  static let detectors = DetectedBy.allCases.map(\.rawValue)
  static let reasons: [String?] = [nil, "scene_rule"] + Category.allCases.map(\.rawValue)
  static let principles: [Int64?] = [nil, nil] + Category.allCases.map { Int64($0.principle.rawValue) }

  /// An enumeration's code: its position among its cases (offset 2 for a
  /// category, after none and scene_rule).
  static func code(_ v: Scene) -> UInt8 { UInt8(sceneCases.firstIndex(of: v)!) }
  static func code(_ v: LinkAction) -> UInt8 { UInt8(actionCases.firstIndex(of: v)!) }
  static func code(_ v: DetectedBy) -> UInt8 { UInt8(detectorCases.firstIndex(of: v)!) }
  static func code(_ v: Category) -> UInt8 { UInt8(categoryCases.firstIndex(of: v)! + 2) }
  private static let sceneCases = Array(Scene.allCases)
  private static let actionCases = Array(LinkAction.allCases)
  private static let detectorCases = Array(DetectedBy.allCases)
  private static let categoryCases = Array(Category.allCases)

  /// A reason's code: 0 when none is given, 1 for scene_rule, else its category's.
  static func reason(_ category: Category?, given: Bool) -> UInt8 { given ? category.map(code) ?? 1 : 0 }

  /// The codes of values as stored (always valid there).
  static func code(scene text: String?) -> UInt8 { text.flatMap(Scene.init(rawValue:)).map(code) ?? 0 }
  static func code(action text: String?) -> UInt8 { text.flatMap(LinkAction.init(rawValue:)).map(code) ?? 0 }
  static func code(detectedBy text: String?) -> UInt8 { text.flatMap(DetectedBy.init(rawValue:)).map(code) ?? 0 }
  static func code(reason text: String?) -> UInt8 {
    reason(text.flatMap(Category.init(rawValue:)), given: text != nil)
  }
}

/// 128 bits of a 32-digit hexadecimal pseudonym, and back.
enum PseudonymBits {
  static func bits(_ text: String) -> (UInt64, UInt64) {
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

  static func text(_ high: UInt64, _ low: UInt64) -> String {
    func digits(_ v: UInt64) -> String {
      let s = String(v, radix: 16)
      return String(repeating: "0", count: 16 - s.count) + s
    }
    return digits(high) + digits(low)
  }
}

/// Users already seen in a window of recent events: a user's later events in
/// the same quarter need no row in `user_quarter`. Emptied when full, so
/// memory stays bounded (a user seen again after that is written again, which
/// `INSERT OR IGNORE` absorbs).
struct UserSightings {
  private var seen: Set<UserQuarterKey> = []
  /// Three quarters of a power of two: the most a set of 262,144 buckets (6 MB) holds before it doubles.
  static let limit = 196_608

  /// True the first time `user` is seen in the window.
  mutating func isFirst(_ user: UserQuarterKey) -> Bool {
    if seen.count >= Self.limit { seen.removeAll(keepingCapacity: true) }
    return seen.insert(user).inserted
  }
}

/// The rollups of the events one import (or one rebuild) stores: counts by
/// `RollupKey` and the users by quarter, written out when they grow past a
/// bound (so memory does not grow with the file) and at the end.
final class RollupAccumulator {
  private var counts: [RollupKey: Int64] = [:]
  private var users: [UserQuarterKey] = []
  private var sightings = UserSightings()
  private let policies: [String]
  private let insertCount: Statement
  private let insertHostCount: Statement
  private let insertUser: Statement
  private let countUsers: Statement
  private var periodText: [Int64: String] = [:]
  /// Quarters that got users: their counts in `quarter_users` are redone at the end.
  private var quarters: Set<Int64> = []

  static let countLimit = 200_000
  static let userLimit = 131_072

  /// `schema` is `main`, or `temp` for the rollups of a report in another time zone.
  init(database db: Database, policies: [String], schema: String = "main") throws {
    self.policies = policies
    insertCount = try db.prepare(
      """
      INSERT INTO \(schema).event_month (batch_id, month_start, scene, action, reason, principle, detected_by,
        policy_version, events)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      """)
    insertHostCount = try db.prepare(
      "INSERT INTO \(schema).host_month (batch_id, month_start, host_id, action, principle, events) VALUES (?, ?, ?, ?, ?, ?)"
    )
    insertUser = try db.prepare(
      "INSERT OR IGNORE INTO \(schema).user_quarter (quarter_start, user_pseudonym) VALUES (?, ?)")
    countUsers = try db.prepare(
      """
      INSERT OR REPLACE INTO \(schema).quarter_users (quarter_start, users)
      SELECT ?1, count(*) FROM \(schema).user_quarter WHERE quarter_start = ?1
      """)
  }

  /// Counts an event.
  @inline(__always)
  private func count(_ key: RollupKey) throws {
    counts[key, default: 0] += 1
    if counts.count >= Self.countLimit { try flushCounts() }
  }

  @inline(__always)
  private func addUser(_ user: UserQuarterKey) throws {
    users.append(user)
    if users.count >= Self.userLimit { try flushUsers() }
  }

  /// Counts a stored event and its user (a repeat within the window is not written again).
  func add(_ key: RollupKey, user: UserQuarterKey) throws {
    try count(key)
    if sightings.isFirst(user) { try addUser(user) }
  }

  func flush() throws {
    try flushCounts()
    try flushUsers()
    for q in quarters.sorted() { try countUsers.run([.text(text(q))]) }
    quarters.removeAll()
  }

  private func text(_ ms: Int64) -> String {
    if let t = periodText[ms] { return t }
    let t = Timestamp(milliseconds: ms).iso
    periodText[ms] = t
    return t
  }

  /// Writes the counts as `event_month` rows (all but the host) and `host_month`
  /// rows (month, host, action, principle), both from the one key counted per event.
  private func flushCounts() throws {
    var byAttributes: [RollupKey: Int64] = [:]
    var byHost: [RollupKey: Int64] = [:]
    for (k, n) in counts {
      var a = k
      a.host = 0
      byAttributes[a, default: 0] += n
      var h = k
      (h.scene, h.reason, h.detectedBy, h.policy) = (0, Self.principleCode(k.reason), 0, 0)
      byHost[h, default: 0] += n
    }
    // Sorted, so rows go in month by month and the file's bytes do not depend on hashing order.
    for (k, n) in byAttributes.sorted(by: { Self.order($0.key, $1.key) }) {
      try insertCount.run([
        .integer(k.batch), .text(text(k.month)), .text(RollupCodes.scenes[Int(k.scene)]),
        .text(RollupCodes.actions[Int(k.action)]), .optional(RollupCodes.reasons[Int(k.reason)]),
        RollupCodes.principles[Int(k.reason)].map { .integer($0) } ?? .null,
        .text(RollupCodes.detectors[Int(k.detectedBy)]), .optional(k.policy < 0 ? nil : policies[Int(k.policy)]),
        .integer(n),
      ])
    }
    for (k, n) in byHost.sorted(by: { Self.order($0.key, $1.key) }) {
      try insertHostCount.run([
        .integer(k.batch), .text(text(k.month)), .integer(k.host), .text(RollupCodes.actions[Int(k.action)]),
        k.reason == 0 ? .null : .integer(Int64(k.reason)), .integer(n),
      ])
    }
    counts.removeAll(keepingCapacity: true)
  }

  /// A reason code's principle as a code of its own (0: none).
  private static func principleCode(_ reason: UInt8) -> UInt8 {
    RollupCodes.principles[Int(reason)].map { UInt8($0) } ?? 0
  }

  private func flushUsers() throws {
    // Sorted in place (no second copy), repeats skipped, so they go into the index in order.
    users.sort { ($0.quarter, $0.high, $0.low) < ($1.quarter, $1.high, $1.low) }
    var previous: UserQuarterKey?
    for u in users where u != previous {
      previous = u
      quarters.insert(u.quarter)
      try insertUser.run([.text(text(u.quarter)), .text(PseudonymBits.text(u.high, u.low))])
    }
    users.removeAll(keepingCapacity: true)
  }

  static func order(_ a: RollupKey, _ b: RollupKey) -> Bool {
    let x = (a.batch, a.month, a.host, a.scene, a.action, a.reason)
    let y = (b.batch, b.month, b.host, b.scene, b.action, b.reason)
    return x != y ? x < y : (a.detectedBy, a.policy) < (b.detectedBy, b.policy)
  }
}
