-- Schema version 2, both dialects: a sequence per feed instead of one global
-- sequence (docs/adr/0007-sequence-per-feed.md). Written with SQLite's types;
-- schema.rs derives PostgreSQL's (BIGSERIAL, BIGINT, BYTEA). A feed is an
-- owner account: its bundles, snapshots, grants, deletions and the view
-- events of its documents are numbered by its own counter. The numbers of version 1 stay valid (a subsequence of an
-- increasing sequence still increases); every feed continues from the old
-- global counter, which stays frozen in `counters` so that a version-1
-- cursor N still means "N in every feed".
CREATE TABLE feeds (
    num        INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL UNIQUE REFERENCES accounts(id),
    seq        INTEGER NOT NULL
);
INSERT INTO feeds (account_id, seq)
    SELECT id, (SELECT value FROM counters WHERE name = 'seq') FROM accounts ORDER BY created_at, id;

-- The last cursor the device sent with a write: it holds everything up to it.
ALTER TABLE devices DROP COLUMN acked_seq;
ALTER TABLE devices ADD COLUMN acked_cursor TEXT;

CREATE TABLE bundles_v2 (
    feed      INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    doc_id    TEXT NOT NULL REFERENCES documents(id),
    bundle_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    data      BLOB,
    pushed_at TEXT NOT NULL,
    PRIMARY KEY (feed, seq),
    UNIQUE (doc_id, bundle_id)
);
INSERT INTO bundles_v2 (feed, seq, doc_id, bundle_id, device_id, data, pushed_at)
    SELECT f.num, b.seq, b.doc_id, b.bundle_id, b.device_id, b.data, b.pushed_at
    FROM bundles b JOIN documents d ON d.id = b.doc_id JOIN feeds f ON f.account_id = d.owner_id;
DROP TABLE bundles;
ALTER TABLE bundles_v2 RENAME TO bundles;
CREATE INDEX bundles_doc ON bundles(doc_id, seq);

CREATE TABLE snapshots_v2 (
    feed      INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    doc_id    TEXT NOT NULL REFERENCES documents(id),
    device_id TEXT NOT NULL,
    data      BLOB NOT NULL,
    stored_at TEXT NOT NULL,
    PRIMARY KEY (feed, seq)
);
INSERT INTO snapshots_v2 (feed, seq, doc_id, device_id, data, stored_at)
    SELECT f.num, s.seq, s.doc_id, s.device_id, s.data, s.stored_at
    FROM snapshots s JOIN documents d ON d.id = s.doc_id JOIN feeds f ON f.account_id = d.owner_id;
DROP TABLE snapshots;
ALTER TABLE snapshots_v2 RENAME TO snapshots;
CREATE INDEX snapshots_doc ON snapshots(doc_id, seq);

ALTER TABLE device_docs ADD COLUMN feed INTEGER NOT NULL DEFAULT 0;
UPDATE device_docs SET feed = COALESCE((SELECT f.num FROM documents d
    JOIN feeds f ON f.account_id = d.owner_id WHERE d.id = device_docs.doc_id), 0);
CREATE INDEX device_docs_feed ON device_docs(device_id, feed, since_seq);
