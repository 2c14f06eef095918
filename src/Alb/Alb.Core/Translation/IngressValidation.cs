using System.Net;
using Alb.Core.Routing;
using k8s.Models;

namespace Alb.Core.Translation;

/// <summary>The API server's checks on Ingress hosts and paths (TryParse-shaped: bad input gives a reason), and the spec's null entries.</summary>
public static class IngressValidation
{
    private static readonly string[] InvalidPathSequences = ["//", "/./", "/../", "%2f", "%2F"];
    private static readonly string[] InvalidPathSuffixes = ["/..", "/."];

    /// <summary>A rule host: a lowercase DNS-1123 subdomain, optionally <c>*.</c> + one, never an IP address.</summary>
    public static bool TryValidateHost(string host, out string? reason)
    {
        reason = null;
        if (IPAddress.TryParse(host, out _))
        {
            reason = $"\"{host}\" is an IP address; Ingress hosts must be DNS names";
            return false;
        }

        var name = host.AsSpan();
        if (host.StartsWith("*.", StringComparison.Ordinal))
        {
            name = name[2..];
        }
        else if (host.Contains('*', StringComparison.Ordinal))
        {
            reason = $"\"{host}\": a wildcard must be the whole first label (\"*.example.com\")";
            return false;
        }

        if (name.Length is 0 or > 253)
        {
            reason = $"\"{host}\" must be 1 to 253 characters";
            return false;
        }

        foreach (var range in name.Split('.')) // over spans: every rule of every Ingress is checked on each translation
        {
            if (!IsDnsLabel(name[range], out var why))
            {
                reason = $"\"{host}\": {why}";
                return false;
            }
        }

        return true;
    }

    private static bool IsDnsLabel(ReadOnlySpan<char> label, out string why)
    {
        why = "";
        if (label.Length is 0 or > 63)
        {
            why = "each label must be 1 to 63 characters";
            return false;
        }

        foreach (var c in label)
        {
            if (c is >= 'A' and <= 'Z')
            {
                why = "must be lowercase";
                return false;
            }

            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                why = $"character '{c}' is not allowed (a-z, 0-9, '-', '.')";
                return false;
            }
        }

        if (label[0] == '-' || label[^1] == '-')
        {
            why = "a label must not start or end with '-'";
            return false;
        }

        return true;
    }

    /// <summary>
    /// The first null entry of a list in the Ingress's spec (rules, their paths, TLS entries and their hosts), as a
    /// field path; null when there is none. The API server never stores one; translation and admission refuse it.
    /// </summary>
    public static string? FirstNullEntry(V1Ingress ingress)
    {
        var rules = ingress.Spec?.Rules ?? [];
        for (var r = 0; r < rules.Count; r++)
        {
            if (rules[r] is null)
            {
                return $"spec.rules[{r}]";
            }

            var paths = rules[r].Http?.Paths ?? [];
            for (var p = 0; p < paths.Count; p++)
            {
                if (paths[p] is null)
                {
                    return $"spec.rules[{r}].http.paths[{p}]";
                }
            }
        }

        var tls = ingress.Spec?.Tls ?? Array.Empty<V1IngressTLS>(); // not []: that makes a List per Ingress
        for (var t = 0; t < tls.Count; t++)
        {
            if (tls[t] is null)
            {
                return $"spec.tls[{t}]";
            }

            var hosts = tls[t].Hosts ?? Array.Empty<string>();
            for (var h = 0; h < hosts.Count; h++)
            {
                if (hosts[h] is null)
                {
                    return $"spec.tls[{t}].hosts[{h}]";
                }
            }
        }

        return null;
    }

    public static bool TryParsePathType(string? value, out PathKind kind)
    {
        switch (value)
        {
            case "Exact":
                kind = PathKind.Exact;
                return true;
            case "Prefix":
                kind = PathKind.Prefix;
                return true;
            case "ImplementationSpecific":
                kind = PathKind.ImplementationSpecific;
                return true;
            default:
                kind = default;
                return false;
        }
    }

    /// <summary>
    /// A path as the API server and ingress-nginx's strict path validation accept it: absolute, no dot segments
    /// or encoded slashes, only URI path characters. Returns the path to match on (Prefix: without trailing '/').
    /// </summary>
    public static bool TryNormalizePath(string? path, PathKind kind, out string normalized, out string? reason)
    {
        reason = null;
        normalized = "/";
        if (string.IsNullOrEmpty(path))
        {
            if (kind == PathKind.ImplementationSpecific)
            {
                return true;
            }

            reason = $"a path is required for pathType {kind}";
            return false;
        }

        if (path[0] != '/')
        {
            reason = $"\"{path}\" must start with '/'";
            return false;
        }

        foreach (var bad in InvalidPathSequences)
        {
            if (path.Contains(bad, StringComparison.Ordinal))
            {
                reason = $"\"{path}\" must not contain \"{bad}\"";
                return false;
            }
        }

        foreach (var bad in InvalidPathSuffixes)
        {
            if (path.EndsWith(bad, StringComparison.Ordinal))
            {
                reason = $"\"{path}\" must not end with \"{bad}\"";
                return false;
            }
        }

        foreach (var c in path)
        {
            if (!IsPathChar(c))
            {
                reason = $"\"{path}\" holds '{(char.IsControl(c) ? $"\\u{(int)c:x4}" : c)}', which is not a URI path character (use use-regex for patterns)";
                return false;
            }
        }

        normalized = kind != PathKind.Exact && path.Length > 1 ? path.TrimEnd('/') : path;
        if (normalized.Length == 0)
        {
            normalized = "/";
        }

        return true;
    }

    // RFC 3986 pchar plus '/': unreserved, sub-delims, ':', '@', and '%' of a pct-encoding.
    private static bool IsPathChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
            or '-' or '.' or '_' or '~' or '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '='
            or ':' or '@' or '/' or '%';
}
