-- What a standing decision did not stop: `decision_open` also holds the events
-- warned under a decision (warn_proceed, warn_back), each with its action, its
-- URL and what decides its conformance (scene, reason, policy version), so the
-- enforcement rate and the decisions register never read the events
-- themselves; keyed by action after principle, so the opens are a range of
-- their own. Its rows come back with the re-derivation the mark below asks
-- for on the next read-write open.
DROP TABLE decision_open;
CREATE TABLE decision_open (
  principle      INTEGER NOT NULL,
  occurred_at    TEXT NOT NULL,
  event_rowid    INTEGER NOT NULL,
  host_id        INTEGER NOT NULL,
  action         TEXT NOT NULL,
  scene          TEXT NOT NULL,
  reason         TEXT,
  policy_version TEXT,
  url_normalised TEXT NOT NULL,
  PRIMARY KEY (principle, action, occurred_at, event_rowid)
) WITHOUT ROWID;
INSERT OR REPLACE INTO setting SELECT 'rollups_stale', '1' WHERE EXISTS (SELECT 1 FROM link_event);

-- The events with a category as reason (a few in a hundred), by principle and
-- time, so the report can list the principle 1-2 events that got through
-- without reading every event of the quarter.
CREATE INDEX link_event_by_principle ON link_event(principle, occurred_at) WHERE principle IS NOT NULL;

-- The complaint an outcome `duplicate` repeats, when the source names it.
ALTER TABLE complaint_state ADD COLUMN duplicate_of TEXT;
-- An edit outside the import of any column still marks the rollups stale.
DROP TRIGGER complaint_state_updated;
CREATE TRIGGER complaint_state_updated AFTER UPDATE OF state_rowid, complaint_id, batch_id, line, received_at, reporter_pseudonym, url, url_normalised, host, host_ascii, domain, platform_id, category, principle, channel, description, status, resolved_at, outcome, action_taken, updated_at, fingerprint, duplicate_of ON complaint_state
WHEN NOT EXISTS (SELECT 1 FROM setting WHERE name = 'rollups_stale')
BEGIN INSERT OR REPLACE INTO setting VALUES ('rollups_stale', '1'); END;

-- host_month by scene too, for the open rate by scene and platform; its rows
-- come back with the re-derivation the mark above asks for.
DROP TABLE host_month;
CREATE TABLE host_month (
  batch_id    INTEGER NOT NULL,
  month_start TEXT NOT NULL,
  host_id     INTEGER NOT NULL,
  scene       TEXT NOT NULL,
  action      TEXT NOT NULL,
  principle   INTEGER,
  events      INTEGER NOT NULL
);
CREATE INDEX host_month_by_month ON host_month(month_start);

-- Events counted by the day they happened in (day_start: the UTC instant the
-- day begins in the rollup zone), so a report can name the days of a quarter
-- with no events at all: a gap in the logs, not a quiet day.
CREATE TABLE event_day (
  batch_id  INTEGER NOT NULL,
  day_start TEXT NOT NULL,
  events    INTEGER NOT NULL
);
CREATE INDEX event_day_by_day ON event_day(day_start);

-- The same decisions as v3's view, but a decision's end is looked up among the
-- upheld restores only (a few in a hundred complaints), read once, instead of
-- scanning every complaint per decision: quadratic in complaints before, and
-- seconds for a report at ten million events.
DROP VIEW decision;
CREATE VIEW decision AS
  WITH restore AS MATERIALIZED (
    SELECT url_normalised, domain, resolved_at FROM complaint
    WHERE outcome = 'upheld' AND action_taken = 'restore')
  SELECT d.complaint_id, d.principle, d.action_taken, d.url_normalised, d.domain, d.resolved_at,
    strftime('%Y-%m-%dT%H:%M:%fZ', d.resolved_at, '+1 hour') AS stands_from,
    (SELECT min(r.resolved_at) FROM restore r
     WHERE r.resolved_at > d.resolved_at
       AND CASE d.action_taken WHEN 'block_url' THEN r.url_normalised = d.url_normalised
                               ELSE r.domain = d.domain END) AS stands_until
  FROM complaint d
  WHERE d.outcome = 'upheld' AND d.action_taken IN ('block_url', 'block_domain');
