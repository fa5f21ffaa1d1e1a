-- Agent sessions (GET /api/v1/sessions): a session is the interceptions of one user with one session id. The index
-- serves the grouping (one entry per interception that has a session, in session, user, id order) and a session's thread.
CREATE INDEX interceptions_session ON interceptions (session_id, user_id, id) WHERE session_id IS NOT NULL;
