-- Issue 17: what a token-usage row needs to be priced as invoiced. cache_write_1h_tokens: how many of its cache writes
-- were Anthropic 1-hour writes (billed at 2x input, against 1.25x for the 5-minute ones); cache_write_tokens stays the
-- total of both. web_search_requests: the provider's own web searches, billed per search.
ALTER TABLE token_usages ADD COLUMN cache_write_1h_tokens bigint NOT NULL DEFAULT 0;
ALTER TABLE token_usages ADD COLUMN web_search_requests bigint NOT NULL DEFAULT 0;
