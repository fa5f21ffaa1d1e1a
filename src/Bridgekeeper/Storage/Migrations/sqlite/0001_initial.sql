-- Users, their keys, and the audit trail. Ids are UUIDv7 text (time-ordered); timestamps are
-- fixed-width UTC text ('2026-11-26T01:56:14.123456Z'), so text order is time order.

CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    email       TEXT,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'auditor', 'member')),
    created_at  TEXT NOT NULL
);

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label       TEXT,
    key_hash    BLOB NOT NULL UNIQUE,
    hint        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT,
    revoked_at  TEXT
);
CREATE INDEX api_keys_user ON api_keys (user_id);

CREATE TABLE interceptions (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL,
    provider       TEXT NOT NULL,
    provider_type  TEXT NOT NULL,
    model          TEXT NOT NULL,
    client         TEXT NOT NULL,
    user_agent     TEXT,
    session_id     TEXT,
    streaming      INTEGER NOT NULL,
    status         TEXT NOT NULL,
    error          TEXT,
    started_at     TEXT NOT NULL,
    ended_at       TEXT,
    metadata       TEXT NOT NULL DEFAULT '{}'
);
-- The API filters by one column and pages by id (newest first); each index serves one filter.
CREATE INDEX interceptions_user ON interceptions (user_id, id);
CREATE INDEX interceptions_provider ON interceptions (provider, id);
CREATE INDEX interceptions_model ON interceptions (model, id);
CREATE INDEX interceptions_client ON interceptions (client, id);
CREATE INDEX interceptions_started ON interceptions (started_at);

CREATE TABLE prompts (
    id               TEXT PRIMARY KEY,
    interception_id  TEXT NOT NULL REFERENCES interceptions (id) ON DELETE CASCADE,
    prompt           TEXT NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE INDEX prompts_interception ON prompts (interception_id);

CREATE TABLE token_usages (
    id                  TEXT PRIMARY KEY,
    interception_id     TEXT NOT NULL REFERENCES interceptions (id) ON DELETE CASCADE,
    response_id         TEXT,
    input_tokens        INTEGER NOT NULL,
    output_tokens       INTEGER NOT NULL,
    cache_read_tokens   INTEGER NOT NULL,
    cache_write_tokens  INTEGER NOT NULL,
    reasoning_tokens    INTEGER NOT NULL,
    extra               TEXT NOT NULL DEFAULT '{}',
    created_at          TEXT NOT NULL
);
CREATE INDEX token_usages_interception ON token_usages (interception_id);

CREATE TABLE tool_usages (
    id               TEXT PRIMARY KEY,
    interception_id  TEXT NOT NULL REFERENCES interceptions (id) ON DELETE CASCADE,
    tool             TEXT NOT NULL,
    tool_call_id     TEXT,
    input            TEXT NOT NULL,
    injected         INTEGER NOT NULL,
    server_url       TEXT,
    result           TEXT,
    error            TEXT,
    created_at       TEXT NOT NULL
);
CREATE INDEX tool_usages_interception ON tool_usages (interception_id);

CREATE TABLE thoughts (
    id               TEXT PRIMARY KEY,
    interception_id  TEXT NOT NULL REFERENCES interceptions (id) ON DELETE CASCADE,
    content          TEXT NOT NULL,
    source           TEXT NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE INDEX thoughts_interception ON thoughts (interception_id);
