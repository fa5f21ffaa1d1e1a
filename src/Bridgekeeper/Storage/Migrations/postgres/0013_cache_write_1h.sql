-- Issue 17: how many of a token-usage row's cache writes were Anthropic 1-hour writes (billed at 2x input, against
-- 1.25x for the 5-minute ones). cache_write_tokens stays the total of both.
ALTER TABLE token_usages ADD COLUMN cache_write_1h_tokens bigint NOT NULL DEFAULT 0;
