import LinkAuditCore

/// A metric's id as `metrics.csv` and data teams read it (`p1.upheld`). The
/// report names a figure by the catalogue's constant, never by a string it
/// spells itself: an id is defined once, here and in `MetricCatalogue`, and a
/// test holds the rest of the sources to that.
public struct MetricID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible,
  ExpressibleByStringInterpolation
{
  public let rawValue: String

  public init(rawValue: String) { self.rawValue = rawValue }
  public init(stringLiteral value: String) { rawValue = value }
  public init(stringInterpolation: DefaultStringInterpolation) {
    rawValue = String(stringInterpolation: stringInterpolation)
  }

  public var description: String { rawValue }

  public static func < (a: MetricID, b: MetricID) -> Bool { a.rawValue < b.rawValue }
}

// The ids the report reads by name; every one is a catalogue definition's id
// (MetricCatalogueTests checks it).
extension MetricID {
  public static let events: MetricID = "overview.events"
  public static let openRate: MetricID = "overview.open_rate"
  public static let conformanceRate: MetricID = "overview.conformance_rate"
  public static let overRestrictedRate: MetricID = "p4.over_restricted_rate"
  public static let sceneRuleShare: MetricID = "p4.scene_rule_share"
  public static let choiceRate: MetricID = "p4.choice_rate"
  public static let proceedRate: MetricID = "p4.proceed_rate"
  public static let complaints: MetricID = "overview.complaints"
  public static let postDecisionOpens: MetricID = "overview.post_decision_opens"
  public static let decisionTaps: MetricID = "overview.decision_taps"
  public static let decisionEnforced: MetricID = "overview.decision_enforced"
  public static let decisionReached: MetricID = "overview.decision_reached"
  public static let decisionEnforcementRate: MetricID = "overview.decision_enforcement_rate"
  /// `overview.under_restricted`, split by `rule=category|scene`.
  public static let underRestricted: MetricID = "overview.under_restricted"
  public static let referralsOverdueAtEnd: MetricID = "overview.referrals_overdue_at_end"
  public static let daysSinceLastComplaint: MetricID = "overview.days_since_last_complaint"
  /// `p4.open_rate`, by scene and by platform.
  public static let userChoiceOpenRate: MetricID = "p4.open_rate"
  /// `p4.scene_rule_restrictions`, by scene and by platform.
  public static let sceneRuleRestrictions: MetricID = "p4.scene_rule_restrictions"
  /// `p4.over_restricted`, by platform.
  public static let overRestrictedByPlatform: MetricID = "p4.over_restricted"

  private static func of(_ p: Principle, _ stem: String) -> MetricID { MetricID(rawValue: "p\(p.rawValue).\(stem)") }
  public static func complaints(_ p: Principle) -> MetricID { of(p, "complaints") }
  public static func upheld(_ p: Principle) -> MetricID { of(p, "upheld") }
  public static func upheldRate(_ p: Principle) -> MetricID { of(p, "upheld_rate") }
  public static func dueMetRate(_ p: Principle) -> MetricID { of(p, "due_met_rate") }
  public static func overdueAtEnd(_ p: Principle) -> MetricID { of(p, "overdue_at_end") }
  public static func postDecisionOpens(_ p: Principle) -> MetricID { of(p, "post_decision_opens") }
  public static func underRestricted(_ p: Principle) -> MetricID { of(p, "under_restricted") }
  public static func upheldByDomain(_ p: Principle) -> MetricID { of(p, "upheld_by_domain") }

  // The ratings' rows (`MetricCatalogue.ratings`).
  public static let ratingEvents: MetricID = "rating.events"
  public static func ratingRate(_ stem: String) -> MetricID { MetricID(rawValue: "rating.\(stem)_rate") }
  public static func ratingAdjusted(_ stem: String) -> MetricID { MetricID(rawValue: "rating.\(stem)_adjusted") }
  public static let ratingFlags: MetricID = "rating.flags"
  public static let ratingScore: MetricID = "rating.score"
  public static let ratingGrade: MetricID = "rating.grade"
  public static let ratingGradeChange: MetricID = "rating.grade_change"
  public static let ratingMarginDown: MetricID = "rating.margin_down"
  public static let ratingMarginUp: MetricID = "rating.margin_up"
}
