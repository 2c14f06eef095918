using Alb.Core.Diagnostics;
using Alb.Core.Policies;

namespace Alb.Core.Translation;

/// <summary>Canary Ingresses build no routes of their own: their paths join the primary routes as alternative backends.</summary>
internal static class CanaryAttacher
{
    /// <summary>
    /// ingress-nginx's mergeAlternativeBackends: each path of a canary Ingress joins the primary route of the same
    /// host, path and pathType as its alternative backend; the first canary of a route wins; no primary, not served.
    /// </summary>
    public static void Attach(IngressContext context, SortedDictionary<string, HostBuilder> hosts, HostBuilder catchAll, BackendResolver backends, List<Diagnostic> diagnostics)
    {
        var canary = context.Canary!;
        if (context.Ingress.Spec?.DefaultBackend is not null)
        {
            diagnostics.Add(Codes.CanaryIgnored.At(context.Name, "spec.defaultBackend", "a canary's default backend is not attached to the catch-all routes by alb; ignored"));
        }

        var rules = context.Ingress.Spec?.Rules ?? [];
        for (var r = 0; r < rules.Count; r++)
        {
            var host = rules[r].Host ?? "";
            var builder = host.Length == 0 ? catchAll : hosts.GetValueOrDefault(host);
            var paths = rules[r].Http?.Paths ?? [];
            for (var p = 0; p < paths.Count; p++)
            {
                var path = paths[p];
                var field = $"spec.rules[{r}].http.paths[{p}]";
                if (!IngressValidation.TryParsePathType(path.PathType, out var kind))
                {
                    diagnostics.Add(Codes.InvalidPathType.At(context.Name, field + ".pathType", "is missing or unknown; the canary path is dropped"));
                    continue;
                }

                var normalized = "/";
                var valid = builder is not null && (builder.RegexPaths
                    ? context.TryRegexPath(r, p, path.Path, out normalized, out _)
                    : IngressValidation.TryNormalizePath(path.Path, kind, out normalized, out _));
                var backendId = backends.Resolve(context.Ingress, path.Backend, field + ".backend", context.Errors.ServiceUpstream);
                var policy = new CanaryPolicy(backendId, $"{context.Namespace}/{context.IngressName}", canary.Header, canary.HeaderValue, canary.HeaderPattern, canary.HeaderPatternInvalid, canary.Cookie, canary.Weight, canary.WeightTotal);
                string? taken = null;
                if (valid && builder!.TryUpdate(kind, normalized, route =>
                    {
                        if (route.Policies.Canary is { } existing)
                        {
                            taken = existing.Ingress;
                            return null;
                        }

                        return route.BackendId == backendId ? null : route with { Policies = route.Policies with { Canary = policy } };
                    }))
                {
                    continue;
                }

                diagnostics.Add(taken is not null
                    ? Codes.CanaryIgnored.At(context.Name, field, $"the primary route of host \"{host}\" path \"{path.Path}\" already has the canary of Ingress {taken}; only one canary per route is used (as ingress-nginx)")
                    : Codes.CanaryWithoutPrimary.At(context.Name, field, $"no primary Ingress serves host \"{(host.Length == 0 ? "*" : host)}\" path \"{path.Path}\" ({kind}) with another Service; this canary path is not served"));
            }
        }
    }
}
