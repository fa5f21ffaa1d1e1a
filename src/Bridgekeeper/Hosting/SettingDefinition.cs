namespace Bridgekeeper.Hosting;

/// <summary>
/// One user-facing setting (SPEC §2): its YAML key, environment variable and flag all derive from <see cref="Key"/>.
/// The CLI builds its options from this table and the README's settings table mirrors it.
/// </summary>
internal sealed record SettingDefinition(string Key, string? Default, string Description)
{
    public string Environment => "BRIDGEKEEPER_" + Key.ToUpperInvariant();
    public string Flag => "--" + Key.Replace('_', '-');

    public static readonly IReadOnlyList<SettingDefinition> All =
    [
        new("http_address", "127.0.0.1:8080", "where the gateway listens (host:port)"),
        new("metrics_address", null, "where `/metrics` is served (host:port), and then only there; unset: on `http_address`"),
        new("database", "data/bridgekeeper.db", "SQLite file path"),
        new("openai_key", null, "upstream key of the default `openai` provider"),
        new("openai_keys", null, "more upstream keys of the default `openai` provider, comma-separated (a YAML list too): a pool used in turn, after `openai_key`"),
        new("openai_base_url", "https://api.openai.com/v1/", "base URL of the default `openai` provider"),
        new("openai_organization", null, "`OpenAI-Organization` the default `openai` provider's key bills to (clients' own values are dropped)"),
        new("openai_project", null, "`OpenAI-Project` the default `openai` provider's key bills to (clients' own values are dropped)"),
        new("anthropic_key", null, "upstream key of the default `anthropic` provider"),
        new("anthropic_keys", null, "more upstream keys of the default `anthropic` provider, comma-separated (a YAML list too): a pool used in turn, after `anthropic_key`"),
        new("anthropic_base_url", "https://api.anthropic.com/", "base URL of the default `anthropic` provider"),
        new("bedrock_region", null, "AWS region of the default `bedrock` provider (such as us-east-1); setting any `bedrock_` setting creates it"),
        new("bedrock_model", null, "Bedrock model id for requests that are not haiku-class"),
        new("bedrock_small_fast_model", null, "Bedrock model id for haiku-class requests (default: bedrock_model)"),
        new("bedrock_models", null, "more client model names mapped to Bedrock model ids: `name=id,name=id` (YAML: a map)"),
        new("bedrock_access_key", null, "AWS access key id (unset with its secret: the AWS default credentials)"),
        new("bedrock_access_key_secret", null, "AWS secret access key"),
        new("bedrock_session_token", null, "AWS session token of temporary static credentials"),
        new("bedrock_base_url", null, "replaces https://bedrock-runtime.{region}.amazonaws.com/ (a proxy's path prefix is kept)"),
        new("proxy_address", null, "where the forward proxy listens (host:port); unset: no proxy"),
        new("proxy_hosts", "api.anthropic.com=anthropic,api.openai.com=openai", "decrypted hosts and the provider instance each maps to: `host=provider,…` (YAML: a map)"),
        new("proxy_ca_cert", null, "PEM file of the proxy's CA certificate (with proxy_ca_key); unset: a CA generated once beside the database"),
        new("proxy_ca_key", null, "PEM file of the proxy CA's private key"),
        new("proxy_tls_cert", null, "PEM certificate for TLS on the proxy listener itself (clients then use HTTPS_PROXY=https://…)"),
        new("proxy_tls_key", null, "PEM private key of proxy_tls_cert"),
        new("proxy_tunnels", "true", "whether CONNECTs to other hosts get a blind tunnel (after the address checks); `false` refuses them (403)"),
        new("proxy_tunnel_allow", null, "comma-separated networks (CIDR) blind tunnels may reach although loopback, private, link-local and so on"),
        new("proxy_connect_timeout", "1s", "longest a blind tunnel's DNS lookup and connect may take (then 502)"),
        new("proxy_max_tunnels", "1024", "blind tunnels open at once, all users together; a CONNECT beyond gets 503"),
        new("retention", "60d", "how long audit data is kept; `0` keeps it forever"),
        new("structured_logging", "false", "one `interception log` line for each audit record"),
        new("log_format", "human", "`human` or `json`"),
        new("max_request_body", "33554432", "largest accepted request body, in bytes (larger gets 413)"),
        new("keepalive_interval", "12s", "idle time after which a stream gets a keep-alive"),
        new("upstream_idle_timeout", "5m", "an upstream silent this long is abandoned (504); resets on every event"),
        new("audit_queue_capacity", "10000", "queued audit records beyond which new interceptions get 503"),
        new("audit_queue_bytes", "268435456", "bytes of queued audit records beyond which new interceptions get 503"),
        new("spool_bytes", "1073741824", "bytes of uncommitted audit records the local spool may hold (the database down, or slow) before new interceptions get 503; `0` turns the spool off"),
        new("spool_fsync", "false", "whether the spool is flushed to disk once per audit batch (then a power loss loses at most one batch); otherwise the OS writes it"),
        new("spool_dir", null, "folder of the audit spool's segment files; unset: `spool` beside a SQLite database, `data/spool` with PostgreSQL"),
        new("request_buffer_bytes", "536870912", "bytes of request bodies the gateway holds at once, all requests together (more get 503)"),
        new("max_concurrent_per_key", "32", "requests one key may have in flight on the provider routes (more get 429); `0` is no limit"),
        new("budget_webhook_url", null, "where a budget's 85 % and 100 % notifications are posted (signed JSON; see Spend control); unset: logged only"),
        new("budget_webhook_secret", null, "the HMAC-SHA256 key of the webhook's `X-Bridgekeeper-Signature`; required with `budget_webhook_url`"),
        new("budget_default_max_tokens", "4096", "the output allowance a budget's estimate prices for a request that sets no `max_tokens` (see Spend control)"),
        new("auth_failure_limit", "60", "failed key checks per minute from one address (IPv6: one /64) after which keys the gateway has not seen recently get 429; `0` turns it off"),
        new("mcp_max_rounds", "10", "most upstream rounds of the hidden MCP tool loop"),
        new("mcp_tool_timeout", "60s", "longest one injected MCP tool call may run"),
        new("mcp_loop_timeout", "10m", "longest the whole hidden tool loop may run"),
        new("prices_file", null, "a YAML or JSON file mapping models to `input`, `output`, `cache_read`, `cache_write` in USD per million tokens (`web_searches` per 1,000, `service_tiers` for OpenAI tiers); wins over the `prices` map and the shipped table"),
        new("secret_key", null, "base64 of 32 bytes that encrypts per-user MCP tokens; unset: a key file beside a SQLite database (PostgreSQL: needed to store tokens)"),
        new("secret_key_previous", null, "comma-separated base64 keys that only decrypt per-user MCP tokens (key rotation); tokens are re-encrypted under secret_key when read"),
    ];
}
