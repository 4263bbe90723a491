-- Rollups for the figures that read events one by one before, so that a
-- report's time does not grow with the events (the 10M-event report took ten
-- times the 1M one; docs/benchmarks.md). Their rows come back with the
-- re-derivation the mark at the end asks for on the next read-write open.

-- The events opened or warned under at least one standing decision, each event
-- once however many decisions covered it, counted by what decides their
-- conformance: the enforcement rate reads these counts.
CREATE TABLE covered_month (
  month_start    TEXT NOT NULL,
  scene          TEXT NOT NULL,
  action         TEXT NOT NULL,
  reason         TEXT,
  policy_version TEXT,
  events         INTEGER NOT NULL
);
CREATE INDEX covered_month_by_month ON covered_month(month_start);

-- Each decision's events opened and warned while it stood, by month: the
-- events on its URL (block_url) or domain (block_domain) not blocked. The
-- decisions register reads these counts.
CREATE TABLE decision_month (
  complaint_id TEXT NOT NULL,
  month_start  TEXT NOT NULL,
  opened       INTEGER NOT NULL,
  warned       INTEGER NOT NULL
);
CREATE INDEX decision_month_by_month ON decision_month(month_start);

-- The events with a category as reason (a few in a hundred), counted by host
-- and by what decides their conformance: what got through of principle 3 is
-- counted by domain from these.
CREATE TABLE reason_month (
  batch_id       INTEGER NOT NULL,
  month_start    TEXT NOT NULL,
  host_id        INTEGER NOT NULL,
  scene          TEXT NOT NULL,
  action         TEXT NOT NULL,
  reason         TEXT NOT NULL,
  principle      INTEGER NOT NULL,
  policy_version TEXT,
  events         INTEGER NOT NULL
);
CREATE INDEX reason_month_by_month ON reason_month(month_start);

-- The events with a principle, by action too: the principle 1-2 events that
-- got through (not blocked) are a few ranges of this index, not every
-- restriction of the quarter.
DROP INDEX link_event_by_principle;
CREATE INDEX link_event_by_principle ON link_event(principle, action, occurred_at) WHERE principle IS NOT NULL;

-- Time to action. Every URL's events, as much as the time to action needs
-- of them (the first, and the times it was opened), in sorted runs of blocks:
-- an import appends its URLs sorted by key as a new run, and runs of similar
-- size are merged, so nothing is updated in place (a table keyed by URL
-- costs a random write per distinct URL; docs/benchmarks.md). url_key is a
-- 64-bit hash of url_normalised (URLKey in Rollup/URLHistory.swift); last_key
-- the block's largest; entries per URL its key, first event (UTC ms) and
-- opens, little-endian.
CREATE TABLE url_run (
  run      INTEGER NOT NULL,
  last_key INTEGER NOT NULL,
  urls     INTEGER NOT NULL,
  entries  BLOB NOT NULL,
  PRIMARY KEY (run, last_key)
) WITHOUT ROWID;

-- Each URL restricted (warned or blocked) for a category of a principle: its
-- first such restriction and its quarter, the detection of it, its first
-- event of any kind, the hours between them and the opens before the
-- restriction.
CREATE TABLE url_restriction (
  principle        INTEGER NOT NULL,
  url_key          INTEGER NOT NULL,
  url_normalised   TEXT NOT NULL,
  first_seen       TEXT NOT NULL,
  first_restricted TEXT NOT NULL,
  quarter_start    TEXT NOT NULL,
  detected_by      TEXT NOT NULL,
  hours_to_action  REAL NOT NULL,
  opens_before     INTEGER NOT NULL,
  PRIMARY KEY (principle, url_key)
) WITHOUT ROWID;
-- quarter_start: the quarter of the first restriction, cut in the rollup zone
-- as the other rollups are. A quarter's cases of a principle are a range of
-- this index, in order of hours (a median is an offset into it, not a sort),
-- holding everything the figures read of them.
CREATE INDEX url_restriction_by_quarter ON url_restriction(principle, quarter_start, hours_to_action, detected_by,
  opens_before);

INSERT OR REPLACE INTO setting SELECT 'rollups_stale', '1' WHERE EXISTS (SELECT 1 FROM link_event);

-- The same decisions as v8's view, but a decision's restore is looked up by
-- equality on its URL or its domain, which SQLite answers through an index of
-- the restores, instead of testing a CASE against every restore: at ten
-- million events (2,400 decisions, 290 restores) the register took 0.3 s.
DROP VIEW decision;
CREATE VIEW decision AS
  WITH restore AS MATERIALIZED (
    SELECT url_normalised, domain, resolved_at FROM complaint
    WHERE outcome = 'upheld' AND action_taken = 'restore')
  SELECT d.complaint_id, d.principle, d.action_taken, d.url_normalised, d.domain, d.resolved_at,
    strftime('%Y-%m-%dT%H:%M:%fZ', d.resolved_at, '+1 hour') AS stands_from,
    CASE d.action_taken
      WHEN 'block_url' THEN (
        SELECT min(r.resolved_at) FROM restore r
        WHERE r.url_normalised = d.url_normalised AND r.resolved_at > d.resolved_at)
      ELSE (
        SELECT min(r.resolved_at) FROM restore r
        WHERE r.domain = d.domain AND r.resolved_at > d.resolved_at)
    END AS stands_until
  FROM complaint d
  WHERE d.outcome = 'upheld' AND d.action_taken IN ('block_url', 'block_domain');
