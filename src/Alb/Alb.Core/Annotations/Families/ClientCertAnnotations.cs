using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Alb.Core.Diagnostics;
using Alb.Core.Policies;
using Alb.Core.Routing;
using Alb.Core.Tls;
using Alb.Core.Translation;
using k8s.Models;
using static Alb.Core.Annotations.AnnotationText;

namespace Alb.Core.Annotations.Families;

/// <summary>
/// ingress-nginx's <c>authtls</c> parser: <c>auth-tls-secret</c> (<c>namespace/name</c>, keys <c>ca.crt</c> and
/// optional <c>ca.crl</c>), <c>auth-tls-verify-client</c>, <c>-verify-depth</c>, <c>-error-page</c>,
/// <c>-pass-certificate-to-upstream</c> and <c>-match-cn</c>. Values ingress-nginx rejects reject the Ingress; a
/// reference it denies denies the routes (503); a Secret that cannot be used denies the Ingress's routes too (503) and
/// makes the host's other paths answer 403 (the policy carries the problem). Where ingress-nginx would serve without the check, alb denies or keeps it on.
/// </summary>
public static partial class ClientCertAnnotations
{
    private static readonly string[] Companions = ["auth-tls-verify-depth", "auth-tls-error-page", "auth-tls-pass-certificate-to-upstream"];

    public static Parsed<ClientCertPolicy?> Read(AnnotationReader reader, string ingressNamespace, GlobalSettings settings, Func<string, string, V1Secret?> secrets)
    {
        var findings = new Findings(reader);
        var reference = reader.Get("auth-tls-secret")?.Trim();
        if (string.IsNullOrEmpty(reference))
        {
            Orphans(reader, findings);
            return findings.Result<ClientCertPolicy?>(null);
        }

        if (!Validators.IsBasic(reference))
        {
            findings.Add(Codes.InvalidClientCert, "auth-tls-secret", $"\"{Shown(reference)}\" holds characters a Secret reference may not (letters, digits and - . _ ~ / : only); the Ingress is not served (as ingress-nginx)", BadValueOutcome.RejectIngress);
            return findings.Result<ClientCertPolicy?>(null);
        }

        var slash = reference.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == reference.Length - 1 || reference.IndexOf('/', slash + 1) >= 0)
        {
            findings.Add(Codes.InvalidClientCert, "auth-tls-secret", $"\"{Shown(reference)}\" is not namespace/name (ingress-nginx needs both); the routes answer 503 (as ingress-nginx)", BadValueOutcome.DenyRoute);
            return findings.Result<ClientCertPolicy?>(null);
        }

        var (ns, name) = (reference[..slash], reference[(slash + 1)..]);
        if (ns != ingressNamespace && !settings.AllowCrossNamespaceResources)
        {
            findings.Add(Codes.InvalidClientCert, "auth-tls-secret", $"Secret {reference} is in another namespace than the Ingress; the routes answer 503 (as ingress-nginx without allow-cross-namespace-resources: \"true\")", BadValueOutcome.DenyRoute);
            return findings.Result<ClientCertPolicy?>(null);
        }

        var verify = ReadVerify(reader, findings);
        var depth = ReadDepth(reader, findings);
        var pass = reader.Get("auth-tls-pass-certificate-to-upstream") is { Length: > 0 } passText ? passText : null;
        var passCertificate = false;
        if (pass is not null && !NginxValues.TryParseBool(pass, out passCertificate))
        {
            findings.Add(Codes.InvalidClientCert, "auth-tls-pass-certificate-to-upstream", $"\"{Shown(pass)}\" is not a boolean (true/false); the Ingress is not served (as ingress-nginx)", BadValueOutcome.RejectIngress);
            return findings.Result<ClientCertPolicy?>(null);
        }

        var errorPage = reader.Get("auth-tls-error-page") is { Length: > 0 } page ? page.Trim() : null;
        if (errorPage is not null)
        {
            if (!ErrorPageSyntax().IsMatch(errorPage))
            {
                findings.Add(Codes.InvalidClientCert, "auth-tls-error-page", $"\"{Shown(errorPage)}\" is not a URL, a path or an @location; the Ingress is not served (as ingress-nginx)", BadValueOutcome.RejectIngress);
                return findings.Result<ClientCertPolicy?>(null);
            }

            if (!errorPage.StartsWith('/') && !errorPage.StartsWith("http://", StringComparison.Ordinal) && !errorPage.StartsWith("https://", StringComparison.Ordinal))
            {
                findings.Add(Codes.InvalidClientCert, "auth-tls-error-page", errorPage.StartsWith('@')
                    ? $"\"{Shown(errorPage)}\" names an nginx named location, which has no meaning in alb; the routes answer 503 (use an absolute http(s) URL or a path)"
                    : $"\"{Shown(errorPage)}\" is neither an absolute http(s) URL nor a path (a Location without a scheme is relative); the routes answer 503", BadValueOutcome.DenyRoute);
                return findings.Result<ClientCertPolicy?>(null);
            }
        }

        var matchCn = reader.Get("auth-tls-match-cn") is { Length: > 0 } cn ? cn : null;
        if (matchCn is not null && !IsMatchCn(matchCn, out var why))
        {
            findings.Add(Codes.InvalidClientCert, "auth-tls-match-cn", $"\"{Shown(matchCn)}\" {why}; the Ingress is not served (as ingress-nginx)", BadValueOutcome.RejectIngress);
            return findings.Result<ClientCertPolicy?>(null);
        }

        var policy = new ClientCertPolicy(reference, verify, depth)
        {
            ErrorPage = errorPage,
            PassCertificate = passCertificate,
            MatchCn = matchCn,
        };
        var problem = LoadSecret(secrets(ns, name), reference, out var caPem, out var thumbprints, out var crlPem);
        if (problem is not null)
        {
            // ingress-nginx denies the Ingress's locations (503); alb also keeps the host closed: the other Ingresses'
            // paths of the host answer 403 instead of being served without the certificate check (fail closed).
            findings.Add(Codes.ClientCertSecretUnusable, "auth-tls-secret", problem + "; this Ingress's routes answer 503 (as ingress-nginx) and the host's other paths 403 (fail closed)", BadValueOutcome.DenyRoute);
            return findings.Result<ClientCertPolicy?>(policy with { Problem = problem });
        }

        return findings.Result<ClientCertPolicy?>(policy with { CaPem = caPem, CaThumbprints = thumbprints, CrlPem = crlPem });
    }

    /// <summary>ca.crt with at least one certificate, and ca.crl (if present) whose first PEM block is a CRL that parses.</summary>
    internal static string? LoadSecret(V1Secret? secret, string id, out string caPem, out EquatableArray<string> thumbprints, out string? crlPem)
    {
        (caPem, thumbprints, crlPem) = ("", default, null);
        if (secret is null)
        {
            return $"Secret {id} does not exist";
        }

        var ca = TlsResolver.Read(secret, "ca.crt");
        if (ca is null)
        {
            return $"Secret {id} has no key \"ca.crt\" (ingress-nginx would silently serve the host without client certificates)";
        }

        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(ca);
        }
        catch (CryptographicException e)
        {
            return $"Secret {id} ca.crt does not parse: {e.Message.TrimEnd('.')}";
        }

        if (certificates.Count == 0)
        {
            return $"Secret {id} ca.crt holds no PEM certificate";
        }

        thumbprints = certificates.Select(c => c.GetCertHashString(HashAlgorithmName.SHA256)).ToEquatableArray();
        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }

        var crl = TlsResolver.Read(secret, "ca.crl");
        if (crl is not null && !RevocationList.TryParseAll(crl, out _, out var crlError))
        {
            return $"Secret {id} ca.crl {crlError}";
        }

        (caPem, crlPem) = (ca, crl);
        return null;
    }

    /// <summary>The value must start with <c>CN=</c>; the whole value is the regex run against the subject DN, as nginx's <c>!~</c>.</summary>
    internal static bool IsMatchCn(string value, out string why)
    {
        why = "";
        if (!value.StartsWith("CN=", StringComparison.Ordinal))
        {
            why = "does not start with CN=";
            return false;
        }

        try
        {
            _ = new Regex(value, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
            return true;
        }
        catch (ArgumentException e)
        {
            why = $"is not a regular expression alb can run in linear time ({e.Message.TrimEnd('.')})";
            return false;
        }
        catch (NotSupportedException e)
        {
            why = $"uses a regex construct alb cannot run in linear time ({e.Message.TrimEnd('.')})";
            return false;
        }
    }

    private static ClientVerifyMode ReadVerify(AnnotationReader reader, Findings findings)
    {
        var text = reader.Get("auth-tls-verify-client");
        switch (text)
        {
            case null or "" or "on":
                return ClientVerifyMode.On;
            case "off":
                return ClientVerifyMode.Off;
            case "optional":
                return ClientVerifyMode.Optional;
            case "optional_no_ca":
                return ClientVerifyMode.OptionalNoCa;
            default:
                findings.Add(Codes.ClientCertValueDefaulted, "auth-tls-verify-client", $"\"{Shown(text)}\" is not on, off, optional or optional_no_ca; on applies (as ingress-nginx)");
                return ClientVerifyMode.On;
        }
    }

    private static int ReadDepth(AnnotationReader reader, Findings findings)
    {
        var text = reader.Get("auth-tls-verify-depth");
        if (string.IsNullOrEmpty(text))
        {
            return 1;
        }

        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var depth) && depth is > 0 and <= 100)
        {
            return depth;
        }

        findings.Add(Codes.ClientCertValueDefaulted, "auth-tls-verify-depth", $"\"{Shown(text)}\" is not a depth from 1 to 100; 1 applies (as ingress-nginx)");
        return 1;
    }

    /// <summary>auth-tls-* without auth-tls-secret: ingress-nginx ignores them all; alb denies where that would drop a check someone asked for.</summary>
    private static void Orphans(AnnotationReader reader, Findings findings)
    {
        if (reader.Get("auth-tls-verify-client") is { } verify && verify.Trim() != "off")
        {
            findings.Add(Codes.InvalidClientCert, "auth-tls-verify-client", "is set without auth-tls-secret; ingress-nginx would serve the routes without a client certificate, alb answers 503 until auth-tls-secret names the CA (fail closed)", BadValueOutcome.DenyRoute);
        }

        if (reader.Has("auth-tls-match-cn"))
        {
            findings.Add(Codes.InvalidClientCert, "auth-tls-match-cn", "is set without auth-tls-secret; ingress-nginx would serve the routes without the check, alb answers 503 (fail closed)", BadValueOutcome.DenyRoute);
        }

        foreach (var name in Companions.Where(reader.Has))
        {
            findings.Add(Codes.ClientCertValueDefaulted, name, "has no effect without auth-tls-secret (as ingress-nginx)");
        }
    }

    [GeneratedRegex(@"^(@[A-Za-z0-9_-]+|((https?://)?[A-Za-z0-9.-]+(:[0-9]+)?)?(/[A-Za-z0-9._~%-]*)*/?)$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex ErrorPageSyntax();
}
