namespace Bridgekeeper.Providers.OpenAIChat;

/// <summary>What a Chat Completions chunk was, as far as relaying it goes.</summary>
internal enum ChunkKind
{
    Other,

    /// <summary>No choices and a non-null <c>usage</c>: the chunk <c>stream_options.include_usage</c> adds at the end.</summary>
    UsageOnly,
}
