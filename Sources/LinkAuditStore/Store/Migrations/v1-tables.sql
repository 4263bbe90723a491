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