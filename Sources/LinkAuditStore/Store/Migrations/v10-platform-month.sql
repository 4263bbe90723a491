-- The events of host_month counted by platform instead of host: the figures
-- by platform (the open rate by platform, by scene and platform, the
-- ratings) read a few hundred rows a quarter here, where host_month holds a
-- row for every small domain's combination of scene, action and principle
-- (27,202 rows for a quarter of 1M events, 96,939 at 10M; docs/benchmarks.md).
-- Derived from host_month and the hosts' platforms in SQL, once per batch at
-- import, and anew when a registry re-resolves the platforms.
CREATE TABLE platform_month (
  batch_id    INTEGER NOT NULL,
  month_start TEXT NOT NULL,
  platform_id TEXT NOT NULL,
  scene       TEXT NOT NULL,
  action      TEXT NOT NULL,
  principle   INTEGER,
  events      INTEGER NOT NULL
);
CREATE INDEX platform_month_by_month ON platform_month(month_start);

INSERT INTO platform_month (batch_id, month_start, platform_id, scene, action, principle, events)
SELECT m.batch_id, m.month_start, h.platform_id, m.scene, m.action, m.principle, sum(m.events)
FROM host_month m JOIN host h USING (host_id)
GROUP BY m.batch_id, m.month_start, h.platform_id, m.scene, m.action, m.principle
ORDER BY m.batch_id, m.month_start, h.platform_id, m.scene, m.action, m.principle;
