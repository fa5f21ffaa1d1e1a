-- Each interception carries the sums of its token rows (token counts saturate at the bigint maximum, so an absurd
-- count from a broken upstream can never fail an audit batch), kept by a statement trigger over the rows each insert (or
-- COPY) added (a row an idempotent retry skips is not among them), so the usage report groups interceptions alone
-- instead of joining every token row and counting distinct ids. priced_cost_e10 is the priced rows' cost in units of
-- 1e-10 USD (the scale of token_usages.cost_usd), whole numbers as on SQLite; priced_rows counts the rows with
-- a cost, token_rows all of them; a group's cost is unknown (null) only when it has token rows and none is priced, as before.
ALTER TABLE interceptions
    ADD COLUMN input_tokens bigint NOT NULL DEFAULT 0,
    ADD COLUMN output_tokens bigint NOT NULL DEFAULT 0,
    ADD COLUMN cache_read_tokens bigint NOT NULL DEFAULT 0,
    ADD COLUMN cache_write_tokens bigint NOT NULL DEFAULT 0,
    ADD COLUMN reasoning_tokens bigint NOT NULL DEFAULT 0,
    ADD COLUMN priced_cost_e10 numeric NOT NULL DEFAULT 0,
    ADD COLUMN priced_rows integer NOT NULL DEFAULT 0,
    ADD COLUMN token_rows integer NOT NULL DEFAULT 0;

UPDATE interceptions i SET
    input_tokens = LEAST(s.input, 9223372036854775807), output_tokens = LEAST(s.output, 9223372036854775807), cache_read_tokens = LEAST(s.cache_read, 9223372036854775807), cache_write_tokens = LEAST(s.cache_write, 9223372036854775807),
    reasoning_tokens = LEAST(s.reasoning, 9223372036854775807), priced_cost_e10 = s.priced, priced_rows = s.priced_rows, token_rows = s.token_rows
FROM (SELECT interception_id, SUM(input_tokens) AS input, SUM(output_tokens) AS output, SUM(cache_read_tokens) AS cache_read,
             SUM(cache_write_tokens) AS cache_write, SUM(reasoning_tokens) AS reasoning, COALESCE(SUM(cost_usd * 10000000000), 0) AS priced,
             COUNT(cost_usd) AS priced_rows, COUNT(*) AS token_rows
      FROM token_usages GROUP BY interception_id) s
WHERE i.id = s.interception_id;

CREATE FUNCTION token_usages_add_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE interceptions i SET
        input_tokens = LEAST(i.input_tokens + s.input, 9223372036854775807), output_tokens = LEAST(i.output_tokens + s.output, 9223372036854775807),
        cache_read_tokens = LEAST(i.cache_read_tokens + s.cache_read, 9223372036854775807), cache_write_tokens = LEAST(i.cache_write_tokens + s.cache_write, 9223372036854775807),
        reasoning_tokens = LEAST(i.reasoning_tokens + s.reasoning, 9223372036854775807), priced_cost_e10 = i.priced_cost_e10 + s.priced,
        priced_rows = i.priced_rows + s.priced_rows, token_rows = i.token_rows + s.token_rows
    FROM (SELECT interception_id, SUM(input_tokens) AS input, SUM(output_tokens) AS output, SUM(cache_read_tokens) AS cache_read,
                 SUM(cache_write_tokens) AS cache_write, SUM(reasoning_tokens) AS reasoning, COALESCE(SUM(cost_usd * 10000000000), 0) AS priced,
                 COUNT(cost_usd) AS priced_rows, COUNT(*) AS token_rows
          FROM added GROUP BY interception_id) s
    WHERE i.id = s.interception_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER token_usages_totals AFTER INSERT ON token_usages
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION token_usages_add_totals();
