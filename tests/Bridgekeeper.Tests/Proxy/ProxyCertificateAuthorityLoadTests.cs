using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bridgekeeper.Proxy;
using Bridgekeeper.Settings;
using Microsoft.Extensions.Time.Testing;

namespace Bridgekeeper.Tests.Proxy;

/// <summary>Operators' CA files: which are used, and why the others are refused.</summary>
public sealed class ProxyCertificateAuthorityLoadTests : IDisposable
{
    private const string Host = TlsHandshake.Host;
    private readonly CaFolder _ca = new();

    public void Dispose() => _ca.Dispose();

    [Fact]
    public async Task Load_RsaCa_SignsLeavesThatValidate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=Operator RSA CA", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var (certPath, keyPath) = _ca.Write(ca.ExportCertificatePem(), key.ExportRSAPrivateKeyPem());

        using var authority = ProxyCertificateAuthority.Load(certPath, keyPath);
        var leaf = authority.ForHost(Host).TargetCertificate;

        Assert.True(TlsHandshake.Chain(authority.Certificate).Build(leaf));
        Assert.NotNull(Assert.Single(leaf.Extensions.OfType<X509AuthorityKeyIdentifierExtension>()).SerialNumber);   // the CA has no key id
        var (client, errors) = await TlsHandshake.HandshakeAsync(authority, Host, authority.Certificate);
        using (client)
            Assert.Equal(SslPolicyErrors.None, errors);
    }

    [Fact]
    public async Task Load_IntermediateCa_IsSentInTheChain_SoClientsTrustingOnlyTheRootConnect()
    {
        var now = DateTimeOffset.UtcNow;
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=Operator root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        using var root = rootRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(2));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Operator proxy CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        using var intermediate = request.Create(root, now.AddDays(-1), now.AddYears(1), [0x42, 0x01]);
        var (certPath, keyPath) = _ca.Write(intermediate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
        using var authority = ProxyCertificateAuthority.Load(certPath, keyPath);

        var context = authority.ForHost(Host);
        var (client, errors) = await TlsHandshake.HandshakeAsync(authority, Host, root);

        using (client)
            Assert.Equal(SslPolicyErrors.None, errors);
        Assert.Equal([intermediate.Thumbprint], context.IntermediateCertificates.Select(c => c.Thumbprint));
    }

    [Fact]
    public void Load_LeafCertificate_IsRefusedAsNoCa()
    {
        using var authority = ProxyCertificateAuthority.LoadOrCreate(_ca.Path).Authority;
        var leaf = authority.ForHost(Host).TargetCertificate;
        var (certPath, keyPath) = _ca.Write(leaf.ExportCertificatePem(), leaf.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());

        var error = Assert.Throws<SettingsException>(() => ProxyCertificateAuthority.Load(certPath, keyPath));

        Assert.Equal(ProxyCertificateAuthority.CertificateSetting, error.Setting);
        Assert.Equal($"Invalid setting 'proxy_ca_cert': the certificate in '{certPath}' is not a CA certificate (it needs the basic constraint CA:TRUE).", error.Message);
    }

    [Fact]
    public void Load_CaWithoutKeyCertSign_IsRefused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Not a signer", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var (certPath, keyPath) = _ca.Write(ca.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());

        var error = Assert.Throws<SettingsException>(() => ProxyCertificateAuthority.Load(certPath, keyPath));

        Assert.Equal(ProxyCertificateAuthority.CertificateSetting, error.Setting);
        Assert.Contains("lacks keyCertSign", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_KeyOfAnotherCa_IsRefusedAsNotMatching()
    {
        ProxyCertificateAuthority.LoadOrCreate(_ca.Path).Authority.Dispose();
        var other = Path.Combine(_ca.Path, "other");
        ProxyCertificateAuthority.LoadOrCreate(other).Authority.Dispose();
        var otherKey = Path.Combine(other, ProxyCertificateAuthority.KeyFileName);

        var error = Assert.Throws<SettingsException>(() => ProxyCertificateAuthority.Load(_ca.CertFile, otherKey));

        Assert.Equal(ProxyCertificateAuthority.KeySetting, error.Setting);
        Assert.Equal($"Invalid setting 'proxy_ca_key': '{otherKey}' does not hold the private key of the CA certificate in '{_ca.CertFile}' (an unencrypted EC key in PEM).", error.Message);
    }

    [Theory]
    [InlineData("certificate", ProxyCertificateAuthority.CertificateSetting)]
    [InlineData("key", ProxyCertificateAuthority.KeySetting)]
    public void Load_MissingFile_IsRefusedNamingTheSetting(string missing, string setting)
    {
        ProxyCertificateAuthority.LoadOrCreate(_ca.Path).Authority.Dispose();
        var path = missing == "key" ? _ca.KeyFile : _ca.CertFile;
        File.Delete(path);

        var error = Assert.Throws<SettingsException>(() => ProxyCertificateAuthority.Load(_ca.CertFile, _ca.KeyFile));

        Assert.Equal(setting, error.Setting);
        Assert.Equal($"Invalid setting '{setting}': '{path}' does not exist.", error.Message);
    }

    [Theory]
    [InlineData("certificate", "hello", ProxyCertificateAuthority.CertificateSetting, "does not hold a PEM certificate")]
    [InlineData("key", "hello", ProxyCertificateAuthority.KeySetting, "holds no PEM private key")]
    public void Load_FileWithoutPem_IsRefusedNamingTheSetting(string which, string contents, string setting, string problem)
    {
        ProxyCertificateAuthority.LoadOrCreate(_ca.Path).Authority.Dispose();
        File.WriteAllText(which == "key" ? _ca.KeyFile : _ca.CertFile, contents);

        var error = Assert.Throws<SettingsException>(() => ProxyCertificateAuthority.Load(_ca.CertFile, _ca.KeyFile));

        Assert.Equal(setting, error.Setting);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ExpiredCa_IsRefused()
    {
        ProxyCertificateAuthority.LoadOrCreate(_ca.Path).Authority.Dispose();
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddYears(11));

        var error = Assert.Throws<SettingsException>(() => ProxyCertificateAuthority.Load(_ca.CertFile, _ca.KeyFile, later));

        Assert.Equal(ProxyCertificateAuthority.CertificateSetting, error.Setting);
        Assert.Contains($"the CA certificate in '{_ca.CertFile}' expired on ", error.Message, StringComparison.Ordinal);
    }

}
