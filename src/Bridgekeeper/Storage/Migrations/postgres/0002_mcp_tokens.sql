-- Personal MCP tokens: one per user and server, encrypted with AES-GCM (nonce || ciphertext || tag).

CREATE TABLE mcp_tokens (
    user_id           uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    server            text NOT NULL,
    token_ciphertext  bytea NOT NULL,
    created_at        timestamptz NOT NULL,
    PRIMARY KEY (user_id, server)
);
