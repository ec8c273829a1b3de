-- Schema version 1, PostgreSQL. Keep in step with sqlite_v1.sql: same
-- tables, columns and names; BIGINT for INTEGER, BYTEA for BLOB, and
-- BIGSERIAL for the one id SQLite assigns itself (access_log.id).
CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO counters (name, value) VALUES ('seq', 0);

CREATE TABLE accounts (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('client', 'therapist')),
    display_name  TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE devices (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id),
    name         TEXT NOT NULL,
    token_hash   BYTEA NOT NULL UNIQUE,
    signed_in_at TEXT NOT NULL,
    last_seen_at TEXT,
    revoked_at   TEXT,
    -- The highest cursor the device has sent back: it holds everything up to it.
    acked_seq    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX devices_account ON devices(account_id);

CREATE TABLE invites (
    code_hash  BYTEA PRIMARY KEY,
    client_id  TEXT NOT NULL REFERENCES accounts(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    used_by    TEXT REFERENCES accounts(id)
);

CREATE TABLE links (
    id           TEXT PRIMARY KEY,
    client_id    TEXT NOT NULL REFERENCES accounts(id),
    therapist_id TEXT NOT NULL REFERENCES accounts(id),
    linked_at    TEXT NOT NULL,
    ended_at     TEXT
);
CREATE INDEX links_client ON links(client_id);
CREATE INDEX links_therapist ON links(therapist_id);

CREATE TABLE documents (
    id          TEXT PRIMARY KEY,
    owner_id    TEXT NOT NULL REFERENCES accounts(id),
    kind        TEXT NOT NULL,
    created_seq BIGINT NOT NULL,
    deleted_seq BIGINT
);
CREATE INDEX documents_owner_kind ON documents(owner_id, kind);

CREATE TABLE doc_tags (
    doc_id TEXT NOT NULL REFERENCES documents(id),
    tag    TEXT NOT NULL,
    PRIMARY KEY (doc_id, tag)
);

-- A bundle's row outlives its data (dropped by a snapshot) so that a retried
-- push of the same bundle id is still recognised.
CREATE TABLE bundles (
    seq       BIGINT PRIMARY KEY,
    doc_id    TEXT NOT NULL REFERENCES documents(id),
    bundle_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    data      BYTEA,
    pushed_at TEXT NOT NULL,
    UNIQUE (doc_id, bundle_id)
);
CREATE INDEX bundles_doc ON bundles(doc_id, seq);

CREATE TABLE snapshots (
    seq       BIGINT PRIMARY KEY,
    doc_id    TEXT NOT NULL REFERENCES documents(id),
    device_id TEXT NOT NULL,
    data      BYTEA NOT NULL,
    stored_at TEXT NOT NULL
);
CREATE INDEX snapshots_doc ON snapshots(doc_id, seq);

CREATE TABLE grants (
    id          TEXT PRIMARY KEY,
    owner_id    TEXT NOT NULL REFERENCES accounts(id),
    grantee_id  TEXT NOT NULL REFERENCES accounts(id),
    scope       TEXT NOT NULL CHECK (scope IN ('document', 'kind')),
    doc_id      TEXT,
    kind        TEXT,
    tag         TEXT,
    access      TEXT NOT NULL CHECK (access IN ('read', 'write')),
    granted_at  TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    revoked_seq BIGINT
);
CREATE INDEX grants_grantee ON grants(grantee_id, revoked_seq);
CREATE INDEX grants_owner ON grants(owner_id, revoked_seq);

-- What each device holds: a document becomes active at since_seq (delivered
-- whole when `whole`), and leaves at removed_seq with a reason.
CREATE TABLE device_docs (
    device_id      TEXT NOT NULL,
    doc_id         TEXT NOT NULL,
    active         BIGINT NOT NULL,
    whole          BIGINT NOT NULL,
    since_seq      BIGINT NOT NULL,
    removed_seq    BIGINT,
    removed_reason TEXT,
    PRIMARY KEY (device_id, doc_id)
);
CREATE INDEX device_docs_removed ON device_docs(device_id, removed_seq);

CREATE TABLE access_log (
    id        BIGSERIAL PRIMARY KEY,
    owner_id  TEXT NOT NULL,
    reader_id TEXT NOT NULL,
    doc_id    TEXT NOT NULL,
    kind      TEXT NOT NULL,
    read_at   TEXT NOT NULL
);
CREATE INDEX access_log_owner ON access_log(owner_id, id);
