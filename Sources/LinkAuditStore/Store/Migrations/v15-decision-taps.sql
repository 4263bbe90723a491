-- Decisions enforced (issue 31). A decision is an upheld complaint whose
-- action prescribes something for the link: block_url and block_domain a
-- block, warn_url a warning (suspend_sharer prescribes nothing for the link
-- and is none). prescribed names it. A warn_url decision covers its
-- normalised URL and stands until a later upheld restore on that URL, as a
-- block_url decision does. What read only the blocks before (the opens and
-- warnings under a decision, the repeat offenders' decisions) reads
-- prescribed = 'block', so those figures keep their meaning.
DROP VIEW decision;
CREATE VIEW decision AS
  WITH restore AS MATERIALIZED (
    SELECT url_normalised, domain, resolved_at FROM complaint
    WHERE outcome = 'upheld' AND action_taken = 'restore')
  SELECT d.complaint_id, d.principle, d.action_taken, d.url_normalised, d.domain, d.resolved_at,
    strftime('%Y-%m-%dT%H:%M:%fZ', d.resolved_at, '+1 hour') AS stands_from,
    CASE d.action_taken
      WHEN 'block_domain' THEN (
        SELECT min(r.resolved_at) FROM restore r
        WHERE r.domain = d.domain AND r.resolved_at > d.resolved_at)
      ELSE (
        SELECT min(r.resolved_at) FROM restore r
        WHERE r.url_normalised = d.url_normalised AND r.resolved_at > d.resolved_at)
    END AS stands_until,
    CASE d.action_taken WHEN 'warn_url' THEN 'warn' ELSE 'block' END AS prescribed
  FROM complaint d
  WHERE d.outcome = 'upheld' AND d.action_taken IN ('block_url', 'block_domain', 'warn_url');

-- Every tap (any action, blocks too) on a decision's URL or domain while it
-- stood, by decision, month and action: the decisions register's taps,
-- enforced, reached and actions, and decision.* in metrics.csv.
CREATE TABLE decision_tap (
  complaint_id TEXT NOT NULL,
  month_start  TEXT NOT NULL,
  action       TEXT NOT NULL,
  events       INTEGER NOT NULL
);
CREATE INDEX decision_tap_by_month ON decision_tap(month_start);

-- The same taps each once, by month, action and the strictest treatment the
-- decisions covering it prescribe: principle 0 over every decision (each tap
-- once however many cover it: overview.decision_*), principle N over the
-- decisions of principle N (each tap once within it: pN.post_decision_reached).
CREATE TABLE covered_tap (
  month_start TEXT NOT NULL,
  principle   INTEGER NOT NULL,
  prescribed  TEXT NOT NULL,
  action      TEXT NOT NULL,
  events      INTEGER NOT NULL
);
CREATE INDEX covered_tap_by_month ON covered_tap(month_start);

INSERT OR REPLACE INTO setting SELECT 'rollups_stale', '1' WHERE EXISTS (SELECT 1 FROM link_event);
