using Alb.Core.Diagnostics;
using Alb.Core.Routing;
using static Alb.Core.Annotations.AnnotationText;

namespace Alb.Core.Annotations.Families;

/// <summary>
/// <c>default-backend</c> (a Service name of the Ingress's namespace; a bad name rejects the Ingress),
/// <c>custom-http-errors</c> (4xx/5xx codes; a bad list rejects the Ingress), <c>disable-proxy-intercept-errors</c>
/// and <c>service-upstream</c>, as ingress-nginx's parsers.
/// </summary>
public sealed record ErrorsAnnotations(string? DefaultBackend, EquatableArray<int>? InterceptCodes, bool DisableIntercept, bool ServiceUpstream)
{
    public static Parsed<ErrorsAnnotations> Read(AnnotationReader reader, GlobalSettings settings)
    {
        var findings = new Findings(reader);
        string? backend = null;
        if (reader.Get("default-backend")?.Trim() is { Length: > 0 } name)
        {
            if (IsServiceName(name))
            {
                backend = name;
            }
            else
            {
                findings.Add(Codes.InvalidErrorsValue, "default-backend", $"\"{Shown(name)}\" is not a Service name (a DNS-1035 label); the Ingress is not served (as ingress-nginx)", BadValueOutcome.RejectIngress);
            }
        }

        EquatableArray<int>? codes = null;
        if (reader.Get("custom-http-errors") is { Length: > 0 } list)
        {
            if (TryParseCodes(list, 400, 599, out var parsed))
            {
                codes = parsed;
            }
            else
            {
                findings.Add(Codes.InvalidErrorsValue, "custom-http-errors", $"\"{Shown(list)}\" is not a list of 4xx/5xx codes; the Ingress is not served (as ingress-nginx)", BadValueOutcome.RejectIngress);
            }
        }

        return findings.Result(new ErrorsAnnotations(backend, codes, findings.Bool(Codes.InvalidErrorsValue, "disable-proxy-intercept-errors", false, onBad: false), findings.Bool(Codes.InvalidErrorsValue, "service-upstream", settings.ServiceUpstream, onBad: false)));
    }

    /// <summary>A comma list of status codes in <paramref name="min"/>..<paramref name="max"/> (at most 64), sorted, distinct.</summary>
    public static bool TryParseCodes(string text, int min, int max, out EquatableArray<int> codes)
    {
        var set = new SortedSet<int>();
        foreach (var entry in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (entry.Length != 3 || !NginxValues.TryParseInt(entry, min, max, out var code) || set.Count >= 64)
            {
                codes = [];
                return false;
            }

            set.Add(code);
        }

        codes = set.ToEquatableArray();
        return set.Count > 0;
    }

    private static bool IsServiceName(string name) =>
        name.Length is > 0 and <= 63 && name[0] is >= 'a' and <= 'z' && name[^1] is (>= 'a' and <= 'z') or (>= '0' and <= '9') &&
        name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');
}
