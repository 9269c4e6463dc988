using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RedisStreams.Testing;

/// <summary>
/// A <c>redis-server</c> that accepts TLS only, with a CA and server certificate generated for the test, and
/// a second CA that did not issue it (for "untrusted certificate" tests).
/// </summary>
public sealed class TlsRedisServer : IDisposable
{
    readonly RedisServerProcess _server;
    readonly string _directory;

    TlsRedisServer(RedisServerProcess server, string directory)
    {
        _server = server;
        _directory = directory;
    }

    /// <summary>The TLS port on 127.0.0.1.</summary>
    public int Port => _server.Port;

    /// <summary>PEM file of the CA that issued the server certificate.</summary>
    public string CaPath => Path.Combine(_directory, "ca.pem");

    /// <summary>PEM file of a CA that has nothing to do with the server.</summary>
    public string UntrustedCaPath => Path.Combine(_directory, "untrusted-ca.pem");

    /// <summary>Starts the server; <paramref name="password"/> sets <c>requirepass</c> when given.</summary>
    public static async Task<TlsRedisServer> StartAsync(string? password = null)
    {
        var directory = Directory.CreateTempSubdirectory("redis-streams-tls-").FullName;
        WriteCertificates(directory);
        var port = FreePorts.Next();
        var arguments = new List<string>
        {
            "--port", "0",
            "--tls-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tls-cert-file", Path.Combine(directory, "server.pem"),
            "--tls-key-file", Path.Combine(directory, "server.key"),
            "--tls-ca-cert-file", Path.Combine(directory, "ca.pem"),
            "--tls-auth-clients", "no",
        };
        if (password is not null)
        {
            arguments.AddRange(["--requirepass", password]);
        }

        var server = await RedisServerProcess.StartAsync(port, [.. arguments]).ConfigureAwait(false);
        return new TlsRedisServer(server, directory);
    }

    static void WriteCertificates(string directory)
    {
        var now = DateTimeOffset.UtcNow;
        using var ca = CreateAuthority("CN=redis-streams-test-ca", now);
        using var untrusted = CreateAuthority("CN=someone-else-ca", now);
        using var serverKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var server = request.Create(ca, now.AddDays(-1), now.AddDays(2), RandomNumberGenerator.GetBytes(16));

        File.WriteAllText(Path.Combine(directory, "ca.pem"), ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "untrusted-ca.pem"), untrusted.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "server.pem"), server.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "server.key"), serverKey.ExportPkcs8PrivateKeyPem());
    }

    static X509Certificate2 CreateAuthority(string name, DateTimeOffset now)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(3));
    }

    /// <summary>Stops the server and removes the certificates.</summary>
    public void Dispose()
    {
        _server.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
