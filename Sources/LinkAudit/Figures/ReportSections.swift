import Foundation
import LinkAuditCore
import LinkAuditStore

// The report's data, read in sections: each owns its SQL and reads it for
// one `ReportPeriod`. `ReportData` puts them together.

/// Runs a section's queries for the period, each named for the timing log
/// and for any error (`the report's backlog query`).
struct ReportQueries {
  let db: Database
  let period: ReportPeriod

  func records(_ source: String, _ sql: String, _ extra: [String: SQLValue] = [:]) throws -> [Record] {
    try Timing.measure("report query \(source)") {
      try db.records(sql, named: period.parameters.merging(extra) { $1 }, source: "the report's \(source) query")
    }
  }

  /// The same queries for the quarter before.
  var previous: ReportQueries { ReportQueries(db: db, period: period.previous) }
}

/// Where the data came from and how complete it is: the batches, the
/// registry's platform names, the rejected rows, how recent the events and
/// complaints are, the days without events.
struct ProvenanceSection {
  let platformNames: [String: (en: String, zh: String)]
  let batches: [ReportData.Batch]
  let rejectedRows: [ReportData.RejectedRow]
  let rejectedRowsTotal: Int64
  let dataAsOf: Timestamp
  let latestEventAt: String?
  let latestComplaintAt: String?
  let daysWithoutEvents: [String]

  init(_ q: ReportQueries) throws {
    // Import refuses a name carrying a personal number; a database imported before that holds it, so the
    // names are masked as every output of stored text is (red-team F4).
    platformNames = Dictionary(
      try q.records("platform names", Self.platformNamesSQL).map {
        (
          try $0.text("platform_id"),
          (en: PersonalNumberMask.mask(try $0.text("name_en")), zh: PersonalNumberMask.mask(try $0.text("name_zh")))
        )
      }
    ) { a, _ in a }
    batches = try q.records("batches", Self.batchesSQL).map {
      ReportData.Batch(
        // A file's name is the user's text too (投诉-张三-13812345678.csv): masked as every output of it (red-team G7).
        batchID: try $0.integer("batch_id"), kind: try $0.text("kind"),
        fileName: PersonalNumberMask.mask(try $0.text("file_name")),
        sha256: try $0.text("sha256"), importedAt: try $0.text("imported_at"), rowsRead: try $0.integer("rows_read"),
        rowsStored: try $0.integer("rows_stored"), rowsDuplicate: try $0.integer("rows_duplicate"),
        rowsRejected: try $0.integer("rows_rejected"))
    }
    rejectedRows = try q.records(
      "rejected rows", Self.rejectedRowsSQL, [":limit": .integer(Int64(ReportData.rejectedRowLimit))]
    ).map {
      ReportData.RejectedRow(
        fileName: PersonalNumberMask.mask(try $0.text("file_name")), line: try $0.integer("line"),
        column: $0.optionalText("column_name"),
        // The value a row was refused for is quoted masked; again here, so an error stored under the older ID
        // mask shows only the last four (red-team E3).
        error: PersonalNumberMask.mask(try $0.text("error")))
    }
    rejectedRowsTotal = try q.db.scalar(Self.rejectedRowsTotalSQL).integer ?? 0
    let asOf = try q.db.scalar(Self.dataAsOfSQL).text
    dataAsOf = asOf.flatMap { TimestampParser.utc.parse($0) } ?? Timestamp(milliseconds: 0)
    latestEventAt = try q.db.scalar(Self.latestEventSQL).text
    latestComplaintAt = try q.db.scalar(Self.latestComplaintSQL).text
    let daysWithEvents = Set(try q.records("days with events", Self.daysWithEventsSQL).map { try $0.text("day_start") })
    daysWithoutEvents = ReportData.days(of: q.period.quarter, in: q.period.timeZone).filter {
      !daysWithEvents.contains($0.start)
    }.map(\.date)
  }

  static let platformNamesSQL = "SELECT platform_id, name_en, name_zh FROM current_platform"
  static let rejectedRowsTotalSQL = "SELECT count(*) FROM rejected_row"
  static let dataAsOfSQL = "SELECT max(imported_at) FROM batch"

  static let latestEventSQL = "SELECT max(last_occurred_at) FROM batch WHERE kind = 'links'"
  static let latestComplaintSQL =
    "SELECT max(max(received_at, coalesce(updated_at, received_at))) FROM complaint"
  static let daysWithEventsSQL =
    "SELECT DISTINCT day_start FROM event_day WHERE day_start >= :start AND day_start < :end"

  /// A warehouse bundle is a batch of link-log kind; the reader is told its events were counted in the warehouse.
  static let batchesSQL = """
    SELECT batch_id,
      CASE WHEN batch_id IN (SELECT batch_id FROM rollup_bundle) THEN 'rollups' ELSE kind END AS kind,
      file_name, sha256, imported_at, rows_read, rows_stored, rows_duplicate, rows_rejected
    FROM batch ORDER BY batch_id
    """

  static let rejectedRowsSQL = """
    SELECT b.file_name, r.line, r.column_name, r.error
    FROM rejected_row r JOIN batch b ON b.batch_id = r.batch_id
    ORDER BY r.batch_id, r.line LIMIT :limit
    """
}

/// The policy versions in force in the quarter and the one before, and the
/// event figures by version when the two differ.
struct PolicySection {
  let policies: [ReportData.Policy]
  let previousPolicies: [ReportData.Policy]
  let policyComparison: [ReportData.PolicyComparisonRow]
  /// Every policy version, for the trend's marks.
  let allPolicies: [ReportData.Policy]
  let rules: [ReportData.PolicyRule]

  init(_ q: ReportQueries) throws {
    func policy(_ r: Record) throws -> ReportData.Policy {
      // The title masked as a platform's name is (red-team F4); the version is a key the figures join on,
      // refused by import when it carries a number.
      ReportData.Policy(
        version: try r.text("version"), title: PersonalNumberMask.mask(try r.text("title")),
        effectiveFrom: try r.text("effective_from"), sha256: try r.text("sha256"))
    }
    policies = try q.records("policies", Self.policiesSQL).map(policy)
    previousPolicies = try q.previous.records("policies of the previous quarter", Self.policiesSQL).map(policy)
    let period = q.period
    if Set((policies + previousPolicies).map(\.version)).count > 1 {
      policyComparison = try q.records(
        "by policy version", Self.policyComparisonSQL, [":previous_start": .text(period.previous.start.iso)]
      ).map {
        let current = try $0.integer("is_current") != 0
        return ReportData.PolicyComparisonRow(
          quarter: (current ? period.quarter : period.quarter.previous).description,
          policyVersion: $0.optionalText("policy_version"),
          events: try $0.integer("events"), opens: try $0.integer("opens"), warned: try $0.integer("warned"),
          blocked: try $0.integer("blocked"), conforming: try $0.integer("conforming"),
          overRestricted: try $0.integer("over_restricted"), sceneRule: try $0.integer("scene_rule"),
          proceeded: try $0.integer("proceeded"))
      }
    } else {
      policyComparison = []
    }
    allPolicies = try q.records("every policy version", Self.allPoliciesSQL).map(policy)
    rules = try q.records("rules in force", Self.rulesSQL).map { r in
      // The kinds are the query's own literals.
      let kind = try r.text("kind")
      guard let k = ReportData.PolicyRule.Kind(rawValue: kind) else {
        throw ReportError(message: "unknown rule kind \(kind)")
      }
      return ReportData.PolicyRule(
        version: try r.text("version"), kind: k,
        item: try r.text("item"), treatment: r.optionalText("treatment"), hours: r.optionalDouble("hours"))
    }
  }

  /// The treatments and deadlines of each version in force in the quarter.
  static let rulesSQL = """
    WITH v AS (SELECT version FROM policy_period WHERE effective_from < :end AND effective_until > :start)
    SELECT s.version, 'scene' AS kind, s.scene AS item, s.treatment, NULL AS hours
    FROM policy_scene s JOIN v ON v.version = s.version
    UNION ALL
    SELECT c.version, 'category', c.category, c.treatment, NULL
    FROM policy_category c JOIN v ON v.version = c.version
    UNION ALL
    SELECT l.version, 'sla', CAST(l.principle AS TEXT), NULL, l.hours
    FROM policy_sla l JOIN v ON v.version = l.version
    ORDER BY 1, 2, 3
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

  static let allPoliciesSQL = """
    SELECT p.version, v.title, p.effective_from, v.sha256
    FROM policy_period p JOIN policy_version v ON v.version = p.version
    ORDER BY p.effective_from
    """
}

/// What the quarter's events show beyond the catalogue's figures:
/// conformance by scene, restrictions by category, what got through, the
/// open rate by scene and platform, hosts that mix scripts.
package struct EventSection {
  let conformance: [ReportData.ConformanceRow]
  let restrictionsByCategory: [Int: [(String, Int64)]]
  let gotThrough: [ReportData.GotThroughRow]
  let gotThroughTotal: Int64
  let gotThroughHeld: Int64
  let gotThroughCounts: [ReportData.GotThroughCount]
  let lateActions: [ReportData.LateActionRow]
  let scenePlatformCounts: [ReportData.ScenePlatformCount]
  let homographHosts: [ReportData.HomographHost]

  init(_ q: ReportQueries, figures: QuarterFigures) throws {
    conformance = try q.records("conformance", Self.conformanceSQL).map {
      ReportData.ConformanceRow(
        policyVersion: $0.optionalText("policy_version"), scene: try $0.text("scene"), events: try $0.integer("events"),
        conforming: try $0.integer("conforming"), over: try $0.integer("over_restricted"),
        under: try $0.integer("under_restricted"))
    }
    var restrictions: [Int: [(String, Int64)]] = [:]
    for r in try q.records("restrictions by category", Self.restrictionsByCategorySQL) {
      restrictions[Int(try r.integer("principle")), default: []].append(
        (try r.text("reason"), try r.integer("restrictions")))
    }
    restrictionsByCategory = restrictions
    gotThrough = try q.records(
      "under-restricted events", Self.gotThroughSQL + "\nLIMIT :limit",
      [":limit": .integer(Int64(ReportData.gotThroughLimit))]
    ).map(ReportData.GotThroughRow.init)
    // The same rule as the list, counted from the rollups (`overview.under_restricted`): no second scan of the events.
    gotThroughTotal = figures[MetricID.underRestricted]?.double.map { Int64($0) } ?? 0
    // Those the rollups hold one by one: fewer only where a bundle of an older job did not ship them.
    gotThroughHeld =
      try q.records("under-restricted events held", "SELECT count(*) AS n FROM (\(Self.gotThroughSQL))")
      .first?.integer("n") ?? 0
    gotThroughCounts = try q.records("got through by category and domain", Self.gotThroughCountsSQL).map {
      ReportData.GotThroughCount(
        category: try $0.text("reason"), domain: try $0.text("domain"), events: try $0.integer("events"))
    }
    lateActions = try q.records(
      "late actions", Self.lateActionsSQL, [":limit": .integer(Int64(ReportData.lateActionLimit))]
    ).map(ReportData.LateActionRow.init)
    scenePlatformCounts = try q.records("open rate by scene and platform", Self.scenePlatformSQL).map {
      ReportData.ScenePlatformCount(
        platformID: try $0.text("platform_id"), scene: try $0.text("scene"), opens: try $0.integer("opens"),
        events: try $0.integer("events"))
    }
    // Read at report time from the stored hosts: only a name with a non-ASCII label can mix scripts.
    homographHosts = try q.records("hosts that mix scripts", Self.nonASCIIHostsSQL).compactMap {
      let host = try $0.text("host")
      let scripts = Homograph.mixedScripts(in: host)
      guard !scripts.isEmpty else { return nil }
      // A phone or ID number in a host is masked here as in decision targets (finding A21).
      return ReportData.HomographHost(
        host: PersonalNumberMask.mask(host), hostASCII: PersonalNumberMask.mask(try $0.text("host_ascii")),
        domain: PersonalNumberMask.mask(try $0.text("domain")), scripts: scripts, events: try $0.integer("events"))
    }
  }

  static let conformanceSQL =
    MetricCatalogue.assessed(
      """
      SELECT policy_version, scene, sum(n) AS events,
        sum(CASE WHEN alevel = tlevel THEN n ELSE 0 END) AS conforming,
        sum(CASE WHEN alevel > tlevel THEN n ELSE 0 END) AS over_restricted,
        sum(CASE WHEN alevel < tlevel THEN n ELSE 0 END) AS under_restricted
      """) + "\nGROUP BY policy_version, scene ORDER BY policy_version, scene"

  static let restrictionsByCategorySQL = """
    SELECT principle, reason, sum(events) AS restrictions FROM event_month
    WHERE month_start >= :start AND month_start < :end AND principle IS NOT NULL AND action <> 'open'
    GROUP BY principle, reason ORDER BY principle, restrictions DESC, reason
    """

  /// Every under-restricted event of the quarter (an action more lenient
  /// than its policy prescribes: the rule of `overview.under_restricted`),
  /// with the rule it broke as `overview.under_restricted[rule=…]` splits
  /// them: read from the events the rollups keep as under-restricted (they
  /// are rare), not from every event, and held to the rule again here. The
  /// treatments are materialised once (a few hundred rows).
  package static let gotThroughSQL = """
    WITH t AS MATERIALIZED (SELECT version, scene, reason, treatment FROM policy_treatment)
    SELECT e.event_id, e.occurred_at, CASE WHEN e.principle IS NULL THEN 'scene' ELSE 'category' END AS rule,
      e.principle, e.scene, e.url_normalised, h.domain, h.platform_id, e.reason, e.action, t.treatment,
      e.policy_version, e.detected_by, e.client_version
    FROM under_restricted_event u JOIN link_event e ON e.event_rowid = u.event_rowid
      JOIN host h ON h.host_id = e.host_id
      LEFT JOIN t ON t.version = e.policy_version AND t.scene = e.scene AND t.reason IS e.reason
    WHERE u.occurred_at >= :start AND u.occurred_at < :end
      AND \(MetricCatalogue.actionLevel("e.action")) < \(MetricCatalogue.treatmentLevel("t.treatment"))
    ORDER BY e.principle IS NULL, e.principle, e.occurred_at, e.event_id
    """

  /// Every under-restricted event of `period`, one at a time (the case
  /// register holds them all, however many: never all in memory).
  package static func eachUnderRestricted(
    _ db: Database, _ period: ReportPeriod, _ body: (ReportData.GotThroughRow) throws -> Void
  ) throws {
    try db.eachRecord(gotThroughSQL, named: period.parameters, source: "the report's under-restricted events query") {
      try body(try ReportData.GotThroughRow($0))
    }
  }

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

  /// The URLs of `pN.late_actions`, from the time-to-action cases (`url_restriction`, which a bundle fills too).
  static let lateActionsSQL = """
    SELECT principle, url_normalised, first_seen, first_restricted, hours_to_action, opens_before, detected_by
    FROM url_restriction
    WHERE principle IN (1, 2, 3) AND quarter_start = :start AND \(MetricCatalogue.lateAction)
    ORDER BY principle, hours_to_action DESC, url_normalised
    LIMIT :limit
    """

  static let scenePlatformSQL = """
    SELECT platform_id, scene, coalesce(sum(CASE WHEN action = 'open' THEN events END), 0) AS opens,
      sum(events) AS events
    FROM platform_month
    WHERE month_start >= :start AND month_start < :end
    GROUP BY platform_id, scene ORDER BY platform_id, scene
    """

  static let nonASCIIHostsSQL = """
    SELECT h.host, h.host_ascii, h.domain, sum(m.events) AS events
    FROM host_month m JOIN host h USING (host_id)
    WHERE \(MetricCatalogue.inQuarterE) AND h.host <> h.host_ascii
    GROUP BY h.host_id ORDER BY events DESC, h.host
    """
}

/// The complaints and the decisions they led to: by month, every complaint
/// of the quarter, the backlog, the referrals, the decisions standing, the
/// upheld complaints closed without a block.
struct CaseSection {
  /// [month 0…2][principle 1…4 at index 0…3]
  let complaintsByMonth: [[Int64]]
  let complaints: [ReportData.ComplaintRow]
  let backlog: [ReportData.ComplaintRow]
  let referrals: [ReportData.ComplaintRow]
  let decisions: [ReportData.DecisionRow]
  let upheldWithoutAction: [ReportData.ComplaintRow]

  init(_ q: ReportQueries) throws {
    let months = q.period.monthStarts
    var byMonth = [[Int64]](repeating: [0, 0, 0, 0], count: 3)
    let monthParameters: [String: SQLValue] = [":m2": .text(months[1].iso), ":m3": .text(months[2].iso)]
    for r in try q.records("complaints by month", Self.complaintsByMonthSQL, monthParameters) {
      byMonth[Int(try r.integer("month")) - 1][Int(try r.integer("principle")) - 1] = try r.integer("complaints")
    }
    complaintsByMonth = byMonth
    complaints = try q.records("complaints", Self.complaintsSQL).map(ReportData.ComplaintRow.init)
    backlog = try q.records("backlog", Self.backlogSQL).map(ReportData.ComplaintRow.init)
    referrals = try q.records("referrals", Self.referralsSQL).map(ReportData.ComplaintRow.init)
    decisions = try q.records("decisions", Self.decisionsSQL).map(ReportData.DecisionRow.init)
    upheldWithoutAction = try q.records("upheld without the prescribed action", Self.upheldWithoutActionSQL).map(
      ReportData.ComplaintRow.init)
  }

  static let complaintsByMonthSQL = """
    SELECT CASE WHEN received_at < :m2 THEN 1 WHEN received_at < :m3 THEN 2 ELSE 3 END AS month,
      principle, count(*) AS complaints
    FROM complaint WHERE received_at >= :start AND received_at < :end
    GROUP BY month, principle
    """

  /// The columns `ComplaintRow` reads, for every list of complaints.
  static let complaintColumns = """
    SELECT complaint_id, reporter_pseudonym, received_at, category, principle, channel, status, resolved_at,
      ms_to_resolve / 3600000.0 AS hours_to_resolve, sla_hours, outcome, action_taken, url_normalised, domain,
      platform_id, description, duplicate_of,
      CASE WHEN \(MetricCatalogue.openAt(":end")) THEN \(MetricCatalogue.msOpenAt(":end")) / 3600000.0 END
        AS hours_open_at_end,
      coalesce(\(MetricCatalogue.overdueAt(":end")), 0) AS overdue_at_end,
      CASE WHEN \(MetricCatalogue.overdueAt(":end")) THEN \(MetricCatalogue.daysOverdueAt(":end")) END
        AS days_overdue_at_end,
      CASE WHEN \(MetricCatalogue.resolvedLateBy(":end")) THEN \(MetricCatalogue.daysLate) END AS days_late,
      \(MetricCatalogue.prescribedTreatment("complaint_handling")) AS prescribed
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
        OR (\(MetricCatalogue.dueIn) AND \(MetricCatalogue.resolvedLateBy(":end")))
      ORDER BY hours_open_at_end IS NULL, principle, received_at, complaint_id
      """

  static let referralsSQL =
    complaintColumns + """

      WHERE channel = 'regulator_referral' AND (\(MetricCatalogue.inQuarterC) OR \(MetricCatalogue.openAt(":start")))
      ORDER BY received_at, complaint_id
      """

  /// Decisions standing at some time in the quarter, with their taps in the
  /// quarter by action (`decision_tap`: every tap on its URL or domain while
  /// it stood), and those handled as it prescribes (decision.enforced's rule).
  static let decisionsSQL = """
    WITH under AS (
      SELECT complaint_id,
        sum(CASE action WHEN 'open' THEN events ELSE 0 END) AS opened,
        sum(CASE action WHEN 'warn_proceed' THEN events ELSE 0 END) AS proceeded,
        sum(CASE action WHEN 'warn_back' THEN events ELSE 0 END) AS went_back,
        sum(CASE action WHEN 'block' THEN events ELSE 0 END) AS blocked
      FROM decision_tap
      WHERE \(MetricCatalogue.inQuarterE)
      GROUP BY complaint_id)
    SELECT d.complaint_id, d.principle, k.category, d.action_taken AS scope,
      CASE d.action_taken WHEN 'block_domain' THEN d.domain ELSE d.url_normalised END AS target,
      k.received_at, d.resolved_at, d.stands_from, d.stands_until, d.prescribed,
      coalesce(u.opened, 0) AS opened, coalesce(u.proceeded, 0) AS proceeded,
      coalesce(u.went_back, 0) AS went_back, coalesce(u.blocked, 0) AS blocked
    FROM decision d JOIN complaint k ON k.complaint_id = d.complaint_id
      LEFT JOIN under u ON u.complaint_id = d.complaint_id
    WHERE d.stands_from < :end AND (d.stands_until IS NULL OR d.stands_until > :start)
    ORDER BY d.stands_from, d.complaint_id
    """

  /// The rule of `pN.upheld_without_action`, complaint by complaint.
  static let upheldWithoutActionSQL =
    complaintColumns + """

      WHERE \(MetricCatalogue.inQuarterC) AND outcome = 'upheld' AND principle IN (1, 2, 3)
        AND \(MetricCatalogue.belowPrescribed("complaint_handling"))
      ORDER BY principle, received_at, complaint_id
      """
}

/// Up to the last `ReportData.trendQuarters` quarters with events or
/// complaints, up to the period's, oldest first.
struct TrendSection {
  let trend: [ReportData.TrendPoint]

  init(_ q: ReportQueries, current: QuarterFigures, previous: QuarterFigures, allPolicies: [ReportData.Policy]) throws {
    let (quarter, timeZone) = (q.period.quarter, q.period.timeZone)
    // The quarters with data, in the report's zone: months of events, and the hours complaints came in.
    var quarters: Set<Quarter> = [quarter]
    for r in try q.records("months with events", Self.monthsWithEventsSQL) {
      if let t = TimestampParser.utc.parse(try r.text("month_start")) {
        quarters.insert(Quarter(containing: t, in: timeZone))
      }
    }
    for r in try q.records("hours with complaints", Self.hoursWithComplaintsSQL) {
      if let t = TimestampParser.utc.parse(try r.text("h")) { quarters.insert(Quarter(containing: t, in: timeZone)) }
    }
    let trendDefinitions = ReportData.trendMetricIDs.compactMap(MetricCatalogue.definition)
    var points: [ReportData.TrendPoint] = []
    for each in quarters.filter({ $0 <= quarter }).sorted().suffix(ReportData.trendQuarters) {
      let period = ReportPeriod(each, in: timeZone)
      let figures =
        each == quarter
        ? current
        : each == quarter.previous
          ? previous
          : try QuarterFigures(database: q.db, period: period, definitions: trendDefinitions)
      points.append(
        ReportData.TrendPoint(
          quarter: each, figures: figures,
          policiesTakingEffect: allPolicies.filter { period.contains(iso: $0.effectiveFrom) }))
    }
    trend = points
  }

  static let monthsWithEventsSQL = "SELECT DISTINCT month_start FROM event_month"
  static let hoursWithComplaintsSQL =
    "SELECT DISTINCT substr(received_at, 1, 13) || ':00:00.000Z' AS h FROM complaint"
}

/// The domains most restricted for principles 1-3 over the last four quarters.
struct RepeatOffenderSection {
  let repeatOffenders: [ReportData.RepeatOffender]

  init(_ q: ReportQueries) throws {
    repeatOffenders = try q.records(
      "repeat offenders", Self.repeatOffendersSQL,
      [
        ":window_start": .text(ReportData.repeatWindowStart(q.period).iso),
        ":limit": .integer(Int64(ReportData.repeatOffenderLimit)),
      ]
    ).map {
      // A phone or ID number in a host is masked as in every other list of domains (finding A21's rule).
      ReportData.RepeatOffender(
        domain: PersonalNumberMask.mask(try $0.text("domain")), platformID: try $0.text("platform_id"),
        restrictions: try $0.integer("restrictions"),
        months: (try $0.text("months")).split(separator: ",").map(String.init), upheld: try $0.integer("upheld"),
        decisionsStanding: try $0.integer("decisions_standing"),
        opensUnderDecisions: try $0.integer("opens_under_decisions"))
    }
  }

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
      WHERE principle IN (1, 2, 3) AND prescribed = 'block' AND stands_from < :end AND (stands_until IS NULL OR stands_until >= :end)),
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
}
