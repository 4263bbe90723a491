-- When the warehouse job made each bundle (its manifest's made_at_ms, job
-- version 2 on; NULL from an older job): of two bundles of a quarter, the
-- one made earlier does not replace the other unless asked (--replace-newer).
ALTER TABLE rollup_bundle ADD COLUMN made_at TEXT;
