using Alb.Core.Auth;
using Alb.Core.Diagnostics;
using Alb.Core.Policies;
using Alb.Core.Routing;
using Alb.Core.Translation;
using k8s.Models;
using static Alb.Core.Annotations.AnnotationText;

namespace Alb.Core.Annotations.Families;

/// <summary>
/// ingress-nginx's <c>auth</c> parser (basic auth) and <c>satisfy</c>. A bad <c>auth-type</c>, <c>auth-secret-type</c>
/// or <c>auth-realm</c> rejects the Ingress; a Secret that cannot be named, read or used denies its routes (503); so
/// does <c>auth-type: digest</c> (refused: no modern client needs it) and, where ingress-nginx would serve the route
/// unprotected, an <c>auth-secret</c> without <c>auth-type</c>. htpasswd lines that do not parse are reported and
/// leave their user unable to log in; a Secret with no valid line lets nobody in (401), as in ingress-nginx.
/// </summary>
public static class BasicAuthAnnotations
{
    private const int MaxReportedLines = 5;
    private static readonly string[] Companions = ["auth-secret", "auth-secret-type", "auth-realm"];

    public static Parsed<BasicAuthPolicy?> Read(AnnotationReader reader, string ingressNamespace, GlobalSettings settings, Func<string, string, V1Secret?> secrets)
    {
        var findings = new Findings(reader);
        var type = reader.Get("auth-type");
        if (string.IsNullOrEmpty(type))
        {
            foreach (var name in Companions.Where(reader.Has))
            {
                findings.Add(Codes.InvalidBasicAuth, name,
                    name == "auth-secret"
                        ? "is set without auth-type; ingress-nginx would serve the route unauthenticated, alb answers 503 until auth-type: basic is set (fail closed)"
                        : "has no effect without auth-type (as ingress-nginx)",
                    name == "auth-secret" ? BadValueOutcome.DenyRoute : BadValueOutcome.Default);
            }

            return findings.Result<BasicAuthPolicy?>(null);
        }

        // ingress-nginx's validators are unanchored: "xbasic" passes and becomes digest auth there; alb denies it.
        if (type != "basic" && !type.Contains("basic", StringComparison.Ordinal) && !type.Contains("digest", StringComparison.Ordinal))
        {
            findings.Add(Codes.InvalidBasicAuth, "auth-type", $"\"{Shown(type)}\" is not basic or digest; the Ingress is not served (as ingress-nginx)", BadValueOutcome.RejectIngress);
            return findings.Result<BasicAuthPolicy?>(null);
        }

        var secretType = reader.Get("auth-secret-type") is { Length: > 0 } st ? st : "auth-file";
        if (secretType is not ("auth-file" or "auth-map"))
        {
            var near = secretType.Contains("auth-file", StringComparison.Ordinal) || secretType.Contains("auth-map", StringComparison.Ordinal);
            findings.Add(Codes.InvalidBasicAuth, "auth-secret-type", $"\"{Shown(secretType)}\" is not auth-file or auth-map; {(near ? "the route answers 503" : "the Ingress is not served")} (as ingress-nginx)",
                near ? BadValueOutcome.DenyRoute : BadValueOutcome.RejectIngress);
            return findings.Result<BasicAuthPolicy?>(null);
        }

        var realm = reader.Get("auth-realm") ?? "";
        if (realm.Length > 0 && !Validators.IsCharsWithSpace(realm))
        {
            findings.Add(Codes.InvalidBasicAuth, "auth-realm", $"\"{Shown(realm)}\" holds characters a realm may not (letters, digits, spaces and - . _ ~ / : only); the Ingress is not served (as ingress-nginx)", BadValueOutcome.RejectIngress);
            return findings.Result<BasicAuthPolicy?>(null);
        }

        if (type != "basic")
        {
            findings.Add(Codes.InvalidBasicAuth, "auth-type", $"\"{Shown(type)}\" means digest auth (ingress-nginx takes any value but exactly basic as digest), which alb refuses (MD5 challenge-response, no modern client needs it); the route answers 503. Use basic over HTTPS, auth-url or JWT", BadValueOutcome.DenyRoute);
            return findings.Result<BasicAuthPolicy?>(null);
        }

        if (realm == "off")
        {
            findings.Add(Codes.AuthKeptOn, "auth-realm", "\"off\" turns nginx's auth_basic off (ingress-nginx serves the route unauthenticated); alb keeps the check with the realm text \"off\"");
        }

        var reference = reader.Get("auth-secret")?.Trim() ?? "";
        if (!TrySplit(reference, ingressNamespace, out var ns, out var secretName))
        {
            findings.Add(Codes.InvalidBasicAuth, "auth-secret", reference.Length == 0
                ? "is missing; the route answers 503 (as ingress-nginx)"
                : $"\"{Shown(reference)}\" is not name or namespace/name; the route answers 503 (as ingress-nginx)", BadValueOutcome.DenyRoute);
            return findings.Result<BasicAuthPolicy?>(null);
        }

        var id = $"{ns}/{secretName}";
        if (ns != ingressNamespace && !settings.AllowCrossNamespaceResources)
        {
            findings.Add(Codes.InvalidBasicAuth, "auth-secret", $"Secret {id} is in another namespace than the Ingress; the route answers 503 (as ingress-nginx without allow-cross-namespace-resources: \"true\")", BadValueOutcome.DenyRoute);
            return findings.Result<BasicAuthPolicy?>(null);
        }

        var secret = secrets(ns, secretName);
        if (secret is null)
        {
            findings.Add(Codes.InvalidBasicAuth, "auth-secret", $"Secret {id} does not exist; the route answers 503 (as ingress-nginx)", BadValueOutcome.DenyRoute);
            return findings.Result<BasicAuthPolicy?>(null);
        }

        HtpasswdFile file;
        if (secretType == "auth-file")
        {
            if (!HasKey(secret, "auth"))
            {
                findings.Add(Codes.InvalidBasicAuth, "auth-secret", $"Secret {id} has no key \"auth\" (htpasswd lines); the route answers 503 (as ingress-nginx)", BadValueOutcome.DenyRoute);
                return findings.Result<BasicAuthPolicy?>(null);
            }

            file = Htpasswd.Parse(TlsResolver.Read(secret, "auth") ?? "");
        }
        else
        {
            file = Htpasswd.FromMap(Entries(secret));
        }

        foreach (var problem in file.Problems.Take(MaxReportedLines))
        {
            var where = secretType == "auth-file" ? $"line {problem.Line}" : $"key \"{Shown(problem.User)}\"";
            findings.Add(Codes.HtpasswdEntry, "auth-secret", $"Secret {id} {where}{(problem.User.Length > 0 && secretType == "auth-file" ? $" (user \"{Shown(problem.User)}\")" : "")}: {problem.Reason}{(problem.Reason.StartsWith("duplicate", StringComparison.Ordinal) ? "" : "; that user cannot log in")}");
        }

        if (file.Problems.Count > MaxReportedLines)
        {
            findings.Add(Codes.HtpasswdEntry, "auth-secret", $"Secret {id}: {file.Problems.Count - MaxReportedLines} more entries do not parse");
        }

        if (file.Users.Count == 0)
        {
            findings.Add(Codes.HtpasswdEntry, "auth-secret", $"Secret {id} has no valid user; every request is answered 401 (as ingress-nginx)");
        }

        var users = file.Users.OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => new BasicAuthUser(u.Key, u.Value.Text)).ToEquatableArray();
        return findings.Result<BasicAuthPolicy?>(new BasicAuthPolicy(realm, id, users));
    }

    /// <summary><c>satisfy</c>: <c>any</c> or <c>all</c> (the default); any other value keeps all.</summary>
    public static Parsed<SatisfyMode> ReadSatisfy(AnnotationReader reader)
    {
        var findings = new Findings(reader);
        var text = reader.Get("satisfy");
        var mode = text switch
        {
            null or "" or "all" => SatisfyMode.All,
            "any" => SatisfyMode.Any,
            _ => (SatisfyMode?)null,
        };
        if (mode is null)
        {
            findings.Add(Codes.InvalidSatisfy, "satisfy", $"\"{Shown(text!)}\" is not any or all; all applies (every access check must pass)");
        }

        return findings.Result(mode ?? SatisfyMode.All);
    }

    /// <summary>Kubernetes' SplitMetaNamespaceKey: <c>name</c> (the Ingress's namespace) or <c>namespace/name</c>.</summary>
    internal static bool TrySplit(string reference, string ingressNamespace, out string ns, out string name)
    {
        (ns, name) = ("", "");
        if (reference.Length == 0 || !Validators.IsBasic(reference))
        {
            return false;
        }

        var parts = reference.Split('/');
        (ns, name) = parts.Length switch
        {
            1 => (ingressNamespace, parts[0]),
            2 => (parts[0].Length == 0 ? ingressNamespace : parts[0], parts[1]),
            _ => ("", ""),
        };
        return name.Length > 0 && ns.Length > 0;
    }

    private static bool HasKey(V1Secret secret, string key) =>
        secret.Data?.ContainsKey(key) == true || secret.StringData?.ContainsKey(key) == true;

    private static Dictionary<string, string> Entries(V1Secret secret)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in secret.Data ?? new Dictionary<string, byte[]>())
        {
            entries[key] = System.Text.Encoding.UTF8.GetString(value);
        }

        foreach (var (key, value) in secret.StringData ?? new Dictionary<string, string>())
        {
            entries.TryAdd(key, value);
        }

        return entries;
    }
}
