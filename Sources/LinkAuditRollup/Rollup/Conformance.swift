import LinkAuditStore

/// The one rule of conformance: an action's strictness against the
/// treatment its policy prescribes (open 0 < warn 1 < block 2). The metrics
/// (`MetricCatalogue`) and the rollup engine, which keeps the
/// under-restricted events as they are stored, both read it from here.
package enum Conformance {
  /// An action's strictness (open 0 < warn 1 < block 2), to compare with `treatmentLevel`.
  package static func actionLevel(_ action: String) -> String {
    "CASE \(action) WHEN 'open' THEN 0 WHEN 'block' THEN 2 ELSE 1 END"
  }

  /// A treatment's strictness on the same scale (NULL: no policy).
  package static func treatmentLevel(_ treatment: String) -> String {
    "CASE \(treatment) WHEN 'open' THEN 0 WHEN 'warn' THEN 1 WHEN 'block' THEN 2 END"
  }

  /// Every policy version, scene, reason ('' for none) and action an event
  /// would be under-restricted with (its action more lenient than the
  /// treatment), by a category's rule or by the scene's.
  package static let underRestrictedCombinationsSQL = """
    SELECT t.version, t.scene, coalesce(t.reason, ''), a.action
    FROM main.policy_treatment t,
      (SELECT column1 AS action FROM (VALUES ('open'), ('warn_proceed'), ('warn_back'), ('block'))) a
    WHERE \(actionLevel("a.action")) < \(treatmentLevel("t.treatment"))
    ORDER BY t.version, t.scene, t.reason, a.action
    """

  /// The combinations of `underRestrictedCombinationsSQL`, as text.
  package static func underRestrictedCombinations(_ db: Database) throws -> Set<[String]> {
    Set(try db.rows(underRestrictedCombinationsSQL).map { $0.map { $0.text ?? "" } })
  }
}
