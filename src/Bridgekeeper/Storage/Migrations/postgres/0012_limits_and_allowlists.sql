-- Rate limits and model allowlists (issue 16). A limit is on a user, a key or a group (pooled, or per_member: a bucket
-- for each member): requests per minute and tokens per minute, either or both. Each metric of a limit (and member) is
-- one token bucket shared by every replica: its level when last touched (may be below zero: tokens used beyond the
-- estimate admitted are owed) and when, in microseconds since the Unix epoch. Replicas lease from the bucket in small
-- grants (granted: the last one) and spend them locally.
CREATE TABLE rate_limits (
    id          uuid PRIMARY KEY,
    scope       text NOT NULL,
    subject_id  uuid NOT NULL,
    rpm         bigint,
    tpm         bigint,
    per_member  boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    UNIQUE (scope, subject_id)
);
CREATE TABLE rate_buckets (
    limit_id    uuid NOT NULL REFERENCES rate_limits (id) ON DELETE CASCADE,
    metric      text NOT NULL,
    member      text NOT NULL DEFAULT '',
    level       double precision NOT NULL,
    updated_us  bigint NOT NULL,
    granted     double precision NOT NULL,
    PRIMARY KEY (limit_id, metric, member)
);

-- The models a key or a group may use: patterns (a '*' matches any run of characters), one per line.
CREATE TABLE model_allowlists (
    id          uuid PRIMARY KEY,
    scope       text NOT NULL,
    subject_id  uuid NOT NULL,
    patterns    text NOT NULL,
    created_at  timestamptz NOT NULL,
    UNIQUE (scope, subject_id)
);
