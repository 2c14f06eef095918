using Alb.Core.Annotations;
using Alb.Core.Diagnostics;
using Alb.Core.Policies;
using Alb.Core.Routing;

namespace Alb.Core.Translation;

/// <summary>What a host gets beyond its routes: server-alias names, from-to-www-redirect twins, ssl-passthrough.</summary>
internal static class ServerExtras
{
    /// <summary>
    /// ssl-passthrough as ingress-nginx: host-wide once any Ingress of the host sets it, only with the flag, to the
    /// backend of the host's "/" path (other paths and every other annotation of the host do not apply over TLS).
    /// </summary>
    public static EquatableArray<PassthroughHost> Passthrough(SortedDictionary<string, HostBuilder> hosts, TranslationOptions options, List<Diagnostic> diagnostics)
    {
        var result = new List<PassthroughHost>();
        foreach (var builder in hosts.Values.Where(h => h.PassthroughOwner is not null))
        {
            var field = AnnotationReader.Field("ssl-passthrough");
            var root = builder.Find(PathKind.Prefix, "/");
            if (!options.EnableSslPassthrough)
            {
                diagnostics.Add(Codes.PassthroughIgnored.At(builder.PassthroughOwner!, field, "alb serve runs without --enable-ssl-passthrough (as ingress-nginx, the annotation needs the flag); TLS for this host is terminated by alb"));
            }
            else if (builder.Host.StartsWith("*.", StringComparison.Ordinal) || root?.BackendId is null)
            {
                diagnostics.Add(Codes.PassthroughIgnored.At(builder.PassthroughOwner!, field, $"host \"{builder.Host}\" {(root is null ? "has no \"/\" Prefix path to pass TLS to" : "is a wildcard")}; TLS for it is terminated by alb"));
            }
            else
            {
                result.Add(new PassthroughHost(builder.Host, root.BackendId));
            }
        }

        return result.ToEquatableArray();
    }

    /// <summary>An alias that is some host's own name, or another host's alias already, is dropped (ingress-nginx keeps hosts first).</summary>
    public static IEnumerable<VirtualHost> PruneAliases(List<VirtualHost> hosts, List<Diagnostic> diagnostics)
    {
        var names = new HashSet<string>(hosts.Select(h => h.Host), StringComparer.Ordinal);
        foreach (var host in hosts)
        {
            if (host.Aliases.Count == 0)
            {
                yield return host;
                continue;
            }

            var kept = new List<string>();
            foreach (var alias in host.Aliases)
            {
                if (names.Add(alias))
                {
                    kept.Add(alias);
                }
                else
                {
                    var owner = host.Fallback?.Source ?? (host.Routes.Count > 0 ? host.Routes[0].Source : new RouteSource("", "", -1, -1));
                    diagnostics.Add(Codes.AliasTaken.At($"Ingress {owner.Namespace}/{owner.Ingress}", AnnotationReader.Field("server-alias"), $"\"{alias}\" is already a host or an alias of another host; not used for \"{host.Host}\""));
                }
            }

            yield return host with { Aliases = kept.ToEquatableArray() };
        }
    }

    /// <summary>ingress-nginx's BuildRedirects: a server for www.H (or H without www.) that redirects everything to H.</summary>
    public static IEnumerable<VirtualHost> WwwRedirectHosts(SortedDictionary<string, HostBuilder> hosts, GlobalSettings settings, List<Diagnostic> diagnostics)
    {
        var made = new HashSet<string>(StringComparer.Ordinal);
        foreach (var builder in hosts.Values.Where(h => h.RedirectFromToWww && !h.Host.StartsWith("*.", StringComparison.Ordinal)))
        {
            var host = builder.Host;
            var from = host.StartsWith("www.", StringComparison.Ordinal) ? host[4..] : "www." + host;
            var owner = builder.Fallback?.Source ?? new RouteSource("", "", -1, -1);
            if (hosts.ContainsKey(from) || !made.Add(from) || !IngressValidation.TryValidateHost(from, out _))
            {
                diagnostics.Add(Codes.AliasTaken.At($"Ingress {owner.Namespace}/{owner.Ingress}", AnnotationReader.Field("from-to-www-redirect"), $"\"{from}\" is served by an Ingress of its own (or is not a valid host); no redirect to \"{host}\" is made (as ingress-nginx)"));
                continue;
            }

            var policies = new RoutePolicies { WwwRedirect = new WwwRedirectPolicy(host, settings.HttpRedirectCode) };
            var route = new Route($"{owner.Namespace}/{owner.Ingress}/www-redirect/{from}", PathKind.Prefix, "/", null, owner, policies, []);
            yield return new VirtualHost(from, [], route);
        }
    }
}
