using System.Globalization;
using Edge.Testing;

namespace Alb.Tests.Fixtures;

/// <summary>A temporary manifest directory and builders for the objects tests put in it.</summary>
internal sealed class ManifestDir : IDisposable
{
    public ManifestDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "alb-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Writes atomically (temp file + rename), as kubectl-style tools and ConfigMap mounts do.</summary>
    public void Write(string name, string yaml)
    {
        var target = System.IO.Path.Combine(Path, name);
        var temp = System.IO.Path.Combine(Path, "." + name + ".tmp");
        File.WriteAllText(temp, yaml);
        File.Move(temp, target, overwrite: true);
    }

    public void Delete(string name) => File.Delete(System.IO.Path.Combine(Path, name));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A Service and one EndpointSlice per port, each with the ready endpoint 127.0.0.1 at that port.</summary>
    public static string Backend(string name, IEnumerable<int> ports, string ns = "default", int servicePort = 80)
    {
        var text = $"""
            apiVersion: v1
            kind: Service
            metadata:
              name: {name}
              namespace: {ns}
            spec:
              ports:
              - name: http
                port: {servicePort}
            ---

            """;
        foreach (var port in ports)
        {
            text += $"""
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: {name}-{port}
                  namespace: {ns}
                  labels:
                    kubernetes.io/service-name: {name}
                addressType: IPv4
                ports:
                - name: http
                  port: {port}
                endpoints:
                - addresses: ["127.0.0.1"]
                ---

                """;
        }

        return text;
    }

    /// <summary>An Ingress with one rule: host, path (Prefix) → service:80; optional TLS Secret and annotations.</summary>
    public static string Ingress(string name, string host, string path, string service, string ns = "default", string? tlsSecret = null, IDictionary<string, string>? annotations = null)
    {
        var text = $"""
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: {name}
              namespace: {ns}
              annotations:

            """;
        foreach (var (key, value) in annotations ?? new Dictionary<string, string>())
        {
            text += $"    \"{key}\": \"{value}\"\n";
        }

        text += "spec:\n  ingressClassName: alb\n";
        if (tlsSecret is not null)
        {
            text += $"  tls:\n  - hosts: [\"{host}\"]\n    secretName: {tlsSecret}\n";
        }

        text += $"""
              rules:
              - host: "{host}"
                http:
                  paths:
                  - path: "{path}"
                    pathType: Prefix
                    backend:
                      service:
                        name: {service}
                        port:
                          number: 80
            ---

            """;
        return text;
    }
}
