-- The policy version in force at each instant: from effective_from until the next one's.
CREATE VIEW policy_period AS
  SELECT version, effective_from,
    coalesce(lead(effective_from) OVER (ORDER BY effective_from), '9999-12-31T23:59:59.999Z') AS effective_until
  FROM policy_version;

-- A complaint with the time it took to resolve (whole milliseconds, so an
-- SLA of exactly 24 hours is met by exactly 24 hours) and the SLA of the
-- policy in force when it was received.
CREATE VIEW complaint_handling AS
  SELECT c.*,
    CASE WHEN c.status = 'resolved'
      THEN CAST(round((julianday(c.resolved_at) - julianday(c.received_at)) * 86400000.0) AS INTEGER)
    END AS ms_to_resolve,
    (SELECT s.hours FROM policy_period v JOIN policy_sla s ON s.version = v.version
     WHERE c.received_at >= v.effective_from AND c.received_at < v.effective_until
       AND s.principle = c.principle) AS sla_hours
  FROM complaint c;

-- Decisions: upheld complaints that blocked a URL or a domain. A decision
-- stands from one hour after it was resolved until the first upheld
-- `restore` on the same URL (block_url) or domain (block_domain) resolved after it.
CREATE VIEW decision AS
  SELECT d.complaint_id, d.principle, d.action_taken, d.url_normalised, d.domain, d.resolved_at,
    strftime('%Y-%m-%dT%H:%M:%fZ', d.resolved_at, '+1 hour') AS stands_from,
    (SELECT min(r.resolved_at) FROM complaint r
     WHERE r.outcome = 'upheld' AND r.action_taken = 'restore' AND r.resolved_at > d.resolved_at
       AND CASE d.action_taken WHEN 'block_url' THEN r.url_normalised = d.url_normalised
                               ELSE r.domain = d.domain END) AS stands_until
  FROM complaint d
  WHERE d.outcome = 'upheld' AND d.action_taken IN ('block_url', 'block_domain');

-- The treatment a policy version prescribes for a scene and reason: by
-- category when the reason is one, else by scene; 'default' where not named.
-- Levels order treatments and actions: open 0 < warn 1 < block 2.
CREATE VIEW policy_treatment AS
  SELECT v.version, s.scene, r.reason,
    CASE WHEN r.reason IS NULL OR r.reason = 'scene_rule' THEN
      coalesce((SELECT treatment FROM policy_scene WHERE version = v.version AND scene = s.scene),
               (SELECT treatment FROM policy_scene WHERE version = v.version AND scene = 'default'))
    ELSE
      coalesce((SELECT treatment FROM policy_category WHERE version = v.version AND category = r.reason),
               (SELECT treatment FROM policy_category WHERE version = v.version AND category = 'default'))
    END AS treatment
  FROM policy_version v,
    (SELECT column1 AS scene FROM (VALUES ('one_to_one_chat'), ('group_chat'), ('moments'),
      ('official_account'), ('mini_program'), ('channels'), ('search'), ('other'))) s,
    (SELECT column1 AS reason FROM (VALUES (NULL), ('scene_rule'), ('pornography'), ('gambling'), ('fraud'),
      ('illegal_goods'), ('rumor'), ('violent_extremism'), ('other_illegal'), ('privacy_overcollection'),
      ('phishing'), ('malware'), ('data_leak'), ('induced_sharing'), ('induced_following'),
      ('excessive_marketing'), ('spam'), ('wrongly_restricted'))) r;