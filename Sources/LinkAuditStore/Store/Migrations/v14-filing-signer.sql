-- Which key signed each filed version: the SHA-256 of its public key, '' for
-- an unsigned version, NULL for one filed before this column. A re-run signed
-- by another key (or unsigned) is not the filed bytes: report says so, and
-- doctor compares the signing key at hand with the filings.
ALTER TABLE filing ADD COLUMN signed_by TEXT;
