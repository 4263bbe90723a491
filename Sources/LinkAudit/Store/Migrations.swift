import Foundation

/// The schema, as numbered migrations. `PRAGMA user_version` records how many
/// have run; a migration is never edited once released, only appended.
public enum Migrations {
  static let all: [Migration] = [
    Migration(v1Tables), Migration(v2Views), Migration(v3MetricViews), Migration(v4QueryViews),
    Migration(v5Rollups), Migration(v6ActionCheck, editsSchemaText: true),
  ]

  public static var latestVersion: Int { all.count }

  /// One step of the schema.
  struct Migration {
    let sql: String
    /// Rewrites table definitions in `sqlite_schema` in place: SQLite's
    /// documented procedure for changing a CHECK constraint without copying
    /// the table (https://sqlite.org/lang_altertable.html#otheralter).
    let editsSchemaText: Bool

    init(_ sql: String, editsSchemaText: Bool = false) {
      self.sql = sql
      self.editsSchemaText = editsSchemaText
    }
  }

  /// Brings `db` up to `target` (default: the latest) in one transaction.
  public static func migrate(_ db: Database, to target: Int = latestVersion) throws {
    func pending() throws -> ClosedRange<Int>? {
      let current = try db.userVersion
      guard current <= latestVersion else {
        throw SchemaError.newerThanTool(found: current, supported: latestVersion, path: db.path)
      }
      return current < target ? (current + 1)...target : nil
    }
    guard try pending() != nil else { return }
    try db.transaction {
      // Asked again under the write lock: another process may have migrated while this one waited.
      guard let versions = try pending() else { return }
      for version in versions {
        let migration = all[version - 1]
        if migration.editsSchemaText {
          let schemaVersion = try db.scalar("PRAGMA schema_version").integer ?? 0
          try db.execute("PRAGMA writable_schema = ON")
          try db.execute(migration.sql)
          // Other connections re-read the schema when its version moves.
          try db.execute("PRAGMA schema_version = \(schemaVersion + 1)")
          try db.execute("PRAGMA writable_schema = OFF")
        } else {
          try db.execute(migration.sql)
        }
        try db.execute("PRAGMA user_version = \(version)")
      }
    }
  }

  static let v1Tables = """
    CREATE TABLE batch (
      batch_id       INTEGER PRIMARY KEY,
      kind           TEXT NOT NULL CHECK (kind IN ('links','complaints','policies','platforms')),
      file_name      TEXT NOT NULL,
      sha256         TEXT NOT NULL UNIQUE,
      imported_at    TEXT NOT NULL,
      tool_version   TEXT NOT NULL,
      rows_read      INTEGER NOT NULL DEFAULT 0,
      rows_stored    INTEGER NOT NULL DEFAULT 0,
      rows_duplicate INTEGER NOT NULL DEFAULT 0,
      rows_rejected  INTEGER NOT NULL DEFAULT 0
    );

    -- Rows set aside by --reject-file: where and why, never the row itself
    -- (it may hold a raw user id).
    CREATE TABLE rejected_row (
      batch_id    INTEGER NOT NULL REFERENCES batch,
      line        INTEGER NOT NULL,
      column_name TEXT,
      error       TEXT NOT NULL,
      PRIMARY KEY (batch_id, line)
    ) WITHOUT ROWID;

    CREATE TABLE platform (
      batch_id    INTEGER NOT NULL REFERENCES batch,
      platform_id TEXT NOT NULL,
      name_en     TEXT NOT NULL,
      name_zh     TEXT NOT NULL,
      operator    TEXT,
      PRIMARY KEY (batch_id, platform_id)
    ) WITHOUT ROWID;

    CREATE TABLE platform_domain (
      batch_id    INTEGER NOT NULL REFERENCES batch,
      domain      TEXT NOT NULL,
      platform_id TEXT NOT NULL,
      PRIMARY KEY (batch_id, domain)
    ) WITHOUT ROWID;

    CREATE TABLE policy_version (
      version        TEXT PRIMARY KEY,
      batch_id       INTEGER NOT NULL REFERENCES batch,
      title          TEXT NOT NULL,
      effective_from TEXT NOT NULL UNIQUE,
      body           TEXT NOT NULL,
      sha256         TEXT NOT NULL
    );

    -- scene / category 'default' holds the treatment of every one not named.
    CREATE TABLE policy_scene (
      version   TEXT NOT NULL REFERENCES policy_version,
      scene     TEXT NOT NULL,
      treatment TEXT NOT NULL CHECK (treatment IN ('open','warn','block')),
      PRIMARY KEY (version, scene)
    ) WITHOUT ROWID;

    CREATE TABLE policy_category (
      version   TEXT NOT NULL REFERENCES policy_version,
      category  TEXT NOT NULL,
      treatment TEXT NOT NULL CHECK (treatment IN ('open','warn','block')),
      PRIMARY KEY (version, category)
    ) WITHOUT ROWID;

    CREATE TABLE policy_sla (
      version   TEXT NOT NULL REFERENCES policy_version,
      principle INTEGER NOT NULL CHECK (principle BETWEEN 1 AND 4),
      hours     REAL NOT NULL,
      PRIMARY KEY (version, principle)
    ) WITHOUT ROWID;

    -- One row per distinct host seen in a link or complaint. The platform is
    -- resolved here, once per host, and re-resolved when a registry arrives,
    -- so link_event stays narrow (it holds millions of rows).
    CREATE TABLE host (
      host_id     INTEGER PRIMARY KEY,
      host        TEXT NOT NULL UNIQUE,
      host_ascii  TEXT NOT NULL,
      domain      TEXT NOT NULL,
      platform_id TEXT NOT NULL
    );
    CREATE INDEX host_by_domain ON host(domain);

    -- Times are UTC, ISO 8601 with milliseconds ('2021-09-17T00:15:02.000Z'),
    -- so text order is time order and SQLite's date functions read them.
    -- url holds the URL as shared only where it differs from url_normalised.
    -- batch_id and host_id carry no foreign-key clause: the loader sets them
    -- inside the batch's transaction, and a per-row check would slow imports.
    CREATE TABLE link_event (
      event_rowid    INTEGER PRIMARY KEY,
      event_id       TEXT NOT NULL,
      batch_id       INTEGER NOT NULL,
      occurred_at    TEXT NOT NULL,
      scene          TEXT NOT NULL,
      user_pseudonym TEXT NOT NULL,
      url            TEXT,
      url_normalised TEXT NOT NULL,
      host_id        INTEGER NOT NULL,
      action         TEXT NOT NULL CHECK (action IN ('open','warn_proceed','warn_back','block')),
      reason         TEXT,
      principle      INTEGER,
      detected_by    TEXT NOT NULL,
      client_version TEXT,
      policy_version TEXT
    );
    CREATE UNIQUE INDEX link_event_by_event_id ON link_event(event_id);
    CREATE INDEX link_event_by_time ON link_event(occurred_at);

    -- Every imported state of every complaint; the latest one is the complaint.
    CREATE TABLE complaint_state (
      state_rowid        INTEGER PRIMARY KEY,
      complaint_id       TEXT NOT NULL,
      batch_id           INTEGER NOT NULL REFERENCES batch,
      line               INTEGER NOT NULL,
      received_at        TEXT NOT NULL,
      reporter_pseudonym TEXT NOT NULL,
      url                TEXT NOT NULL,
      url_normalised     TEXT NOT NULL,
      host               TEXT NOT NULL,
      host_ascii         TEXT NOT NULL,
      domain             TEXT NOT NULL,
      platform_id        TEXT NOT NULL,
      category           TEXT NOT NULL,
      principle          INTEGER NOT NULL,
      channel            TEXT NOT NULL,
      description        TEXT,
      status             TEXT NOT NULL CHECK (status IN ('open','resolved')),
      resolved_at        TEXT,
      outcome            TEXT,
      action_taken       TEXT,
      updated_at         TEXT,
      fingerprint        TEXT NOT NULL,
      UNIQUE (complaint_id, fingerprint)
    );
    CREATE INDEX complaint_state_by_received ON complaint_state(received_at);
    """

  static let v2Views = """
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
    """

  /// Views the metric SQL reads, so each metric's query says only what it counts.
  static let v3MetricViews = """
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
    """

  /// Reference tables and views with readable names, for people asking questions in SQL.
  static let v4QueryViews = """
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
    """
}

extension Migrations {
  /// Counts kept at import so a quarter's report reads thousands of rows, not
  /// millions: the report's time grows with months and platforms, not events.
  /// `linkaudit doctor` re-derives every one of them from `link_event`.
  static let v5Rollups = """
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

    """ + staleMarks

  /// An event or complaint state changed or deleted other than by an import
  /// leaves the rollups stale: read-write opens re-derive them, verify derives
  /// its own. (Marking a state current is the importer's own update.)
  static let staleMarks = ["link_event", "complaint_state"].flatMap { table in
    [
      ("updated", table == "complaint_state" ? "UPDATE OF \(complaintStateColumns)" : "UPDATE"),
      ("deleted", "DELETE"),
    ].map { name, event in
      """
      CREATE TRIGGER \(table)_\(name) AFTER \(event) ON \(table)
      WHEN NOT EXISTS (SELECT 1 FROM setting WHERE name = 'rollups_stale')
      BEGIN INSERT OR REPLACE INTO setting VALUES ('rollups_stale', '1'); END;

      """
    }
  }.joined()

  /// Every column of complaint_state but is_current.
  static let complaintStateColumns = """
    state_rowid, complaint_id, batch_id, line, received_at, reporter_pseudonym, url, url_normalised, host, \
    host_ascii, domain, platform_id, category, principle, channel, description, status, resolved_at, outcome, \
    action_taken, updated_at, fingerprint
    """
}

extension Migrations {
  /// The same rule for `link_event.action`, spelled so SQLite tests it with
  /// four comparisons: an `IN (…)` list in a CHECK builds a temporary index on
  /// every insert (SQLite 3.40), which was 40% of the time an import spent
  /// storing events (measured in docs/benchmarks.md).
  static let v6ActionCheck = """
    UPDATE sqlite_schema SET sql = replace(sql,
      'CHECK (action IN (''open'',''warn_proceed'',''warn_back'',''block''))',
      'CHECK (action = ''open'' OR action = ''warn_proceed'' OR action = ''warn_back'' OR action = ''block'')')
    WHERE type = 'table' AND name = 'link_event';
    """
}

public enum SchemaError: Error, LocalizedError, Equatable {
  case newerThanTool(found: Int, supported: Int, path: String)
  case olderThanTool(found: Int, supported: Int, path: String)

  public var errorDescription: String? {
    switch self {
    case .newerThanTool(let found, let supported, let path):
      return
        "\(path) has schema version \(found), newer than this linkaudit understands (\(supported)); use a newer linkaudit"
    case .olderThanTool(let found, let supported, let path):
      return
        "\(path) has schema version \(found), older than this linkaudit's (\(supported)), and this command only reads it; run linkaudit report or an import once to upgrade it"
    }
  }
}
