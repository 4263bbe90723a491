-- The public key (Ed25519, its 32 bytes) that signed each filed version, so
-- verify and doctor check every version's manifest.sig after the signing key
-- is replaced, not only while the key beside the database is the filing's.
-- NULL for an unsigned version, and for one filed before this column whose
-- signer (signed_by, its SHA-256) is not the key a report has run with since:
-- the ledger then does not know the key, and verify says which one it needs.
ALTER TABLE filing ADD COLUMN signer_public_key BLOB
  CHECK (signer_public_key IS NULL OR (typeof(signer_public_key) = 'blob' AND length(signer_public_key) = 32));
