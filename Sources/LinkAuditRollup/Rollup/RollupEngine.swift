import Foundation
import LinkAuditCore
import LinkAuditStore

/// The only code that turns events' facts into rollup rows: counts by month
/// and attribute (`event_month`), by month and host (`host_month`, and from
/// it by platform, `platform_month`), of the
/// events with a category by host (`reason_month`), by day (`event_day`), the
/// users of each quarter (`user_quarter`, `quarter_users`), what a block
/// decision did not stop (`decision_open`: each event opened or warned under it;
/// `covered_month` and `decision_month`: their counts) and every tap under a
/// decision (`decision_tap` by decision, `covered_tap` each tap once), the
/// restrictions for no category by host (`scene_restriction_month`) and the
/// events more lenient than their policy prescribes (`under_restricted_event`).
/// An import's storing thread feeds it in-stream; a
/// rebuild feeds it the stored events (`rederive`). Counts and users are held
/// until they grow past a bound, so memory does not grow with the file.
package final class RollupEngine {
  /// Which rollups an engine writes.
  package struct Outputs: OptionSet, Sendable {
    package init(rawValue: Int) {
      self.rawValue = rawValue
    }

    package let rawValue: Int
    package static let counts = Outputs(rawValue: 1)
    package static let users = Outputs(rawValue: 2)
    package static let coverage = Outputs(rawValue: 4)
    /// URL histories and first restrictions (time to action): independent of
    /// the policies and the decisions; only a first restriction's quarter
    /// depends on the zone.
    package static let urls = Outputs(rawValue: 8)
    /// The under-restricted events (their policy's treatment stricter than
    /// their action), kept one by one so that each can be listed: like
    /// coverage, derived from every stored event, a bundle's cases too.
    package static let cases = Outputs(rawValue: 16)
    package static let all: Outputs = [.counts, .users, .coverage, .urls, .cases]

    /// The tables each output fills.
    package var tables: [String] {
      (contains(.counts)
        ? ["event_month", "host_month", "event_day", "reason_month", "platform_month", "scene_restriction_month"] : [])
        + (contains(.users) ? ["user_quarter", "quarter_users"] : [])
        + (contains(.coverage)
          ? ["decision_open", "covered_month", "decision_month", "decision_tap", "covered_tap"] : [])
        + (contains(.urls) ? ["url_run", "url_restriction"] : [])
        + (contains(.cases) ? ["under_restricted_event"] : [])
    }
  }

  private let outputs: Outputs
  private var counts: [RollupKey: Int64] = [:]
  /// Events by (batch, day start).
  private var days: [DayKey: Int64] = [:]
  /// Events under at least one decision, each once (host, batch and detector 0).
  private var covered: [RollupKey: Int64] = [:]
  /// Events (opened, warned) under each decision (its position in `complaintIDs`) by month.
  private var underDecision: [DecisionMonth: (opened: Int64, warned: Int64)] = [:]
  /// Every tap under each decision, by month and action (`decision_tap`).
  private var decisionTaps: [DecisionTapKey: Int64] = [:]
  /// Every tap under a decision, each once, by principle (0: any), strictest prescription and action (`covered_tap`).
  private var coveredTaps: [CoveredTapKey: Int64] = [:]
  private let complaintIDs: [String]
  /// What each decision prescribes (`DecisionIndex.prescribed`): only block decisions count in `decision_month`.
  private let prescribed: [UInt8]
  private let urlRuns: URLRuns?
  private let restrictions: URLRestrictions?
  /// Users as their events came: sorted, without repeats, into `user_quarter` when full.
  private var users: [UserQuarterKey] = []
  /// Users this engine has written to `user_quarter`, sorted, up to half of
  /// `userLimit` (3 MB): on a log where some users tap often, they come back
  /// in every batch of `users`, and skipping them here spares an `INSERT OR
  /// IGNORE`'s search of the index. The quarter shape's 352,479 users took
  /// 603,657 inserts, and 445,699 with these kept (364,315 with twice as
  /// many, but a 2M-event import then peaked 6 MB higher, at 188 MB).
  private var written: [UserQuarterKey] = []
  /// `userLimit`, or fewer for a test of several flushes.
  private let userLimit: Int
  private let policies: [String]
  private let insertCount: Statement
  private let insertHostCount: Statement
  private let insertDayCount: Statement
  private let insertUser: Statement
  private let countUsers: Statement
  private let insertCoverage: Statement
  private let insertReasonCount: Statement
  private let insertCoveredCount: Statement
  private let insertDecisionCount: Statement
  private let insertDecisionTap: Statement
  private let insertCoveredTap: Statement
  private var periodText: [Int64: String] = [:]
  /// Quarters that got users: their counts in `quarter_users` are redone at the end.
  private var quarters: Set<Int64> = []
  /// Batches that got host counts: their platform counts are derived from them at the end.
  private var countedBatches: Set<Int64> = []
  private let insertPlatformCounts: Statement
  private let insertSceneRestrictionCount: Statement
  private let insertUnderRestricted: Statement
  /// The policy, scene, reason and action codes (`underCode`) an event is
  /// under-restricted with, from `Conformance`'s rule over the stored policies.
  private let underRestricted: Set<UInt32>

  /// Keys counted before they are written: below three quarters of 262,144,
  /// where Swift's dictionary doubles its buckets. At 200,000 it doubled to
  /// 524,288 buckets (25 MB, kept for the import's life) once a log had
  /// thousands of hosts, and a 5M-event import peaked at 199 MB (issue 17).
  package static let countLimit = 180_000
  /// Users held before they are written (6 MB). Sorting them costs less than
  /// a set of those already seen: on a log where most users tap a few links,
  /// the set took 0.6 µs an event and spared few writes (issue 17).
  package static let userLimit = 262_144

  /// `timeZone` is the zone months and quarters are cut in; `policies` the
  /// policy timeline's versions (what `RollupKey.policy` counts in); `decisions` the index whose
  /// positions `EventFacts.decisions` point into; `schema` is `main`, or `temp`
  /// for the rollups of a report in another time zone.
  package init(
    database db: Database, timeZone: TimeZone, policies: [String], decisions: DecisionIndex = DecisionIndex(),
    outputs: Outputs = .all, schema: String = "main", userLimit: Int = RollupEngine.userLimit
  ) throws {
    self.userLimit = userLimit
    self.policies = policies
    self.complaintIDs = decisions.complaintIDs
    self.prescribed = decisions.prescribed
    self.outputs = outputs
    (urlRuns, restrictions) =
      outputs.contains(.urls)
      ? (
        try URLRuns(database: db, schema: schema), try URLRestrictions(database: db, timeZone: timeZone, schema: schema)
      ) : (nil, nil)
    insertCount = try db.prepare(
      """
      INSERT INTO \(schema).event_month (batch_id, month_start, scene, action, reason, principle, detected_by,
        policy_version, events)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      """)
    insertHostCount = try db.prepare(
      """
      INSERT INTO \(schema).host_month (batch_id, month_start, host_id, scene, action, principle, events)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      """)
    insertDayCount = try db.prepare(
      "INSERT INTO \(schema).event_day (batch_id, day_start, events) VALUES (?, ?, ?)")
    insertUser = try db.prepare(
      "INSERT OR IGNORE INTO \(schema).user_quarter (quarter_start, user_pseudonym) VALUES (?, ?)")
    countUsers = try db.prepare(
      """
      INSERT OR REPLACE INTO \(schema).quarter_users (quarter_start, users)
      SELECT ?1, count(*) FROM \(schema).user_quarter WHERE quarter_start = ?1
      """)
    insertCoverage = try db.prepare(
      """
      INSERT OR IGNORE INTO \(schema).decision_open (principle, occurred_at, event_rowid, host_id, action, scene, reason,
        policy_version, url_normalised)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      """
    )
    insertReasonCount = try db.prepare(
      """
      INSERT INTO \(schema).reason_month (batch_id, month_start, host_id, scene, action, reason, principle,
        policy_version, events)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      """)
    insertCoveredCount = try db.prepare(
      """
      INSERT INTO \(schema).covered_month (month_start, scene, action, reason, policy_version, events)
      VALUES (?, ?, ?, ?, ?, ?)
      """)
    insertPlatformCounts = try db.prepare(Self.platformCountsSQL(schema: schema, oneBatch: true))
    insertDecisionCount = try db.prepare(
      "INSERT INTO \(schema).decision_month (complaint_id, month_start, opened, warned) VALUES (?, ?, ?, ?)")
    insertSceneRestrictionCount = try db.prepare(
      """
      INSERT INTO \(schema).scene_restriction_month (batch_id, month_start, host_id, scene, action, reason,
        policy_version, events)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      """)
    insertUnderRestricted = try db.prepare(
      "INSERT OR IGNORE INTO \(schema).under_restricted_event (occurred_at, event_rowid) VALUES (?, ?)")
    underRestricted =
      outputs.contains(.cases) ? try Self.underRestrictedCodes(db, policies: policies) : []
    insertDecisionTap = try db.prepare(
      "INSERT INTO \(schema).decision_tap (complaint_id, month_start, action, events) VALUES (?, ?, ?, ?)")
    insertCoveredTap = try db.prepare(
      "INSERT INTO \(schema).covered_tap (month_start, principle, prescribed, action, events) VALUES (?, ?, ?, ?, ?)")
  }

  /// A policy (its index), scene, reason and action as one code.
  private static func underCode(policy: Int32, scene: UInt8, reason: UInt8, action: UInt8) -> UInt32 {
    UInt32(policy) << 24 | UInt32(scene) << 16 | UInt32(reason) << 8 | UInt32(action)
  }

  /// `Conformance.underRestrictedCombinationsSQL` in the codes of `RollupKey`.
  private static func underRestrictedCodes(_ db: Database, policies: [String]) throws -> Set<UInt32> {
    let policyIndex = Dictionary(policies.enumerated().map { ($1, Int32($0)) }) { a, _ in a }
    let reasonIndex = Dictionary(RollupCodes.reasons.enumerated().map { ($1 ?? "", UInt8($0)) }) { a, _ in a }
    var codes: Set<UInt32> = []
    for c in try Conformance.underRestrictedCombinations(db) where c.count == 4 {
      guard let policy = policyIndex[c[0]], let scene = RollupCodes.scenes.firstIndex(of: c[1]),
        let reason = reasonIndex[c[2]], let action = RollupCodes.actions.firstIndex(of: c[3])
      else { continue }
      codes.insert(underCode(policy: policy, scene: UInt8(scene), reason: reason, action: UInt8(action)))
    }
    return codes
  }

  /// `platform_month` from `host_month` and each host's platform: its one
  /// definition, for one batch of an import (`?1`), or for every batch when a
  /// registry re-resolves the platforms (after emptying the table).
  package static func platformCountsSQL(schema: String, oneBatch: Bool) -> String {
    """
    INSERT INTO \(schema).platform_month (batch_id, month_start, platform_id, scene, action, principle, events)
    SELECT m.batch_id, m.month_start, h.platform_id, m.scene, m.action, m.principle, sum(m.events)
    FROM \(schema).host_month m JOIN main.host h USING (host_id)\(oneBatch ? "\nWHERE m.batch_id = ?1" : "")
    GROUP BY m.batch_id, m.month_start, h.platform_id, m.scene, m.action, m.principle
    ORDER BY m.batch_id, m.month_start, h.platform_id, m.scene, m.action, m.principle
    """
  }

  /// Counts `facts`, its user (repeats among the users held are written
  /// once) and, for a stored event (`event`: its rowid), the decisions that covered it.
  package func add(_ facts: EventFacts, event: Int64?) throws {
    if outputs.contains(.counts) {
      counts[facts.key, default: 0] += facts.count
      days[DayKey(batch: facts.key.batch, day: facts.day), default: 0] += facts.count
      if counts.count >= Self.countLimit { try flushCounts() }
    }
    if let user = facts.user { try add(user: user, quarter: facts.quarter) }
    if let urlRuns, let restrictions, let key = facts.urlKey {
      try urlRuns.add(key: key, at: facts.occurredAt, opened: facts.key.action == RollupCodes.open)
      try restrictions.note(
        url: key, at: facts.occurredAt,
        principle: facts.restrictedURL == nil ? nil : RollupCodes.principles[Int(facts.key.reason)],
        detectedBy: facts.key.detectedBy, url: facts.restrictedURL, runs: urlRuns)
    }
    if outputs.contains(.cases), let event, facts.key.policy >= 0,
      underRestricted.contains(
        Self.underCode(
          policy: facts.key.policy, scene: facts.key.scene, reason: facts.key.reason, action: facts.key.action))
    {
      try insertUnderRestricted.run([.text(Timestamp(milliseconds: facts.occurredAt).iso), .integer(event)])
    }
    if outputs.contains(.coverage), !facts.coverage.isEmpty {
      let (month, action) = (facts.key.month, facts.key.action)
      for d in facts.decisions {
        decisionTaps[DecisionTapKey(decision: d, month: month, action: action), default: 0] += facts.count
      }
      let c = facts.coverage
      coveredTaps[CoveredTapKey(month: month, principle: 0, prescribed: c.strictest, action: action), default: 0] +=
        facts.count
      for p in 1...4 where c.prescribed(principle: p) != 0 {
        let key = CoveredTapKey(
          month: month, principle: UInt8(p), prescribed: c.prescribed(principle: p), action: action)
        coveredTaps[key, default: 0] += facts.count
      }
    }
    if outputs.contains(.coverage), facts.covered != 0, let event, let url = facts.coveredURL {
      var k = facts.key
      (k.batch, k.host, k.detectedBy) = (0, 0, 0)
      covered[k, default: 0] += facts.count
      let opened = facts.key.action == RollupCodes.open
      for d in facts.decisions where prescribed[Int(d)] == 2 {
        let key = DecisionMonth(decision: d, month: k.month)
        if opened {
          underDecision[key, default: (0, 0)].opened += facts.count
        } else {
          underDecision[key, default: (0, 0)].warned += facts.count
        }
      }
      let at = Timestamp(milliseconds: facts.occurredAt).iso
      try DecisionIndex.each(facts.covered) { p in
        let k = facts.key
        try insertCoverage.run([
          .integer(p), .text(at), .integer(event), .integer(k.host), .text(RollupCodes.actions[Int(k.action)]),
          .text(RollupCodes.scenes[Int(k.scene)]), .optional(RollupCodes.reasons[Int(k.reason)]),
          .optional(k.policy < 0 ? nil : policies[Int(k.policy)]), .text(url),
        ])
      }
    }
  }

  /// Counts `facts.count` events of a month (a warehouse bundle's counts,
  /// which span the month's days): the monthly rollups only, no day.
  package func add(monthCounts facts: EventFacts) throws {
    guard outputs.contains(.counts) else { return }
    counts[facts.key, default: 0] += facts.count
    if counts.count >= Self.countLimit { try flushCounts() }
  }

  /// Counts `events` events of a batch on a day (a warehouse bundle's days).
  package func add(day: Int64, batch: Int64, events: Int64) {
    guard outputs.contains(.counts) else { return }
    days[DayKey(batch: batch, day: day), default: 0] += events
  }

  /// Counts a user in a quarter (a warehouse's distinct users arrive so, apart from the counts).
  package func add(user: UserBits, quarter: Int64) throws {
    guard outputs.contains(.users) else { return }
    if users.capacity == 0 { users.reserveCapacity(userLimit) }
    users.append(UserQuarterKey(quarter: quarter, user: user))
    if users.count >= userLimit { try flushUsers() }
  }

  /// Writes what is held, and the user counts of the quarters that got users.
  package func flush() throws {
    try flushCounts()
    // Once a batch's host counts are all written: a batch's flushes may split a key's count.
    for batch in countedBatches.sorted() { try insertPlatformCounts.run([.integer(batch)]) }
    countedBatches.removeAll()
    try flushCoverage()
    if let urlRuns, let restrictions {
      try urlRuns.flush()
      try restrictions.finish(runs: urlRuns)
    }
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
  /// rows (month, host, scene, action, principle), both from the one key
  /// counted per event, and the counts by day as `event_day` rows.
  private func flushCounts() throws {
    var byAttributes: [RollupKey: Int64] = [:]
    var byHost: [RollupKey: Int64] = [:]
    var byReason: [RollupKey: Int64] = [:]
    var bySceneRestriction: [RollupKey: Int64] = [:]
    for (k, n) in counts {
      if k.reason >= 2 {
        var r = k
        r.detectedBy = 0
        byReason[r, default: 0] += n
      } else if k.action != RollupCodes.open {
        var r = k
        r.detectedBy = 0
        bySceneRestriction[r, default: 0] += n
      }
      var a = k
      a.host = 0
      byAttributes[a, default: 0] += n
      var h = k
      (h.reason, h.detectedBy, h.policy) = (Self.principleCode(k.reason), 0, 0)
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
      countedBatches.insert(k.batch)
      try insertHostCount.run([
        .integer(k.batch), .text(text(k.month)), .integer(k.host), .text(RollupCodes.scenes[Int(k.scene)]),
        .text(RollupCodes.actions[Int(k.action)]), k.reason == 0 ? .null : .integer(Int64(k.reason)), .integer(n),
      ])
    }
    for (k, n) in byReason.sorted(by: { Self.order($0.key, $1.key) }) {
      try insertReasonCount.run([
        .integer(k.batch), .text(text(k.month)), .integer(k.host), .text(RollupCodes.scenes[Int(k.scene)]),
        .text(RollupCodes.actions[Int(k.action)]), .optional(RollupCodes.reasons[Int(k.reason)]),
        RollupCodes.principles[Int(k.reason)].map { .integer($0) } ?? .null,
        .optional(k.policy < 0 ? nil : policies[Int(k.policy)]), .integer(n),
      ])
    }
    for (k, n) in bySceneRestriction.sorted(by: { Self.order($0.key, $1.key) }) {
      try insertSceneRestrictionCount.run([
        .integer(k.batch), .text(text(k.month)), .integer(k.host), .text(RollupCodes.scenes[Int(k.scene)]),
        .text(RollupCodes.actions[Int(k.action)]), .optional(RollupCodes.reasons[Int(k.reason)]),
        .optional(k.policy < 0 ? nil : policies[Int(k.policy)]), .integer(n),
      ])
    }
    counts.removeAll(keepingCapacity: true)
    for (k, n) in days.sorted(by: { ($0.key.batch, $0.key.day) < ($1.key.batch, $1.key.day) }) {
      try insertDayCount.run([.integer(k.batch), .text(Timestamp(milliseconds: k.day).iso), .integer(n)])
    }
    days.removeAll(keepingCapacity: true)
  }

  /// Writes the counts of events under decisions (they are few: the
  /// attributes of conformance, and decisions by month, are held until the end).
  private func flushCoverage() throws {
    for (k, n) in covered.sorted(by: { Self.order($0.key, $1.key) }) {
      try insertCoveredCount.run([
        .text(text(k.month)), .text(RollupCodes.scenes[Int(k.scene)]), .text(RollupCodes.actions[Int(k.action)]),
        .optional(RollupCodes.reasons[Int(k.reason)]), .optional(k.policy < 0 ? nil : policies[Int(k.policy)]),
        .integer(n),
      ])
    }
    covered.removeAll()
    for (k, n) in underDecision.sorted(by: { ($0.key.decision, $0.key.month) < ($1.key.decision, $1.key.month) }) {
      try insertDecisionCount.run([
        .text(complaintIDs[Int(k.decision)]), .text(text(k.month)), .integer(n.opened), .integer(n.warned),
      ])
    }
    underDecision.removeAll()
    for (k, n) in decisionTaps.sorted(by: {
      ($0.key.decision, $0.key.month, $0.key.action) < ($1.key.decision, $1.key.month, $1.key.action)
    }) {
      try insertDecisionTap.run([
        .text(complaintIDs[Int(k.decision)]), .text(text(k.month)), .text(RollupCodes.actions[Int(k.action)]),
        .integer(n),
      ])
    }
    decisionTaps.removeAll()
    for (k, n) in coveredTaps.sorted(by: {
      ($0.key.month, $0.key.principle, $0.key.prescribed, $0.key.action)
        < ($1.key.month, $1.key.principle, $1.key.prescribed, $1.key.action)
    }) {
      try insertCoveredTap.run([
        .text(text(k.month)), .integer(Int64(k.principle)), .text(RollupCodes.treatments[Int(k.prescribed)]),
        .text(RollupCodes.actions[Int(k.action)]), .integer(n),
      ])
    }
    coveredTaps.removeAll()
  }

  /// A reason code's principle as a code of its own (0: none).
  private static func principleCode(_ reason: UInt8) -> UInt8 {
    RollupCodes.principles[Int(reason)].map { UInt8($0) } ?? 0
  }

  private func flushUsers() throws {
    // Sorted in place (no second copy), repeats skipped, so they go into the index in order.
    users.sort()
    var previous: UserQuarterKey?
    // users[..<fresh]: the users this flush wrote, in order (each slot is read before it is overwritten).
    var fresh = 0
    var w = 0
    for i in users.indices {
      let u = users[i]
      if u == previous { continue }
      if u.quarter != previous?.quarter { quarters.insert(u.quarter) }
      previous = u
      while w < written.count && written[w] < u { w += 1 }
      if w < written.count && written[w] == u { continue }
      try insertUser.run([.text(text(u.quarter)), .text(PseudonymBits.text(u.user))])
      users[fresh] = u
      fresh += 1
    }
    remember(users.prefix(min(fresh, userLimit / 2 - written.count)))
    users.removeAll(keepingCapacity: true)
  }

  /// Merges `new` (sorted, none of them in `written`) into `written`, in place from the back.
  private func remember(_ new: ArraySlice<UserQuarterKey>) {
    guard !new.isEmpty else { return }
    if written.capacity == 0 { written.reserveCapacity(userLimit / 2) }
    var (i, j) = (written.count - 1, new.endIndex - 1)
    var k = written.count + new.count - 1
    written.append(contentsOf: new)
    while j >= new.startIndex {
      if i >= 0 && new[j] < written[i] {
        written[k] = written[i]
        i -= 1
      } else {
        written[k] = new[j]
        j -= 1
      }
      k -= 1
    }
  }

  package static func order(_ a: RollupKey, _ b: RollupKey) -> Bool {
    let x = (a.batch, a.month, a.host, a.scene, a.action, a.reason)
    let y = (b.batch, b.month, b.host, b.scene, b.action, b.reason)
    return x != y ? x < y : (a.detectedBy, a.policy) < (b.detectedBy, b.policy)
  }
}

extension RollupEngine {
  /// Re-derives `outputs` of `schema` from every stored event: the rows are
  /// read back by name, made into facts by the import's own derivation, and
  /// fed to a fresh engine. A stored value that does not parse raises.
  /// `decisions` default to the stored ones when coverage is asked for.
  package static func rederive(
    _ outputs: Outputs, of db: Database, timeZone: TimeZone, schema: String = "main", decisions: DecisionIndex? = nil
  ) throws {
    let decisions = try decisions ?? (outputs.contains(.coverage) ? DecisionIndex(database: db) : DecisionIndex())
    guard try db.scalar("SELECT EXISTS (SELECT 1 FROM main.rollup_bundle)").integer == 1 else {
      for table in outputs.tables { try db.execute("DELETE FROM \(schema).\(table)") }
      if outputs == .coverage, decisions.isEmpty { return }
      try pass(outputs, of: db, timeZone: timeZone, schema: schema, decisions: decisions, only: nil)
      return
    }
    // A bundle's counts, users and first restrictions came without their
    // events: they are kept, and only the other batches' events are
    // re-derived. Coverage and the under-restricted events are re-derived
    // over every event, the bundles' too (they carry the events on the
    // decisions' targets and the under-restricted ones when they were made).
    for table in outputs.tables { try db.execute("DELETE FROM \(schema).\(table)" + Rollups.notFromBundles(table)) }
    let bundles = "SELECT batch_id FROM main.rollup_bundle"
    let others = outputs.subtracting([.coverage, .cases])
    if !others.isEmpty {
      try pass(
        others, of: db, timeZone: timeZone, schema: schema, decisions: DecisionIndex(),
        only: "e.batch_id NOT IN (\(bundles))")
    }
    var everyEvent = outputs.intersection(.cases)
    if outputs.contains(.coverage), !decisions.isEmpty { everyEvent.insert(.coverage) }
    if !everyEvent.isEmpty {
      try pass(everyEvent, of: db, timeZone: timeZone, schema: schema, decisions: decisions, only: nil)
    }
  }

  /// One pass over the stored events (those `only` admits) into a fresh engine.
  private static func pass(
    _ outputs: Outputs, of db: Database, timeZone: TimeZone, schema: String, decisions: DecisionIndex, only: String?
  ) throws {
    let timeline = try PolicyTimeline(database: db)
    var deriver = EventDeriver(timeZone: timeZone, decisions: decisions)
    let engine = try RollupEngine(
      database: db, timeZone: timeZone, policies: timeline.names, decisions: decisions,
      outputs: outputs, schema: schema)
    let events = try db.prepare(
      """
      SELECT e.event_rowid, e.batch_id, e.occurred_at, e.host_id, e.scene, e.action, e.reason, e.detected_by,
        e.policy_version, e.user_pseudonym, e.url_normalised, h.domain
      FROM main.link_event e LEFT JOIN main.host h ON h.host_id = e.host_id
      """ + (only.map { "\nWHERE \($0)" } ?? ""))
    defer { events.reset() }
    let row = StoredColumns(events, table: "link_event")
    let (rowid, batch, occurredAt, host, scene, action) = (
      row.column("event_rowid"), row.column("batch_id"), row.column("occurred_at"), row.column("host_id"),
      row.column("scene"), row.column("action")
    )
    let (reason, detectedBy, policy, user, url) = (
      row.column("reason"), row.column("detected_by"), row.column("policy_version"), row.column("user_pseudonym"),
      row.column("url_normalised")
    )
    let domain = StoredColumns.Column(position: row.column("domain").position, place: "host.domain")
    while try events.step() {
      let reasonCode = row.text(reason)
      let event: EventReason? = try reasonCode.map { code in
        guard let r = EventReason(code: code) else { throw CorruptValueError(place: reason.place, value: code) }
        return r
      }
      // A bundle's events carry no pseudonym (''): only coverage reads them.
      let pseudonym = row.text(user) ?? ""
      var bits: UserBits?
      if !pseudonym.isEmpty || outputs.contains(.users) {
        guard let b = UserBits(stored: pseudonym) else { throw CorruptValueError(place: user.place, value: nil) }
        bits = b
      }
      let facts = deriver.facts(
        batch: try row.integer(batch), occurredAt: try row.time(occurredAt).milliseconds, host: try row.integer(host),
        scene: try row.code(scene, as: Scene.self), action: try row.code(action, as: LinkAction.self),
        reason: event, detectedBy: try row.code(detectedBy, as: DetectedBy.self),
        policy: try timeline.index(named: row.text(policy), at: policy.place),
        url: try row.requiredText(url), domain: try row.requiredText(domain),
        user: bits)
      try engine.add(facts, event: try row.integer(rowid))
    }
    try engine.flush()
  }
}
