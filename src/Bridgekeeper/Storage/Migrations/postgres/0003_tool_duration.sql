-- How long an injected tool call ran (null for client tools, which the gateway does not run).
ALTER TABLE tool_usages ADD COLUMN duration_ms bigint;
