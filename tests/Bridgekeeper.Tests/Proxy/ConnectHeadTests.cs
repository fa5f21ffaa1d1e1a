using System.Buffers;
using System.Text;
using Bridgekeeper.Proxy;
using Bridgekeeper.Tests.Hostile;
using CsCheck;

namespace Bridgekeeper.Tests.Proxy;

/// <summary>The proxy's one hand-written parser: the head of the first request on a proxy connection.</summary>
public sealed class ConnectHeadTests
{
    private static ConnectHead? Parse(string head, out string error) =>
        ConnectHead.Parse(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(head)), out error);

    [Fact]
    public void Parse_Connect_GivesMethodTargetAndProxyAuthorization()
    {
        var head = Parse("CONNECT api.anthropic.com:443 HTTP/1.1\r\nHost: api.anthropic.com:443\r\nproxy-authorization:  Basic bWU6Yms= \r\nUser-Agent: x", out _);

        Assert.Equal(new ConnectHead("CONNECT", "api.anthropic.com:443", "Basic bWU6Yms="), head);
        Assert.True(head!.IsConnect);
    }

    [Theory]
    [InlineData("CONNECT api.anthropic.com:443", "The request line")]
    [InlineData("CONNECT  api.anthropic.com:443 HTTP/1.1", "The request line")]
    [InlineData("CONNECT api.anthropic.com:443 HTTP/2", "The request line")]
    [InlineData("CON(NECT api.anthropic.com:443 HTTP/1.1", "The request line")]
    [InlineData("CONNECT api\u0001.com:443 HTTP/1.1", "The request line")]
    [InlineData("CONNECT caf\u00e9.com:443 HTTP/1.1", "The request line")]
    [InlineData("CONNECT a:443 HTTP/1.1\r\n folded", "A header line")]
    [InlineData("CONNECT a:443 HTTP/1.1\r\nNo colon", "A header line")]
    [InlineData("CONNECT a:443 HTTP/1.1\r\nBad Name: x", "A header line")]
    [InlineData("CONNECT a:443 HTTP/1.1\r\nX: caf\u00e9", "A header line")]
    [InlineData("CONNECT a:443 HTTP/1.1\r\nX: a\u0000b", "A header line")]
    [InlineData("CONNECT a:443 HTTP/1.1\r\nProxy-Authorization: Basic a\r\nProxy-Authorization: Basic b", "Proxy-Authorization is given more than once")]
    public void Parse_Malformed_IsRefusedWithAReason(string text, string reason)
    {
        Assert.Null(Parse(text, out var error));
        Assert.StartsWith(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("api.anthropic.com:443", "api.anthropic.com", 443)]
    [InlineData("API.Anthropic.COM.:443", "api.anthropic.com", 443)]
    [InlineData("10.1.2.3:8443", "10.1.2.3", 8443)]
    [InlineData("[::1]:443", "::1", 443)]
    [InlineData("[2001:db8::1]:1", "2001:db8::1", 1)]
    public void TryAuthority_HostAndPort(string target, string host, int port)
    {
        Assert.True(ConnectHead.TryAuthority(target, out var h, out var p));
        Assert.Equal((host, port), (h, p));
    }

    [Theory]
    [InlineData("api.anthropic.com")]
    [InlineData("api.anthropic.com:0")]
    [InlineData("api.anthropic.com:65536")]
    [InlineData("api.anthropic.com:+443")]
    [InlineData(":443")]
    [InlineData("[::1:443")]
    [InlineData("[10.0.0.1]:443")]
    [InlineData("::1:443")]
    [InlineData("bad_host!:443")]
    [InlineData("/path:443")]
    [InlineData("http://api.anthropic.com:443")]
    public void TryAuthority_NotHostPort_IsFalse(string target) => Assert.False(ConnectHead.TryAuthority(target, out _, out _));

    [Theory]
    [InlineData("Basic bWU6YmtfcGFzc3dvcmQ=", "bk_password")]          // me:bk_password
    [InlineData("basic YmtfdXNlcjo=", "bk_user")]                       // bk_user: (the key as the user name)
    [InlineData("Basic YmtfYWxvbmU=", "bk_alone")]                      // no colon at all
    [InlineData("Basic bWU6YmtfYTpi", "bk_a:b")]                        // me:bk_a:b (the password keeps its colons)
    [InlineData("Bearer  bk_token ", "bk_token")]
    [InlineData("Basic !!notbase64", null)]
    [InlineData("Basic /w==", null)]                                    // 0xFF: not UTF-8
    [InlineData("Basic Og==", null)]                                    // ":" only
    [InlineData("Digest username=me", null)]
    [InlineData(null, null)]
    public void Key_FromProxyAuthorization(string? authorization, string? key) => Assert.Equal(key, ConnectHead.Key(authorization));

    [Fact]
    public void TryFind_StopsAtTheBlankLine_AndLeavesWhatFollowsForTheNextLayer()
    {
        var bytes = Encoding.ASCII.GetBytes("CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n\u0016\u0003\u0001hello");

        Assert.True(ConnectHead.TryFind(new ReadOnlySequence<byte>(bytes), out var head, out var end));

        Assert.Equal("CONNECT a:443 HTTP/1.1\r\nHost: a", Encoding.ASCII.GetString(head));
        Assert.Equal("\u0016\u0003\u0001hello", Encoding.ASCII.GetString(new ReadOnlySequence<byte>(bytes).Slice(end)));
        Assert.False(ConnectHead.TryFind(new ReadOnlySequence<byte>(bytes.AsMemory(0, 30)), out _, out _));
    }

    /// <summary>Any bytes at all: finding and parsing never throw, and what parses is a token method with a printable target.</summary>
    [Fact]
    public void Parse_AnyBytes_NeverThrows() =>
        Property.Check(Gen.OneOf(Gen.Byte.Array[0, 300], Gen.Char['\0', '\u007f'].Array[0, 200].Select(c => Encoding.Latin1.GetBytes(c)),
            Gen.Byte.Array[0, 40].Select(target => Encoding.Latin1.GetBytes($"CONNECT {Encoding.Latin1.GetString(target)} HTTP/1.1\r\n\r\n"))), bytes =>
        {
            var sequence = new ReadOnlySequence<byte>(bytes);
            var found = ConnectHead.TryFind(sequence, out var head, out _);
            var parsed = ConnectHead.Parse(found ? head : sequence, out var error);
            if (parsed is null)
                Assert.NotEmpty(error);
            else
                Assert.DoesNotContain(parsed.Target, c => c is <= ' ' or > '~');
            _ = ConnectHead.TryAuthority(parsed?.Target ?? Encoding.Latin1.GetString(bytes), out _, out _);
            _ = ConnectHead.Key(parsed?.ProxyAuthorization ?? Encoding.Latin1.GetString(bytes));
        }, 5_000, Convert.ToHexString);
}
