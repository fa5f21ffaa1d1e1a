-- Personal MCP tokens: one per user and server, encrypted with AES-GCM (nonce || ciphertext || tag).

CREATE TABLE mcp_tokens (
    user_id           TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    server            TEXT NOT NULL,
    token_ciphertext  BLOB NOT NULL,
    created_at        TEXT NOT NULL,
    PRIMARY KEY (user_id, server)
);
