-- Schema version 3, both dialects: end-to-end encryption
-- (docs/adr/0008-end-to-end-encryption.md). The server keeps public keys,
-- sealed document keys (wraps) and each document's current key epoch; it
-- can open none of them.
ALTER TABLE documents ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
-- The epoch each part is sealed under (0: plaintext, from before).
ALTER TABLE bundles ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE snapshots ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;

-- The public key directory: an account's keys are published once.
CREATE TABLE account_keys (
    account_id   TEXT PRIMARY KEY REFERENCES accounts(id),
    public_keys  BLOB NOT NULL,
    published_at TEXT NOT NULL
);
CREATE TABLE device_keys (
    device_id    TEXT PRIMARY KEY REFERENCES devices(id),
    account_id   TEXT NOT NULL REFERENCES accounts(id),
    certificate  BLOB NOT NULL,
    published_at TEXT NOT NULL
);
CREATE INDEX device_keys_account ON device_keys(account_id);

-- A document key of one epoch sealed for one account, numbered in the
-- document owner's feed like its bundles, so that pulls deliver it.
CREATE TABLE wraps (
    feed         INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    doc_id       TEXT NOT NULL REFERENCES documents(id),
    epoch        INTEGER NOT NULL,
    recipient_id TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    body         BLOB NOT NULL,
    PRIMARY KEY (feed, seq),
    UNIQUE (doc_id, epoch, recipient_id)
);
CREATE INDEX wraps_doc ON wraps(doc_id, recipient_id, seq);

-- The account key sealed under a passphrase by a device (optional).
CREATE TABLE key_backups (
    account_id TEXT PRIMARY KEY REFERENCES accounts(id),
    sealed     BLOB NOT NULL,
    stored_at  TEXT NOT NULL
);
