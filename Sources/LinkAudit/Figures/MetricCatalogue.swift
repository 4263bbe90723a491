import Foundation
import LinkAuditCore
import LinkAuditQuery
import LinkAuditRollup
import LinkAuditStore
import LinkAuditXlsx

/// How a figure is written: counts as integers, rates and hours as decimals.
public enum MetricKind: String, Sendable {
  case count, rate, hours, score, text
}

/// One figure of the report: its id, its meaning in both languages, and the one
/// SQL query that computes it. The SQL reads `:start` and `:end` (the quarter's
/// bounds, UTC, as stored) and returns one value, or `(dimension, value)` rows
/// when `dimension` is set. A rate's value is followed by its `numerator` and
/// `denominator`; an hours figure's by no numerator and the number of values. The same text is shown on the Methodology sheet and
/// runs unchanged through `linkaudit query --param start=… --param end=…`.
/// Event figures read the rollups (`event_month`, `host_month`,
/// `quarter_users`, `decision_open`, `covered_month`, `decision_tap`, `covered_tap`), which the importer keeps and `linkaudit doctor` checks
/// against `link_event`.
public struct MetricDefinition: Sendable {
  public let id: MetricID
  /// The key of `key=value` dimensions (`domain`, `scene`, `platform`), nil for a single figure.
  public let dimension: String?
  public let kind: MetricKind
  public let principle: Principle?
  public let nameEnglish: String
  public let nameChinese: String
  public let definitionEnglish: String
  public let definitionChinese: String
  public let sql: String

  /// The id as it appears in `metrics.csv` with its dimension, e.g. `p4.open_rate[scene=S]`.
  public var label: String {
    dimension.map { "\(id)[\($0.split(separator: ",").map { "\($0)=…" }.joined(separator: ","))]" } ?? id.rawValue
  }

  /// The keys of its dimension, in the order its SQL gives their values
  /// (`decision,action`: two); none for a single figure.
  public var dimensionKeys: [String] { dimension.map { $0.split(separator: ",").map(String.init) } ?? [] }
}

/// An id no figure carries any more: it read other than a regulator reads it.
/// An id never changes meaning, so a figure that misled is retired and its
/// replacement gets a new id; data teams find here what to read instead.
public struct RetiredMetric: Sendable {
  /// The id, with `N` for each principle (`pN.within_sla_rate`).
  public let id: String
  public let replacedBy: [String]
  public let why: String
  /// The same, in Chinese, for the Chinese filing's Methodology sheet.
  public let whyChinese: String
}

/// Every metric of the catalogue (`docs/metrics.md`), in report order.
public enum MetricCatalogue {
  public static let all: [MetricDefinition] =
    overview + decisionsEnforced + decisionRegister + [1, 2, 3].flatMap(principleMetrics) + principle4

  /// The retired ids (listed in `docs/metrics.md`); none is in `all`.
  public static let retired: [RetiredMetric] = [
    .init(
      id: "overview.enforcement_rate", replacedBy: ["overview.decision_enforcement_rate", "overview.conformance_rate"],
      why:
        "Divided by every tap of the quarter, so the taps under a decision that were not blocked vanished among the rest (96% read where a third of the taps under a decision were blocked); the decision enforcement rate divides by the taps under a decision alone.",
      whyChinese: "以本季度全部点击为分母，处置决定之下未被拦截的点击淹没在其余点击中（处置决定之下仅约三分之一被拦截，却显示为96%）；处置决定执行率只以处置决定覆盖的点击为分母。"
    ),
    .init(
      id: "overview.referrals", replacedBy: ["overview.referrals_received"],
      why:
        "Read beside the referrals open at the end as \"this quarter's referrals, all open\"; the new id says it counts those received in the quarter.",
      whyChinese: "与季末未办结数并列时被读作“本季度的转办全部未办结”；新编号明确只计本季度受理的转办。"
    ),
    .init(
      id: "pN.upheld_without_block", replacedBy: ["pN.upheld_without_action"],
      why:
        "Counted a P3 complaint upheld with the warning its policy prescribes as a failure; the new id counts only actions less strict than the policy prescribes.",
      whyChinese: "把按规范要求以提示处置的原则3成立投诉也计为未处置；新编号只计处置宽于规范要求的投诉。"
    ),
    .init(
      id: "pN.within_sla_rate", replacedBy: ["pN.due_met_rate", "pN.due", "pN.due_met", "pN.overdue_at_end"],
      why:
        "Counted only complaints received in the quarter, so it read 100% beside complaints months overdue from earlier quarters; deadlines are now counted in the quarter they fall due, whenever the complaint came in.",
      whyChinese: "只计本季度受理的投诉，因而在以往季度已超时数月的投诉旁仍显示100%；现按办理期限所在季度计入，不论何时受理。"
    ),
    .init(
      id: "pN.sla_breaches", replacedBy: ["pN.due", "pN.due_met", "pN.overdue_at_end"],
      why:
        "Counted the misses of complaints received in the quarter only, the basis retired with pN.within_sla_rate, and was shown nowhere; the misses are now pN.due − pN.due_met, each listed on the annex's Backlog sheet.",
      whyChinese: "只计本季度受理投诉的超时（即随 pN.within_sla_rate 停用的口径），且未在任何表中列示；超时现为 pN.due − pN.due_met，并在附件“积压与超时”表逐件列出。"
    ),
    .init(
      id: "pN.backlog_age", replacedBy: ["pN.overdue_at_end[age=…]", "pN.open_at_end"],
      why:
        "Banded the backlog by age since receipt beside pN.overdue_at_end's bands of days past the deadline, two schemes for the same cases, and was shown nowhere; the bands past the deadline replace it.",
      whyChinese: "按受理至今的时长分档，与 pN.overdue_at_end 按超过期限天数的分档并存，同一批投诉两套分档，且未在任何表中列示；由超过期限天数的分档替代。"
    ),
  ]

  public static func definition(_ id: MetricID) -> MetricDefinition? { all.first { $0.id == id } }

  // The populations, as SQL conditions.
  package static let inQuarterE = "month_start >= :start AND month_start < :end"
  package static let inQuarterC = "received_at >= :start AND received_at < :end"

  /// Of the quarter's events, the share (0 to 1) matching `condition` among
  /// those matching `among`, then its numerator and denominator.
  /// `count` names the column that counts the rows (`events` in the rollups, `n` in `assessed`).
  package static func share(_ condition: String, among: String = "1", count: String = "events") -> String {
    rate(
      "coalesce(sum(CASE WHEN \(condition) THEN \(count) END), 0)",
      of: "coalesce(sum(CASE WHEN \(among) THEN \(count) END), 0)")
  }

  /// A rate's three columns from its numerator and denominator (integers):
  /// `value` (none when the denominator is 0), `numerator`, `denominator`.
  package static func rate(_ numerator: String, of denominator: String) -> String {
    "CAST(\(numerator) AS REAL) / nullif(\(denominator), 0) AS value, \(numerator) AS numerator, \(denominator) AS denominator"
  }

  /// An action's strictness (open 0 < warn 1 < block 2), to compare with `treatmentLevel`: `Conformance`'s rule.
  package static func actionLevel(_ action: String) -> String { Conformance.actionLevel(action) }

  /// A treatment's strictness on the same scale (NULL: no policy).
  package static func treatmentLevel(_ treatment: String) -> String { Conformance.treatmentLevel(treatment) }

  /// Every policy version, scene, reason and action an event would be
  /// under-restricted with (the rule of `overview.under_restricted` and of
  /// what got through), for the warehouse job, which picks the
  /// under-restricted events by joining on it, and for the bundle's check.
  package static let underRestrictedCombinationsSQL = Conformance.underRestrictedCombinationsSQL

  /// The treatment a stored event's policy prescribes, joined as `t` to the events `e`.
  package static let treatmentJoin =
    "LEFT JOIN policy_treatment t ON t.version = e.policy_version AND t.scene = e.scene AND t.reason IS e.reason"

  /// Events of the quarter grouped by what decides their conformance, joined to
  /// the treatment their policy prescribes; `alevel`/`tlevel` order action and
  /// treatment (open 0 < warn 1 < block 2). Events before any policy have no
  /// treatment. `among` narrows the events (`principle = 1`).
  package static func assessed(_ select: String, among: String = "1") -> String {
    """
    WITH \(assessedTable(among: among))
    \(select)
    FROM a
    """
  }

  /// The common table `a` of `assessed`, for a query that needs more beside it.
  package static func assessedTable(among: String = "1") -> String {
    """
    g AS (
      SELECT policy_version, scene, reason, action, sum(events) AS n
      FROM event_month
      WHERE \(inQuarterE) AND \(among)
      GROUP BY policy_version, scene, reason, action),
    a AS (
      SELECT e.policy_version, e.scene, e.n,
        \(actionLevel("e.action")) AS alevel, \(treatmentLevel("t.treatment")) AS tlevel
      FROM g e \(treatmentJoin))
    """
  }

  package static let overview: [MetricDefinition] = [
    .init(
      id: "overview.events", dimension: nil, kind: .count, principle: nil,
      nameEnglish: "Link events", nameChinese: "外链点击事件数",
      definitionEnglish: "Link events in the quarter (|E|).",
      definitionChinese: "本季度外链点击事件总数（|E|）。",
      sql: "SELECT coalesce(sum(events), 0) FROM event_month WHERE \(inQuarterE)"),
    .init(
      id: "overview.users", dimension: nil, kind: .count, principle: nil,
      nameEnglish: "Users", nameChinese: "用户数（去重）",
      definitionEnglish: "Distinct pseudonymous users among the quarter's events.",
      definitionChinese: "本季度事件中的去重用户数（按去标识化的用户编号计）。",
      // quarter_users counts user_quarter, which holds each user of a quarter once.
      sql: "SELECT coalesce((SELECT users FROM quarter_users WHERE quarter_start = :start), 0)"),
    .init(
      id: "overview.complaints", dimension: nil, kind: .count, principle: nil,
      nameEnglish: "Complaints", nameChinese: "投诉数",
      definitionEnglish: "Complaints received in the quarter, in their latest state (|C|).",
      definitionChinese: "本季度收到的投诉数（按最新状态，|C|）。",
      sql: "SELECT count(*) FROM complaint WHERE \(inQuarterC)"),
    .init(
      id: "overview.complaints_resolved", dimension: nil, kind: .count, principle: nil,
      nameEnglish: "Complaints resolved", nameChinese: "已办结投诉数",
      definitionEnglish: "Complaints of the quarter whose status is resolved.",
      definitionChinese: "本季度投诉中状态为已办结的数量。",
      sql: "SELECT count(*) FROM complaint WHERE \(inQuarterC) AND status = 'resolved'"),
    .init(
      id: "overview.post_decision_opens", dimension: nil, kind: .count, principle: nil,
      nameEnglish: "Direct opens under a block decision", nameChinese: "拦截决定下仍被直接打开的点击数",
      definitionEnglish:
        "Distinct events of the quarter opened directly under a standing block decision (block_url, block_domain) of any principle, each event once (the per-principle figures overlap where decisions of several principles cover one event). Direct opens only: overview.decision_reached adds the taps that went on through a warning, and those under warn_url decisions.",
      definitionChinese:
        "本季度在任一原则的拦截决定（拦截URL、拦截域名）生效期间仍被直接打开的事件数，每个事件只计一次（各原则的同名指标在多项决定覆盖同一事件时会重叠）。仅计直接打开：overview.decision_reached 另计提示后继续访问的点击及提示决定（warn_url）下的点击。",
      sql: """
        SELECT count(DISTINCT event_rowid) FROM decision_open
        WHERE principle IN (1, 2, 3, 4) AND action = 'open' AND occurred_at >= :start AND occurred_at < :end
        """),
    .init(
      id: "overview.referrals_received", dimension: nil, kind: .count, principle: nil,
      nameEnglish: "Regulator referrals received", nameChinese: "本季度受理的监管转办投诉数",
      definitionEnglish:
        "Complaints received in the quarter with channel regulator_referral (each listed on the Referrals sheet).",
      definitionChinese: "本季度受理、渠道为监管转办（regulator_referral）的投诉数（逐件列于“监管转办”工作表）。",
      sql: "SELECT count(*) FROM complaint WHERE \(inQuarterC) AND channel = 'regulator_referral'"),
    .init(
      id: "overview.referrals_open_at_start", dimension: nil, kind: .count, principle: nil,
      nameEnglish: "Referrals open at the quarter's start", nameChinese: "季初未办结的监管转办投诉数",
      definitionEnglish: "Regulator referrals, received before the quarter, still open when it began.",
      definitionChinese: "季度开始时仍未办结的监管转办投诉数（此前受理）。",
      sql: "SELECT count(*) FROM complaint WHERE channel = 'regulator_referral' AND \(openAt(":start"))"),
    .init(
      id: "overview.referrals_open_at_end", dimension: nil, kind: .count, principle: nil,
      nameEnglish: "Referrals open at the quarter's end", nameChinese: "季末未办结的监管转办投诉数",
      definitionEnglish: "Regulator referrals, received in any quarter, open at the quarter's end.",
      definitionChinese: "季度结束时仍未办结的监管转办投诉数（任何季度受理）。",
      sql: "SELECT count(*) FROM complaint WHERE channel = 'regulator_referral' AND \(openAt(":end"))"),
    .init(
      id: "overview.referrals_overdue_at_end", dimension: nil, kind: .count, principle: nil,
      nameEnglish: "Referrals overdue at the quarter's end", nameChinese: "季末已超时的监管转办投诉数",
      definitionEnglish:
        "Regulator referrals, received in any quarter, open at the quarter's end and strictly past their deadline (receipt + the SLA of the policy in force at receipt); each is named in the summary.",
      definitionChinese: "季度结束时仍未办结且已超过办理期限（受理时间 + 受理时所适用规范的时限）的监管转办投诉数（任何季度受理），摘要逐件列出编号。",
      sql:
        "SELECT count(*) FROM complaint_handling WHERE channel = 'regulator_referral' AND \(overdueAt(":end"))"),
    .init(
      id: "overview.days_since_last_complaint", dimension: nil, kind: .count, principle: nil,
      nameEnglish: "Days since the last complaint", nameChinese: "距最后一件投诉的天数",
      definitionEnglish:
        "Whole days (rounded down) from the last complaint received before the quarter's end to the quarter's end; none when there is none. \(complaintSilenceDays) days or more is flagged beside it, as the days without events are: a long silence may mean a missing complaints feed, not a quiet quarter.",
      definitionChinese:
        "自季末前最后一件受理的投诉至季末的整天数（向下取整）；无投诉时为空。达到 \(complaintSilenceDays) 天即在旁提示，与无事件的日期相同：长时间无投诉可能是投诉数据缺失，而非投诉少。",
      sql: """
        SELECT CAST(julianday(:end) - julianday(max(received_at)) AS INTEGER) FROM complaint
        WHERE received_at < :end
        """),
    .init(
      id: "overview.open_rate", dimension: nil, kind: .rate, principle: nil,
      nameEnglish: "Open rate", nameChinese: "直接打开率",
      definitionEnglish: "Events with action open / all events.",
      definitionChinese: "直接打开的事件数 / 事件总数。",
      sql: "SELECT \(share("action = 'open'")) FROM event_month WHERE \(inQuarterE)"),
    .init(
      id: "overview.conformance_rate", dimension: nil, kind: .rate, principle: nil,
      nameEnglish: "Conformance rate", nameChinese: "处置符合规范的比例",
      definitionEnglish:
        "Events whose action matches the treatment their policy version prescribes / all events (events before any policy count as not conforming).",
      definitionChinese: "处置与所适用规范版本要求一致的事件数 / 事件总数（无适用规范的事件计为不符合）。",
      sql: assessed("SELECT \(share("alevel = tlevel", count: "n"))")),
    .init(
      id: "overview.over_restricted", dimension: nil, kind: .count, principle: nil,
      nameEnglish: "Over-restricted events", nameChinese: "处置严于规范的事件数",
      definitionEnglish: "Events whose action is stricter than their policy prescribes (open < warn < block).",
      definitionChinese: "处置严于规范要求的事件数（打开 < 提示 < 拦截）。",
      sql: assessed("SELECT coalesce(sum(CASE WHEN alevel > tlevel THEN n END), 0)")),
    .init(
      id: "overview.under_restricted", dimension: nil, kind: .count, principle: nil,
      nameEnglish: "Under-restricted events", nameChinese: "处置宽于规范的事件数",
      definitionEnglish: "Events whose action is more lenient than their policy prescribes.",
      definitionChinese: "处置宽于规范要求的事件数。",
      sql: assessed("SELECT coalesce(sum(CASE WHEN alevel < tlevel THEN n END), 0)")),
    .init(
      id: "overview.under_restricted", dimension: "rule", kind: .count, principle: nil,
      nameEnglish: "Under-restricted events, by the rule broken", nameChinese: "处置宽于规范的事件数（按所违反的规则）",
      definitionEnglish:
        "The same events by the rule of the policy they fell short of: category (their reason is a category, whose rule prescribes the treatment) or scene (no category: the scene's rule prescribes it, e.g. an open where the scene prescribes a warning).",
      definitionChinese:
        "同上事件，按其未达到的规范规则分类：category（原因为某一类别，由类别规则规定处置）或 scene（无类别，由场景规则规定处置，例如场景要求提示却被直接打开）。",
      sql: """
        WITH g AS (
          SELECT policy_version, scene, reason, principle IS NOT NULL AS by_category, action, sum(events) AS n
          FROM event_month WHERE \(inQuarterE)
          GROUP BY policy_version, scene, reason, by_category, action),
        a AS (
          SELECT e.by_category, e.n, \(actionLevel("e.action")) AS alevel, \(treatmentLevel("t.treatment")) AS tlevel
          FROM g e \(treatmentJoin)),
        r(rule, by_category) AS (VALUES ('category', 1), ('scene', 0))
        SELECT r.rule,
          (SELECT coalesce(sum(n), 0) FROM a WHERE a.by_category = r.by_category AND alevel < tlevel)
        FROM r
        """),
  ]

  /// The taps of the quarter under a decision standing then (`covered_tap`,
  /// each tap once) of principle `p` (0: any decision).
  package static func coveredTaps(principle p: Int) -> String {
    "FROM covered_tap WHERE \(inQuarterE) AND principle = \(p)"
  }

  /// A tap's action meets what its decision prescribes (a warning: warned or blocked; a block: blocked).
  package static let meetsPrescribed = "\(actionLevel("action")) >= \(treatmentLevel("prescribed"))"
  /// A tap reached the page: opened, or went on through a warning.
  package static let reachedPage = "action IN ('open', 'warn_proceed')"

  /// Decisions enforced, over all decisions, each tap once (`covered_tap`, principle 0).
  package static let decisionsEnforced: [MetricDefinition] = [
    .init(
      id: "overview.decision_taps", dimension: nil, kind: .count, principle: nil,
      nameEnglish: "Taps under a decision", nameChinese: "处置决定覆盖的点击数",
      definitionEnglish:
        "Taps of the quarter, whatever their action, on the URL (block_url, warn_url) or domain (block_domain) of a decision standing at the tap (an upheld complaint's action, from one hour after its resolution until an upheld restore on the same URL or domain); each tap once, however many decisions cover it. suspend_sharer prescribes nothing for the link and covers nothing.",
      definitionChinese:
        "本季度点击时其URL（拦截URL、对URL提示）或域名（拦截域名）处于生效处置决定之下的点击数（不论处置结果；决定自投诉成立办结后1小时起生效，至同一URL或域名的恢复访问决定为止）；同一点击受多个决定覆盖只计一次。suspend_sharer 不针对链接，不覆盖任何点击。",
      sql: "SELECT coalesce(sum(events), 0) \(coveredTaps(principle: 0))"),
    .init(
      id: "overview.decision_enforced", dimension: nil, kind: .count, principle: nil,
      nameEnglish: "Taps handled as decided", nameChinese: "按处置决定执行的点击数",
      definitionEnglish:
        "Of those taps, those whose action is at least as strict as the strictest decision covering it prescribes: a block decision needs block, a warn_url decision a warning (warn_proceed, warn_back) or block.",
      definitionChinese:
        "上述点击中，处置不宽于覆盖它的最严格决定所要求者：拦截决定要求拦截，提示决定（对URL提示）要求提示（提示后继续访问或提示后返回）或拦截。",
      sql: "SELECT coalesce(sum(CASE WHEN \(meetsPrescribed) THEN events END), 0) \(coveredTaps(principle: 0))"),
    .init(
      id: "overview.decision_reached", dimension: nil, kind: .count, principle: nil,
      nameEnglish: "Taps that reached the page under a decision", nameChinese: "处置决定下仍打开了目标页面的点击数",
      definitionEnglish:
        "Of those taps, those that reached the page: opened directly (open) or went on through a warning (warn_proceed). overview.post_decision_opens counts the direct opens under block decisions alone.",
      definitionChinese:
        "上述点击中仍打开了目标页面者：直接打开或提示后继续访问。overview.post_decision_opens 只计拦截决定下的直接打开。",
      sql: "SELECT coalesce(sum(CASE WHEN \(reachedPage) THEN events END), 0) \(coveredTaps(principle: 0))"),
    .init(
      id: "overview.decision_enforcement_rate", dimension: nil, kind: .rate, principle: nil,
      nameEnglish: "Decision enforcement rate", nameChinese: "处置决定执行率",
      definitionEnglish:
        "overview.decision_enforced / overview.decision_taps: of the taps under a standing decision, each once, the share handled as the strictest decision covering it prescribes.",
      definitionChinese: "overview.decision_enforced / overview.decision_taps：处置决定覆盖的点击中（每个点击一次），按覆盖它的最严格决定执行的占比。",
      sql:
        "SELECT \(rate("coalesce(sum(CASE WHEN \(meetsPrescribed) THEN events END), 0)", of: "coalesce(sum(events), 0)")) \(coveredTaps(principle: 0))"
    ),
  ]

  /// The decisions standing at some time in the quarter, each with its taps
  /// by action in the quarter (`decision_tap`), zero where it had none.
  package static func eachDecision(_ select: String) -> String {
    """
    WITH d AS (
      SELECT complaint_id, prescribed FROM decision
      WHERE stands_from < :end AND (stands_until IS NULL OR stands_until > :start)),
    t AS MATERIALIZED (
      SELECT complaint_id, action, sum(events) AS events FROM decision_tap WHERE \(inQuarterE)
      GROUP BY complaint_id, action)
    \(select)
    FROM d LEFT JOIN t ON t.complaint_id = d.complaint_id
    GROUP BY d.complaint_id
    ORDER BY d.complaint_id
    """
  }

  /// Per decision standing at some time in the quarter (zero rows included).
  package static let decisionRegister: [MetricDefinition] = [
    .init(
      id: "decision.taps", dimension: "decision", kind: .count, principle: nil,
      nameEnglish: "Taps under the decision", nameChinese: "该决定覆盖的点击数",
      definitionEnglish:
        "Per decision standing at some time in the quarter (by its complaint id): the quarter's taps, whatever their action, on its URL (block_url, warn_url) or domain (block_domain) while it stood. A tap under several decisions counts under each.",
      definitionChinese:
        "本季度任一时点生效的每项处置决定（按其投诉编号）：其生效期间落在其URL（拦截URL、对URL提示）或域名（拦截域名）上的本季度点击数（不论处置结果）。受多项决定覆盖的点击在每项下均计入。",
      sql: eachDecision("SELECT d.complaint_id, coalesce(sum(t.events), 0)")),
    .init(
      id: "decision.enforced", dimension: "decision", kind: .count, principle: nil,
      nameEnglish: "Taps handled as the decision prescribes", nameChinese: "按该决定执行的点击数",
      definitionEnglish:
        "Of the decision's taps, those at least as strict as it prescribes (block_url, block_domain: block; warn_url: a warning or block), held to this decision alone; overview.decision_enforced holds a tap to the strictest decision covering it.",
      definitionChinese:
        "该决定覆盖的点击中，处置不宽于其要求者（拦截URL、拦截域名要求拦截；对URL提示要求提示或拦截），仅按本决定衡量；overview.decision_enforced 按覆盖该点击的最严格决定衡量。",
      sql: eachDecision(
        "SELECT d.complaint_id, coalesce(sum(CASE WHEN \(actionLevel("t.action")) >= \(treatmentLevel("d.prescribed")) THEN t.events END), 0)"
      )),
    .init(
      id: "decision.reached", dimension: "decision", kind: .count, principle: nil,
      nameEnglish: "Taps that reached the page", nameChinese: "仍打开了目标页面的点击数",
      definitionEnglish:
        "Of the decision's taps, those opened (open) or that went on through a warning (warn_proceed).",
      definitionChinese: "该决定覆盖的点击中直接打开或提示后继续访问者。",
      sql: eachDecision(
        "SELECT d.complaint_id, coalesce(sum(CASE WHEN t.action IN ('open', 'warn_proceed') THEN t.events END), 0)")),
    .init(
      id: "decision.actions", dimension: "decision,action", kind: .count, principle: nil,
      nameEnglish: "Taps under the decision, by action", nameChinese: "该决定覆盖的点击数（按处置结果）",
      definitionEnglish:
        "The decision's taps by their action: open, warn_proceed, warn_back, block (every action listed, zero included); they add up to decision.taps.",
      definitionChinese:
        "该决定覆盖的点击按处置结果分列：直接打开、提示后继续访问、提示后返回、拦截（维度取值依次为 open、warn_proceed、warn_back、block，逐项列出，含0）；合计等于 decision.taps。",
      sql: """
        WITH d AS (
          SELECT complaint_id FROM decision
          WHERE stands_from < :end AND (stands_until IS NULL OR stands_until > :start)),
        a(action, rank) AS (VALUES ('open', 0), ('warn_proceed', 1), ('warn_back', 2), ('block', 3)),
        t AS MATERIALIZED (
          SELECT complaint_id, action, sum(events) AS events FROM decision_tap WHERE \(inQuarterE)
          GROUP BY complaint_id, action)
        SELECT d.complaint_id, a.action, coalesce(t.events, 0)
        FROM d CROSS JOIN a LEFT JOIN t ON t.complaint_id = d.complaint_id AND t.action = a.action
        ORDER BY d.complaint_id, a.rank
        """),
  ]

  /// The complaint figures every principle shares.
  package static func complaintMetrics(_ p: Int) -> [MetricDefinition] {
    let cp = "\(inQuarterC) AND principle = \(p)"
    let principle = Principle(rawValue: p)!
    let hours = "SELECT ms_to_resolve / 3600000.0 AS hours FROM complaint_handling WHERE \(cp) AND status = 'resolved'"
    return [
      .init(
        id: "p\(p).complaints", dimension: nil, kind: .count, principle: principle,
        nameEnglish: "Complaints", nameChinese: "投诉数",
        definitionEnglish: "Complaints of the quarter whose category belongs to principle \(p) (|C_\(p)|).",
        definitionChinese: "本季度类别属于原则\(p)的投诉数（|C_\(p)|）。",
        sql: "SELECT count(*) FROM complaint WHERE \(cp)"),
      .init(
        id: "p\(p).upheld", dimension: nil, kind: .count, principle: principle,
        nameEnglish: "Upheld", nameChinese: "投诉成立数",
        definitionEnglish: "Complaints of principle \(p) with outcome upheld.",
        definitionChinese: "原则\(p)投诉中结论为成立的数量。",
        sql: "SELECT count(*) FROM complaint WHERE \(cp) AND outcome = 'upheld'"),
      .init(
        id: "p\(p).upheld_rate", dimension: nil, kind: .rate, principle: principle,
        nameEnglish: "Upheld rate", nameChinese: "投诉成立率",
        definitionEnglish: "Upheld / resolved complaints of principle \(p) whose outcome is not duplicate.",
        definitionChinese: "成立数 / 原则\(p)已办结且非重复的投诉数。",
        sql:
          "SELECT \(rate("coalesce(sum(outcome = 'upheld'), 0)", of: "count(*)")) FROM complaint WHERE \(cp) AND status = 'resolved' AND outcome <> 'duplicate'"
      ),
      .init(
        id: "p\(p).median_hours_to_resolve", dimension: nil, kind: .hours, principle: principle,
        nameEnglish: "Median hours to resolve", nameChinese: "办结时长中位数（小时）",
        definitionEnglish:
          "Median of (resolved_at − received_at) in hours over resolved complaints of principle \(p); for an even count, the mean of the two middle values.",
        definitionChinese: "原则\(p)已办结投诉办结时长（小时）的中位数；偶数个时取中间两值的平均。",
        sql: median(hours)),
      .init(
        id: "p\(p).p90_hours_to_resolve", dimension: nil, kind: .hours, principle: principle,
        nameEnglish: "P90 hours to resolve", nameChinese: "办结时长90分位数（小时）",
        definitionEnglish: "Nearest-rank 90th percentile of the same: the value at rank ⌈0.9·n⌉.",
        definitionChinese: "同上时长的90分位数（最近秩法，第⌈0.9·n⌉个值）。",
        sql: p90(hours)),
      .init(
        id: "p\(p).due", dimension: nil, kind: .count, principle: principle,
        nameEnglish: "Fell due in the quarter", nameChinese: "本季度到期投诉数",
        definitionEnglish:
          "Complaints of principle \(p), received in any quarter, whose deadline (receipt + the SLA of the policy in force at receipt) falls in the quarter.",
        definitionChinese: "办理期限（受理时间 + 受理时所适用规范的时限）落在本季度的原则\(p)投诉数（任何季度受理）。",
        sql: "SELECT count(*) FROM complaint_handling WHERE principle = \(p) AND \(dueIn)"),
      .init(
        id: "p\(p).due_met", dimension: nil, kind: .count, principle: principle,
        nameEnglish: "Fell due and met", nameChinese: "本季度到期且按时办结数",
        definitionEnglish: "Of those, the complaints resolved at or before their deadline.",
        definitionChinese: "其中在办理期限之前（含期限当时）办结的投诉数。",
        sql: "SELECT count(*) FROM complaint_handling WHERE principle = \(p) AND \(dueIn) AND \(metDeadline)"),
      .init(
        id: "p\(p).due_met_rate", dimension: nil, kind: .rate, principle: principle,
        nameEnglish: "Deadlines met", nameChinese: "到期按时办结率",
        definitionEnglish:
          "p\(p).due_met / p\(p).due: of the complaints that fell due in the quarter, whatever the quarter they came in, the share resolved in time. A complaint that fell due in an earlier quarter and is still open is not counted here but in p\(p).overdue_at_end, which the report shows beside this rate.",
        definitionChinese:
          "p\(p).due_met / p\(p).due：本季度到期的投诉（不论何时受理）中按时办结的比例。以往季度已到期、至今仍未办结的投诉不计入本比率，而计入 p\(p).overdue_at_end，报告在本比率旁一并列出。",
        sql:
          "SELECT \(rate("coalesce(sum(\(metDeadline)), 0)", of: "count(*)")) FROM complaint_handling WHERE principle = \(p) AND \(dueIn)"
      ),
      .init(
        id: "p\(p).overdue_at_end", dimension: nil, kind: .count, principle: principle,
        nameEnglish: "Overdue at the quarter's end", nameChinese: "季末超时未办结投诉数",
        definitionEnglish:
          "Complaints of principle \(p), received in any quarter, open at the quarter's end and strictly past their deadline then.",
        definitionChinese: "季度结束时仍未办结且已超过办理期限的原则\(p)投诉数（任何季度受理）。",
        sql: "SELECT count(*) FROM complaint_handling WHERE principle = \(p) AND \(overdueAt(":end"))"),
      .init(
        id: "p\(p).overdue_at_end", dimension: "age", kind: .count, principle: principle,
        nameEnglish: "Overdue at the end, by days overdue", nameChinese: "季末超时未办结投诉（按超时天数）",
        definitionEnglish:
          "The same by whole days past the deadline at the quarter's end (rounded down): 0-7, 8-30, 31-90, 91+.",
        definitionChinese: "同上，按季末时超过期限的整天数（向下取整）分为 0-7、8-30、31-90、91+。",
        sql: """
          WITH b(age, low, high) AS (VALUES \(overdueAges.map { "('\($0.label)', \($0.low), \($0.high.map(String.init) ?? "NULL"))" }.joined(separator: ", "))),
          o AS (
            SELECT \(daysOverdueAt(":end")) AS days FROM complaint_handling
            WHERE principle = \(p) AND \(overdueAt(":end")))
          SELECT b.age, (SELECT count(*) FROM o WHERE o.days >= b.low AND (b.high IS NULL OR o.days <= b.high))
          FROM b
          """),
      .init(
        id: "p\(p).open_at_start", dimension: nil, kind: .count, principle: principle,
        nameEnglish: "Open at the quarter's start", nameChinese: "季初未办结投诉数",
        definitionEnglish:
          "Complaints of principle \(p), received in any quarter, open when the quarter began: received before it and not resolved before it (their latest state decides).",
        definitionChinese: "季度开始时仍未办结的原则\(p)投诉数（任何季度受理）：受理早于季初且季初前未办结（以最新状态为准）。",
        sql: "SELECT count(*) FROM complaint WHERE principle = \(p) AND \(openAt(":start"))"),
      .init(
        id: "p\(p).open_at_end", dimension: nil, kind: .count, principle: principle,
        nameEnglish: "Open at the quarter's end", nameChinese: "季末未办结投诉数",
        definitionEnglish: "The same at the quarter's end: the backlog the next quarter inherits.",
        definitionChinese: "同上，于季度结束时计：下一季度承接的积压。",
        sql: "SELECT count(*) FROM complaint WHERE principle = \(p) AND \(openAt(":end"))"),
    ]
  }

  /// A complaint open at `t`: received before it, and not resolved before it.
  package static func openAt(_ t: String) -> String {
    "received_at < \(t) AND (resolved_at IS NULL OR resolved_at >= \(t))"
  }

  /// Milliseconds from a complaint's receipt to `t`, whole, as hours to resolve are counted.
  package static func msOpenAt(_ t: String) -> String {
    "round((julianday(\(t)) - julianday(received_at)) * 86400000.0)"
  }

  /// A complaint open at `t` and older than its SLA then (of `complaint_handling`).
  package static func overdueAt(_ t: String) -> String {
    "\(openAt(t)) AND \(msOpenAt(t)) > sla_hours * 3600000"
  }

  /// The treatment (open, warn, block) the policy in force at a complaint's
  /// receipt prescribes for its category; none before any policy. `c` names
  /// the complaint's table in the query.
  package static func prescribedTreatment(_ c: String) -> String {
    """
    (SELECT coalesce(
        (SELECT k.treatment FROM policy_category k WHERE k.version = v.version AND k.category = \(c).category),
        (SELECT k.treatment FROM policy_category k WHERE k.version = v.version AND k.category = 'default'))
      FROM policy_period v WHERE \(c).received_at >= v.effective_from AND \(c).received_at < v.effective_until)
    """
  }

  /// An action taken's strictness on the scale of `treatmentLevel`: a block 2,
  /// a warning 1; suspend_sharer, restore and none leave the link as it was (0).
  package static func actionTakenLevel(_ action: String) -> String {
    "CASE \(action) WHEN 'block_url' THEN 2 WHEN 'block_domain' THEN 2 WHEN 'warn_url' THEN 1 ELSE 0 END"
  }

  /// An upheld complaint whose action taken is less strict than its policy prescribes.
  package static func belowPrescribed(_ c: String) -> String {
    "\(actionTakenLevel("\(c).action_taken")) < \(treatmentLevel(prescribedTreatment(c)))"
  }

  /// A complaint's deadline: its receipt plus the SLA of the policy in force
  /// at receipt (of `complaint_handling`), UTC text as stored; none before any policy.
  package static let deadline = "strftime('%Y-%m-%dT%H:%M:%fZ', received_at, '+' || sla_hours || ' hours')"

  /// A complaint whose deadline falls in the quarter.
  package static let dueIn = "\(deadline) >= :start AND \(deadline) < :end"

  /// A complaint resolved at or before its deadline.
  package static let metDeadline = "coalesce(ms_to_resolve <= sla_hours * 3600000, 0)"

  /// A complaint resolved before `t` and after its deadline.
  package static func resolvedLateBy(_ t: String) -> String {
    "resolved_at < \(t) AND ms_to_resolve > sla_hours * 3600000"
  }

  /// Whole days (rounded down) a complaint resolved late was past its deadline when resolved.
  package static let daysLate = "CAST((ms_to_resolve - sla_hours * 3600000) / 86400000 AS INTEGER)"

  /// Days without a complaint at which `overview.days_since_last_complaint` is
  /// flagged: a platform of this size has complaints every few days, so a week
  /// of silence at the quarter's end more likely means a feed not yet imported.
  public static let complaintSilenceDays = 7

  /// The buckets of `pN.overdue_at_end[age=…]`: whole days overdue, both bounds included.
  public static let overdueAges: [(label: String, low: Int, high: Int?)] = [
    ("0-7", 0, 7), ("8-30", 8, 30), ("31-90", 31, 90), ("91+", 91, nil),
  ]

  /// Whole days (rounded down) a complaint open at `t` is past its deadline then.
  package static func daysOverdueAt(_ t: String) -> String {
    "CAST((\(msOpenAt(t)) - sla_hours * 3600000) / 86400000 AS INTEGER)"
  }

  /// URLs of principle `p` first restricted in the quarter (`url_restriction`;
  /// quarters are cut in the rollup zone, as the months of the other rollups).
  package static func firstRestricted(_ p: Int) -> String {
    "principle = \(p) AND quarter_start = :start"
  }

  /// A late action: a URL first restricted more than `lateActionHours` after its first event.
  package static let lateActionHours = 24
  package static let lateAction = "hours_to_action > \(lateActionHours)"

  /// Their hours to action.
  package static func toAction(_ p: Int) -> String {
    "SELECT hours_to_action AS hours FROM url_restriction WHERE \(firstRestricted(p))"
  }

  /// The median of the `hours` a query selects (the mean of the two middle
  /// values for an even count; none of none), then no numerator and the
  /// number of values. The query is written out where it is read, not shared
  /// as a table, so an index in order of hours serves the ORDER BY.
  package static func median(_ hours: String) -> String {
    let n = "(SELECT count(*) FROM (\(hours)))"
    return """
      SELECT (SELECT avg(hours) FROM (
          SELECT hours FROM (\(hours)) ORDER BY hours LIMIT 2 - \(n) % 2 OFFSET (\(n) - 1) / 2))
        AS value, NULL AS numerator, \(n) AS denominator
      """
  }

  /// The nearest-rank 90th percentile of the same: the value at rank ⌈0.9·n⌉.
  package static func p90(_ hours: String) -> String {
    let n = "(SELECT count(*) FROM (\(hours)))"
    return """
      SELECT (SELECT hours FROM (\(hours)) ORDER BY hours LIMIT 1 OFFSET (9 * \(n) + 9) / 10 - 1) AS value,
        NULL AS numerator, \(n) AS denominator
      """
  }

  package static func principleMetrics(_ p: Int) -> [MetricDefinition] {
    let principle = Principle(rawValue: p)!
    let ep = "\(inQuarterE) AND principle = \(p)"
    return complaintMetrics(p) + [
      .init(
        id: "p\(p).restrictions", dimension: nil, kind: .count, principle: principle,
        nameEnglish: "Restrictions", nameChinese: "限制次数",
        definitionEnglish: "Events whose reason belongs to principle \(p) with action other than open.",
        definitionChinese: "原因属于原则\(p)且未被直接打开（提示或拦截）的事件数。",
        sql: "SELECT coalesce(sum(events), 0) FROM event_month WHERE \(ep) AND action <> 'open'"),
      .init(
        id: "p\(p).warnings", dimension: nil, kind: .count, principle: principle,
        nameEnglish: "Of which warnings", nameChinese: "其中提示次数",
        definitionEnglish:
          "Of those restrictions, the events warned (warn_proceed or warn_back): the user could still go on to the page.",
        definitionChinese: "上述限制中被提示的事件数（提示后继续访问或提示后返回）：用户仍可继续访问。",
        sql:
          "SELECT coalesce(sum(events), 0) FROM event_month WHERE \(ep) AND action IN ('warn_proceed', 'warn_back')"),
      .init(
        id: "p\(p).blocks", dimension: nil, kind: .count, principle: principle,
        nameEnglish: "Of which blocks", nameChinese: "其中拦截次数",
        definitionEnglish: "Of those restrictions, the events blocked.",
        definitionChinese: "上述限制中被拦截的事件数。",
        sql: "SELECT coalesce(sum(events), 0) FROM event_month WHERE \(ep) AND action = 'block'"),
      .init(
        id: "p\(p).automated_share", dimension: nil, kind: .rate, principle: principle,
        nameEnglish: "Found by automated detection", nameChinese: "自动识别占比",
        definitionEnglish: "Of those restrictions, the share with detected_by = automated.",
        definitionChinese: "上述限制中由自动识别发现的占比。",
        sql: "SELECT \(share("detected_by = 'automated'")) FROM event_month WHERE \(ep) AND action <> 'open'"),
      .init(
        id: "p\(p).urls_restricted", dimension: nil, kind: .count, principle: principle,
        nameEnglish: "URLs first restricted", nameChinese: "首次受限的URL数",
        definitionEnglish:
          "Normalised URLs whose first warn or block for a category of principle \(p) (taking every event up to the quarter's end) falls in the quarter: the cases the time to action is measured on.",
        definitionChinese: "首次因原则\(p)类别被提示或拦截（按截至季末的全部事件）发生在本季度的规范化URL数：处置时效据此计算。",
        sql: "SELECT count(*) FROM url_restriction WHERE \(firstRestricted(p))"),
      .init(
        id: "p\(p).median_hours_to_action", dimension: nil, kind: .hours, principle: principle,
        nameEnglish: "Median hours to action", nameChinese: "处置时效中位数（小时）",
        definitionEnglish:
          "Median, over those URLs, of the hours from the URL's first event of any kind to its first restriction; for an even count, the mean of the two middle values.",
        definitionChinese: "上述URL从首次出现（任何事件）到首次受限的小时数的中位数；偶数个时取中间两值的平均。",
        sql: median(toAction(p))),
      .init(
        id: "p\(p).p90_hours_to_action", dimension: nil, kind: .hours, principle: principle,
        nameEnglish: "P90 hours to action", nameChinese: "处置时效90分位数（小时）",
        definitionEnglish: "Nearest-rank 90th percentile of the same hours: the value at rank ⌈0.9·n⌉.",
        definitionChinese: "同上小时数的90分位数（最近秩法，第⌈0.9·n⌉个值）。",
        sql: p90(toAction(p))),
      .init(
        id: "p\(p).restricted_at_first_sight", dimension: nil, kind: .count, principle: principle,
        nameEnglish: "Restricted at first sight", nameChinese: "首次出现即受限的URL数",
        definitionEnglish:
          "Of those URLs, those first restricted on their first event (0 hours to action): the median and P90 read 0 when most are.",
        definitionChinese: "上述URL中首次出现即受限（处置时效为0小时）的数量：多数如此时，中位数和90分位数均为0。",
        sql: "SELECT count(*) FROM url_restriction WHERE \(firstRestricted(p)) AND hours_to_action = 0"),
      .init(
        id: "p\(p).late_actions", dimension: nil, kind: .count, principle: principle,
        nameEnglish: "Restricted more than 24 h after first seen", nameChinese: "首次出现24小时后才受限的URL数",
        definitionEnglish:
          "Of those URLs, those first restricted more than \(lateActionHours) hours after their first event: the tail the median and P90 hide; each listed by URL on the principle's sheet.",
        definitionChinese: "上述URL中首次出现超过\(lateActionHours)小时后才首次受限的数量：中位数和90分位数掩盖的长尾；逐个URL列于该原则工作表。",
        sql: "SELECT count(*) FROM url_restriction WHERE \(firstRestricted(p)) AND \(lateAction)"),
      .init(
        id: "p\(p).max_hours_to_action", dimension: nil, kind: .hours, principle: principle,
        nameEnglish: "Longest hours to action", nameChinese: "最长处置时效（小时）",
        definitionEnglish: "The longest of the same hours; none when no URL was first restricted in the quarter.",
        definitionChinese: "同上小时数的最大值；本季度无首次受限的URL时为空。",
        sql: "SELECT max(hours_to_action), NULL, count(*) FROM url_restriction WHERE \(firstRestricted(p))"),
      .init(
        id: "p\(p).opens_before_action", dimension: nil, kind: .count, principle: principle,
        nameEnglish: "Direct opens before action", nameChinese: "受限前被直接打开的点击数",
        definitionEnglish:
          "Events with action open on those URLs before their first restriction (in any quarter): what the delay let through.",
        definitionChinese: "上述URL在首次受限之前（不限季度）被直接打开的事件数：处置延迟期间放行的点击。",
        sql: "SELECT coalesce(sum(opens_before), 0) FROM url_restriction WHERE \(firstRestricted(p))"),
      .init(
        id: "p\(p).proactive_rate", dimension: nil, kind: .rate, principle: principle,
        nameEnglish: "Found first by automated detection (per URL)", nameChinese: "首次处置由自动识别发现的URL占比",
        definitionEnglish:
          "Of those URLs, the share whose first restriction has detected_by = automated (a case counts once, however many taps it had; at the same millisecond a restriction not by automated detection is taken first).",
        definitionChinese: "上述URL中，首次受限由自动识别发现的占比（每个URL计一次，不论点击多少；同一毫秒内以非自动识别者为先）。",
        sql:
          "SELECT \(share("detected_by = 'automated'", count: "1")) FROM url_restriction WHERE \(firstRestricted(p))"),
      .init(
        id: "p\(p).under_restricted", dimension: nil, kind: .count, principle: principle,
        nameEnglish: "Got through (under-restricted)", nameChinese: "处置宽于规范的事件数",
        definitionEnglish:
          "Events of the quarter whose reason is a category of principle \(p) and whose action is more lenient than their policy prescribes (open < warn < block)"
          + (p < 3
            ? "; each listed on the Got through sheet."
            : "; counted by category and domain on the Got through sheet."),
        definitionChinese:
          "本季度原因属于原则\(p)类别、且处置宽于所适用规范要求（打开 < 提示 < 拦截）的事件数"
          + (p < 3 ? "；逐条列于“处置宽于规范”工作表。" : "；按类别和域名汇总于“处置宽于规范”工作表。"),
        sql: assessed("SELECT coalesce(sum(CASE WHEN alevel < tlevel THEN n END), 0)", among: "principle = \(p)")),
      .init(
        id: "p\(p).post_decision_opens", dimension: nil, kind: .count, principle: principle,
        nameEnglish: "Direct opens under a block decision", nameChinese: "拦截决定下仍被直接打开的点击数",
        definitionEnglish:
          "Events of the quarter with action open on a URL (block_url) or domain (block_domain) under a standing block decision from an upheld complaint of principle \(p); each event once. Direct opens only: p\(p).post_decision_reached adds the taps that went on through a warning, and those under warn_url decisions. An event under decisions of several principles counts in each: these figures overlap, overview.post_decision_opens does not.",
        definitionChinese:
          "本季度直接打开、且其URL（拦截URL）或域名（拦截域名）处于原则\(p)投诉成立后生效的拦截决定之下的事件数；每个事件只计一次。仅计直接打开：p\(p).post_decision_reached 另计提示后继续访问的点击及提示决定（warn_url）下的点击。同一事件受多个原则的决定覆盖时在各原则中均计入，故各原则之和可大于 overview.post_decision_opens。",
        sql: """
          SELECT count(*) FROM decision_open
          WHERE principle = \(p) AND action = 'open' AND occurred_at >= :start AND occurred_at < :end
          """),
      .init(
        id: "p\(p).post_decision_reached", dimension: nil, kind: .count, principle: principle,
        nameEnglish: "Reached the page under a decision", nameChinese: "处置决定下仍打开了目标页面的点击数",
        definitionEnglish:
          "Taps of the quarter under a standing decision (block_url, block_domain or warn_url) from an upheld complaint of principle \(p) that reached the page: opened (open) or went on through a warning (warn_proceed); each tap once within the principle.",
        definitionChinese:
          "本季度处于原则\(p)投诉成立后生效的处置决定（拦截URL、拦截域名或对URL提示）之下、仍打开了目标页面的点击数：直接打开或提示后继续访问；同一点击在本原则内只计一次。",
        sql: "SELECT coalesce(sum(CASE WHEN \(reachedPage) THEN events END), 0) \(coveredTaps(principle: p))"),
      .init(
        id: "p\(p).upheld_without_action", dimension: nil, kind: .count, principle: principle,
        nameEnglish: "Upheld without the prescribed action", nameChinese: "成立但处置宽于规范的投诉数",
        definitionEnglish:
          "Upheld complaints of the quarter of principle \(p) whose action_taken is less strict than the policy in force at receipt prescribes for their category (block_url and block_domain block, warn_url warns, suspend_sharer and none leave the link as it was); each listed, with its action and the prescribed one, on the Decisions sheet.",
        definitionChinese:
          "本季度原则\(p)成立投诉中，处置措施宽于受理时所适用规范对其类别的要求的数量（拦截URL、拦截域名为拦截，对URL提示为提示，暂停分享者与未处置不改变链接）；逐件列于“处置决定”工作表，并列出规范要求。",
        sql: """
          SELECT count(*) FROM complaint
          WHERE \(inQuarterC) AND principle = \(p) AND outcome = 'upheld' AND \(belowPrescribed("complaint"))
          """),
      .init(
        id: "p\(p).upheld_by_domain", dimension: "domain", kind: .count, principle: principle,
        nameEnglish: "Upheld complaints by domain (top 10)", nameChinese: "投诉成立数最多的域名（前10）",
        definitionEnglish:
          "Upheld complaints of principle \(p) per registrable domain, for the 10 domains with most (ties: domain ascending).",
        definitionChinese: "原则\(p)成立投诉按可注册域名计数，取最多的10个（并列按域名升序）。",
        sql: """
          SELECT domain, count(*) AS upheld FROM complaint
          WHERE \(inQuarterC) AND principle = \(p) AND outcome = 'upheld'
          GROUP BY domain ORDER BY upheld DESC, domain ASC LIMIT 10
          """),
    ]
  }

  package static let principle4: [MetricDefinition] =
    complaintMetrics(4) + [
      .init(
        id: "p4.restored", dimension: nil, kind: .count, principle: .userChoice,
        nameEnglish: "Wrong restrictions undone", nameChinese: "误拦截恢复数",
        definitionEnglish: "Complaints of principle 4 upheld with action_taken = restore.",
        definitionChinese: "原则4投诉成立且处置为恢复的数量。",
        sql:
          "SELECT count(*) FROM complaint WHERE \(inQuarterC) AND principle = 4 AND outcome = 'upheld' AND action_taken = 'restore'"
      ),
      .init(
        id: "p4.reversal_rate", dimension: nil, kind: .rate, principle: .userChoice,
        nameEnglish: "Wrongful restrictions reversed", nameChinese: "误拦截纠正率",
        definitionEnglish:
          "Complaints of wrongful restriction (principle 4) received in the quarter, upheld and restored / those resolved with an outcome other than duplicate.",
        definitionChinese: "本季度受理的误拦截投诉（原则4）中成立并恢复的数量 / 已办结且非重复的数量。",
        sql: """
          SELECT \(rate("coalesce(sum(outcome = 'upheld' AND action_taken = 'restore'), 0)", of: "count(*)"))
          FROM complaint WHERE \(inQuarterC) AND principle = 4 AND status = 'resolved' AND outcome <> 'duplicate'
          """),
      .init(
        id: "p4.median_hours_to_restore", dimension: nil, kind: .hours, principle: .userChoice,
        nameEnglish: "Median hours to restore", nameChinese: "恢复时长中位数（小时）",
        definitionEnglish:
          "Median hours from receipt to resolution of those upheld and restored; for an even count, the mean of the two middle values.",
        definitionChinese: "上述成立并恢复的投诉从受理到办结的小时数中位数；偶数个时取中间两值的平均。",
        sql: median(
          "SELECT ms_to_resolve / 3600000.0 AS hours FROM complaint_handling WHERE \(inQuarterC) AND principle = 4 AND status = 'resolved' AND outcome = 'upheld' AND action_taken = 'restore'"
        )),
      .init(
        id: "p4.open_rate", dimension: "scene", kind: .rate, principle: .userChoice,
        nameEnglish: "Open rate by scene", nameChinese: "分场景直接打开率",
        definitionEnglish: "Per scene with events: events with action open / events of that scene.",
        definitionChinese: "按场景：直接打开的事件数 / 该场景事件数。",
        sql: "SELECT scene, \(share("action = 'open'")) FROM event_month WHERE \(inQuarterE) GROUP BY scene"),
      .init(
        id: "p4.open_rate", dimension: "platform", kind: .rate, principle: .userChoice,
        nameEnglish: "Open rate by platform", nameChinese: "分平台直接打开率",
        definitionEnglish: "Per platform with events (other for domains in no platform): the same rate.",
        definitionChinese: "按平台（不属于任何平台的域名计为 other）：同上比率。",
        sql: """
          SELECT platform_id, \(share("action = 'open'"))
          FROM platform_month WHERE \(inQuarterE) GROUP BY platform_id
          """),
      .init(
        id: "p4.choice_rate", dimension: nil, kind: .rate, principle: .userChoice,
        nameEnglish: "Warned (not blocked) share of restricted taps", nameChinese: "受限点击中“提示”占比",
        definitionEnglish:
          "Of restricted taps, the share that was warned rather than blocked: (warn_proceed + warn_back) / (warn_proceed + warn_back + block). A policy that puts a warning in front of every link scores near 100% here; read it with p4.scene_rule_share and the open rate by scene.",
        definitionChinese:
          "受限点击中被提示而非拦截的占比：（提示后继续 + 提示后返回）/（提示后继续 + 提示后返回 + 拦截）。对所有链接一律提示的规则在此得分接近100%，须结合 p4.scene_rule_share 与分场景直接打开率解读。",
        sql: """
          SELECT \(share("action IN ('warn_proceed', 'warn_back')", among: "action <> 'open'"))
          FROM event_month WHERE \(inQuarterE)
          """),
      .init(
        id: "p4.scene_rule_share", dimension: nil, kind: .rate, principle: .userChoice,
        nameEnglish: "Taps restricted by a scene rule", nameChinese: "因场景规则受限的点击占比",
        definitionEnglish:
          "Taps warned or blocked with reason scene_rule (the scene's own rule, no content problem found) / all taps.",
        definitionChinese: "以“场景规则（无内容原因）”为原因（场景自身规则，未发现内容问题）被提示或拦截的点击数 / 点击总数。",
        sql: """
          SELECT \(share("reason = 'scene_rule' AND action <> 'open'"))
          FROM event_month WHERE \(inQuarterE)
          """),
      .init(
        id: "p4.scene_rule_restrictions", dimension: "scene", kind: .count, principle: .userChoice,
        nameEnglish: "Scene-rule restrictions by scene", nameChinese: "分场景的场景规则限制次数",
        definitionEnglish: "Per scene with events: taps warned or blocked with reason scene_rule.",
        definitionChinese: "按场景：以“场景规则（无内容原因）”为原因被提示或拦截的点击数。",
        sql: """
          SELECT scene, coalesce(sum(CASE WHEN reason = 'scene_rule' AND action <> 'open' THEN events END), 0)
          FROM event_month WHERE \(inQuarterE) GROUP BY scene
          """),
      // Interconnection (issue 31): how often each platform's links are
      // restricted with no content reason, and beyond the policy.
      .init(
        id: "p4.scene_rule_restrictions", dimension: "platform", kind: .count, principle: .userChoice,
        nameEnglish: "Scene-rule restrictions by platform", nameChinese: "分平台的场景规则限制次数",
        definitionEnglish:
          "Per platform with events, by the platform of the link's domain (other for domains of no registered platform): taps warned or blocked with reason scene_rule, i.e. restricted with no content reason. They add up to p4.scene_rule_restrictions over the scenes.",
        definitionChinese:
          "按链接域名所属平台（不属于任何已登记平台的域名计为“未登记”），每个有事件的平台：以“场景规则（无内容原因）”为原因被提示或拦截的点击数，即无内容原因的限制。各平台之和等于各场景的 p4.scene_rule_restrictions 之和。",
        sql: """
          WITH r AS (
            SELECT h.platform_id, sum(s.events) AS n
            FROM scene_restriction_month s JOIN host h USING (host_id)
            WHERE \(inQuarterE) AND s.reason = 'scene_rule'
            GROUP BY h.platform_id)
          SELECT p.platform_id, coalesce(r.n, 0)
          FROM (SELECT DISTINCT platform_id FROM platform_month WHERE \(inQuarterE)) p LEFT JOIN r USING (platform_id)
          ORDER BY p.platform_id
          """),
      .init(
        id: "p4.over_restricted", dimension: "platform", kind: .count, principle: .userChoice,
        nameEnglish: "Over-restricted events by platform", nameChinese: "分平台的处置严于规范的事件数",
        definitionEnglish:
          "Per platform with events, by the platform of the link's domain (other for domains of no registered platform): the events of overview.over_restricted, whose action is stricter than their policy prescribes (open < warn < block). They add up to overview.over_restricted.",
        definitionChinese:
          "按链接域名所属平台（不属于任何已登记平台的域名计为“未登记”），每个有事件的平台：overview.over_restricted 所计、处置严于规范要求的事件数（打开 < 提示 < 拦截）。各平台之和等于 overview.over_restricted。",
        sql: """
          WITH g AS (
            SELECT host_id, policy_version, scene, reason, action, events FROM reason_month
            WHERE \(inQuarterE) AND action <> 'open'
            UNION ALL
            SELECT host_id, policy_version, scene, reason, action, events FROM scene_restriction_month
            WHERE \(inQuarterE)),
          b AS (
            SELECT h.platform_id, g.policy_version, g.scene, g.reason, g.action, sum(g.events) AS n
            FROM g JOIN host h USING (host_id)
            GROUP BY h.platform_id, g.policy_version, g.scene, g.reason, g.action),
          o AS (
            SELECT e.platform_id, sum(e.n) AS n
            FROM b e \(treatmentJoin)
            WHERE \(actionLevel("e.action")) > \(treatmentLevel("t.treatment"))
            GROUP BY e.platform_id)
          SELECT p.platform_id, coalesce(o.n, 0)
          FROM (SELECT DISTINCT platform_id FROM platform_month WHERE \(inQuarterE)) p LEFT JOIN o USING (platform_id)
          ORDER BY p.platform_id
          """),
      .init(
        id: "p4.proceed_rate", dimension: nil, kind: .rate, principle: .userChoice,
        nameEnglish: "Proceed rate after a warning", nameChinese: "提示后继续访问率",
        definitionEnglish: "warn_proceed / (warn_proceed + warn_back).",
        definitionChinese: "提示后继续 /（提示后继续 + 提示后返回）。",
        sql: """
          SELECT \(share("action = 'warn_proceed'", among: "action IN ('warn_proceed', 'warn_back')"))
          FROM event_month WHERE \(inQuarterE)
          """),
      .init(
        id: "p4.over_restricted_rate", dimension: nil, kind: .rate, principle: .userChoice,
        nameEnglish: "Over-restriction rate", nameChinese: "处置严于规范的比例",
        definitionEnglish: "overview.over_restricted / all events.",
        definitionChinese: "处置严于规范的事件数 / 事件总数。",
        sql: assessed("SELECT \(share("alevel > tlevel", count: "n"))")
      ),
    ]
}

extension MetricCatalogue {
  /// The platform credit rating (`rating.*`): one SQL query counts, per
  /// platform, what the four indicators rest on; the rates, score and grade
  /// follow from those counts by the rating model's formula (a documented
  /// Swift step, `RatingModel.score`), with the model's numbers stated beside it.
  public static let ratings: [MetricDefinition] = {
    func d(_ id: MetricID, _ kind: MetricKind, _ en: String, _ zh: String, _ defEn: String, _ defZh: String)
      -> MetricDefinition
    {
      MetricDefinition(
        id: id, dimension: "platform", kind: kind, principle: nil, nameEnglish: en, nameChinese: zh,
        definitionEnglish: defEn, definitionChinese: defZh, sql: QuarterRatings.indicatorSQL)
    }
    var list = [
      d(
        "rating.events", .count, "Events", "事件数",
        "n_P: the platform's events in the window (the last window_quarters quarters of the model, the rated one last).",
        "n_P：该平台在统计窗口（模型 window_quarters 个季度，以本季度为末）内的事件数。")
    ]
    let indicators: [(String, String, String, String, String, String)] = [
      (
        "violation", "Upheld complaint rate", "成立投诉率", "v",
        "upheld complaints of principles 1-3 received in the window on the platform's domains",
        "窗口内受理、针对该平台域名的原则1-3成立投诉"
      ),
      (
        "severe", "Upheld complaint rate, principles 1-2", "原则1-2成立投诉率", "s", "upheld complaints of principles 1-2",
        "原则1-2成立投诉"
      ),
      (
        "restriction", "Restriction rate", "限制率", "r", "its events of principles 1-3 with action other than open",
        "原因属于原则1-3且未直接打开的事件"
      ),
      (
        "exposure", "Exposure rate", "处置后暴露率", "x", "its events counted in p1-p3.post_decision_opens (each once)",
        "计入原则1-3处置决定后仍被打开的事件（每个事件一次）"
      ),
    ]
    for (stem, en, zh, letter, countEn, countZh) in indicators {
      list.append(
        d(
          "rating.\(stem)_rate", .score, en, zh,
          "\(letter) observed: \(countEn), per 10,000 of its events in the window; the count and the events are its numerator and denominator.",
          "\(letter) 实测值：\(countZh)，每万次窗口内事件；计数与事件数即其分子与分母。"))
    }
    for (stem, en, zh, letter, _, _) in indicators {
      list.append(
        d(
          "rating.\(stem)_adjusted", .score, "\(en), adjusted", "\(zh)（调整后）",
          "\(letter) as the score uses it (rated platforms): (count + k · all-platform count / all-platform events) / (events + k), per 10,000, with k the indicator's prior_events (the model's where it has none); all-platform means every registered platform together. Equal to the observed rate where k is 0.",
          "得分所用的 \(letter)（已评级平台）：（计数 + k · 全平台计数 / 全平台事件数）/（事件数 + k），每万次；k 为该指标的 prior_events（未设时取模型的）；全平台指全部已登记平台合计。k 为 0 时等于实测值。"
        ))
    }
    list += [
      d(
        "rating.score", .score, "Score", "得分",
        "100 − 40·min(v/5, 1) − 20·min(s/2, 1) − 30·min(r/100, 1) − 10·min(x/1, 1) over the adjusted rates, with the default model; weights and caps come from the rating model file.",
        "以调整后比率计算：默认模型下 100 − 40·min(v/5, 1) − 20·min(s/2, 1) − 30·min(r/100, 1) − 10·min(x/1, 1)；权重与上限取自评级模型文件。"),
      d(
        "rating.grade", .text, "Grade", "等级",
        "A score ≥ 90, B ≥ 75, C ≥ 60, D below (default model); NR (not rated) under min_events events in the window. The unregistered domains (other) are never graded.",
        "A ≥ 90，B ≥ 75，C ≥ 60，其下为 D（默认模型）；窗口内事件数不足 min_events 为 NR（未评级）。未登记域名（other）不评级。"),
      d(
        "rating.grade_change", .text, "Grade change", "等级变化",
        "Grade of the previous quarter → this one, e.g. B→A (NR where none).", "上季度等级 → 本季度等级，如 B→A（无则为 NR）。"),
      d(
        "rating.margin_down", .count, "Complaints to lose a grade", "降级余量",
        "Rated platforms: the fewest more upheld complaints in the window that would lower the grade, each counted as principles 1-2 (in v and s, the costliest) and in the all-platform counts; empty where no number would.",
        "已评级平台：窗口内再增加多少件成立投诉（每件按代价最高的原则1-2计入 v、s 及全平台计数）将使等级下降；任何数量都不会时为空。"),
      d(
        "rating.margin_up", .count, "Complaints to gain a grade", "升级余量",
        "Rated platforms: the fewest fewer of its upheld complaints in the window (principles 1-2 first) that would raise the grade; empty where even none would.",
        "已评级平台：窗口内已计入的成立投诉减少多少件（先减原则1-2）可使等级上升；即使全部减去也不会时为空。"),
      d(
        "rating.flags", .text, "Beyond every graded platform", "超过所有已评级平台",
        "Platforms not rated and the unregistered domains: the indicators (v, s, r, x) whose observed rate is above every graded platform's observed rate.",
        "未评级平台与未登记域名：实测比率高于所有已评级平台实测比率的指标（v、s、r、x）。"),
    ]
    return list
  }()

  /// The queries behind the evidence of the ratings (the Methodology sheet
  /// shows them beside the metrics; they list cases, not figures).
  public static let ratingEvidence: [MetricDefinition] = {
    func d(_ id: MetricID, _ en: String, _ zh: String, _ sql: String) -> MetricDefinition {
      MetricDefinition(
        id: id, dimension: "platform", kind: .text, principle: nil, nameEnglish: en, nameChinese: zh,
        definitionEnglish: en, definitionChinese: zh, sql: sql)
    }
    return [
      d(
        "rating.evidence.complaints", "The upheld complaints behind v and s, by id.", "构成 v 与 s 的成立投诉（按编号）。",
        RatingEvidence.complaintsSQL),
      d(
        "rating.evidence.restrictions", "The restricted events behind r, by category.", "构成 r 的限制事件（按类别）。",
        RatingEvidence.restrictionsSQL),
      d(
        "rating.evidence.opens", "The events behind x, by id.", "构成 x 的处置后打开事件（按编号）。",
        RatingEvidence.exposuresSQL),
      d(
        "rating.evidence.unregistered", "The unregistered domains with most upheld complaints.", "成立投诉最多的未登记域名。",
        RatingEvidence.unregisteredDomainsSQL),
    ]
  }()

  /// The catalogue as a Markdown table: id, name and definition, in one language.
  public static func markdown(english: Bool = true) -> String {
    var text = english ? "| id | name | definition |\n|---|---|---|\n" : "| 编号 | 名称 | 定义 |\n|---|---|---|\n"
    for d in all + ratings {
      let cells = [
        "`\(d.label)`", english ? d.nameEnglish : d.nameChinese, english ? d.definitionEnglish : d.definitionChinese,
      ]
      text += "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n"
    }
    text +=
      english
      ? "\n## Retired ids\n\n| id | replaced by | why |\n|---|---|---|\n"
      : "\n## 已停用的编号\n\n| 编号 | 替代 | 原因 |\n|---|---|---|\n"
    for r in retired {
      let cells = ["`\(r.id)`", r.replacedBy.map { "`\($0)`" }.joined(separator: ", "), english ? r.why : r.whyChinese]
      text += "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n"
    }
    return text
  }
}
