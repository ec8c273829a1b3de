-- Schema version 6, both dialects: replacing an account key (a lost device
-- cut off). Each rotation statement is kept, oldest first, so that a peer
-- that pinned any earlier key can follow the chain to the published one;
-- certificates made under an earlier key are retired, not deleted, so that
-- what those devices signed before the rotation still verifies.
CREATE TABLE key_rotations (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    seq        INTEGER NOT NULL,
    statement  BLOB NOT NULL,
    rotated_at TEXT NOT NULL,
    PRIMARY KEY (account_id, seq)
);
CREATE TABLE retired_device_keys (
    device_id   TEXT NOT NULL,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    certificate BLOB NOT NULL,
    retired_at  TEXT NOT NULL
);
CREATE INDEX retired_device_keys_account ON retired_device_keys(account_id);
CREATE INDEX retired_device_keys_device ON retired_device_keys(device_id);
