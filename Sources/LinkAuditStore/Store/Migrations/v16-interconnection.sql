-- Issue 31. (v15 is another change's; this one touches only its own tables.)

-- The events warned or blocked for no category (reason scene_rule, or none),
-- by host and by what decides their conformance: the scene-rule restrictions
-- and, with reason_month's events of a category, the over-restricted events
-- are counted by the platform of the link's domain from these. An open is
-- never over-restricted, so opens are left out.
CREATE TABLE scene_restriction_month (
  batch_id       INTEGER NOT NULL,
  month_start    TEXT NOT NULL,
  host_id        INTEGER NOT NULL,
  scene          TEXT NOT NULL,
  action         TEXT NOT NULL,
  reason         TEXT,
  policy_version TEXT,
  events         INTEGER NOT NULL
);
CREATE INDEX scene_restriction_month_by_month ON scene_restriction_month(month_start);

-- Each event whose action was more lenient than its policy prescribes (by
-- a category's rule or by the scene's), once: the under-restricted events
-- are listed from these (they are rare) instead of from every event. The
-- report applies the rule again to what it reads.
CREATE TABLE under_restricted_event (
  occurred_at TEXT NOT NULL,
  event_rowid INTEGER NOT NULL,
  PRIMARY KEY (occurred_at, event_rowid)
) WITHOUT ROWID;

INSERT OR REPLACE INTO setting SELECT 'rollups_stale', '1' WHERE EXISTS (SELECT 1 FROM link_event);
