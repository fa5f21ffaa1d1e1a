-- One row per budget account, period and threshold (85, 100) that was crossed: the replica whose insert lands sends
-- the notification, so each is sent once however many replicas settle requests on the account.
CREATE TABLE budget_notices (
    budget_id     uuid NOT NULL REFERENCES budgets (id) ON DELETE CASCADE,
    member        text NOT NULL,
    period_start  timestamptz NOT NULL,
    threshold     integer NOT NULL,
    noticed_at    timestamptz NOT NULL,
    PRIMARY KEY (budget_id, member, period_start, threshold)
);
