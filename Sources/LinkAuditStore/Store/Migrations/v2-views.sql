-- A link event with its host, registrable domain and platform, and the
-- URL as shared.
CREATE VIEW event AS
  SELECT e.event_rowid, e.event_id, e.batch_id, e.occurred_at, e.scene, e.user_pseudonym,
    coalesce(e.url, e.url_normalised) AS url, e.url_normalised, h.host, h.host_ascii, h.domain,
    h.platform_id, e.action, e.reason, e.principle, e.detected_by, e.client_version, e.policy_version
  FROM link_event e JOIN host h ON h.host_id = e.host_id;

-- The registry in force is the one imported last.
CREATE VIEW current_platform AS
  SELECT p.* FROM platform p
  WHERE p.batch_id = (SELECT max(batch_id) FROM batch WHERE kind = 'platforms');
CREATE VIEW current_platform_domain AS
  SELECT d.* FROM platform_domain d
  WHERE d.batch_id = (SELECT max(batch_id) FROM batch WHERE kind = 'platforms');

-- A complaint in its latest state: the latest updated_at wins (a state
-- with one beats a state without), else the later batch, else the later line.
CREATE VIEW complaint AS
  SELECT * FROM (
    SELECT s.*, row_number() OVER (
      PARTITION BY complaint_id
      ORDER BY updated_at IS NULL, updated_at DESC, batch_id DESC, line DESC) AS state_rank
    FROM complaint_state s)
  WHERE state_rank = 1;