using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bridgekeeper.Settings;
using Bridgekeeper.Storage;

namespace Bridgekeeper.Proxy;

/// <summary>
/// The forward proxy's certificate authority: the CA that clients trust (through <c>NODE_EXTRA_CA_CERTS</c>,
/// <c>SSL_CERT_FILE</c>, …) and the leaf certificates it signs for the hosts the proxy decrypts, one per host, made on
/// first use and cached as an <see cref="SslStreamCertificateContext"/> whose chain includes the CA.
/// </summary>
internal sealed class ProxyCertificateAuthority : IDisposable
{
    public const string CertificateSetting = "proxy_ca_cert";
    public const string KeySetting = "proxy_ca_key";
    public const string CertificateFileName = "proxy-ca.pem";
    public const string KeyFileName = "proxy-ca.key";
    public const int DefaultCacheCapacity = 1_024;

    private const UnixFileMode PublicFile = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private static readonly TimeSpan LeafBackdating = TimeSpan.FromHours(1);
    private static readonly TimeSpan LeafLifetime = TimeSpan.FromDays(30);
    private static readonly TimeSpan LeafRenewal = TimeSpan.FromDays(1);
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    private readonly X509Certificate2 _signer;   // the CA certificate with its private key: never leaves this class
    private readonly AsymmetricAlgorithm _signingKey;
    private readonly X509SignatureGenerator _generator;
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly ConcurrentDictionary<string, Lazy<Leaf>> _leaves = new(StringComparer.OrdinalIgnoreCase);
    private bool _disposed;

    private ProxyCertificateAuthority(X509Certificate2 signer, TimeProvider time, int capacity)
    {
        _signer = signer;
        // By a generator, not CertificateRequest.Create(issuer, …), which refuses an issuer whose key algorithm is not the
        // leaf's: an operator's RSA CA signs the same EC leaves.
        if (signer.GetECDsaPrivateKey() is { } ec)
            (_signingKey, _generator) = (ec, X509SignatureGenerator.CreateForECDsa(ec));
        else
        {
            var rsa = signer.GetRSAPrivateKey()!;
            (_signingKey, _generator) = (rsa, X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1));
        }
        _time = time;
        _capacity = capacity;
        Certificate = X509CertificateLoader.LoadCertificate(signer.RawData);
        CertificatePem = Certificate.ExportCertificatePem();
    }

    /// <summary>The CA certificate, without its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA certificate in PEM, for clients to trust; never the key.</summary>
    public string CertificatePem { get; }

    /// <summary>How many hosts have a cached leaf.</summary>
    internal int CachedHosts => _leaves.Count;

    /// <summary>A leaf certificate and when it is renewed.</summary>
    private sealed record Leaf(SslStreamCertificateContext Context, X509Certificate2 Certificate, DateTimeOffset RenewAt);

    /// <summary>
    /// Loads the CA from a PEM certificate and a PEM private key (EC or RSA; PKCS#8, SEC1 or PKCS#1, unencrypted).
    /// </summary>
    /// <exception cref="SettingsException">A file is missing or unreadable, the certificate is no CA or not valid now, or the key is not its key.</exception>
    public static ProxyCertificateAuthority Load(string certPath, string keyPath, TimeProvider? time = null, int cacheCapacity = DefaultCacheCapacity)
    {
        time ??= TimeProvider.System;
        using var certificate = ReadCertificate(certPath);
        CheckAuthority(certificate, certPath, time.GetUtcNow());
        return new(WithKey(certificate, certPath, keyPath), time, cacheCapacity);
    }

    /// <summary>
    /// Loads the CA from <see cref="CertificateFileName"/> and <see cref="KeyFileName"/> in <paramref name="folder"/>, or
    /// makes one there: an ECDSA P-256 CA valid for 10 years. The key is written first (mode 600 from creation, whole
    /// before it appears under its name), then the certificate. Created is true for the one caller that published the
    /// certificate, so a new CA is announced once.
    /// </summary>
    /// <remarks>
    /// Concurrent creators end with the same CA without waiting for each other: the first key to be published wins, and
    /// whoever finds that key without a certificate (a concurrent creator is still making it, or one stopped between the
    /// two writes) signs a certificate for it and tries to publish that; the first certificate to be published wins, and
    /// everyone loads the files that won. So a key is never left without its certificate, and there is no waiting window.
    /// </remarks>
    /// <exception cref="SettingsException">The folder cannot be used, the key file cannot be trusted, or the files do not make a CA.</exception>
    public static (ProxyCertificateAuthority Authority, bool Created) LoadOrCreate(string folder, TimeProvider? time = null,
        int cacheCapacity = DefaultCacheCapacity)
    {
        time ??= TimeProvider.System;
        var certPath = Path.Combine(folder, CertificateFileName);
        var keyPath = Path.Combine(folder, KeyFileName);
        var created = false;
        try
        {
            Directory.CreateDirectory(folder);
            var wroteKey = false;
            if (!File.Exists(keyPath))
            {
                if (File.Exists(certPath))
                    throw new SettingsException(KeySetting, $"'{certPath}' has no key beside it ('{keyPath}'); restore the key, or delete '{certPath}' to make a new CA that clients must then trust.");
                using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                wroteKey = PrivateFiles.TryWriteNew(keyPath, key.ExportPkcs8PrivateKeyPem());
            }
            if (!wroteKey && PrivateFiles.Distrust(keyPath) is { } problem)
                throw new SettingsException(KeySetting, $"the proxy CA key {problem}.");
            if (!File.Exists(certPath))
                created = PublishCertificate(certPath, keyPath, time.GetUtcNow());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SettingsException(KeySetting, $"cannot make the proxy CA in '{folder}': {e.Message}");
        }
        return (Load(certPath, keyPath, time, cacheCapacity), created);
    }

    /// <summary>
    /// The certificate context for <paramref name="host"/> (a DNS name, or an IP literal that gets an IP address SAN):
    /// made once per host (case-insensitive), renewed when less than a day of validity is left.
    /// </summary>
    public SslStreamCertificateContext ForHost(string host)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var now = _time.GetUtcNow();
        while (true)
        {
            if (!_leaves.TryGetValue(host, out var lazy))
            {
                if (_leaves.Count >= _capacity)
                    return CreateLeaf(host, now).Context;   // the cache is full: correct, only slower
                lazy = _leaves.GetOrAdd(host, h => new Lazy<Leaf>(() => CreateLeaf(h, _time.GetUtcNow())));
            }
            var leaf = lazy.Value;
            if (now < leaf.RenewAt)
                return leaf.Context;
            // Too old: drop exactly this entry (a concurrent renewer's fresh one stays) and make another. Connections
            // still using the old context keep it; the collector frees it after them.
            _leaves.TryRemove(KeyValuePair.Create(host, lazy));
        }
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        foreach (var lazy in _leaves.Values)
            if (lazy.IsValueCreated)
                lazy.Value.Certificate.Dispose();
        _leaves.Clear();
        _signingKey.Dispose();
        _signer.Dispose();
        Certificate.Dispose();
    }

    private Leaf CreateLeaf(string host, DateTimeOffset now)
    {
        var notAfter = Min(now + LeafLifetime, _signer.NotAfter.ToUniversalTime());
        var notBefore = Max(now - LeafBackdating, _signer.NotBefore.ToUniversalTime());
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(host);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication], false));
        request.CertificateExtensions.Add(SubjectAlternativeName(host));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var hasKeyIdentifier = _signer.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Any();
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_signer,
            includeKeyIdentifier: hasKeyIdentifier, includeIssuerAndSerial: !hasKeyIdentifier));
        using var signed = request.Create(_signer.SubjectName, _generator, notBefore, notAfter, SerialNumber());
        var leaf = signed.CopyWithPrivateKey(key);
        var context = SslStreamCertificateContext.Create(leaf, new X509Certificate2Collection(Certificate), offline: true);
        return new(context, leaf, notAfter - LeafRenewal);
    }

    private static X509Extension SubjectAlternativeName(string host)
    {
        var names = new SubjectAlternativeNameBuilder();
        if (Uri.CheckHostName(host) is UriHostNameType.IPv4 or UriHostNameType.IPv6)
            names.AddIpAddress(IPAddress.Parse(host.Trim('[', ']')));
        else
            names.AddDnsName(host);
        return names.Build();
    }

    /// <summary>A random positive 16-byte serial number (the top bit clear, the top byte never zero).</summary>
    private static byte[] SerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);
        return serial;
    }

    /// <summary>Signs a CA certificate for the key in <paramref name="keyPath"/> and publishes it; false when another was published first.</summary>
    private static bool PublishCertificate(string certPath, string keyPath, DateTimeOffset now)
    {
        using var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(keyPath));
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new SettingsException(KeySetting, $"'{keyPath}' does not hold an EC private key in PEM; delete it to make a new CA.");
        }
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName($"Bridgekeeper proxy CA ({Environment.MachineName})");
        subject.AddOrganizationName("Bridgekeeper");
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var certificate = request.Create(request.SubjectName, X509SignatureGenerator.CreateForECDsa(key), now.AddDays(-1), now.AddYears(10), SerialNumber());
        if (!PrivateFiles.TryWriteNew(certPath, certificate.ExportCertificatePem()))
            return false;
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(certPath, PublicFile);   // a certificate is public: clients and their users read it
        return true;
    }

    private static string ReadFile(string setting, string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new SettingsException(setting, $"'{path}' does not exist.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SettingsException(setting, $"cannot read '{path}': {e.Message}");
        }
    }

    private static X509Certificate2 ReadCertificate(string path)
    {
        var pem = ReadFile(CertificateSetting, path);
        try
        {
            return X509Certificate2.CreateFromPem(pem);
        }
        catch (CryptographicException)
        {
            throw new SettingsException(CertificateSetting, $"'{path}' does not hold a PEM certificate.");
        }
    }

    private static void CheckAuthority(X509Certificate2 certificate, string path, DateTimeOffset now)
    {
        var constraints = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (constraints is not { CertificateAuthority: true })
            throw new SettingsException(CertificateSetting, $"the certificate in '{path}' is not a CA certificate (it needs the basic constraint CA:TRUE).");
        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (usage is not null && !usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign))
            throw new SettingsException(CertificateSetting, $"the CA certificate in '{path}' may not sign certificates (its key usage lacks keyCertSign).");
        if (now >= certificate.NotAfter.ToUniversalTime())
            throw new SettingsException(CertificateSetting, $"the CA certificate in '{path}' expired on {certificate.NotAfter.ToUniversalTime():u}.");
        if (now < certificate.NotBefore.ToUniversalTime())
            throw new SettingsException(CertificateSetting, $"the CA certificate in '{path}' is not valid before {certificate.NotBefore.ToUniversalTime():u}.");
    }

    /// <summary>The certificate with the key in <paramref name="keyPath"/>, which must be the certificate's own.</summary>
    private static X509Certificate2 WithKey(X509Certificate2 certificate, string certPath, string keyPath)
    {
        var keyPem = ReadFile(KeySetting, keyPath);
        using var key = (AsymmetricAlgorithm?)certificate.GetECDsaPublicKey() ?? certificate.GetRSAPublicKey()
            ?? throw new SettingsException(CertificateSetting, $"the CA certificate in '{certPath}' has neither an EC nor an RSA key.");
        try
        {
            key.ImportFromPem(keyPem);
            return key is ECDsa ecdsa ? certificate.CopyWithPrivateKey(ecdsa) : certificate.CopyWithPrivateKey((RSA)key);
        }
        catch (ArgumentException) when (!PemEncoding.TryFind(keyPem, out _))
        {
            throw new SettingsException(KeySetting, $"'{keyPath}' holds no PEM private key.");
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            var kind = key is ECDsa ? "EC" : "RSA";
            throw new SettingsException(KeySetting, $"'{keyPath}' does not hold the private key of the CA certificate in '{certPath}' (an unencrypted {kind} key in PEM).");
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
