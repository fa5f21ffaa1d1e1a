using Bridgekeeper.Proxy;

namespace Bridgekeeper.Tests.Proxy;

/// <summary>A temp folder of its own for a proxy CA's files, removed on dispose.</summary>
internal sealed class CaFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("bk-proxy-ca-").FullName;

    public string CertFile => System.IO.Path.Combine(Path, ProxyCertificateAuthority.CertificateFileName);

    public string KeyFile => System.IO.Path.Combine(Path, ProxyCertificateAuthority.KeyFileName);

    /// <summary>Writes an operator's CA files (a certificate and a key in PEM) into the folder.</summary>
    public (string CertPath, string KeyPath) Write(string certPem, string keyPem)
    {
        var certPath = System.IO.Path.Combine(Path, "operator-ca.pem");
        var keyPath = System.IO.Path.Combine(Path, "operator-ca.key");
        File.WriteAllText(certPath, certPem);
        File.WriteAllText(keyPath, keyPem);
        return (certPath, keyPath);
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
