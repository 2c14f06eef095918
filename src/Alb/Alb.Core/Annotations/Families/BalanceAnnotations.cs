using Alb.Core.Diagnostics;
using Alb.Core.Policies;
using Alb.Core.Routing;
using static Alb.Core.Annotations.AnnotationText;

namespace Alb.Core.Annotations.Families;

/// <summary>
/// <c>affinity</c> with <c>affinity-mode</c> and the <c>session-cookie-*</c> keys, <c>upstream-hash-by</c> (with
/// <c>-subset</c>, <c>-subset-size</c>) and <c>load-balance</c>, as ingress-nginx's sessionaffinity, upstreamhashby and
/// loadbalancing parsers: bad cookie attributes are omitted, a bad load-balance or hash key refuses the Ingress.
/// </summary>
public static class BalanceAnnotations
{
    public const string DefaultCookieName = "INGRESSCOOKIE";

    public static Parsed<BalancePolicy?> Read(AnnotationReader reader)
    {
        var findings = new Findings(reader);
        var affinity = ReadAffinity(reader, findings);

        string? hashBy = null;
        if (reader.Get("upstream-hash-by")?.Trim() is { Length: > 0 } template)
        {
            string? why = "longer than 256 characters";
            if (template.Length <= 256 && HashKey.TryParse(template, out _, out why))
            {
                hashBy = template;
            }
            else
            {
                findings.Add(Codes.InvalidBalance, "upstream-hash-by", $"\"{Shown(template)}\": {why}; the Ingress is not served (as ingress-nginx for a value it refuses)", BadValueOutcome.RejectIngress);
            }
        }

        var subset = 0;
        if (reader.Get("upstream-hash-by-subset") is { Length: > 0 } subsetText)
        {
            if (!NginxValues.TryParseBool(subsetText, out var on))
            {
                findings.Add(Codes.InvalidBalance, "upstream-hash-by-subset", $"\"{Shown(subsetText)}\" is not a boolean; no subsets");
            }
            else if (on)
            {
                subset = 3;
                if (reader.Get("upstream-hash-by-subset-size") is { Length: > 0 } sizeText && !NginxValues.TryParseInt(sizeText, 0, 1000, out subset))
                {
                    findings.Add(Codes.InvalidBalance, "upstream-hash-by-subset-size", $"\"{Shown(sizeText)}\" is not a whole number in 0-1000; 3 applies");
                    subset = 3;
                }

                subset = subset == 0 ? 3 : subset;
            }
        }

        var algorithm = BalanceAlgorithm.RoundRobin;
        if (reader.Get("load-balance") is { Length: > 0 } lb)
        {
            switch (lb)
            {
                case "round_robin":
                    break;
                case "ewma":
                    algorithm = BalanceAlgorithm.Ewma;
                    break;
                case "chash" or "chashsubset" or "sticky_balanced" or "sticky_persistent":
                    findings.Add(Codes.InvalidBalance, "load-balance", $"\"{lb}\" is chosen by upstream-hash-by or affinity, not by load-balance; round_robin applies");
                    break;
                default:
                    findings.Add(Codes.InvalidBalance, "load-balance", $"\"{Shown(lb)}\" is not round_robin or ewma; the Ingress is not served (as ingress-nginx)", BadValueOutcome.RejectIngress);
                    break;
            }
        }

        BalancePolicy? policy = affinity is not null ? new BalancePolicy(BalanceAlgorithm.Sticky) { Affinity = affinity }
            : hashBy is not null ? new BalancePolicy(BalanceAlgorithm.ConsistentHash) { HashBy = hashBy, SubsetSize = subset }
            : algorithm == BalanceAlgorithm.Ewma ? new BalancePolicy(BalanceAlgorithm.Ewma)
            : null;
        return findings.Result(policy);
    }

    private static AffinityPolicy? ReadAffinity(AnnotationReader reader, Findings findings)
    {
        var type = reader.Get("affinity");
        if (string.IsNullOrEmpty(type))
        {
            return null;
        }

        if (type != "cookie")
        {
            findings.Add(Codes.InvalidBalance, "affinity", $"\"{Shown(type)}\" is not \"cookie\" (the only affinity ingress-nginx has); no affinity");
            return null;
        }

        var persistent = false;
        if (reader.Get("affinity-mode") is { Length: > 0 } mode)
        {
            if (mode is "persistent" or "balanced")
            {
                persistent = mode == "persistent";
            }
            else
            {
                findings.Add(Codes.InvalidBalance, "affinity-mode", $"\"{Shown(mode)}\" is not balanced or persistent; balanced applies");
            }
        }

        var name = Text(reader, findings, "session-cookie-name", Validators.IsBasic, "the name INGRESSCOOKIE is used") ?? DefaultCookieName;
        if (name.Any(c => c is '/' or ':'))
        {
            findings.Add(Codes.InvalidBalance, "session-cookie-name", $"\"{Shown(name)}\" is not a cookie name; INGRESSCOOKIE is used");
            name = DefaultCookieName;
        }

        var sameSite = Text(reader, findings, "session-cookie-samesite", v => v.ToLowerInvariant() is "none" or "lax" or "strict", "no SameSite attribute is sent");
        return new AffinityPolicy(
            name,
            persistent,
            Text(reader, findings, "session-cookie-path", v => v.StartsWith('/') && Validators.IsUrl(v) && !v.Contains(',', StringComparison.Ordinal), "the route's path is used"),
            Text(reader, findings, "session-cookie-domain", v => Validators.IsBasic(v) && !v.Contains('/', StringComparison.Ordinal) && !v.Contains(':', StringComparison.Ordinal), "no Domain attribute is sent"),
            Seconds(reader, findings, "session-cookie-expires"),
            Seconds(reader, findings, "session-cookie-max-age"),
            sameSite,
            findings.Bool(Codes.InvalidBalance, "session-cookie-secure", false),
            findings.Bool(Codes.InvalidBalance, "session-cookie-conditional-samesite-none", false),
            findings.Bool(Codes.InvalidBalance, "session-cookie-change-on-failure", false));
    }

    private static string? Text(AnnotationReader reader, Findings findings, string name, Func<string, bool> valid, string otherwise)
    {
        var text = reader.Get(name)?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (text.Length <= 256 && valid(text))
        {
            return text;
        }

        findings.Add(Codes.InvalidBalance, name, $"\"{Shown(text)}\" is not valid here; {otherwise}");
        return null;
    }

    private static long? Seconds(AnnotationReader reader, Findings findings, string name)
    {
        if (reader.Get(name) is not { Length: > 0 } text)
        {
            return null;
        }

        if (NginxValues.TryParseInt(text, 0, int.MaxValue, out var seconds))
        {
            return seconds;
        }

        findings.Add(Codes.InvalidBalance, name, $"\"{Shown(text)}\" is not a whole number of seconds; the attribute is not sent");
        return null;
    }
}
