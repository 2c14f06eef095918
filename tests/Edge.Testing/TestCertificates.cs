namespace Edge.Testing;

/// <summary>
/// Long-lived self-signed test certificates (ECDSA P-256) committed for tests only:
/// <c>secure.example.com</c> (SANs secure.example.com, *.secure.example.com) and <c>other.example.com</c>.
/// </summary>
public static class TestCertificates
{
    public static string CertificatePem(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Certificates", name + ".crt"));

    public static string KeyPem(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Certificates", name + ".key"));

    /// <summary>A kubernetes.io/tls Secret manifest holding the named certificate.</summary>
    public static string SecretYaml(string name, string secretName, string ns = "default") =>
        $"""
        apiVersion: v1
        kind: Secret
        metadata: {"{"}name: {secretName}, namespace: {ns}{"}"}
        type: kubernetes.io/tls
        data:
          tls.crt: {Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(CertificatePem(name)))}
          tls.key: {Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(KeyPem(name)))}
        """;
}
