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

  /// One rule of a policy version in force in the quarter: a scene's or a
  /// category's treatment, or a principle's deadline in hours (the Rules in
  /// force sheet, issue 32).
  public struct PolicyRule: Sendable, Equatable {
    public enum Kind: String, Sendable { case scene, category, sla }
    public var version: String
    public var kind: Kind
    /// The scene or category code (`default` for every one not named), or the principle's number.
    public var item: String
    /// The treatment code; nil for a deadline.
    public var treatment: String?
    public var hours: Double?
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
    /// Open at the end and older than its SLA then (the rule of `pN.overdue_at_end`).
    public var isOverdue: Bool
    /// Whole days (rounded down) past its deadline at the quarter's end, when overdue then.
    public var daysOverdueAtEnd: Int64?
    /// Whole days (rounded down) past its deadline when resolved, when resolved late before the quarter's end.
    public var daysLate: Int64?
    /// What the policy in force at receipt prescribes for its category (open, warn, block).
    public var prescribed: String?

    /// Resolved after its deadline, before the quarter's end.
    public var isResolvedLate: Bool { daysLate != nil }
    /// Whole days overdue: at the quarter's end if open and overdue then, at resolution if resolved late.
    public var daysOverdue: Int64? { daysOverdueAtEnd ?? daysLate }

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
      url = PersonalNumberMask.maskURL(try r.text("url_normalised"))
      // A phone or ID number in a host is masked as in the Got through list (finding A21).
      domain = PersonalNumberMask.mask(try r.text("domain"))
      platformID = try r.text("platform_id")
      // Masked at import; again here, so text imported under the older ID mask shows only the last four.
      description = r.optionalText("description").map(PersonalNumberMask.mask)
      duplicateOf = r.optionalText("duplicate_of")
      hoursOpenAtEnd = r.optionalDouble("hours_open_at_end")
      isOverdue = try r.integer("overdue_at_end") != 0
      daysOverdueAtEnd = r.optionalInteger("days_overdue_at_end")
      daysLate = r.optionalInteger("days_late")
      prescribed = r.optionalText("prescribed")
    }
  }

  /// A decision standing at some time in the quarter, with its taps in the
  /// quarter by action (every tap on its URL or domain while it stood).
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
    /// What it prescribes for the link: `block`, or `warn` (warn_url).
    public var prescribed: String
    public var opened: Int64
    public var proceeded: Int64
    public var wentBack: Int64
    public var blocked: Int64

    /// decision.taps: every tap under it.
    public var taps: Int64 { opened + proceeded + wentBack + blocked }
    /// decision.enforced: the taps handled as it prescribes (a block: blocked; a warning: warned or blocked).
    public var enforced: Int64 { prescribed == "warn" ? proceeded + wentBack + blocked : blocked }
    /// decision.reached: the taps that reached the page (opened, or went on through a warning).
    public var reached: Int64 { opened + proceeded }
    /// enforced / taps; nil without taps.
    public var enforcementRate: Double? { taps == 0 ? nil : Double(enforced) / Double(taps) }

    package init(_ r: Record) throws {
      complaintID = try r.text("complaint_id")
      principle = try r.integer("principle")
      category = try r.text("category")
      scope = try r.text("scope")
      // A URL may carry a phone or ID number in its query or path: masked
      // wherever the package shows it (the stored URL stays whole, decisions match on it).
      target = PersonalNumberMask.maskURL(try r.text("target"))
      receivedAt = try r.text("received_at")
      resolvedAt = try r.text("resolved_at")
      standsFrom = try r.text("stands_from")
      standsUntil = r.optionalText("stands_until")
      prescribed = try r.text("prescribed")
      opened = try r.integer("opened")
      proceeded = try r.integer("proceeded")
      wentBack = try r.integer("went_back")
      blocked = try r.integer("blocked")
    }

    /// The register as `decisions.csv` writes it: UTC times as stored, its
    /// text safe to open in a spreadsheet (the package is opened in Excel or WPS).
    /// taps, enforced and reached are decision.taps, decision.enforced and
    /// decision.reached of metrics.csv; the four actions add up to taps.
    static let csvHeader = [
      "complaint_id", "principle", "category", "scope", "target", "received_at", "resolved_at", "effective_from",
      "restored_at", "taps", "enforced", "reached", "open", "warn_proceed", "warn_back", "block",
    ]
    var csvFields: [String] {
      [
        spreadsheetText(complaintID), String(principle), spreadsheetText(category), spreadsheetText(scope),
        spreadsheetText(target), receivedAt, resolvedAt, standsFrom, standsUntil ?? "", String(taps), String(enforced),
        String(reached), String(opened), String(proceeded), String(wentBack), String(blocked),
      ]
    }
  }

  /// An event whose action was more lenient than its policy prescribes
  /// (`overview.under_restricted`): what got through, with the rule it broke.
  public struct GotThroughRow: Sendable {
    public var eventID: String
    public var occurredAt: String
    /// `category` (its reason is a category, whose rule prescribes the
    /// treatment) or `scene` (no category: the scene's rule prescribes it),
    /// as `overview.under_restricted[rule=…]` splits them.
    public var rule: String
    /// The category's principle; nil under a scene's rule.
    public var principle: Int64?
    public var scene: String
    public var url: String
    public var domain: String
    public var platformID: String
    /// The reason given: a category, `scene_rule`, or none (an open).
    public var category: String?
    public var action: String
    public var treatment: String
    public var policyVersion: String
    public var detectedBy: String
    public var clientVersion: String?

    init(_ r: Record) throws {
      eventID = try r.text("event_id")
      occurredAt = try r.text("occurred_at")
      rule = try r.text("rule")
      principle = r.optionalInteger("principle")
      scene = try r.text("scene")
      url = PersonalNumberMask.maskURL(try r.text("url_normalised"))
      // A phone or ID number in a host is masked as in decision targets (finding A21).
      domain = PersonalNumberMask.mask(try r.text("domain"))
      platformID = try r.text("platform_id")
      category = r.optionalText("reason")
      action = try r.text("action")
      treatment = try r.text("treatment")
      policyVersion = try r.text("policy_version")
      detectedBy = try r.text("detected_by")
      clientVersion = r.optionalText("client_version").map(PersonalNumberMask.mask)
    }

    /// The case register's columns (`under_restricted.csv`), as `csvFields` gives them.
    static let csvHeader = [
      "event_id", "occurred_at", "rule", "principle", "scene", "url", "domain", "platform_id", "reason", "action",
      "prescribed", "policy_version", "detected_by", "client_version", "report_art47",
    ]
    var csvFields: [String] {
      [
        spreadsheetText(eventID), occurredAt, rule, principle.map(String.init) ?? "", scene, spreadsheetText(url),
        spreadsheetText(domain), spreadsheetText(platformID), category ?? "", action, treatment,
        spreadsheetText(policyVersion), detectedBy, spreadsheetText(clientVersion ?? ""), principle == 1 ? "yes" : "",
      ]
    }
  }

  /// A URL first restricted in the quarter more than `MetricCatalogue.lateActionHours`
  /// after it was first seen (`pN.late_actions`).
  public struct LateActionRow: Sendable {
    public var principle: Int64
    public var url: String
    public var firstSeen: String
    public var firstRestricted: String
    public var hoursToAction: Double
    public var opensBefore: Int64
    public var detectedBy: String

    init(_ r: Record) throws {
      principle = try r.integer("principle")
      url = PersonalNumberMask.maskURL(try r.text("url_normalised"))
      firstSeen = try r.text("first_seen")
      firstRestricted = try r.text("first_restricted")
      hoursToAction = r.optionalDouble("hours_to_action") ?? 0
      opensBefore = try r.integer("opens_before")
      detectedBy = try r.text("detected_by")
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

  /// The quarter reported on, in the report's zone.
  public let period: ReportPeriod
  public var quarter: Quarter { period.quarter }
  public var timeZone: TimeZone { period.timeZone }
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
  /// The rules of every version in `policies`, by version, kind and item.
  public let policyRules: [PolicyRule]

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
  /// The referrals overdue at the quarter's end, whatever quarter they came in (`overview.referrals_overdue_at_end`).
  public var overdueReferrals: [ComplaintRow] { referrals.filter(\.isOverdue) }
  /// Every decision standing at some time in the quarter.
  /// The decisions least enforced, for the summary's lead: the
  /// `leastEnforcedShown` with the lowest enforcement rate among those with
  /// taps in the quarter (ties: more taps first, then complaint id).
  public var leastEnforcedDecisions: [DecisionRow] {
    Array(decisionsLeastEnforcedFirst.prefix(Self.leastEnforcedShown))
  }
  /// Every decision with taps not all enforced, the lowest enforcement rate
  /// first, then the most taps, then by id: the one order the summary and
  /// the key findings read them in.
  public var decisionsLeastEnforcedFirst: [DecisionRow] {
    decisions.filter { $0.taps > 0 && $0.enforced < $0.taps }.sorted {
      let (a, b) = ($0.enforcementRate ?? 1, $1.enforcementRate ?? 1)
      return a != b ? a < b : $0.taps != $1.taps ? $0.taps > $1.taps : $0.complaintID < $1.complaintID
    }
  }
  public static let leastEnforcedShown = 3
  public let decisions: [DecisionRow]
  /// Upheld complaints of the quarter closed with less than the prescribed action (`pN.upheld_without_action`).
  public let upheldWithoutAction: [ComplaintRow]
  /// The under-restricted events (`overview.under_restricted`), by the
  /// category's rule (in principle and time order), then the scene's (in
  /// time order), from the rollup that keeps them: the first
  /// `gotThroughLimit`, which the sheets show; `gotThroughTotal` is the
  /// headline figure all of them add up to, and the package's
  /// `under_restricted_events.csv` lists every one (`EventSection.eachUnderRestricted`).
  public let gotThrough: [GotThroughRow]
  public let gotThroughTotal: Int64
  /// How many of them the rollups hold one by one (the case register's
  /// rows): fewer than the total only where a warehouse bundle of a job
  /// before version 3 did not ship them, which the lists then say.
  public let gotThroughHeld: Int64
  /// Principle 3's events that got through, by category and domain.
  public let gotThroughCounts: [GotThroughCount]
  /// The URLs of principles 1-3 restricted late (`pN.late_actions`), longest first within a principle.
  public let lateActions: [LateActionRow]
  /// Up to the last `trendQuarters` quarters that hold events or complaints,
  /// up to this one, oldest first.
  public let trend: [TrendPoint]
  /// The domains most restricted for principles 1-3 over the last four quarters.
  public let repeatOffenders: [RepeatOffender]
  /// The first day of the four quarters repeat offenders are counted over.
  public var repeatWindowStart: Timestamp { Self.repeatWindowStart(period) }

  /// The start of the quarter three before the period's: four quarters in all.
  static func repeatWindowStart(_ period: ReportPeriod) -> Timestamp { period.back(3).start }
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
  package static let trendMetricIDs: [MetricID] =
    [.events, .openRate, .decisionEnforcementRate, .decisionReached, .complaints, .postDecisionOpens]
    + Principle.allCases.map(MetricID.upheld)
    // The overdue at the end beside each deadlines-met rate: the rate counts only what fell due.
    + Principle.allCases.flatMap { [MetricID.dueMetRate($0), .overdueAtEnd($0)] }
    + [Principle.lawfulContent, .privacyAndSecurity, .usersInterests].map(MetricID.postDecisionOpens)

  /// How many repeat offenders are listed.
  package static let repeatOffenderLimit = 20

  /// Rejected rows listed in the workbook; the total is always stated.
  package static let rejectedRowLimit = 10_000
  /// Late URLs listed; `pN.late_actions` counts them all.
  package static let lateActionLimit = 10_000
  /// Events that got through listed in the workbook; the total is always stated.
  package static let gotThroughLimit = 10_000

  public init(database db: Database, quarter: Quarter, timeZone: TimeZone, ratingModel: RatingModel? = nil) throws {
    try self.init(database: db, period: ReportPeriod(quarter, in: timeZone), ratingModel: ratingModel)
  }

  /// Reads the period's figures, then each section of the report.
  public init(database db: Database, period: ReportPeriod, ratingModel: RatingModel? = nil) throws {
    self.period = period
    reportZone = TimestampParser(timeZone: period.timeZone)
    ratings = try Timing.measure("ratings") {
      try ratingModel.map {
        try QuarterRatings(database: db, quarter: period.quarter, timeZone: period.timeZone, model: $0)
      }
    }
    current = try QuarterFigures(database: db, period: period, ratings: ratings)
    previous = try QuarterFigures(database: db, period: period.previous)
    let queries = ReportQueries(db: db, period: period)

    let provenance = try ProvenanceSection(queries)
    platformNames = provenance.platformNames
    batches = provenance.batches
    rejectedRows = provenance.rejectedRows
    rejectedRowsTotal = provenance.rejectedRowsTotal
    dataAsOf = provenance.dataAsOf
    latestEventAt = provenance.latestEventAt
    latestComplaintAt = provenance.latestComplaintAt
    daysWithoutEvents = provenance.daysWithoutEvents

    let policySection = try PolicySection(queries)
    policies = policySection.policies
    previousPolicies = policySection.previousPolicies
    policyComparison = policySection.policyComparison
    policyRules = policySection.rules

    let events = try EventSection(queries, figures: current)
    conformance = events.conformance
    restrictionsByCategory = events.restrictionsByCategory
    gotThrough = events.gotThrough
    gotThroughTotal = events.gotThroughTotal
    gotThroughHeld = events.gotThroughHeld
    gotThroughCounts = events.gotThroughCounts
    lateActions = events.lateActions
    scenePlatformCounts = events.scenePlatformCounts
    homographHosts = events.homographHosts

    let cases = try CaseSection(queries)
    complaintsByMonth = cases.complaintsByMonth
    complaints = cases.complaints
    backlog = cases.backlog
    referrals = cases.referrals
    decisions = cases.decisions
    upheldWithoutAction = cases.upheldWithoutAction

    trend = try TrendSection(
      queries, current: current, previous: previous, allPolicies: policySection.allPolicies
    ).trend
    repeatOffenders = try RepeatOffenderSection(queries).repeatOffenders
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
    let last = Timestamp(milliseconds: period.end.milliseconds - 1)
    return (String(local(period.start.iso).prefix(10)), String(local(last.iso).prefix(10)))
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

extension ReportData {
  /// One platform's interconnection figures: its events, its scene-rule
  /// restrictions and its over-restricted events (counts, beside which the
  /// reports put each as a share of the events).
  public struct InterconnectionRow: Sendable {
    public var platformID: String
    public var events: Int64
    public var sceneRuleRestrictions: Int64
    public var overRestricted: Int64
  }

  /// `p4.scene_rule_restrictions[platform=…]` and `p4.over_restricted[platform=…]`
  /// beside each platform's events (`platform_month`, as the open rate by platform reads them).
  /// Rows by events, most first, the unregistered last: an order that reads the same in
  /// both languages (platform ids in English order read as random in Chinese).
  public var interconnection: [InterconnectionRow] {
    func counts(_ id: MetricID) -> [String: Int64] {
      Dictionary(current.along(id, "platform").map { ($0.label, Int64($0.value.double ?? 0)) }) { a, _ in a }
    }
    let sceneRule = counts(.sceneRuleRestrictions)
    let over = counts(.overRestrictedByPlatform)
    var events: [String: Int64] = [:]
    for c in scenePlatformCounts { events[c.platformID, default: 0] += c.events }
    return Set(sceneRule.keys).union(over.keys).map {
      InterconnectionRow(
        platformID: $0, events: events[$0] ?? 0, sceneRuleRestrictions: sceneRule[$0] ?? 0,
        overRestricted: over[$0] ?? 0
      )
    }.sorted { a, b in
      let unregistered = (a.platformID == "other", b.platformID == "other")
      if unregistered.0 != unregistered.1 { return unregistered.1 }
      return a.events != b.events ? a.events > b.events : a.platformID < b.platformID
    }
  }
}
