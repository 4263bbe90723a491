-- Rollup bundles a warehouse job wrote (warehouse/, linkaudit import rollups):
-- each is a batch of kind 'links' whose counts came without the events behind
-- them. Its quarter's counts, users and URL histories are the bundle's alone
-- (an import of raw events into that quarter is refused, and the other way
-- round); its link_event rows are only the events the case lists and the
-- decisions need, with no pseudonym (user_pseudonym ''). A newer bundle for
-- the same quarter replaces the older one's figures; the ledger keeps both.
CREATE TABLE rollup_bundle (
  batch_id                  INTEGER PRIMARY KEY REFERENCES batch,
  quarter                   TEXT NOT NULL,
  quarter_start             TEXT NOT NULL,
  quarter_end               TEXT NOT NULL,
  job_version               TEXT NOT NULL,
  reference_manifest_sha256 TEXT NOT NULL,
  decisions_fingerprint     TEXT NOT NULL,
  segments_sha256           TEXT NOT NULL,
  events                    INTEGER NOT NULL,
  users                     INTEGER NOT NULL,
  replaced_by               INTEGER REFERENCES batch
);
CREATE UNIQUE INDEX rollup_bundle_live ON rollup_bundle(quarter_start) WHERE replaced_by IS NULL;
