CREATE TABLE principle (
  principle INTEGER PRIMARY KEY,
  name_en   TEXT NOT NULL,
  name_zh   TEXT NOT NULL
);
INSERT INTO principle VALUES
  (1, 'Lawful content', '防止违反国家法律法规'),
  (2, 'Privacy and security', '防止过度获取用户隐私、危害网络信息安全与数据安全'),
  (3, 'Users'' interests', '防止过度营销、诱导分享等有损用户利益的行为'),
  (4, 'User choice and interconnection', '坚持用户为本，将更多选择权交给用户');

CREATE TABLE category (
  category  TEXT PRIMARY KEY,
  principle INTEGER NOT NULL REFERENCES principle,
  name_zh   TEXT NOT NULL
);
INSERT INTO category VALUES
  ('pornography', 1, '色情低俗'), ('gambling', 1, '赌博'), ('fraud', 1, '欺诈'),
  ('illegal_goods', 1, '违禁品'), ('rumor', 1, '谣言'), ('violent_extremism', 1, '暴恐'),
  ('other_illegal', 1, '其他违法违规'), ('privacy_overcollection', 2, '过度收集个人信息'),
  ('phishing', 2, '钓鱼'), ('malware', 2, '恶意程序'), ('data_leak', 2, '数据泄露'),
  ('induced_sharing', 3, '诱导分享'), ('induced_following', 3, '诱导关注'),
  ('excessive_marketing', 3, '过度营销'), ('spam', 3, '垃圾信息'),
  ('wrongly_restricted', 4, '误拦截（合法链接被限制）');

CREATE VIEW events AS
  SELECT e.event_id, e.occurred_at AS occurred_at_utc, e.scene, e.user_pseudonym, e.url, e.url_normalised,
    e.host, e.domain, e.platform_id, p.name_en AS platform_en, p.name_zh AS platform_zh, e.action, e.reason,
    e.principle, pr.name_en AS principle_en, pr.name_zh AS principle_zh, e.detected_by, e.client_version,
    e.policy_version, e.batch_id
  FROM event e
  LEFT JOIN current_platform p ON p.platform_id = e.platform_id
  LEFT JOIN principle pr ON pr.principle = e.principle;

CREATE VIEW complaints AS
  SELECT c.complaint_id, c.received_at AS received_at_utc, c.reporter_pseudonym, c.url, c.url_normalised,
    c.domain, c.platform_id, c.category, k.name_zh AS category_zh, c.principle, pr.name_en AS principle_en,
    pr.name_zh AS principle_zh, c.channel, c.status, c.resolved_at AS resolved_at_utc,
    c.ms_to_resolve / 3600000.0 AS hours_to_resolve, c.sla_hours,
    CASE WHEN c.ms_to_resolve IS NULL THEN 0 ELSE c.ms_to_resolve <= c.sla_hours * 3600000 END AS within_sla,
    c.outcome, c.action_taken, c.description, c.updated_at AS updated_at_utc, c.batch_id
  FROM complaint_handling c
  LEFT JOIN category k ON k.category = c.category
  LEFT JOIN principle pr ON pr.principle = c.principle;

CREATE VIEW complaint_history AS
  SELECT s.complaint_id, s.batch_id, s.line, s.status, s.resolved_at AS resolved_at_utc, s.outcome,
    s.action_taken, s.updated_at AS updated_at_utc,
    row_number() OVER (
      PARTITION BY s.complaint_id
      ORDER BY s.updated_at IS NULL, s.updated_at DESC, s.batch_id DESC, s.line DESC) = 1 AS is_current
  FROM complaint_state s;

CREATE VIEW batches AS
  SELECT batch_id, kind, file_name, sha256, imported_at AS imported_at_utc, tool_version, rows_read, rows_stored,
    rows_duplicate, rows_rejected
  FROM batch;

CREATE VIEW policies AS
  SELECT v.version, v.title, p.effective_from AS effective_from_utc, p.effective_until AS effective_until_utc,
    v.sha256, v.batch_id
  FROM policy_version v JOIN policy_period p ON p.version = v.version;

CREATE VIEW platforms AS
  SELECT p.platform_id, p.name_en, p.name_zh, p.operator,
    (SELECT group_concat(d.domain, ' ') FROM (SELECT domain FROM current_platform_domain d
      WHERE d.platform_id = p.platform_id ORDER BY domain) d) AS domains,
    p.batch_id
  FROM current_platform p;