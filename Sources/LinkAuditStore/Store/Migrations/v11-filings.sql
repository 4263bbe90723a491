-- Every version of a quarter's package that was issued (linkaudit report):
-- a re-issue whose figures differ from the last version is the next version,
-- with the reason given; one whose figures are the same is that version
-- again. What a version rested on is kept whole, so the next one can say
-- what changed: its figures (metrics.csv as written), the batches and policy
-- versions, and the rating model.
CREATE TABLE filing (
  quarter             TEXT NOT NULL,
  time_zone           TEXT NOT NULL,
  version             INTEGER NOT NULL CHECK (version >= 1),
  issued_at           TEXT NOT NULL,
  reason              TEXT,
  data_fingerprint    TEXT NOT NULL,
  manifest_sha256     TEXT NOT NULL,
  metrics_csv         TEXT NOT NULL,
  batch_ids           TEXT NOT NULL,
  policy_versions     TEXT NOT NULL,
  rating_model_sha256 TEXT,
  PRIMARY KEY (quarter, time_zone, version)
) WITHOUT ROWID;
