-- Who created a stored upstream response (OpenAI Responses: resp_...): the gateway refuses other users' ids, so it
-- looks a response id up to the interception (and so the user) that received it.
CREATE INDEX token_usages_response_id ON token_usages (response_id);
