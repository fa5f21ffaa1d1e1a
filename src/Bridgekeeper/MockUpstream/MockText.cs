namespace Bridgekeeper.MockUpstream;

/// <summary>Splits reply text into deltas and makes provider-style ids.</summary>
internal static class MockText
{
    private const string Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>
    /// Pieces of <paramref name="words"/> words each, keeping the spaces in front of each word as real tokens do
    /// (<c>"Hello", " from", " the"</c>); the pieces concatenate to the text exactly. Empty text gives no pieces.
    /// </summary>
    public static List<string> SplitWords(string text, int words)
    {
        List<string> pieces = [];
        var (start, count, index) = (0, 0, 0);
        while (index < text.Length)
        {
            while (index < text.Length && char.IsWhiteSpace(text[index]))
                index++;
            if (index == text.Length)
                break;
            while (index < text.Length && !char.IsWhiteSpace(text[index]))
                index++;
            if (++count == words)
            {
                pieces.Add(text[start..index]);
                (start, count) = (index, 0);
            }
        }
        if (start < text.Length)
        {
            if (count == 0 && pieces.Count > 0)
                pieces[^1] += text[start..];    // trailing whitespace only
            else
                pieces.Add(text[start..]);
        }
        return pieces;
    }

    /// <summary>At least three pieces (when the text has three characters) of about a quarter each, never splitting a surrogate pair.</summary>
    public static List<string> SplitPieces(string text)
    {
        List<string> pieces = [];
        var size = Math.Max(1, Math.Min(text.Length / 3, Math.Max(8, text.Length / 4)));
        var start = 0;
        while (start < text.Length)
        {
            var end = Math.Min(text.Length, start + size);
            if (end < text.Length && char.IsHighSurrogate(text[end - 1]))
                end++;
            pieces.Add(text[start..end]);
            start = end;
        }
        return pieces;
    }

    /// <summary><paramref name="prefix"/> plus <paramref name="length"/> random letters and digits.</summary>
    public static string NewId(string prefix, int length) =>
        string.Create(prefix.Length + length, prefix, static (span, prefix) =>
        {
            prefix.AsSpan().CopyTo(span);
            Random.Shared.GetItems(Alphanumeric, span[prefix.Length..]);
        });
}
