-- One row per budget account, period and threshold (85, 100) that was crossed: the replica whose insert lands sends
-- the notification, so each is sent once however many replicas settle requests on the account.
CREATE TABLE budget_notices (
    budget_id     TEXT NOT NULL REFERENCES budgets (id) ON DELETE CASCADE,
    member        TEXT NOT NULL,
    period_start  TEXT NOT NULL,
    threshold     INTEGER NOT NULL,
    noticed_at    TEXT NOT NULL,
    PRIMARY KEY (budget_id, member, period_start, threshold)
);
