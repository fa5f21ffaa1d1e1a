-- Spend control (issue 16): groups of users, budgets in USD per UTC period, and the reservations that admit requests
-- against them. Money is integer nano-USD (1e-9), so sums are exact on both databases.
CREATE TABLE groups (
    id          uuid PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL
);
CREATE TABLE group_members (
    group_id    uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

-- scope: user, group or key; subject_id: that user's, group's or key's id. per_member: a group budget applied to each
-- member on their own instead of pooled.
CREATE TABLE budgets (
    id           uuid PRIMARY KEY,
    scope        text NOT NULL,
    subject_id   uuid NOT NULL,
    limit_nanos  bigint NOT NULL,
    period       text NOT NULL,
    per_member   boolean NOT NULL,
    created_at   timestamptz NOT NULL
);
CREATE INDEX budgets_subject ON budgets (scope, subject_id);

-- One row per budget, member ('' when pooled) and period: what was spent and what admitted requests still hold.
CREATE TABLE budget_spend (
    budget_id       uuid NOT NULL REFERENCES budgets (id) ON DELETE CASCADE,
    member          text NOT NULL,
    period_start    timestamptz NOT NULL,
    spent_nanos     bigint NOT NULL,
    reserved_nanos  bigint NOT NULL,
    PRIMARY KEY (budget_id, member, period_start)
);

-- What each admitted request holds, until it settles; a replica's heartbeat tells whether its holder is alive.
CREATE TABLE budget_reservations (
    id            uuid PRIMARY KEY,
    budget_id     uuid NOT NULL,
    member        text NOT NULL,
    period_start  timestamptz NOT NULL,
    amount_nanos  bigint NOT NULL,
    replica       text NOT NULL,
    created_at    timestamptz NOT NULL
);
CREATE INDEX budget_reservations_replica ON budget_reservations (replica);

CREATE TABLE replicas (
    id            text PRIMARY KEY,
    heartbeat_at  timestamptz NOT NULL
);
