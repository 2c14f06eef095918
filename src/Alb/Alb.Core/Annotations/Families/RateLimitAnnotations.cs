using Alb.Core.Diagnostics;
using Alb.Core.Policies;
using Alb.Core.Routing;
using static Alb.Core.Annotations.AnnotationText;

namespace Alb.Core.Annotations.Families;

/// <summary>
/// ingress-nginx's <c>ratelimit</c> parser: <c>limit-rps</c>, <c>limit-rpm</c>, <c>limit-connections</c> (a bad number
/// rejects the Ingress, as ingress-nginx), <c>limit-burst-multiplier</c> (bad: 5), <c>limit-allowlist</c> /
/// <c>limit-whitelist</c> (a bad entry rejects the Ingress).
/// </summary>
public static class RateLimitAnnotations
{
    public const int DefaultBurstMultiplier = 5;

    public static Parsed<RateLimitPolicy?> Read(AnnotationReader reader)
    {
        var findings = new Findings(reader);
        var rps = Rate(reader, findings, "limit-rps");
        var rpm = Rate(reader, findings, "limit-rpm");
        var connections = Rate(reader, findings, "limit-connections");

        var multiplier = DefaultBurstMultiplier;
        if (reader.Get("limit-burst-multiplier") is { Length: > 0 } text && !NginxValues.TryParseInt(text, 1, 1_000_000, out multiplier))
        {
            findings.Add(Codes.InvalidRateLimit, "limit-burst-multiplier", $"\"{Shown(text)}\" is not a whole number from 1; default {DefaultBurstMultiplier} applies");
            multiplier = DefaultBurstMultiplier;
        }

        var exempt = new SortedSet<string>(StringComparer.Ordinal);
        var listName = reader.Get("limit-allowlist") is { Length: > 0 } ? "limit-allowlist" : "limit-whitelist";
        if (reader.Get(listName) is { Length: > 0 } list)
        {
            foreach (var entry in NginxValues.SplitList(list).Take(1025))
            {
                if (NginxValues.TryParseCidr(entry, out var network) && exempt.Count < 1024)
                {
                    exempt.Add(network.ToString());
                }
                else
                {
                    findings.Add(Codes.InvalidRateLimit, listName, $"\"{Shown(entry)}\" is not an address or CIDR; the Ingress is not served (as ingress-nginx)", BadValueOutcome.RejectIngress);
                    break;
                }
            }
        }

        var policy = rps == 0 && rpm == 0 && connections == 0 ? null : new RateLimitPolicy(rps, rpm, connections, multiplier, exempt.ToEquatableArray());
        return findings.Result(policy);
    }

    private static int Rate(AnnotationReader reader, Findings findings, string name)
    {
        if (reader.Get(name) is not { Length: > 0 } text)
        {
            return 0;
        }

        if (NginxValues.TryParseInt(text, 0, 1_000_000, out var value))
        {
            return value;
        }

        findings.Add(Codes.InvalidRateLimit, name, $"\"{Shown(text)}\" is not a whole number in 0-1000000; the Ingress is not served (as ingress-nginx)", BadValueOutcome.RejectIngress);
        return 0;
    }
}
