using Alb.Core.Annotations;
using Alb.Core.Diagnostics;
using Alb.Core.Policies;
using Alb.Core.Routing;
using Alb.Core.Snapshot;
using k8s.Models;

namespace Alb.Core.Translation;

/// <summary>
/// The pure step: <c>(snapshot, options) → (route table, diagnostics)</c>. Touches no clock, file, socket or logger;
/// the same input always gives the same output. A bad Ingress loses only its own rules.
/// </summary>
public static class Translator
{
    /// <param name="snapshot">What to translate.</param>
    /// <param name="options">The flags that shape translation.</param>
    /// <param name="cache">The last translation's reusable work (same result, less work); null translates from scratch.</param>
    public static TranslationResult Translate(ClusterSnapshot snapshot, TranslationOptions options, TranslationCache? cache = null)
    {
        var diagnostics = new List<Diagnostic>();
        var settings = SettingsReader.Read(snapshot, options.ConfigMap, diagnostics);
        cache ??= new TranslationCache(); // one way to read an Ingress's annotations, cached or not
        cache.Begin(settings);
        var filter = new IngressClassFilter(snapshot.IngressClasses, options);
        var backends = new BackendResolver(snapshot, diagnostics, cache);
        var tls = new TlsResolver(snapshot);
        var tlsBindings = new SortedDictionary<string, string?>(StringComparer.Ordinal);

        // First pass: every accepted Ingress has its annotations read once. Refused Ingresses stop here; the hosts
        // whose paths become regexes are known before any route is built (ingress-nginx's enforceRegexModifier).
        var contexts = new List<IngressContext>();
        foreach (var slot in cache.Order(snapshot, options))
        {
            if (!slot.Screened)
            {
                slot.Ignored = filter.Accepts(slot.Ingress, out var ignored) ? null : ignored;
                slot.NullField = slot.Ignored is null ? IngressValidation.FirstNullEntry(slot.Ingress) : null;
                slot.Screened = true;
            }

            if (slot.Ignored is { } notOurs)
            {
                diagnostics.Add(notOurs);
                continue;
            }

            if (slot.NullField is { } field)
            {
                // The API server never stores one, but a client object can carry it: refused, never a crash.
                diagnostics.Add(Codes.IngressRefused.At(ObjectNames.Of(slot.Ingress), field, "not served: an empty entry"));
                continue;
            }

            var context = cache.Context(slot, settings, snapshot);
            diagnostics.AddRange(context.Diagnostics);
            if (context.RejectReason is not null)
            {
                diagnostics.Add(Codes.IngressRefused.At(context.Name, null, $"not served: {context.RejectReason}"));
                continue;
            }

            contexts.Add(context);
        }

        var regexHosts = RegexHosts(contexts);
        var hosts = new SortedDictionary<string, HostBuilder>(StringComparer.Ordinal);
        var catchAll = cache.CatchAll(regexHosts.Contains(""));
        var catchAllOwner = (string?)null;

        foreach (var context in contexts.Where(c => c.Canary is null))
        {
            var ingress = context.Ingress;
            context.AttachErrors(ErrorsFor(context, backends, settings));
            var tlsHosts = IngressTls.Read(ingress, tls, tlsBindings, diagnostics);
            var defaultRoute = ReadDefaultBackend(ingress, backends, context);
            var rules = ingress.Spec?.Rules ?? [];

            if (defaultRoute is not null && rules.Count == 0)
            {
                if (catchAllOwner is null)
                {
                    catchAll.Fallback = defaultRoute;
                    catchAllOwner = context.Name;
                }
                else
                {
                    diagnostics.Add(Codes.DuplicateDefaultBackend.At(context.Name, "spec.defaultBackend", $"the catch-all default backend is already provided by the older {catchAllOwner}; this one is not used"));
                }
            }
            else if (defaultRoute is null && rules.Count == 0)
            {
                diagnostics.Add(Codes.EmptyIngress.At(context.Name, "spec", "has neither rules nor a defaultBackend; nothing to serve"));
            }

            for (var r = 0; r < rules.Count; r++)
            {
                var rule = rules[r];
                var host = rule.Host ?? "";
                if (host.Length > 0 && !IngressValidation.TryValidateHost(host, out var why))
                {
                    diagnostics.Add(Codes.InvalidHost.At(context.Name, $"spec.rules[{r}].host", why + "; the rule is dropped"));
                    continue;
                }

                HostBuilder builder;
                if (host.Length == 0)
                {
                    builder = catchAll;
                }
                else if (!hosts.TryGetValue(host, out builder!))
                {
                    // As in ingress-nginx, the Ingress that creates a server sets what answers when no path matches,
                    // and its annotations apply there too (its implicit "/" location).
                    var policies = context.PoliciesFor(host, "/", tlsHosts, root: true);
                    var fallback = defaultRoute is not null
                        ? defaultRoute with { Policies = policies }
                        : new Route($"{context.Namespace}/{context.IngressName}/fallback", PathKind.Prefix, "/", null, new RouteSource(context.Namespace, context.IngressName, -1, -1), policies, []);
                    builder = cache.Host(host, fallback, regexHosts.Contains(host));
                    hosts[host] = builder;
                }

                if (builder.RegexPaths && !HostOfAnEarlierRule(rules, r, host) && !context.AnyEnforcesRegex(rule.Http?.Paths ?? []))
                {
                    diagnostics.Add(Codes.RegexImposed.At(context.Name, $"spec.rules[{r}]",
                        $"another Ingress of host \"{(host.Length == 0 ? "*" : host)}\" sets use-regex or rewrite-target, so this Ingress's paths are case-insensitive regexes anchored at the start (\"/foo\" also matches \"/FOObar\")"));
                }

                if (context.Aliases.Count > 0 && host.Length > 0)
                {
                    if (builder.AliasOwner is null)
                    {
                        builder.Aliases = context.Aliases;
                        builder.AliasOwner = context.Name;
                    }
                    else if (builder.AliasOwner != context.Name && !builder.Aliases.Equals(context.Aliases))
                    {
                        diagnostics.Add(Codes.AliasTaken.At(context.Name, AnnotationReader.Field("server-alias"), $"host \"{host}\" already has the aliases of the older {builder.AliasOwner}; these are not used (as ingress-nginx)"));
                    }
                }

                if (context.ClientCert is { } clientCert && !builder.TryClaimClientCert(clientCert, context.Name, out var certOwner))
                {
                    diagnostics.Add(Codes.ClientCertConflict.At(context.Name, AnnotationReader.Field("auth-tls-secret"),
                        $"host \"{(host.Length == 0 ? "*" : host)}\" already has the client-certificate settings of the older {certOwner}; this Ingress's differ and are not used (as ingress-nginx: client certificates are per host)"));
                }

                if (context.SslPassthrough && host.Length > 0)
                {
                    builder.PassthroughOwner ??= context.Name;
                }

                if (context.Redirects.FromToWww && (rule.Http?.Paths?.Count ?? 0) > 0)
                {
                    builder.RedirectFromToWww = true;
                }

                AddPaths(rule, r, builder, tlsHosts, backends, context, diagnostics);
            }
        }

        foreach (var context in contexts.Where(c => c.Canary is not null))
        {
            CanaryAttacher.Attach(context, hosts, catchAll, backends, diagnostics);
        }

        var built = hosts.Values.Select(h => h.Build()).ToList();
        var catchAllHost = catchAll.Build();
        cache.End();
        built = [.. ServerExtras.PruneAliases(built, diagnostics), .. ServerExtras.WwwRedirectHosts(hosts, settings, diagnostics)];
        foreach (var host in built.Where(h => h.Aliases.Count > 0 && tlsBindings.ContainsKey(h.Host)))
        {
            foreach (var alias in host.Aliases)
            {
                tlsBindings.TryAdd(alias, tlsBindings[host.Host]); // nginx: the server's certificate answers for its aliases
            }
        }

        var passthrough = ServerExtras.Passthrough(hosts, options, diagnostics);
        var table = new RouteTable(
            built.OrderBy(h => h.Host, StringComparer.Ordinal).Append(catchAllHost).ToEquatableArray(),
            backends.Backends.ToEquatableArray(),
            tls.Certificates.ToEquatableArray(),
            tlsBindings.Select(b => new TlsBinding(b.Key, b.Value)).ToEquatableArray(),
            IngressTls.ResolveDefaultCertificate(options, tls, diagnostics),
            settings)
        {
            Passthrough = passthrough,
        };

        return new TranslationResult(table, [.. diagnostics]);
    }

    /// <summary>default-backend resolved in the Ingress's namespace; the codes of the annotation, else the ConfigMap's.</summary>
    private static ErrorsPolicy? ErrorsFor(IngressContext context, BackendResolver backends, GlobalSettings settings)
    {
        var errors = context.Errors;
        var backendId = errors.DefaultBackend is { } name ? backends.ResolveDefaultBackend(context.Ingress, name, AnnotationReader.Field("default-backend")) : null;
        var codes = errors.DisableIntercept ? [] : errors.InterceptCodes ?? settings.CustomHttpErrors;
        return backendId is null && codes.Count == 0 ? null : new ErrorsPolicy(backendId, codes);
    }

    /// <summary>Hosts ("" = the catch-all) where any path of any served Ingress sets use-regex or a rewrite-target other than the path.</summary>
    private static HashSet<string> RegexHosts(List<IngressContext> contexts)
    {
        var hosts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var context in contexts)
        {
            if (context.Canary is null)
            {
                foreach (var host in context.RegexHosts)
                {
                    hosts.Add(host);
                }
            }
        }

        return hosts;
    }

    /// <summary>Whether a rule before <paramref name="r"/> names <paramref name="host"/> too (a host is told of an imposed regex once per Ingress).</summary>
    private static bool HostOfAnEarlierRule(IList<V1IngressRule> rules, int r, string host)
    {
        for (var i = 0; i < r; i++)
        {
            if (string.Equals(rules[i].Host ?? "", host, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static void AddPaths(V1IngressRule rule, int r, HostBuilder builder, IReadOnlySet<string> tlsHosts, BackendResolver backends, IngressContext context, List<Diagnostic> diagnostics)
    {
        var paths = rule.Http?.Paths ?? [];
        for (var p = 0; p < paths.Count; p++)
        {
            var path = paths[p];
            var field = FieldPath.OfPath(r, p);
            if (!IngressValidation.TryParsePathType(path.PathType, out var kind))
            {
                diagnostics.Add(Codes.InvalidPathType.At(context.Name, field.Then(".pathType").ToString(),
                    (path.PathType is null ? "is required" : $"\"{path.PathType}\" is not Exact, Prefix or ImplementationSpecific") + "; the path is dropped"));
                continue;
            }

            string normalized;
            if (builder.RegexPaths)
            {
                if (!context.TryRegexPath(r, p, path.Path, out normalized, out var regexWhy))
                {
                    diagnostics.Add(Codes.InvalidRegexPath.At(context.Name, field.Then(".path").ToString(), regexWhy + "; the path is dropped"));
                    continue;
                }
            }
            else if (!IngressValidation.TryNormalizePath(path.Path, kind, out normalized, out var why))
            {
                diagnostics.Add(Codes.InvalidPath.At(context.Name, field.Then(".path").ToString(), why + "; the path is dropped"));
                continue;
            }

            var backendId = backends.Resolve(context.Ingress, path.Backend, field.Then(".backend"), context.Errors.ServiceUpstream);
            var route = context.PathRoute(r, p, kind, normalized, backendId, context.PoliciesFor(builder.Host, normalized, tlsHosts, root: normalized == "/"));
            if (builder.TryAdd(route, context.Name, out var winner))
            {
                continue;
            }

            diagnostics.Add(Codes.DuplicatePath.At(context.Name, field.ToString(),
                $"host \"{builder.Host}\" path \"{normalized}\" ({kind}) is already served by the older {winner}; this path is not used"));
        }
    }

    private static Route? ReadDefaultBackend(V1Ingress ingress, BackendResolver backends, IngressContext context)
    {
        if (ingress.Spec?.DefaultBackend is not { } backend)
        {
            return null;
        }

        var id = backends.Resolve(ingress, backend, "spec.defaultBackend", context.Errors.ServiceUpstream);
        return new Route($"{context.Namespace}/{context.IngressName}/default", PathKind.Prefix, "/", id, new RouteSource(context.Namespace, context.IngressName, -1, -1), context.PoliciesFor("", "/", IngressTls.None, root: true), []);
    }
}
