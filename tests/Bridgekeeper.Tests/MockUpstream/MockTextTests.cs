using Bridgekeeper.MockUpstream;

namespace Bridgekeeper.Tests.MockUpstream;

public sealed class MockTextTests
{
    [Theory]
    [InlineData("Hello from the mock upstream.", 1, new[] { "Hello", " from", " the", " mock", " upstream." })]
    [InlineData("Hello from the mock upstream.", 2, new[] { "Hello from", " the mock", " upstream." })]
    [InlineData("  a  b ", 1, new[] { "  a", "  b " })]
    [InlineData("", 1, new string[0])]
    public void SplitWords_Text_PiecesConcatenateBack(string text, int words, string[] expected)
    {
        var pieces = MockText.SplitWords(text, words);

        Assert.Equal(expected, pieces);
        Assert.Equal(text, string.Concat(pieces));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"a":1}""")]
    [InlineData("""{"city":"Paris","unit":"celsius","days":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]}""")]
    public void SplitPieces_Json_AtLeastThreePiecesThatConcatenateBack(string text)
    {
        var pieces = MockText.SplitPieces(text);

        Assert.True(pieces.Count >= Math.Min(3, text.Length));
        Assert.Equal(text, string.Concat(pieces));
    }

    [Fact]
    public void UsageTryParse_AllFigures_Parsed()
    {
        Assert.True(MockUsage.TryParse("input=100, output=20,cache_read=30,cache_write=10,reasoning=5", out var usage, out var hasReasoning, out _));

        Assert.Equal(new MockUsage(100, 20, 30, 10, 5), usage);
        Assert.True(hasReasoning);
        Assert.Equal(130, usage.PromptTokens);
    }

    [Theory]
    [InlineData("input=x")]
    [InlineData("tokens=5")]
    [InlineData("input")]
    public void UsageTryParse_Bad_ReturnsError(string text)
    {
        Assert.False(MockUsage.TryParse(text, out _, out _, out var error));
        Assert.NotNull(error);
    }
}
