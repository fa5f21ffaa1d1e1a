-- The id of the key that encrypted each MCP token (first 8 hex digits of the key's SHA-256), so keys can be rotated.
-- NULL: written before key ids, under the key that was current then.

ALTER TABLE mcp_tokens ADD COLUMN key_id text;
