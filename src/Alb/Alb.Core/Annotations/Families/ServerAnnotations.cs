using Alb.Core.Diagnostics;
using Alb.Core.Routing;
using Alb.Core.Translation;
using static Alb.Core.Annotations.AnnotationText;

namespace Alb.Core.Annotations.Families;

/// <summary>
/// <c>server-alias</c>: more names for the hosts of this Ingress. As ingress-nginx's alias parser, a value with
/// characters outside its validator rejects the Ingress; alb serves DNS names and <c>*.domain</c> wildcards, and skips
/// nginx regex server names (<c>~^...</c>) with a diagnostic.
/// </summary>
public static class ServerAnnotations
{
    /// <summary><c>ssl-passthrough</c>: a bad boolean rejects the Ingress, as ingress-nginx.</summary>
    public static Parsed<bool> ReadPassthrough(AnnotationReader reader)
    {
        var findings = new Findings(reader);
        var on = false;
        if (reader.Get("ssl-passthrough") is { Length: > 0 } text && !NginxValues.TryParseBool(text, out on))
        {
            findings.Add(Codes.InvalidServerAlias, "ssl-passthrough", $"\"{Shown(text)}\" is not a boolean; the Ingress is not served (as ingress-nginx)", BadValueOutcome.RejectIngress);
        }

        return findings.Result(on);
    }

    public static Parsed<EquatableArray<string>> Read(AnnotationReader reader)
    {
        var findings = new Findings(reader);
        var text = reader.Get("server-alias");
        if (string.IsNullOrWhiteSpace(text))
        {
            return findings.Result<EquatableArray<string>>([]);
        }

        var aliases = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var entry in NginxValues.SplitList(text).Take(101))
        {
            if (!Validators.IsServerName(entry) || aliases.Count >= 100)
            {
                findings.Add(Codes.InvalidServerAlias, "server-alias", $"\"{Shown(entry)}\" is not a server name (or more than 100 aliases); the Ingress is not served (as ingress-nginx)", BadValueOutcome.RejectIngress);
                return findings.Result<EquatableArray<string>>([]);
            }

            var name = entry.ToLowerInvariant();
            if (!IngressValidation.TryValidateHost(name, out var why))
            {
                findings.Add(Codes.InvalidServerAlias, "server-alias", $"\"{Shown(entry)}\" is skipped: alb serves DNS names and *.domain wildcards only ({why})");
                continue;
            }

            aliases.Add(name);
        }

        return findings.Result(aliases.ToEquatableArray());
    }
}
