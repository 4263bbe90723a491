import Crypto
import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

/// Everything a report states about one quarter, read from the database once
/// and shared by the workbook, the Markdown and the manifest. Aggregates only:
/// no query here reads events into memory.
public struct ReportData: Sendable {
  public struct Batch: Sendable, Codable, Equatable {
    public var batchID: Int64
    public var kind: String
    public var fileName: String
    public var sha256: String
    public var importedAt: String
    public var rowsRead: Int64
    public var rowsStored: Int64
    public var rowsDuplicate: Int64
    public var rowsRejected: Int64
  }

  /// A host whose label mixes scripts (`tаobao.com`), with its events in the quarter.
  public struct HomographHost: Sendable, Equatable {
    public var host: String
    public var hostASCII: String
    public var domain: String
    public var scripts: [String]
    public var events: Int64
  }

  public struct Policy: Sendable, Codable, Equatable {
    public var version: String
    public var title: String
    public var effectiveFrom: String
    public var sha256: String
  }

  public struct ConformanceRow: Sendable {
    public var policyVersion: String?
    public var scene: String
    public var events: Int64
    public var conforming: Int64
    public var over: Int64
    public var under: Int64
  }

  /// A complaint as the report lists it: every complaint of the quarter on
  /// the Complaints sheet, and the cases a regulator acts on one by one (the
  /// backlog, the referrals, the upheld complaints closed without a block).
  public struct ComplaintRow: Sendable {
    public var complaintID: String
    public var reporter: String
    public var receivedAt: String
    public var category: String
    public var principle: Int64
    public var channel: String
    public var status: String
    public var resolvedAt: String?
    public var hoursToResolve: Double?
    public var slaHours: Double?
    public var outcome: String?
    public var actionTaken: String?
    public var url: String
    public var domain: String
    public var platformID: String
    public var description: String?
    /// The complaint a `duplicate` repeats, when the source named it.
    public var duplicateOf: String?
    /// Hours from receipt to the quarter's end, when open then.
    public var hoursOpenAtEnd: Double?
    /// Open at the end and older than its SLA then (the rule of `pN.sla_breaches[kind=open_overdue]`).
    public var isOverdue: Bool

    package init(_ r: Record) throws {
      complaintID = try r.text("complaint_id")
      reporter = try r.text("reporter_pseudonym")
      receivedAt = try r.text("received_at")
      category = try r.text("category")
      principle = try r.integer("principle")
      channel = try r.text("channel")
      status = try r.text("status")
      resolvedAt = r.optionalText("resolved_at")
      hoursToResolve = r.optionalDouble("hours_to_resolve")
      slaHours = r.optionalDouble("sla_hours")
      outcome = r.optionalText("outcome")
      actionTaken = r.optionalText("action_taken")
      url = PersonalNumberMask.mask(try r.text("url_normalised"))
      domain = try r.text("domain")
      platformID = try r.text("platform_id")
      description = r.optionalText("description")
      duplicateOf = r.optionalText("duplicate_of")
      hoursOpenAtEnd = r.optionalDouble("hours_open_at_end")
      isOverdue = try r.integer("overdue_at_end") != 0
    }
  }

  /// A decision standing at some time in the quarter, with the distinct
  /// events opened, and warned, under it in the quarter.
  public struct DecisionRow: Sendable {
    public var complaintID: String
    public var principle: Int64
    public var category: String
    public var scope: String
    public var target: String
    public var receivedAt: String
    public var resolvedAt: String
    public var standsFrom: String
    public var standsUntil: String?
    public var opens: Int64
    public var warned: Int64

    package init(_ r: Record) throws {
      complaintID = try r.text("complaint_id")
      principle = try r.integer("principle")
      category = try r.text("category")
      scope = try r.text("scope")
      // A URL may carry a phone or ID number in its query or path: masked
      // wherever the package shows it (the stored URL stays whole, decisions match on it).
      target = PersonalNumberMask.mask(try r.text("target"))
      receivedAt = try r.text("received_at")
      resolvedAt = try r.text("resolved_at")
      standsFrom = try r.text("stands_from")
      standsUntil = r.optionalText("stands_until")
      opens = try r.integer("opens_in_quarter")
      warned = try r.integer("warned_in_quarter")
    }

    /// The register as `decisions.csv` writes it: UTC times as stored, its
    /// text safe to open in a spreadsheet (the package is opened in Excel or WPS).
    static let csvHeader = [
      "complaint_id", "principle", "category", "scope", "target", "received_at", "resolved_at", "effective_from",
      "restored_at", "opens_in_quarter", "warned_in_quarter",
    ]
    var csvFields: [String] {
      [
        spreadsheetText(complaintID), String(principle), spreadsheetText(category), spreadsheetText(scope),
        spreadsheetText(target), receivedAt, resolvedAt, standsFrom, standsUntil ?? "", String(opens), String(warned),
      ]
    }
  }

  /// An event of principle 1 or 2 whose action was more lenient than its
  /// policy prescribes (`pN.under_restricted`): what got through.
  public struct GotThroughRow: Sendable {
    public var eventID: String
    public var occurredAt: String
    public var principle: Int64
    public var scene: String
    public var url: String
    public var domain: String
    public var platformID: String
    public var category: String
    public var action: String
    public var treatment: String
    public var policyVersion: String
    public var detectedBy: String
    public var clientVersion: String?

    init(_ r: Record) throws {
      eventID = try r.text("event_id")
      occurredAt = try r.text("occurred_at")
      principle = try r.integer("principle")
      scene = try r.text("scene")
      url = PersonalNumberMask.mask(try r.text("url_normalised"))
      domain = try r.text("domain")
      platformID = try r.text("platform_id")
      category = try r.text("reason")
      action = try r.text("action")
      treatment = try r.text("treatment")
      policyVersion = try r.text("policy_version")
      detectedBy = try r.text("detected_by")
      clientVersion = r.optionalText("client_version").map(PersonalNumberMask.mask)
    }
  }

  /// Principle 3's events that got through, counted by category and domain.
  public struct GotThroughCount: Sendable {
    public var category: String
    public var domain: String
    public var events: Int64
  }

  /// Opens and events of one platform in one scene (the open rate by scene and platform).
  public struct ScenePlatformCount: Sendable {
    public var platformID: String
    public var scene: String
    public var opens: Int64
    public var events: Int64
  }

  /// The event figures of one policy version within one of the two quarters
  /// compared, so a change of policy is not read as a change of behaviour.
  public struct PolicyComparisonRow: Sendable {
    /// The quarter (`2021-Q4`).
    public var quarter: String
    public var policyVersion: String?
    public var events: Int64
    public var opens: Int64
    public var warned: Int64
    public var blocked: Int64
    public var conforming: Int64
    public var overRestricted: Int64
    public var sceneRule: Int64
    public var proceeded: Int64

    /// The rates the comparison shows, in its columns' order: open, warned,
    /// blocked, conformance (of all events), warned of restricted, proceeded
    /// after a warning, over-restricted and scene-rule restricted (of all events).
    /// nil where the denominator is 0.
    public var rates: [Double?] {
      func rate(_ part: Int64, _ whole: Int64) -> Double? { whole > 0 ? Double(part) / Double(whole) : nil }
      return [
        rate(opens, events), rate(warned, events), rate(blocked, events), rate(conforming, events),
        rate(warned, warned + blocked), rate(proceeded, warned), rate(overRestricted, events), rate(sceneRule, events),
      ]
    }
  }

  /// One quarter of the trend: its headline figures, and the policy versions
  /// that took effect in it.
  public struct TrendPoint: Sendable {
    public var quarter: Quarter
    public var figures: QuarterFigures
    public var policiesTakingEffect: [Policy]
  }

  /// A registrable domain among those most restricted for principles 1-3
  /// over the last four quarters.
  public struct RepeatOffender: Sendable {
    public var domain: String
    public var platformID: String
    public var restrictions: Int64
    /// The months (UTC month starts as stored) in which it was restricted.
    public var months: [String]
    public var upheld: Int64
    public var decisionsStanding: Int64
    public var opensUnderDecisions: Int64
  }

  public struct RejectedRow: Sendable {
    public var fileName: String
    public var line: Int64
    public var column: String?
    public var error: String
  }

  public let quarter: Quarter
  public let timeZone: TimeZone
  /// Built once: a parser looks up its zone's transitions when made.
  private let reportZone: TimestampParser
  /// nil when the report is written without a rating model.
  public let ratings: QuarterRatings?
  public let current: QuarterFigures
  public let previous: QuarterFigures
  public let batches: [Batch]
  public let policies: [Policy]
  /// The policy versions in force in the previous quarter.
  public let previousPolicies: [Policy]
  /// The event figures by policy version in this quarter and the previous
  /// one, when the two together had more than one version in force.
  public let policyComparison: [PolicyComparisonRow]

  /// The comparison with the previous quarter spans a change of policy.
  public var spansPolicyChange: Bool { Set((policies + previousPolicies).map(\.version)).count > 1 }
  public let conformance: [ConformanceRow]
  /// [month 0…2][principle 1…4 at index 0…3]
  public let complaintsByMonth: [[Int64]]
  /// Per principle 1…3: (category, restrictions) of the quarter.
  public let restrictionsByCategory: [Int: [(String, Int64)]]
  public let complaints: [ComplaintRow]
  /// Every complaint open at the quarter's end (any quarter of receipt), then
  /// every complaint of the quarter resolved after its SLA.
  public let backlog: [ComplaintRow]
  /// Every regulator referral received in the quarter or open at its start.
  public let referrals: [ComplaintRow]
  /// Every decision standing at some time in the quarter.
  public let decisions: [DecisionRow]
  /// Upheld complaints of the quarter closed without a block (`pN.upheld_without_block`).
  public let upheldWithoutBlock: [ComplaintRow]
  /// The events of principles 1 and 2 that got through, the first `gotThroughLimit`
  /// of them in principle and time order; `gotThroughTotal` counts them all.
  public let gotThrough: [GotThroughRow]
  public let gotThroughTotal: Int64
  /// Principle 3's events that got through, by category and domain.
  public let gotThroughCounts: [GotThroughCount]
  /// Up to the last `trendQuarters` quarters that hold events or complaints,
  /// up to this one, oldest first.
  public let trend: [TrendPoint]
  /// The domains most restricted for principles 1-3 over the last four quarters.
  public let repeatOffenders: [RepeatOffender]
  /// The first day of the four quarters repeat offenders are counted over.
  public var repeatWindowStart: Timestamp { Self.repeatWindowStart(quarter, timeZone) }

  /// The start of the quarter three before `quarter`: four quarters in all.
  static func repeatWindowStart(_ quarter: Quarter, _ zone: TimeZone) -> Timestamp {
    quarter.previous.previous.previous.bounds(in: zone).start
  }
  /// The quarter's opens and events by platform and scene.
  public let scenePlatformCounts: [ScenePlatformCount]
  /// The registry's names of each platform in force (English, Chinese).
  public let platformNames: [String: (en: String, zh: String)]
  public let rejectedRows: [RejectedRow]
  public let rejectedRowsTotal: Int64
  /// Hosts with events in the quarter whose label mixes scripts (finding K3), most events first.
  public let homographHosts: [HomographHost]
  /// The latest import time (the workbook's creation time): when the data
  /// arrived, not how recent it is; that is `latestEventAt` and `latestComplaintAt`.
  public let dataAsOf: Timestamp
  /// The latest `occurred_at` of any event, UTC as stored.
  public let latestEventAt: String?
  /// The latest `updated_at` or `received_at` of any complaint's current state.
  public let latestComplaintAt: String?
  /// The local dates (`YYYY-MM-DD`) of the quarter with no event at all.
  public let daysWithoutEvents: [String]

  /// One hash naming the data behind the figures: SHA-256 of every batch's
  /// file hash, in import order, one a line. Same data, same fingerprint.
  public var dataFingerprint: String {
    hex(SHA256.hash(data: Data(batches.map(\.sha256).joined(separator: "\n").utf8)))
  }

  /// How many quarters the trend reaches back, and the figures it follows.
  package static let trendQuarters = 8
  package static let trendMetricIDs =
    ["overview.events", "overview.open_rate", "overview.complaints", "overview.post_decision_opens"]
    + (1...4).map { "p\($0).upheld" } + (1...4).map { "p\($0).within_sla_rate" }
    + (1...3).map { "p\($0).post_decision_opens" }

  /// How many repeat offenders are listed.
  package static let repeatOffenderLimit = 20

  /// Rejected rows listed in the workbook; the total is always stated.
  package static let rejectedRowLimit = 10_000
  /// Events that got through listed in the workbook; the total is always stated.
  package static let gotThroughLimit = 10_000

  public init(database db: Database, quarter: Quarter, timeZone: TimeZone, ratingModel: RatingModel? = nil) throws {
    self.quarter = quarter
    self.timeZone = timeZone
    reportZone = TimestampParser(timeZone: timeZone)
    ratings = try Timing.measure("ratings") {
      try ratingModel.map { try QuarterRatings(database: db, quarter: quarter, timeZone: timeZone, model: $0) }
    }
    current = try QuarterFigures(database: db, quarter: quarter, timeZone: timeZone, ratings: ratings)
    previous = try QuarterFigures(database: db, quarter: quarter.previous, timeZone: timeZone)
    let parameters = QuarterFigures.parameters(quarter, timeZone)
    func records(_ source: String, _ sql: String, _ extra: [String: SQLValue] = [:]) throws -> [Record] {
      try Timing.measure("report query \(source)") {
        try db.records(sql, named: parameters.merging(extra) { $1 }, source: "the report's \(source) query")
      }
    }

    platformNames = Dictionary(
      try records("platform names", "SELECT platform_id, name_en, name_zh FROM current_platform").map {
        (try $0.text("platform_id"), (en: try $0.text("name_en"), zh: try $0.text("name_zh")))
      }
    ) { a, _ in a }
    batches = try records("batches", Self.batchesSQL).map {
      Batch(
        batchID: try $0.integer("batch_id"), kind: try $0.text("kind"), fileName: try $0.text("file_name"),
        sha256: try $0.text("sha256"), importedAt: try $0.text("imported_at"), rowsRead: try $0.integer("rows_read"),
        rowsStored: try $0.integer("rows_stored"), rowsDuplicate: try $0.integer("rows_duplicate"),
        rowsRejected: try $0.integer("rows_rejected"))
    }
    func policy(_ r: Record) throws -> Policy {
      Policy(
        version: try r.text("version"), title: try r.text("title"), effectiveFrom: try r.text("effective_from"),
        sha256: try r.text("sha256"))
    }
    policies = try records("policies", Self.policiesSQL).map(policy)
    let previousBounds = QuarterFigures.parameters(quarter.previous, timeZone)
    previousPolicies = try records("policies of the previous quarter", Self.policiesSQL, previousBounds).map(policy)
    if Set((policies + previousPolicies).map(\.version)).count > 1 {
      policyComparison = try records(
        "by policy version", Self.policyComparisonSQL,
        [":previous_start": previousBounds[":start"] ?? .null]
      ).map {
        let current = try $0.integer("is_current") != 0
        return PolicyComparisonRow(
          quarter: (current ? quarter : quarter.previous).description, policyVersion: $0.optionalText("policy_version"),
          events: try $0.integer("events"), opens: try $0.integer("opens"), warned: try $0.integer("warned"),
          blocked: try $0.integer("blocked"), conforming: try $0.integer("conforming"),
          overRestricted: try $0.integer("over_restricted"), sceneRule: try $0.integer("scene_rule"),
          proceeded: try $0.integer("proceeded"))
      }
    } else {
      policyComparison = []
    }
    conformance = try records("conformance", Self.conformanceSQL).map {
      ConformanceRow(
        policyVersion: $0.optionalText("policy_version"), scene: try $0.text("scene"), events: try $0.integer("events"),
        conforming: try $0.integer("conforming"), over: try $0.integer("over_restricted"),
        under: try $0.integer("under_restricted"))
    }
    let months = quarter.monthStarts(in: timeZone)
    var byMonth = [[Int64]](repeating: [0, 0, 0, 0], count: 3)
    let monthParameters: [String: SQLValue] = [":m2": .text(months[1].iso), ":m3": .text(months[2].iso)]
    for r in try records("complaints by month", Self.complaintsByMonthSQL, monthParameters) {
      byMonth[Int(try r.integer("month")) - 1][Int(try r.integer("principle")) - 1] = try r.integer("complaints")
    }
    complaintsByMonth = byMonth
    var restrictions: [Int: [(String, Int64)]] = [:]
    for r in try records("restrictions by category", Self.restrictionsByCategorySQL) {
      restrictions[Int(try r.integer("principle")), default: []].append(
        (try r.text("reason"), try r.integer("restrictions")))
    }
    restrictionsByCategory = restrictions
    complaints = try records("complaints", Self.complaintsSQL).map(ComplaintRow.init)
    backlog = try records("backlog", Self.backlogSQL).map(ComplaintRow.init)
    referrals = try records("referrals", Self.referralsSQL).map(ComplaintRow.init)
    decisions = try records("decisions", Self.decisionsSQL).map(DecisionRow.init)
    upheldWithoutBlock = try records("upheld without a block", Self.upheldWithoutBlockSQL).map(ComplaintRow.init)
    gotThrough = try records(
      "got through", Self.gotThroughSQL, [":limit": .integer(Int64(Self.gotThroughLimit))]
    ).map(GotThroughRow.init)
    // The same rule as the list, counted from the rollups (`pN.under_restricted`): no second scan of the events.
    let figures = current
    gotThroughTotal = ["p1.under_restricted", "p2.under_restricted"].reduce(0) {
      $0 + (figures[$1]?.double.map { Int64($0) } ?? 0)
    }
    gotThroughCounts = try records("got through by category and domain", Self.gotThroughCountsSQL).map {
      GotThroughCount(category: try $0.text("reason"), domain: try $0.text("domain"), events: try $0.integer("events"))
    }
    // The quarters with data, in the report's zone: months of events, and the hours complaints came in.
    var quarters: Set<Quarter> = [quarter]
    for r in try records("months with events", "SELECT DISTINCT month_start FROM event_month") {
      if let t = TimestampParser.utc.parse(try r.text("month_start")) {
        quarters.insert(Quarter(containing: t, in: timeZone))
      }
    }
    for r in try records(
      "hours with complaints", "SELECT DISTINCT substr(received_at, 1, 13) || ':00:00.000Z' AS h FROM complaint")
    {
      if let t = TimestampParser.utc.parse(try r.text("h")) { quarters.insert(Quarter(containing: t, in: timeZone)) }
    }
    let trendDefinitions = Self.trendMetricIDs.compactMap(MetricCatalogue.definition)
    let allPolicies = try records("every policy version", Self.allPoliciesSQL).map(policy)
    var points: [TrendPoint] = []
    for q in quarters.filter({ $0 <= quarter }).sorted().suffix(Self.trendQuarters) {
      let figures =
        q == quarter
        ? current
        : q == quarter.previous
          ? previous
          : try QuarterFigures(database: db, quarter: q, timeZone: timeZone, definitions: trendDefinitions)
      let (start, end) = q.bounds(in: timeZone)
      points.append(
        TrendPoint(
          quarter: q, figures: figures,
          policiesTakingEffect: allPolicies.filter { $0.effectiveFrom >= start.iso && $0.effectiveFrom < end.iso }))
    }
    trend = points
    let window = Self.repeatWindowStart(quarter, timeZone)
    repeatOffenders = try records(
      "repeat offenders", Self.repeatOffendersSQL,
      [":window_start": .text(window.iso), ":limit": .integer(Int64(Self.repeatOffenderLimit))]
    ).map {
      RepeatOffender(
        domain: try $0.text("domain"), platformID: try $0.text("platform_id"),
        restrictions: try $0.integer("restrictions"),
        months: (try $0.text("months")).split(separator: ",").map(String.init), upheld: try $0.integer("upheld"),
        decisionsStanding: try $0.integer("decisions_standing"),
        opensUnderDecisions: try $0.integer("opens_under_decisions"))
    }
    scenePlatformCounts = try records("open rate by scene and platform", Self.scenePlatformSQL).map {
      ScenePlatformCount(
        platformID: try $0.text("platform_id"), scene: try $0.text("scene"), opens: try $0.integer("opens"),
        events: try $0.integer("events"))
    }
    rejectedRows = try records(
      "rejected rows", Self.rejectedRowsSQL, [":limit": .integer(Int64(Self.rejectedRowLimit))]
    ).map {
      RejectedRow(
        fileName: try $0.text("file_name"), line: try $0.integer("line"), column: $0.optionalText("column_name"),
        error: try $0.text("error"))
    }
    rejectedRowsTotal = try db.scalar("SELECT count(*) FROM rejected_row").integer ?? 0
    // Read at report time from the stored hosts: only a name with a non-ASCII label can mix scripts.
    homographHosts = try records("hosts that mix scripts", Self.nonASCIIHostsSQL).compactMap {
      let host = try $0.text("host")
      let scripts = Homograph.mixedScripts(in: host)
      guard !scripts.isEmpty else { return nil }
      // A phone or ID number in a host is masked here as in decision targets (finding A21).
      return HomographHost(
        host: PersonalNumberMask.mask(host), hostASCII: PersonalNumberMask.mask(try $0.text("host_ascii")),
        domain: PersonalNumberMask.mask(try $0.text("domain")), scripts: scripts, events: try $0.integer("events"))
    }
    let asOf = try db.scalar("SELECT max(imported_at) FROM batch").text
    dataAsOf = asOf.flatMap { TimestampParser.utc.parse($0) } ?? Timestamp(milliseconds: 0)
    latestEventAt = try db.scalar(Self.latestEventSQL).text
    latestComplaintAt = try db.scalar(Self.latestComplaintSQL).text
    let daysWithEvents = Set(try records("days with events", Self.daysWithEventsSQL).map { try $0.text("day_start") })
    daysWithoutEvents = Self.days(of: quarter, in: timeZone).filter { !daysWithEvents.contains($0.start) }.map(\.date)
  }

  /// Each local day of a quarter: its date and the UTC instant it starts,
  /// found by the rollups' own day rule (`MonthLocator.day`), as `event_day` holds it.
  static func days(of quarter: Quarter, in zone: TimeZone) -> [(date: String, start: String)] {
    var locator = MonthLocator(timeZone: zone)
    let (start, end) = quarter.bounds(in: zone)
    var days: [(String, String)] = []
    var day = start.milliseconds
    while day < end.milliseconds {
      let (y, m, d) = locator.parser.localDate(of: Timestamp(milliseconds: day))
      days.append((String(format: "%04d-%02d-%02d", y, m, d), Timestamp(milliseconds: day).iso))
      // The next day's start, from a time safely inside it.
      day = locator.day(day + 30 * 3_600_000)
    }
    return days
  }

  /// The days without events as runs: `2022-02-01 – 2022-02-03, 2022-03-09`.
  public var daysWithoutEventsText: String {
    let all = Self.days(of: quarter, in: timeZone).map(\.date)
    let position = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($1, $0) })
    return Self.runs(daysWithoutEvents) { position[$0].map { $0 + 1 } == position[$1] }
  }

  /// Sorted items as runs of consecutive ones (`isNext(a, b)`: b follows a):
  /// `a – c, e`.
  static func runs(_ sorted: [String], isNext: (String, String) -> Bool) -> String {
    var runs: [(first: String, last: String)] = []
    for item in sorted {
      if let last = runs.last, isNext(last.last, item) {
        runs[runs.count - 1].last = item
      } else {
        runs.append((item, item))
      }
    }
    return runs.map { $0.first == $0.last ? $0.first : "\($0.first) – \($0.last)" }.joined(separator: ", ")
  }

  static let scenePlatformSQL = """
    SELECT platform_id, scene, coalesce(sum(CASE WHEN action = 'open' THEN events END), 0) AS opens,
      sum(events) AS events
    FROM platform_month
    WHERE month_start >= :start AND month_start < :end
    GROUP BY platform_id, scene ORDER BY platform_id, scene
    """

  static let latestEventSQL = "SELECT max(last_occurred_at) FROM batch WHERE kind = 'links'"
  static let latestComplaintSQL =
    "SELECT max(max(received_at, coalesce(updated_at, received_at))) FROM complaint"
  static let daysWithEventsSQL =
    "SELECT DISTINCT day_start FROM event_day WHERE day_start >= :start AND day_start < :end"

  /// A stored UTC time shown in the report's time zone: `2021-10-02 10:00:00`.
  public func local(_ iso: String?) -> String {
    guard let iso, let t = TimestampParser.utc.parse(iso) else { return "" }
    return reportZone.localText(of: t)
  }

  /// Stored month starts as local months, consecutive ones as a run:
  /// `2021-07 – 2021-09, 2021-11`.
  public func months(_ starts: [String]) -> String {
    func next(_ m: String) -> String {
      let (y, n) = (Int(m.prefix(4)) ?? 0, Int(m.suffix(2)) ?? 0)
      return n == 12 ? String(format: "%04d-01", y + 1) : String(format: "%04d-%02d", y, n + 1)
    }
    return Self.runs(starts.map { String(local($0).prefix(7)) }.sorted()) { next($0) == $1 }
  }

  /// The quarter's first and last day, local: `2021-10-01 – 2021-12-31`.
  public var periodText: String {
    let (first, last) = periodDays
    return "\(first) – \(last)"
  }

  /// The quarter's first and last day in the report's zone (`2022-01-01`).
  private var periodDays: (first: String, last: String) {
    let (start, end) = quarter.bounds(in: timeZone)
    let last = Timestamp(milliseconds: end.milliseconds - 1)
    return (String(local(start.iso).prefix(10)), String(local(last.iso).prefix(10)))
  }

  /// The period as a reader of `language` writes it: 2022年1月1日至2022年3月31日
  /// in Chinese, 2022-01-01 – 2022-03-31 in English.
  package func period(in language: ReportLanguage) -> String {
    guard language == .zh else { return periodText }
    func chinese(_ day: String) -> String {
      let parts = day.split(separator: "-").compactMap { Int($0) }
      return parts.count == 3 ? "\(parts[0])年\(parts[1])月\(parts[2])日" : day
    }
    let (first, last) = periodDays
    return "\(chinese(first))至\(chinese(last))"
  }

  /// A warehouse bundle is a batch of link-log kind; the reader is told its events were counted in the warehouse.
  static let batchesSQL = """
    SELECT batch_id,
      CASE WHEN batch_id IN (SELECT batch_id FROM rollup_bundle) THEN 'rollups' ELSE kind END AS kind,
      file_name, sha256, imported_at, rows_read, rows_stored, rows_duplicate, rows_rejected
    FROM batch ORDER BY batch_id
    """

  static let policiesSQL = """
    SELECT p.version, v.title, p.effective_from, v.sha256
    FROM policy_period p JOIN policy_version v ON v.version = p.version
    WHERE p.effective_from < :end AND p.effective_until > :start
    ORDER BY p.effective_from
    """

  /// The previous quarter (from `:previous_start`) and this one, by policy
  /// version: the counts every event rate of the comparison is made of.
  static let policyComparisonSQL = """
    WITH g AS (
      SELECT month_start >= :start AS is_current, policy_version, scene, reason, action, sum(events) AS n
      FROM event_month
      WHERE month_start >= :previous_start AND month_start < :end
      GROUP BY 1, 2, 3, 4, 5),
    a AS (
      SELECT e.*, \(MetricCatalogue.actionLevel("e.action")) AS alevel,
        \(MetricCatalogue.treatmentLevel("t.treatment")) AS tlevel
      FROM g e \(MetricCatalogue.treatmentJoin))
    SELECT is_current, policy_version, sum(n) AS events,
      coalesce(sum(CASE WHEN action = 'open' THEN n END), 0) AS opens,
      coalesce(sum(CASE WHEN action IN ('warn_proceed', 'warn_back') THEN n END), 0) AS warned,
      coalesce(sum(CASE WHEN action = 'block' THEN n END), 0) AS blocked,
      coalesce(sum(CASE WHEN alevel = tlevel THEN n END), 0) AS conforming,
      coalesce(sum(CASE WHEN alevel > tlevel THEN n END), 0) AS over_restricted,
      coalesce(sum(CASE WHEN reason = 'scene_rule' AND action <> 'open' THEN n END), 0) AS scene_rule,
      coalesce(sum(CASE WHEN action = 'warn_proceed' THEN n END), 0) AS proceeded
    FROM a
    GROUP BY is_current, policy_version
    ORDER BY is_current, policy_version
    """

  /// The domains with most restrictions of principles 1-3 from `:window_start`
  /// (four quarters back) to `:end`, with the months they were restricted in,
  /// their upheld complaints of principles 1-3 received in the window, the
  /// decisions of principles 1-3 on them standing at the quarter's end, and
  /// the distinct events opened under any decision of principles 1-3 on them in the window.
  static let repeatOffendersSQL = """
    WITH r AS MATERIALIZED (
      SELECT h.domain, m.month_start, sum(m.events) AS n
      FROM host_month m JOIN host h USING (host_id)
      WHERE m.month_start >= :window_start AND m.month_start < :end AND m.principle IN (1, 2, 3)
        AND m.action <> 'open'
      GROUP BY h.domain, m.month_start),
    top AS (
      SELECT domain, sum(n) AS restrictions FROM r
      GROUP BY domain ORDER BY restrictions DESC, domain LIMIT :limit),
    standing AS MATERIALIZED (
      SELECT domain FROM decision
      WHERE principle IN (1, 2, 3) AND stands_from < :end AND (stands_until IS NULL OR stands_until >= :end)),
    x AS MATERIALIZED (
      SELECT h.domain, count(DISTINCT o.event_rowid) AS opens
      FROM decision_open o JOIN host h ON h.host_id = o.host_id
      WHERE o.principle IN (1, 2, 3) AND o.action = 'open' AND o.occurred_at >= :window_start AND o.occurred_at < :end
        AND h.domain IN (SELECT domain FROM top)
      GROUP BY h.domain)
    SELECT t.domain, t.restrictions,
      (SELECT group_concat(month_start, ',')
       FROM (SELECT month_start FROM r WHERE r.domain = t.domain ORDER BY month_start)) AS months,
      (SELECT min(platform_id) FROM host WHERE domain = t.domain) AS platform_id,
      (SELECT count(*) FROM complaint c
       WHERE c.domain = t.domain AND c.outcome = 'upheld' AND c.principle IN (1, 2, 3)
         AND c.received_at >= :window_start AND c.received_at < :end) AS upheld,
      (SELECT count(*) FROM standing s WHERE s.domain = t.domain) AS decisions_standing,
      coalesce((SELECT opens FROM x WHERE x.domain = t.domain), 0) AS opens_under_decisions
    FROM top t
    ORDER BY t.restrictions DESC, t.domain
    """

  static let allPoliciesSQL = """
    SELECT p.version, v.title, p.effective_from, v.sha256
    FROM policy_period p JOIN policy_version v ON v.version = p.version
    ORDER BY p.effective_from
    """

  static let conformanceSQL =
    MetricCatalogue.assessed(
      """
      SELECT policy_version, scene, sum(n) AS events,
        sum(CASE WHEN alevel = tlevel THEN n ELSE 0 END) AS conforming,
        sum(CASE WHEN alevel > tlevel THEN n ELSE 0 END) AS over_restricted,
        sum(CASE WHEN alevel < tlevel THEN n ELSE 0 END) AS under_restricted
      """) + "\nGROUP BY policy_version, scene ORDER BY policy_version, scene"

  static let complaintsByMonthSQL = """
    SELECT CASE WHEN received_at < :m2 THEN 1 WHEN received_at < :m3 THEN 2 ELSE 3 END AS month,
      principle, count(*) AS complaints
    FROM complaint WHERE received_at >= :start AND received_at < :end
    GROUP BY month, principle
    """

  static let restrictionsByCategorySQL = """
    SELECT principle, reason, sum(events) AS restrictions FROM event_month
    WHERE month_start >= :start AND month_start < :end AND principle IS NOT NULL AND action <> 'open'
    GROUP BY principle, reason ORDER BY principle, restrictions DESC, reason
    """

  /// The columns `ComplaintRow` reads, for every list of complaints.
  static let complaintColumns = """
    SELECT complaint_id, reporter_pseudonym, received_at, category, principle, channel, status, resolved_at,
      ms_to_resolve / 3600000.0 AS hours_to_resolve, sla_hours, outcome, action_taken, url_normalised, domain,
      platform_id, description, duplicate_of,
      CASE WHEN \(MetricCatalogue.openAt(":end")) THEN \(MetricCatalogue.msOpenAt(":end")) / 3600000.0 END
        AS hours_open_at_end,
      coalesce(\(MetricCatalogue.overdueAt(":end")), 0) AS overdue_at_end
    FROM complaint_handling
    """

  static let complaintsSQL =
    complaintColumns + """

      WHERE \(MetricCatalogue.inQuarterC)
      ORDER BY received_at, complaint_id
      """

  static let backlogSQL =
    complaintColumns + """

      WHERE \(MetricCatalogue.openAt(":end"))
        OR (\(MetricCatalogue.inQuarterC) AND resolved_at < :end AND ms_to_resolve > sla_hours * 3600000)
      ORDER BY hours_open_at_end IS NULL, principle, received_at, complaint_id
      """

  static let referralsSQL =
    complaintColumns + """

      WHERE channel = 'regulator_referral' AND (\(MetricCatalogue.inQuarterC) OR \(MetricCatalogue.openAt(":start")))
      ORDER BY received_at, complaint_id
      """

  /// Decisions standing at some time in the quarter, with the events opened
  /// and warned under each in the quarter (`decision_month`: the events on its
  /// URL or domain, not blocked, while it stood).
  static let decisionsSQL = """
    WITH under AS (
      SELECT complaint_id, sum(opened) AS opened, sum(warned) AS warned FROM decision_month
      WHERE month_start >= :start AND month_start < :end
      GROUP BY complaint_id)
    SELECT d.complaint_id, d.principle, k.category, d.action_taken AS scope,
      CASE d.action_taken WHEN 'block_url' THEN d.url_normalised ELSE d.domain END AS target,
      k.received_at, d.resolved_at, d.stands_from, d.stands_until,
      coalesce(u.opened, 0) AS opens_in_quarter, coalesce(u.warned, 0) AS warned_in_quarter
    FROM decision d JOIN complaint k ON k.complaint_id = d.complaint_id
      LEFT JOIN under u ON u.complaint_id = d.complaint_id
    WHERE d.stands_from < :end AND (d.stands_until IS NULL OR d.stands_until > :start)
    ORDER BY d.stands_from, d.complaint_id
    """

  /// The events of principles 1 and 2 that got through: a category of the
  /// principle as reason and an action more lenient than their policy
  /// prescribes (the rule of `pN.under_restricted`), read through the index of
  /// events with a principle, by action (a blocked event cannot be
  /// under-restricted). The treatments are materialised once (a few hundred
  /// rows), not evaluated per event.
  package static let gotThroughSQL = """
    WITH t AS MATERIALIZED (SELECT version, scene, reason, treatment FROM policy_treatment)
    SELECT e.event_id, e.occurred_at, e.principle, e.scene, e.url_normalised, h.domain, h.platform_id, e.reason,
      e.action, t.treatment, e.policy_version, e.detected_by, e.client_version
    FROM link_event e JOIN host h ON h.host_id = e.host_id
      LEFT JOIN t ON t.version = e.policy_version AND t.scene = e.scene AND t.reason IS e.reason
    WHERE e.principle IN (1, 2) AND e.action IN ('open', 'warn_proceed', 'warn_back')
      AND e.occurred_at >= :start AND e.occurred_at < :end
      AND \(MetricCatalogue.actionLevel("e.action")) < \(MetricCatalogue.treatmentLevel("t.treatment"))
    ORDER BY e.principle, e.occurred_at, e.event_id
    LIMIT :limit
    """

  /// What got through of principle 3, by category and domain: the same rule,
  /// read from the counts of events with a category (`reason_month`).
  static let gotThroughCountsSQL = """
    WITH t AS MATERIALIZED (SELECT version, scene, reason, treatment FROM policy_treatment)
    SELECT r.reason, h.domain, sum(r.events) AS events
    FROM reason_month r JOIN host h ON h.host_id = r.host_id
      LEFT JOIN t ON t.version = r.policy_version AND t.scene = r.scene AND t.reason = r.reason
    WHERE r.principle = 3 AND r.month_start >= :start AND r.month_start < :end
      AND \(MetricCatalogue.actionLevel("r.action")) < \(MetricCatalogue.treatmentLevel("t.treatment"))
    GROUP BY r.reason, h.domain
    ORDER BY events DESC, r.reason, h.domain
    """

  static let upheldWithoutBlockSQL =
    complaintColumns + """

      WHERE \(MetricCatalogue.inQuarterC) AND outcome = 'upheld'
        AND coalesce(action_taken, '') NOT IN ('block_url', 'block_domain') AND principle IN (1, 2, 3)
      ORDER BY principle, received_at, complaint_id
      """

  static let nonASCIIHostsSQL = """
    SELECT h.host, h.host_ascii, h.domain, sum(m.events) AS events
    FROM host_month m JOIN host h USING (host_id)
    WHERE \(MetricCatalogue.inQuarterE) AND h.host <> h.host_ascii
    GROUP BY h.host_id ORDER BY events DESC, h.host
    """

  static let rejectedRowsSQL = """
    SELECT b.file_name, r.line, r.column_name, r.error
    FROM rejected_row r JOIN batch b ON b.batch_id = r.batch_id
    ORDER BY r.batch_id, r.line LIMIT :limit
    """
}

extension ReportData {
  /// A platform as a reader knows it: its name in the registry, "unregistered
  /// domains" for `other`, the id when the registry no longer names it.
  package func platformName(_ id: String, in language: ReportLanguage) -> String {
    if id == "other" { return language.text(.unregistered) }
    guard let names = platformNames[id] else { return id }
    return language == .zh ? names.zh : names.en
  }
}
