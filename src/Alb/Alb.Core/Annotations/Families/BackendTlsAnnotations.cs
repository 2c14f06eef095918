using Alb.Core.Diagnostics;
using Alb.Core.Policies;
using Alb.Core.Translation;
using k8s.Models;
using static Alb.Core.Annotations.AnnotationText;

namespace Alb.Core.Annotations.Families;

/// <summary>
/// ingress-nginx's <c>proxyssl</c> parser: <c>proxy-ssl-secret</c> (<c>namespace/name</c> in the Ingress's namespace)
/// holds <c>ca.crt</c> and/or <c>tls.crt</c>+<c>tls.key</c>; a reference that does not parse, names another namespace,
/// or a Secret that is missing or unusable denies the route (503); <c>proxy-ssl-verify</c> (off),
/// <c>-verify-depth</c> (1), <c>-name</c>, <c>-server-name</c> (off) and <c>-protocols</c> (TLSv1.2) fall back to
/// their defaults on a bad value.
/// </summary>
public static class BackendTlsAnnotations
{
    public static Parsed<BackendTlsPolicy?> Read(AnnotationReader reader, string ingressNamespace, Func<string, string, V1Secret?> secrets)
    {
        var findings = new Findings(reader);
        var reference = reader.Get("proxy-ssl-secret")?.Trim();
        if (string.IsNullOrEmpty(reference))
        {
            foreach (var name in reader.Names.Where(n => n.StartsWith("proxy-ssl-", StringComparison.Ordinal) && n != "proxy-ssl-ciphers"))
            {
                findings.Add(Codes.InvalidBackendTls, name, "has no effect without proxy-ssl-secret (as ingress-nginx)");
            }

            return findings.Result<BackendTlsPolicy?>(null);
        }

        var slash = reference.IndexOf('/', StringComparison.Ordinal);
        if (!Validators.IsBasic(reference) || slash <= 0 || slash == reference.Length - 1 || reference.IndexOf('/', slash + 1) >= 0)
        {
            findings.Add(Codes.InvalidBackendTls, "proxy-ssl-secret", $"\"{Shown(reference)}\" is not namespace/name; the route answers 503 (as ingress-nginx)", BadValueOutcome.DenyRoute);
            return findings.Result<BackendTlsPolicy?>(null);
        }

        var (ns, secretName) = (reference[..slash], reference[(slash + 1)..]);
        if (ns != ingressNamespace)
        {
            findings.Add(Codes.InvalidBackendTls, "proxy-ssl-secret", $"Secret {reference} is in another namespace than the Ingress; the route answers 503 (as ingress-nginx without allow-cross-namespace-resources)", BadValueOutcome.DenyRoute);
            return findings.Result<BackendTlsPolicy?>(null);
        }

        var secret = secrets(ns, secretName);
        var ca = secret is null ? null : TlsResolver.Read(secret, "ca.crt");
        var cert = secret is null ? null : TlsResolver.Read(secret, "tls.crt");
        var key = secret is null ? null : TlsResolver.Read(secret, "tls.key");
        if (secret is null || (ca is null && (cert is null || key is null)) || !Usable(ca, cert, key))
        {
            findings.Add(Codes.InvalidBackendTls, "proxy-ssl-secret", $"Secret {reference} {(secret is null ? "does not exist" : "has neither ca.crt nor tls.crt with tls.key, or they do not load")}; the route answers 503 (as ingress-nginx)", BadValueOutcome.DenyRoute);
            return findings.Result<BackendTlsPolicy?>(null);
        }

        var verify = findings.OnOff(Codes.InvalidBackendTls, "proxy-ssl-verify", false);
        var depth = 1;
        if (reader.Get("proxy-ssl-verify-depth") is { Length: > 0 } depthText && (!NginxValues.TryParseInt(depthText, 0, 100, out depth) || depth == 0))
        {
            findings.Add(Codes.InvalidBackendTls, "proxy-ssl-verify-depth", $"\"{Shown(depthText)}\" is not a depth of 1-100; 1 applies");
            depth = 1;
        }

        string? serverName = null;
        if (reader.Get("proxy-ssl-name")?.Trim() is { Length: > 0 } nameText)
        {
            if (IngressValidation.TryValidateHost(nameText.ToLowerInvariant(), out _))
            {
                serverName = nameText.ToLowerInvariant();
            }
            else
            {
                findings.Add(Codes.InvalidBackendTls, "proxy-ssl-name", $"\"{Shown(nameText)}\" is not a host name; the backend's name is not checked against it");
            }
        }

        var (tls12, tls13) = (true, false);
        if (reader.Get("proxy-ssl-protocols") is { Length: > 0 } protocols)
        {
            var words = protocols.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length > 0 && words.All(w => w is "TLSv1.2" or "TLSv1.3"))
            {
                (tls12, tls13) = (words.Contains("TLSv1.2"), words.Contains("TLSv1.3"));
            }
            else
            {
                findings.Add(Codes.InvalidBackendTls, "proxy-ssl-protocols", $"\"{Shown(protocols)}\" is not a list of TLSv1.2 / TLSv1.3; TLSv1.2 applies");
            }
        }

        return findings.Result<BackendTlsPolicy?>(new BackendTlsPolicy(reference, verify, depth, serverName, findings.OnOff(Codes.InvalidBackendTls, "proxy-ssl-server-name", false), tls13, tls12, ca, cert, key));
    }

    private static bool Usable(string? ca, string? cert, string? key)
    {
        try
        {
            if (ca is not null)
            {
                var collection = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
                collection.ImportFromPem(ca);
                if (collection.Count == 0)
                {
                    return false;
                }
            }

            if (cert is not null && key is not null)
            {
                using var _ = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(cert, key);
            }

            return true;
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            return false;
        }
    }
}
