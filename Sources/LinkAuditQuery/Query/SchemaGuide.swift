import Foundation
import LinkAuditCore
import LinkAuditStore
import LinkAuditXlsx

/// A one-line meaning for every view and column a person queries, printed by
/// `linkaudit schema`. A test checks that every column of these views has one.
public enum SchemaGuide {
  public struct Object: Sendable {
    public let name: String
    public let meaning: String
    public let columns: [(String, String)]
  }

  package static let utc = "UTC, ISO 8601 with milliseconds (text order is time order)"

  public static let views: [Object] = [
    Object(
      name: "events", meaning: "one row per tap on an external link, with its domain, platform and principle",
      columns: [
        ("event_id", "the source's id of the event"), ("occurred_at_utc", "when the link was tapped, \(utc)"),
        (
          "scene",
          "where it was shared: one_to_one_chat, group_chat, moments, official_account, mini_program, channels, search, other"
        ),
        ("user_pseudonym", "HMAC-SHA256 pseudonym of the user (the raw id is never stored)"),
        ("url", "the URL as shared"),
        ("url_normalised", "scheme and host lower-case, Unicode host, no default port or #fragment"),
        ("host", "host, Unicode form"), ("domain", "registrable domain (Public Suffix List), Unicode form"),
        ("platform_id", "platform owning the domain in the registry in force, other when none"),
        ("platform_en", "platform's English name"), ("platform_zh", "platform's Chinese name"),
        ("action", "open, warn_proceed, warn_back or block"),
        ("reason", "category, or scene_rule, behind a warning or block"),
        ("principle", "principle 1-4 of the reason's category"), ("principle_en", "principle's English name"),
        ("principle_zh", "principle's Chinese name"),
        ("detected_by", "automated, user_report or manual_review"), ("client_version", "app version"),
        ("policy_version", "policy version in force when it happened"), ("batch_id", "the import that brought it"),
      ]),
    Object(
      name: "complaints", meaning: "one row per complaint in its latest state, with handling time and SLA",
      columns: [
        ("complaint_id", "the source's id"), ("received_at_utc", "when it was filed, \(utc)"),
        ("reporter_pseudonym", "HMAC-SHA256 pseudonym of the reporter"), ("url", "the link reported, as given"),
        ("url_normalised", "the link, normalised"), ("domain", "its registrable domain"),
        ("platform_id", "its platform, other when none"), ("category", "what the reporter says is wrong"),
        ("category_zh", "category's Chinese name"), ("principle", "principle 1-4 of the category"),
        ("principle_en", "principle's English name"), ("principle_zh", "principle's Chinese name"),
        ("channel", "in_chat, web_portal, hotline or regulator_referral"), ("status", "open or resolved"),
        ("resolved_at_utc", "when it was resolved, \(utc)"), ("hours_to_resolve", "resolved_at - received_at in hours"),
        ("sla_hours", "hours allowed by the policy in force when received"),
        ("within_sla", "1 when resolved within sla_hours, else 0"),
        ("outcome", "upheld, not_upheld or duplicate"),
        ("action_taken", "warn_url, block_url, block_domain, suspend_sharer, restore or none"),
        ("description", "the reporter's words, mobile and ID numbers masked"),
        ("updated_at_utc", "time of this state as the source gave it"),
        ("batch_id", "the import that brought this state"),
      ]),
    Object(
      name: "complaint_history", meaning: "every imported state of every complaint",
      columns: [
        ("complaint_id", "the source's id"), ("batch_id", "the import that brought this state"),
        ("line", "line of the state in its file"), ("status", "open or resolved"),
        ("resolved_at_utc", "when resolved, \(utc)"), ("outcome", "upheld, not_upheld or duplicate"),
        ("action_taken", "what was done"), ("updated_at_utc", "time of this state"),
        ("is_current", "1 for the state the complaints view shows"),
      ]),
    Object(
      name: "batches", meaning: "one row per imported file: the ledger behind every figure",
      columns: [
        ("batch_id", "import number"), ("kind", "links, complaints, policies or platforms"),
        ("file_name", "the file's name"), ("sha256", "SHA-256 of the file's bytes"),
        ("imported_at_utc", "when it was imported"), ("tool_version", "linkaudit version that imported it"),
        ("rows_read", "rows read"), ("rows_stored", "rows stored"), ("rows_duplicate", "rows already stored"),
        ("rows_rejected", "rows set aside with --reject-file"),
      ]),
    Object(
      name: "policies", meaning: "the versions of the management standards and when each was in force",
      columns: [
        ("version", "version name"), ("title", "published title"), ("effective_from_utc", "in force from"),
        ("effective_until_utc", "in force until (the next version's start)"), ("sha256", "SHA-256 of the policy file"),
        ("batch_id", "the import that brought it"),
      ]),
    Object(
      name: "platforms", meaning: "the platform registry in force",
      columns: [
        ("platform_id", "short code"), ("name_en", "English name"), ("name_zh", "Chinese name"),
        ("operator", "company operating it"), ("domains", "its registrable domains, space-separated"),
        ("batch_id", "the import of this registry"),
      ]),
    Object(
      name: "principle", meaning: "the four principles (reference table)",
      columns: [("principle", "1-4"), ("name_en", "English name"), ("name_zh", "Chinese name")]),
    Object(
      name: "category", meaning: "the content categories and their principle (reference table)",
      columns: [("category", "code"), ("principle", "principle 1-4"), ("name_zh", "Chinese name")]),
    Object(
      name: "reason", meaning: "why a link may be restricted: scene_rule or a category (reference table)",
      columns: [("reason", "code"), ("principle", "principle 1-4 of a category; empty for scene_rule")]),
    Object(
      name: "scene", meaning: "the scenes a link is shared in (reference table)",
      columns: [("scene", "code"), ("name_zh", "Chinese name")]),
  ]

  /// The storage tables, named so a reader knows where the views come from.
  public static let tables: [(String, String)] = [
    ("link_event", "events as stored (host_id into host; url only where it differs from url_normalised)"),
    ("host", "each host seen, with its domain and platform"),
    ("complaint_state", "every imported state of every complaint"),
    ("batch", "the import ledger"), ("rejected_row", "where and why a row was set aside (never the row itself)"),
    ("policy_version", "policy versions with their published text"),
    ("policy_scene", "treatment by scene per version"), ("policy_category", "treatment by category per version"),
    ("policy_sla", "hours to resolve by principle per version"),
    ("platform", "every imported registry's platforms"), ("platform_domain", "every imported registry's domains"),
    ("setting", "rollup_time_zone: the zone the rollups' months and quarters are cut in"),
  ]

  /// The rollups the event figures read, kept by the importer and checked by `linkaudit doctor`.
  public static let rollups: [(String, String)] = [
    ("event_month", "events counted by month (month_start, UTC) and scene, action, reason, detection, policy"),
    ("host_month", "events counted by month, host, scene, action and principle (domain figures)"),
    ("platform_month", "host_month's counts by platform: the figures by platform and the ratings"),
    ("event_day", "events counted by day (day_start: UTC instant the day begins in the rollup zone)"),
    ("reason_month", "events with a category as reason counted by month, host, scene, action, reason and policy"),
    ("user_quarter", "each user with an event in a quarter (quarter_start, UTC), once"),
    ("quarter_users", "how many users each quarter has"),
    ("decision_open", "events a standing block decision of the principle did not stop: opened, or warned (action)"),
    ("covered_month", "events opened or warned under any standing block decision, each once, by month and conformance"),
    ("decision_month", "each block decision's events opened and warned while it stood, by month (complaint_id)"),
    ("decision_tap", "every tap under each decision (warn_url too) while it stood, by month and action (complaint_id)"),
    (
      "covered_tap",
      "every tap under a decision, each once, by month, principle (0: any), strictest prescription and action"
    ),
    (
      "url_restriction",
      "per principle, each URL first restricted for one of its categories: first event, first restriction, detection, hours, opens before"
    ),
    ("url_run", "every URL's first event and opens, in sorted blocks (internal to url_restriction)"),
    ("complaint_state.is_current", "1 on the current state of each complaint"),
  ]

  /// The guide as text, with the columns each view has in `db`.
  public static func text(for db: Database) throws -> String {
    var out = "schema version \(try db.userVersion) (this linkaudit: \(Migrations.latestVersion))\n\n"
    out += "Views for questions (all times UTC):\n"
    for view in views {
      out += "\n\(view.name): \(view.meaning)\n"
      let meanings = Dictionary(view.columns, uniquingKeysWith: { a, _ in a })
      for row in try db.records(
        "SELECT name FROM pragma_table_info(?)", [.text(view.name)], source: "the columns of \(view.name)")
      {
        let column = try row.text("name")
        out += "  \(column.padding(toLength: 20, withPad: " ", startingAt: 0)) \(meanings[column] ?? "—")\n"
      }
    }
    out += "\nStorage tables:\n"
    for (name, meaning) in tables { out += "  \(name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(meaning)\n" }
    out += "\nRollups (kept by every import, what the report reads; linkaudit doctor checks them against the events):\n"
    for (name, meaning) in rollups {
      out += "  \(name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(meaning)\n"
    }
    out += "\nMetric views: event, complaint, complaint_handling, decision, policy_period, policy_treatment.\n"
    return out
  }
}
