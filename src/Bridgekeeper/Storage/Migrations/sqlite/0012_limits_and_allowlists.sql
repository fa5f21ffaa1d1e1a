-- Rate limits and model allowlists (issue 16). A limit is on a user, a key or a group (pooled, or per_member: a bucket
-- for each member): requests per minute and tokens per minute, either or both. Each metric of a limit (and member) is
-- one token bucket shared by every replica: its level when last touched (may be below zero: tokens used beyond the
-- estimate admitted are owed) and when, in microseconds since the Unix epoch. Replicas lease from the bucket in small
-- grants (granted: the last one) and spend them locally.
CREATE TABLE rate_limits (
    id          TEXT PRIMARY KEY,
    scope       TEXT NOT NULL,
    subject_id  TEXT NOT NULL,
    rpm         INTEGER,
    tpm         INTEGER,
    per_member  INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    UNIQUE (scope, subject_id)
);
CREATE TABLE rate_buckets (
    limit_id    TEXT NOT NULL REFERENCES rate_limits (id) ON DELETE CASCADE,
    metric      TEXT NOT NULL,
    member      TEXT NOT NULL DEFAULT '',
    level       REAL NOT NULL,
    updated_us  INTEGER NOT NULL,
    granted     REAL NOT NULL,
    PRIMARY KEY (limit_id, metric, member)
);

-- The models a key or a group may use: patterns (a '*' matches any run of characters), one per line.
CREATE TABLE model_allowlists (
    id          TEXT PRIMARY KEY,
    scope       TEXT NOT NULL,
    subject_id  TEXT NOT NULL,
    patterns    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (scope, subject_id)
);
