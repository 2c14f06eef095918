using System.Globalization;
using System.Text;

namespace Alb.Fuzz;

/// <summary>
/// A manifest (a Service and one Ingress) carrying a fuzz input's annotations, host and path, as YAML with every
/// string double-quoted and escaped, so that any value reaches ManifestParser as the same string.
/// </summary>
public static class Manifest
{
    public const string FixedHost = "fixed.example.com";

    public static string Build(FuzzInput input)
    {
        var b = new StringBuilder(1024);
        b.Append("""
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: fuzz}
            spec:
              ports: [{name: http, port: 80}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: fuzz
              namespace: fuzz
              creationTimestamp: "2026-01-01T00:00:00Z"
              annotations:

            """);
        foreach (var (key, value) in input.Annotations)
        {
            b.Append("    ");
            Quote(b, key);
            b.Append(": ");
            Quote(b, value);
            b.Append('\n');
        }

        b.Append("spec:\n  ingressClassName: alb\n  rules:\n  - ");
        if (input.Host is not null)
        {
            b.Append("host: ");
            Quote(b, input.Host);
            b.Append("\n    ");
        }

        b.Append("http:\n      paths:\n");
        var path = input.Path ?? "/";
        foreach (var kind in new[] { "ImplementationSpecific", "Prefix", "Exact" })
        {
            b.Append("      - {path: ");
            Quote(b, path);
            b.Append(", pathType: ").Append(kind).Append(", backend: {service: {name: web, port: {number: 80}}}}\n");
        }

        b.Append("  - host: ").Append(FixedHost).Append("\n    http:\n      paths:\n");
        b.Append("      - {path: /fixed, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n");
        return b.ToString();
    }

    /// <summary>A YAML double-quoted scalar: everything outside YAML's printable set, quotes and backslashes escaped.</summary>
    private static void Quote(StringBuilder b, string value)
    {
        b.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                b.Append(c).Append(value[++i]);
            }
            else if (c == '"' || c == '\\')
            {
                b.Append('\\').Append(c);
            }
            else if (c is >= ' ' and <= '~' || (c >= '\u00A0' && c <= '\uD7FF' && c != '\u2028' && c != '\u2029') || (c >= '\uE000' && c <= '\uFFFD' && c != '\uFEFF'))
            {
                b.Append(c);
            }
            else
            {
                b.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
        }

        b.Append('"');
    }
}
