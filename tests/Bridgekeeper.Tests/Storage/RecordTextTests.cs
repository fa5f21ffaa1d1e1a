using System.Text;
using System.Text.RegularExpressions;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Tests.Storage;

public sealed class RecordTextTests
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [Theory]
    [InlineData("", 0, 128)]
    [InlineData("a", 128, 128)]
    [InlineData("é", 64, 128)]
    [InlineData("€", 42, 128)]
    [InlineData("😀", 32, 128)]        // 64 UTF-16 units, 128 bytes
    [InlineData("a😀€é", 1000, 10_000)]
    public void Truncate_TextThatFits_IsReturnedAsIs(string unit, int count, int max)
    {
        var text = string.Concat(Enumerable.Repeat(unit, count));

        Assert.Same(text, RecordText.Truncate(text, max));
    }

    /// <summary>
    /// The cut falls inside the unit after the last one kept; whole units only, so the result may end a byte or three short
    /// of the bound. Expected figures were worked out by hand (bytes of the marker for the bound: 57 + digits).
    /// </summary>
    [Theory]
    [InlineData("", "a", 129, 128, 71, 129, 71)]
    [InlineData("", "é", 100, 128, 35, 200, 70)]          // 2 bytes: the 36th would need bytes 71-72
    [InlineData("", "€", 100, 128, 23, 300, 69)]          // 3 bytes
    [InlineData("", "😀", 100, 128, 17, 400, 68)]          // a surrogate pair, 4 bytes: never split
    [InlineData("a", "😀", 100, 128, 17, 401, 69)]
    [InlineData("ab", "€", 100, 128, 23, 302, 71)]        // the last € ends exactly at the budget
    [InlineData("", "x", 5 * 1024 * 1024, 1024 * 1024, 1048511, 5242880, 1048511)]
    public void Truncate_TooLong_CutsOnACharacterAndSaysHowBigItWas(string prefix, string unit, int count, int max, int kept, int total, int shown)
    {
        var text = prefix + string.Concat(Enumerable.Repeat(unit, count));

        var result = RecordText.Truncate(text, max);

        Assert.Equal(prefix + string.Concat(Enumerable.Repeat(unit, kept)) + $"\n[truncated by Bridgekeeper: {total} bytes in all, {shown} shown]", result);
        Assert.InRange(Encoding.UTF8.GetByteCount(result), max - 4, max);
        StrictUtf8.GetByteCount(result);                          // no half of a surrogate pair is left
    }

    [Theory]
    [InlineData("\\uD800", "\\uFFFD")]
    [InlineData("a\\uDC00b", "a\\uFFFDb")]
    [InlineData("ok\\uD83D", "ok\\uFFFD")]
    [InlineData("\\uDE00\\uD83D", "\\uFFFD\\uFFFD")]                // a pair in the wrong order is two lone halves
    [InlineData("\\uD83D\\uD83D\\uDE00", "\\uFFFD\\uD83D\\uDE00")]  // a lone high half, then a good pair
    [InlineData("x\\uD83D\\uDE00y\\uDBFF\\uDFFF", "x\\uD83D\\uDE00y\\uDBFF\\uDFFF")]
    public void Truncate_LoneSurrogates_BecomeReplacementCharacters(string escaped, string expectedEscaped)
    {
        var text = Regex.Unescape(escaped);
        var expected = Regex.Unescape(expectedEscaped);

        var result = RecordText.Truncate(text, 128);

        Assert.Equal(expected, result);
        Assert.Equal(expected, Encoding.UTF8.GetString(StrictUtf8.GetBytes(result)));
        if (text == expected)
            Assert.Same(text, result);
        else
            Assert.Throws<EncoderFallbackException>(() => StrictUtf8.GetByteCount(text));
    }

    [Fact]
    public void Truncate_LoneSurrogatesAtTheCut_CountAsTheirReplacement()
    {
        var text = string.Concat(Enumerable.Repeat("\uD800", 100));  // each becomes U+FFFD, 3 bytes

        var result = RecordText.Truncate(text, 128);

        Assert.Equal(new string('\uFFFD', 23) + "\n[truncated by Bridgekeeper: 300 bytes in all, 69 shown]", result);
    }

    [Fact]
    public void Truncate_BoundBelowTheMinimum_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RecordText.Truncate("text", RecordText.MinBytes - 1));
}
