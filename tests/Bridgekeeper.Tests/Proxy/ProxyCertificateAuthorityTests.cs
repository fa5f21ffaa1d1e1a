using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bridgekeeper.Proxy;
using Bridgekeeper.Settings;
using Bridgekeeper.Tests.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Bridgekeeper.Tests.Proxy;

/// <summary>The CA made in a folder, and the leaf certificates it signs.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ProxyCertificateAuthorityTests : IDisposable
{
    private const string Host = TlsHandshake.Host;
    private readonly CaFolder _ca = new();

    public void Dispose() => _ca.Dispose();

    [Fact]
    public void LoadOrCreate_EmptyFolder_MakesAP256CaWithKeyMode600AndAPublicCertificate()
    {
        var before = DateTimeOffset.UtcNow;
        var (authority, created) = ProxyCertificateAuthority.LoadOrCreate(Path.Combine(_ca.Path, "new"));
        using var _ = authority;
        var ca = authority.Certificate;

        Assert.True(created);
        var folder = Path.Combine(_ca.Path, "new");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, ProxyCertificateAuthority.KeyFileName)));
        var pem = File.ReadAllText(Path.Combine(folder, ProxyCertificateAuthority.CertificateFileName));
        Assert.Equal(authority.CertificatePem, pem);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", pem, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", pem, StringComparison.Ordinal);
        Assert.False(ca.HasPrivateKey);
        Assert.Equal($"CN=Bridgekeeper proxy CA ({Environment.MachineName}), O=Bridgekeeper", ca.Subject);
        Assert.Equal(ca.Subject, ca.Issuer);
        Assert.Equal(256, ca.GetECDsaPublicKey()!.KeySize);
        var constraints = Assert.Single(ca.Extensions.OfType<X509BasicConstraintsExtension>());
        Assert.Equal((true, true, true, 0), (constraints.Critical, constraints.CertificateAuthority, constraints.HasPathLengthConstraint, constraints.PathLengthConstraint));
        var usage = Assert.Single(ca.Extensions.OfType<X509KeyUsageExtension>());
        Assert.Equal((true, X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign), (usage.Critical, usage.KeyUsages));
        Assert.Single(ca.Extensions.OfType<X509SubjectKeyIdentifierExtension>());
        Assert.InRange(ca.NotBefore.ToUniversalTime(), before.AddDays(-1).AddSeconds(-5).UtcDateTime, before.AddDays(-1).AddSeconds(5).UtcDateTime);
        Assert.InRange(ca.NotAfter.ToUniversalTime(), before.AddYears(10).AddSeconds(-5).UtcDateTime, before.AddYears(10).AddSeconds(5).UtcDateTime);
    }

    [Fact]
    public void LoadOrCreate_Twice_LoadsTheSameCaTheSecondTime()
    {
        var (first, firstCreated) = ProxyCertificateAuthority.LoadOrCreate(_ca.Path);
        var (second, secondCreated) = ProxyCertificateAuthority.LoadOrCreate(_ca.Path);
        using (first)
        using (second)
        {
            Assert.Equal((true, false), (firstCreated, secondCreated));
            Assert.Equal(first.Certificate.Thumbprint, second.Certificate.Thumbprint);
            Assert.True(TlsHandshake.Chain(second.Certificate).Build(first.ForHost(Host).TargetCertificate));
        }
    }

    [Fact]
    public async Task LoadOrCreate_ConcurrentCreators_AllEndWithTheOneCaThatWasWritten_AnnouncedOnce()
    {
        for (var round = 0; round < 10; round++)   // a race shows in some rounds only
        {
            File.Delete(_ca.KeyFile);
            File.Delete(_ca.CertFile);
            var results = await Concurrently.RunAsync(8, () => ProxyCertificateAuthority.LoadOrCreate(_ca.Path));

            var written = X509Certificate2.CreateFromPemFile(_ca.CertFile, _ca.KeyFile);
            Assert.All(results, r => Assert.Equal(written.Thumbprint, r.Authority.Certificate.Thumbprint));
            Assert.Single(results, r => r.Created);
            Assert.Equal([_ca.KeyFile, _ca.CertFile], Directory.GetFiles(_ca.Path).Order(StringComparer.Ordinal));
            foreach (var (authority, _) in results)
                authority.Dispose();
        }
    }

    [Fact]
    public void LoadOrCreate_KeyWithoutCertificate_SignsACertificateForThatKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(_ca.KeyFile, key.ExportPkcs8PrivateKeyPem());
        File.SetUnixFileMode(_ca.KeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var (authority, created) = ProxyCertificateAuthority.LoadOrCreate(_ca.Path);
        using var _ = authority;

        Assert.True(created);
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), authority.Certificate.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void LoadOrCreate_CertificateWithoutKey_IsRefused()
    {
        ProxyCertificateAuthority.LoadOrCreate(_ca.Path).Authority.Dispose();
        File.Delete(_ca.KeyFile);

        var error = Assert.Throws<SettingsException>(() => ProxyCertificateAuthority.LoadOrCreate(_ca.Path));

        Assert.Equal(ProxyCertificateAuthority.KeySetting, error.Setting);
        Assert.Contains($"'{_ca.CertFile}' has no key beside it", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("620")]
    [InlineData("602")]
    public void LoadOrCreate_KeyWritableByOthers_IsRefused(string mode)
    {
        ProxyCertificateAuthority.LoadOrCreate(_ca.Path).Authority.Dispose();
        File.SetUnixFileMode(_ca.KeyFile, (UnixFileMode)Convert.ToInt32(mode, 8));

        var error = Assert.Throws<SettingsException>(() => ProxyCertificateAuthority.LoadOrCreate(_ca.Path));

        Assert.Equal(ProxyCertificateAuthority.KeySetting, error.Setting);
        Assert.Contains($"is writable by", error.Message, StringComparison.Ordinal);
        Assert.Contains($"(mode {mode})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForHost_Leaf_IsAP256ServerCertificateForTheHost_SignedByTheCa_AndTheChainValidates()
    {
        using var authority = ProxyCertificateAuthority.LoadOrCreate(_ca.Path).Authority;
        var now = DateTimeOffset.UtcNow;

        var context = authority.ForHost(Host);
        var leaf = context.TargetCertificate;

        using var chain = TlsHandshake.Chain(authority.Certificate);
        Assert.True(chain.Build(leaf), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(authority.Certificate.Thumbprint, chain.ChainElements[^1].Certificate.Thumbprint);
        Assert.Empty(context.IntermediateCertificates);   // a root is not sent: clients trust it already (see the intermediate test)
        Assert.True(leaf.HasPrivateKey);
        Assert.Equal(256, leaf.GetECDsaPublicKey()!.KeySize);
        Assert.Equal($"CN={Host}", leaf.Subject);
        Assert.Equal([Host], Assert.Single(leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>()).EnumerateDnsNames());
        Assert.Equal(["1.3.6.1.5.5.7.3.1"], Assert.Single(leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>()).EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        var usage = Assert.Single(leaf.Extensions.OfType<X509KeyUsageExtension>());
        Assert.Equal((true, X509KeyUsageFlags.DigitalSignature), (usage.Critical, usage.KeyUsages));
        Assert.False(Assert.Single(leaf.Extensions.OfType<X509BasicConstraintsExtension>()).CertificateAuthority);
        Assert.Single(leaf.Extensions.OfType<X509SubjectKeyIdentifierExtension>());
        var caKeyId = Assert.Single(authority.Certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>()).SubjectKeyIdentifierBytes;
        Assert.Equal(caKeyId.ToArray(), Assert.Single(leaf.Extensions.OfType<X509AuthorityKeyIdentifierExtension>()).KeyIdentifier!.Value.ToArray());
        var serial = leaf.SerialNumberBytes.Span;
        Assert.Equal(16, serial.Length);
        Assert.Equal(0, serial[0] & 0x80);   // big-endian: positive, and no leading zero byte
        Assert.NotEqual(0, serial[0]);
        Assert.InRange(leaf.NotBefore.ToUniversalTime(), now.AddHours(-1).AddSeconds(-5).UtcDateTime, now.AddHours(-1).AddSeconds(5).UtcDateTime);
        Assert.InRange(leaf.NotAfter.ToUniversalTime(), now.AddDays(30).AddSeconds(-5).UtcDateTime, now.AddDays(30).AddSeconds(5).UtcDateTime);
    }

    [Fact]
    public async Task ForHost_Leaf_PassesOpensslVerifyStrict()
    {
        using var authority = ProxyCertificateAuthority.LoadOrCreate(_ca.Path).Authority;
        var leafFile = Path.Combine(_ca.Path, "leaf.pem");
        File.WriteAllText(leafFile, authority.ForHost(Host).TargetCertificate.ExportCertificatePem());

        var start = new ProcessStartInfo("/usr/bin/openssl",
            ["verify", "-x509_strict", "-purpose", "sslserver", "-verify_hostname", Host, "-CAfile", _ca.CertFile, leafFile])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken)
            + await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.True(process.ExitCode == 0, output);
        Assert.Equal($"{leafFile}: OK", output.Trim());
    }

    [Fact]
    public async Task ForHost_TlsHandshake_ClientTrustingOnlyTheCa_ConnectsAndNegotiatesH2()
    {
        using var authority = ProxyCertificateAuthority.LoadOrCreate(_ca.Path).Authority;

        var (client, errors) = await TlsHandshake.HandshakeAsync(authority, Host, authority.Certificate);

        using (client)
        {
            Assert.Equal(SslPolicyErrors.None, errors);
            Assert.True(client!.IsAuthenticated);
            Assert.Equal(SslApplicationProtocol.Http2, client.NegotiatedApplicationProtocol);
            Assert.Equal(authority.ForHost(Host).TargetCertificate.Thumbprint, client.RemoteCertificate!.GetCertHashString());
        }
    }

    [Fact]
    public async Task ForHost_TlsHandshake_ClientAskingForAnotherHost_FailsNameValidationOnly()
    {
        using var authority = ProxyCertificateAuthority.LoadOrCreate(_ca.Path).Authority;

        var (client, errors) = await TlsHandshake.HandshakeAsync(authority, "other.example", authority.Certificate);

        Assert.Null(client);
        Assert.Equal(SslPolicyErrors.RemoteCertificateNameMismatch, errors);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("203.0.113.7")]
    [InlineData("::1")]
    [InlineData("2001:db8::42")]
    public void ForHost_IpLiteral_GetsAnIpAddressSan(string host)
    {
        using var authority = ProxyCertificateAuthority.LoadOrCreate(_ca.Path).Authority;

        var leaf = authority.ForHost(host).TargetCertificate;

        var names = Assert.Single(leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        Assert.Equal([IPAddress.Parse(host)], names.EnumerateIPAddresses());
        Assert.Empty(names.EnumerateDnsNames());
    }

    [Fact]
    public void ForHost_SameHostInAnyCase_IsMadeOnce_OtherHostsGetTheirOwn()
    {
        using var authority = ProxyCertificateAuthority.LoadOrCreate(_ca.Path).Authority;

        var first = authority.ForHost(Host);

        Assert.Same(first, authority.ForHost(Host));
        Assert.Same(first, authority.ForHost("API.Anthropic.COM"));
        Assert.NotSame(first, authority.ForHost("api.openai.com"));
        Assert.Equal(2, authority.CachedHosts);
    }

    [Fact]
    public async Task ForHost_ConcurrentFirstUse_MakesOneContext()
    {
        using var authority = ProxyCertificateAuthority.LoadOrCreate(_ca.Path).Authority;

        var contexts = await Concurrently.RunAsync(8, () => authority.ForHost(Host));

        Assert.All(contexts, c => Assert.Same(contexts[0], c));
    }

    [Fact]
    public void ForHost_LessThanADayLeft_IsRenewed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var authority = ProxyCertificateAuthority.LoadOrCreate(_ca.Path, time).Authority;
        var first = authority.ForHost(Host);

        time.Advance(TimeSpan.FromDays(29) - TimeSpan.FromSeconds(1));
        var beforeRenewal = authority.ForHost(Host);
        time.Advance(TimeSpan.FromSeconds(1));
        var renewed = authority.ForHost(Host);

        Assert.Same(first, beforeRenewal);
        Assert.NotSame(first, renewed);
        Assert.Equal(time.GetUtcNow().AddDays(30).UtcDateTime, renewed.TargetCertificate.NotAfter.ToUniversalTime(), TimeSpan.FromSeconds(1));
        Assert.Same(renewed, authority.ForHost(Host));
        Assert.Equal(1, authority.CachedHosts);
    }

    [Fact]
    public void ForHost_CaExpiringSoon_LeafEndsWithTheCa()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var authority = ProxyCertificateAuthority.LoadOrCreate(_ca.Path, time).Authority;
        time.SetUtcNow(new DateTimeOffset(authority.Certificate.NotAfter.ToUniversalTime()).AddDays(-10));

        var leaf = authority.ForHost(Host).TargetCertificate;

        Assert.Equal(authority.Certificate.NotAfter, leaf.NotAfter);
    }

    [Fact]
    public void ForHost_CacheFull_StillServesNewHosts_WithoutCachingThem()
    {
        using var authority = ProxyCertificateAuthority.LoadOrCreate(_ca.Path, cacheCapacity: 2).Authority;
        authority.ForHost("a.example");
        authority.ForHost("b.example");

        var third = authority.ForHost("c.example");

        Assert.Equal(["c.example"], Assert.Single(third.TargetCertificate.Extensions.OfType<X509SubjectAlternativeNameExtension>()).EnumerateDnsNames());
        Assert.NotSame(third, authority.ForHost("c.example"));
        Assert.Equal(2, authority.CachedHosts);
    }

    [Fact]
    public void ForHost_AfterDispose_Throws()
    {
        var authority = ProxyCertificateAuthority.LoadOrCreate(_ca.Path).Authority;
        authority.ForHost(Host);

        authority.Dispose();

        Assert.Throws<ObjectDisposedException>(() => authority.ForHost(Host));
    }

}
