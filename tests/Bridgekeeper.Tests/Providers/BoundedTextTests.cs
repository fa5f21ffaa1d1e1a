using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Bridgekeeper.Providers;
using Bridgekeeper.Tests.Hostile;
using CsCheck;

namespace Bridgekeeper.Tests.Providers;

/// <summary>
/// A prompt is read from the request's own bytes without decoding more than it keeps (<see cref="BoundedText"/>): what
/// it keeps must be exactly the longest start of the decoded string that fits, and the size exactly the decoded size.
/// </summary>
public sealed class BoundedTextTests
{
    private static readonly JsonSerializerOptions Escaping = new() { Encoder = JavaScriptEncoder.Default };
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly char[] Specials = ['a', 'é', '€', '\n', '"', '\\', '\t', '<', '\u2028', '\u0001'];
    private static readonly string[] Pieces = ["😀", "a😀b", "é", "日本語テキスト", "\"quoted\"\n"];

    private static readonly Gen<string> Texts = Gen.OneOf(
        Gen.String[Gen.Char['a', 'z'], 0, 300],
        Gen.String[Gen.Int[0, Specials.Length - 1].Select(i => Specials[i]), 0, 300],
        Gen.Int[0, Pieces.Length - 1].Select(i => Pieces[i]).Array[0, 60].Select(parts => string.Concat(parts)));


    [Fact]
    public void Of_RawToken_KeepsTheLongestStartThatFitsAndCountsTheWhole()
    {
        var gen = Gen.Select(Texts, Gen.Int[0, 400], Gen.Bool);
        Property.Check(gen, t =>
        {
            var (text, max, escapeAll) = t;
            var raw = JsonSerializer.SerializeToUtf8Bytes(text, escapeAll ? Escaping : Relaxed);

            var bounded = BoundedText.Of(raw, max);

            Assert.Equal(FirstBytes(text, max), bounded.Text);
            Assert.Equal(Encoding.UTF8.GetByteCount(text), bounded.TotalBytes);
            Assert.Equal(Encoding.UTF8.GetByteCount(text) > max, bounded.Truncated);
        }, iterations: 5_000, print: t => $"{JsonSerializer.Serialize(t.Item1)} max={t.Item2} escapeAll={t.Item3}");
    }

    [Theory]
    [InlineData("\"abc\"", 2, "ab", 3)]
    [InlineData("\"a\\nb\"", 2, "a\n", 3)]
    [InlineData("\"\\ud83d\\ude00x\"", 3, "", 5)]
    [InlineData("\"\\ud83d\\ude00x\"", 4, "😀", 5)]
    [InlineData("\"é\"", 1, "", 2)]
    [InlineData("\"\"", 0, "", 0)]
    public void Of_RawToken_NeverSplitsAnEscapeOrACharacter(string token, int max, string kept, long total)
    {
        var bounded = BoundedText.Of(Encoding.UTF8.GetBytes(token), max);

        Assert.Equal((kept, total), (bounded.Text, bounded.TotalBytes));
    }

    /// <summary>The oracle: the longest start of <paramref name="text"/> of at most <paramref name="max"/> UTF-8 bytes, whole characters only.</summary>
    internal static string FirstBytes(string text, int max)
    {
        var (chars, bytes) = (0, 0);
        foreach (var rune in text.EnumerateRunes())
        {
            if ((bytes += rune.Utf8SequenceLength) > max)
                break;
            chars += rune.Utf16SequenceLength;
        }
        return text[..chars];
    }
}
