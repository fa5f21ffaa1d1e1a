-- One row per scheduled job (retention, ...). A replica runs a job only if it wins the conditional
-- UPDATE of last_run_at, so a schedule runs once however many replicas share the database.
CREATE TABLE scheduled_jobs (
    name         text PRIMARY KEY,
    owner        text,
    last_run_at  timestamptz,
    last_result  text
);
