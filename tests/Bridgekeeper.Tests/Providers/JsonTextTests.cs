using System.Text;
using System.Text.Json;
using Bridgekeeper.Providers;
using Bridgekeeper.Tests.Hostile;
using CsCheck;

namespace Bridgekeeper.Tests.Providers;

/// <summary>
/// <see cref="JsonText"/> decides, for requests and upstream data alike, whether JSON can be decoded: it must agree with
/// decoding every string of the document strictly, which is what the later reads and writes do.
/// </summary>
public sealed class JsonTextTests
{
    [Theory]
    [InlineData("""{"a":"\ud800"}""", false)]
    [InlineData("""{"a":"\udc00x"}""", false)]
    [InlineData("""{"a":"\ud83d\ude00"}""", true)]
    [InlineData("""{"a":"\ud83d\u0041"}""", false)]
    [InlineData("""{"a":"\\ud800"}""", true)]          // an escaped backslash, then the text "ud800"
    [InlineData("""{"a":"\\\ud800"}""", false)]        // an escaped backslash, then a lone surrogate
    [InlineData("""{"\ud800":1}""", false)]            // property names too
    [InlineData("""{"a":"\u00e9\ud83d"}""", false)]    // a high half at the very end of a string
    [InlineData("""{"a":"\ud83d""", false)]            // and at the very end of the text
    public void IsText_JudgesSurrogateEscapes(string json, bool text) =>
        Assert.Equal(text, JsonText.IsText(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void IsText_RefusesInvalidUtf8() =>
        Assert.False(JsonText.IsText([.. "{\"a\":\""u8, 0xC3, .. "\"}"u8]));   // a lead byte with no continuation

    [Fact]
    public void IsText_AgreesWithStrictDecodingOfEveryString()
    {
        var units = Gen.OneOf(Gen.Const("\\ud83d"), Gen.Const("\\ude00"), Gen.Const("\\u0041"), Gen.Const("\\\\"), Gen.Const("u"), Gen.Const("a"));
        Property.Check(units.Array[0, 12].Select(parts => "{\"k\":\"" + string.Concat(parts) + "\"}"), json =>
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            Assert.Equal(DecodesStrictly(bytes), JsonText.IsText(bytes));
        }, iterations: 5_000);
    }

    /// <summary>Whether the document's string decodes to UTF-16 that is also valid Unicode (no lone surrogate).</summary>
    private static bool DecodesStrictly(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        try
        {
            var value = document.RootElement.GetProperty("k").GetString()!;
            new UTF8Encoding(false, throwOnInvalidBytes: true).GetBytes(value);
            return true;
        }
        catch (Exception e) when (e is EncoderFallbackException or InvalidOperationException)
        {
            return false;
        }
    }
}
