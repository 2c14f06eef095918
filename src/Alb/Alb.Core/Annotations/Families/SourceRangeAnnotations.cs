using Alb.Core.Diagnostics;
using Alb.Core.Policies;
using Alb.Core.Routing;
using static Alb.Core.Annotations.AnnotationText;

namespace Alb.Core.Annotations.Families;

/// <summary>
/// <c>allowlist-source-range</c> (alias <c>whitelist-source-range</c>) and <c>denylist-source-range</c>, as
/// ingress-nginx's <c>ipallowlist</c>/<c>ipdenylist</c> parsers: one entry that is not an address or CIDR denies every
/// route of the Ingress (503). Never served unrestricted.
/// </summary>
public static class SourceRangeAnnotations
{
    private const int MaxEntries = 1024;

    public static Parsed<SourceRangePolicy?> Read(AnnotationReader reader)
    {
        var findings = new Findings(reader);
        var allowName = reader.Get("allowlist-source-range") is { Length: > 0 } ? "allowlist-source-range" : "whitelist-source-range";
        var allow = ReadList(reader, findings, allowName);
        var deny = ReadList(reader, findings, "denylist-source-range");
        return findings.Result(allow is null && deny is null ? null : new SourceRangePolicy(allow ?? [], deny ?? []));
    }

    private static EquatableArray<string>? ReadList(AnnotationReader reader, Findings findings, string name)
    {
        var text = reader.Get(name);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var entries = text.Length > 64 * MaxEntries ? [text] : NginxValues.SplitList(text);
        var valid = new SortedSet<string>(StringComparer.Ordinal);
        var bad = new List<string>();
        foreach (var entry in entries.Take(MaxEntries + 1))
        {
            if (valid.Count < MaxEntries && NginxValues.TryParseCidr(entry, out var network))
            {
                valid.Add(network.ToString());
            }
            else
            {
                bad.Add(entry);
            }
        }

        if (bad.Count == 0)
        {
            return valid.ToEquatableArray();
        }

        var shown = string.Join(", ", bad.Take(3).Select(b => $"\"{Shown(b)}\""));
        findings.Add(Codes.InvalidSourceRange, name,
            $"{shown} {(bad.Count == 1 ? "is not an address or CIDR" : "are not addresses or CIDRs")}; every route of the Ingress answers 503 (fail closed, as ingress-nginx)", BadValueOutcome.DenyRoute);
        return valid.ToEquatableArray();
    }
}
