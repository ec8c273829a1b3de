-- Schema version 4, both dialects: a storage quota per account. Each feed
-- (an owner account) counts the bytes of data its documents' bundles and
-- snapshots hold on the server; a push that would take it past the quota
-- is refused (`--max-account-bytes`).
ALTER TABLE feeds ADD COLUMN stored_bytes INTEGER NOT NULL DEFAULT 0;
UPDATE feeds SET stored_bytes =
    COALESCE((SELECT sum(length(b.data)) FROM bundles b WHERE b.feed = feeds.num), 0)
  + COALESCE((SELECT sum(length(s.data)) FROM snapshots s WHERE s.feed = feeds.num), 0);
