CREATE TABLE setting (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
-- The zone whose months and quarters the rollups are cut in (the report's default).
INSERT INTO setting VALUES ('rollup_time_zone', 'Asia/Shanghai');
-- A database that already holds events has its rollups derived on the next
-- read-write open.
INSERT INTO setting SELECT 'rollups_stale', '1' WHERE EXISTS (SELECT 1 FROM link_event);

-- The span of each links batch, so 'the latest quarter' needs no scan of the events.
ALTER TABLE batch ADD COLUMN first_occurred_at TEXT;
ALTER TABLE batch ADD COLUMN last_occurred_at TEXT;
UPDATE batch SET
  first_occurred_at = (SELECT min(occurred_at) FROM link_event e WHERE e.batch_id = batch.batch_id),
  last_occurred_at = (SELECT max(occurred_at) FROM link_event e WHERE e.batch_id = batch.batch_id)
WHERE kind = 'links';

-- Reports read the rollups below; time-range questions on link_event scan it.
DROP INDEX link_event_by_time;

-- Events counted by the month they happened in (month_start: the UTC
-- instant the month begins in the rollup zone; quarters are whole months)
-- and by every attribute a figure splits on. One import adds its own rows,
-- so a month may have rows from several batches.
CREATE TABLE event_month (
  batch_id       INTEGER NOT NULL,
  month_start    TEXT NOT NULL,
  scene          TEXT NOT NULL,
  action         TEXT NOT NULL,
  reason         TEXT,
  principle      INTEGER,
  detected_by    TEXT NOT NULL,
  policy_version TEXT,
  events         INTEGER NOT NULL
);
CREATE INDEX event_month_by_month ON event_month(month_start);

-- The same events by host (so by platform), for the figures per platform.
CREATE TABLE host_month (
  batch_id    INTEGER NOT NULL,
  month_start TEXT NOT NULL,
  host_id     INTEGER NOT NULL,
  action      TEXT NOT NULL,
  principle   INTEGER,
  events      INTEGER NOT NULL
);
CREATE INDEX host_month_by_month ON host_month(month_start);

-- Each user with an event in a quarter of the rollup zone, once.
CREATE TABLE user_quarter (
  quarter_start  TEXT NOT NULL,
  user_pseudonym TEXT NOT NULL,
  PRIMARY KEY (quarter_start, user_pseudonym)
) WITHOUT ROWID;

-- How many users each quarter has: user_quarter counted, once per import.
CREATE TABLE quarter_users (
  quarter_start TEXT PRIMARY KEY,
  users         INTEGER NOT NULL
) WITHOUT ROWID;

-- Events opened while a decision of the principle stood on their URL or
-- domain (the 'decision' view): kept when events arrive, re-derived when
-- an import of complaints changes the decisions.
CREATE TABLE decision_open (
  principle   INTEGER NOT NULL,
  occurred_at TEXT NOT NULL,
  event_rowid INTEGER NOT NULL,
  host_id     INTEGER NOT NULL,
  PRIMARY KEY (principle, occurred_at, event_rowid)
) WITHOUT ROWID;

-- The current state of each complaint (the rule of the v2 'complaint'
-- view), marked by the importer, so a quarter's complaint figures read the
-- quarter's current states from one index holding every column they use,
-- instead of ranking every state ever imported.
ALTER TABLE complaint_state ADD COLUMN is_current INTEGER NOT NULL DEFAULT 0;
UPDATE complaint_state SET is_current = 1 WHERE state_rowid IN (SELECT state_rowid FROM complaint);
DROP VIEW complaint;
CREATE VIEW complaint AS
  SELECT s.*, 1 AS state_rank FROM complaint_state s WHERE s.is_current = 1;
DROP INDEX complaint_state_by_received;
CREATE INDEX complaint_state_by_received ON complaint_state(
  is_current, received_at, principle, status, outcome, action_taken, resolved_at, domain, platform_id);
CREATE TRIGGER link_event_updated AFTER UPDATE ON link_event
WHEN NOT EXISTS (SELECT 1 FROM setting WHERE name = 'rollups_stale')
BEGIN INSERT OR REPLACE INTO setting VALUES ('rollups_stale', '1'); END;
CREATE TRIGGER link_event_deleted AFTER DELETE ON link_event
WHEN NOT EXISTS (SELECT 1 FROM setting WHERE name = 'rollups_stale')
BEGIN INSERT OR REPLACE INTO setting VALUES ('rollups_stale', '1'); END;
CREATE TRIGGER complaint_state_updated AFTER UPDATE OF state_rowid, complaint_id, batch_id, line, received_at, reporter_pseudonym, url, url_normalised, host, host_ascii, domain, platform_id, category, principle, channel, description, status, resolved_at, outcome, action_taken, updated_at, fingerprint ON complaint_state
WHEN NOT EXISTS (SELECT 1 FROM setting WHERE name = 'rollups_stale')
BEGIN INSERT OR REPLACE INTO setting VALUES ('rollups_stale', '1'); END;
CREATE TRIGGER complaint_state_deleted AFTER DELETE ON complaint_state
WHEN NOT EXISTS (SELECT 1 FROM setting WHERE name = 'rollups_stale')
BEGIN INSERT OR REPLACE INTO setting VALUES ('rollups_stale', '1'); END;
