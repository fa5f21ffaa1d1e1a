-- Users, their keys, and the audit trail (PostgreSQL). Ids are uuid (UUIDv7: the first 48 bits are the Unix time in
-- milliseconds, and uuids compare byte by byte, so id order is time order); timestamps are timestamptz.
--
-- Retention: the audit tables are partitioned by RANGE on the interception id, one partition per UTC month, so a
-- month that falls out of the retention period is dropped whole (PostgresPartitions) instead of deleted row by row.
-- The child tables are partitioned on interception_id with the same bounds, so a child always sits in its
-- interception's month, and their foreign keys stay real (the referenced key, id, is the partition key). The
-- DEFAULT partitions take rows no month partition covers (ids that are not UUIDv7, or a month not created yet);
-- those go by batched DELETE. Month partitions are created ahead by the application, never by the writer.

CREATE TABLE users (
    id          uuid PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    email       text,
    role        text NOT NULL CHECK (role IN ('admin', 'auditor', 'member')),
    created_at  timestamptz NOT NULL
);

CREATE TABLE api_keys (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label       text,
    key_hash    bytea NOT NULL UNIQUE,
    hint        text NOT NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX api_keys_user ON api_keys (user_id);

CREATE TABLE interceptions (
    id             uuid NOT NULL,
    user_id        uuid NOT NULL,
    provider       text NOT NULL,
    provider_type  text NOT NULL,
    model          text NOT NULL,
    client         text NOT NULL,
    user_agent     text,
    session_id     text,
    streaming      boolean NOT NULL,
    status         text NOT NULL,
    error          text,
    started_at     timestamptz NOT NULL,
    ended_at       timestamptz,
    metadata       text NOT NULL DEFAULT '{}',
    PRIMARY KEY (id)
) PARTITION BY RANGE (id);
CREATE TABLE interceptions_pdefault PARTITION OF interceptions DEFAULT;
-- The API filters by one column and pages by id (newest first); each index serves one filter.
CREATE INDEX interceptions_user ON interceptions (user_id, id);
CREATE INDEX interceptions_provider ON interceptions (provider, id);
CREATE INDEX interceptions_model ON interceptions (model, id);
CREATE INDEX interceptions_client ON interceptions (client, id);
CREATE INDEX interceptions_started ON interceptions (started_at);

-- Child tables: the primary key (interception_id, id) is also the index the reader and ON DELETE CASCADE use.
CREATE TABLE prompts (
    id               uuid NOT NULL,
    interception_id  uuid NOT NULL REFERENCES interceptions (id) ON DELETE CASCADE,
    prompt           text NOT NULL,
    created_at       timestamptz NOT NULL,
    PRIMARY KEY (interception_id, id)
) PARTITION BY RANGE (interception_id);
CREATE TABLE prompts_pdefault PARTITION OF prompts DEFAULT;

CREATE TABLE token_usages (
    id                  uuid NOT NULL,
    interception_id     uuid NOT NULL REFERENCES interceptions (id) ON DELETE CASCADE,
    response_id         text,
    input_tokens        bigint NOT NULL,
    output_tokens       bigint NOT NULL,
    cache_read_tokens   bigint NOT NULL,
    cache_write_tokens  bigint NOT NULL,
    reasoning_tokens    bigint NOT NULL,
    extra               text NOT NULL DEFAULT '{}',
    created_at          timestamptz NOT NULL,
    PRIMARY KEY (interception_id, id)
) PARTITION BY RANGE (interception_id);
CREATE TABLE token_usages_pdefault PARTITION OF token_usages DEFAULT;

CREATE TABLE tool_usages (
    id               uuid NOT NULL,
    interception_id  uuid NOT NULL REFERENCES interceptions (id) ON DELETE CASCADE,
    tool             text NOT NULL,
    tool_call_id     text,
    input            text NOT NULL,
    injected         boolean NOT NULL,
    server_url       text,
    result           text,
    error            text,
    created_at       timestamptz NOT NULL,
    PRIMARY KEY (interception_id, id)
) PARTITION BY RANGE (interception_id);
CREATE TABLE tool_usages_pdefault PARTITION OF tool_usages DEFAULT;

CREATE TABLE thoughts (
    id               uuid NOT NULL,
    interception_id  uuid NOT NULL REFERENCES interceptions (id) ON DELETE CASCADE,
    content          text NOT NULL,
    source           text NOT NULL,
    created_at       timestamptz NOT NULL,
    PRIMARY KEY (interception_id, id)
) PARTITION BY RANGE (interception_id);
CREATE TABLE thoughts_pdefault PARTITION OF thoughts DEFAULT;
