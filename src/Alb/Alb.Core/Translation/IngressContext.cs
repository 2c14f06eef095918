using Alb.Core.Annotations;
using Alb.Core.Annotations.Families;
using Alb.Core.Diagnostics;
using Alb.Core.Policies;
using Alb.Core.Routing;
using Alb.Core.Snapshot;
using k8s.Models;

namespace Alb.Core.Translation;

/// <summary>
/// One Ingress being translated: its annotations read once by each family parser, their diagnostics gathered, and
/// the verdict (served, routes denied, or not served at all) decided before any route is built.
/// </summary>
internal sealed partial class IngressContext
{
    /// <summary>Keys a canary Ingress still uses (its upstream's settings in ingress-nginx).</summary>
    private static readonly HashSet<string> CanaryKeys = new(StringComparer.Ordinal) { "load-balance", "upstream-hash-by", "upstream-hash-by-subset", "upstream-hash-by-subset-size", "service-upstream", "affinity-canary-behavior" };

    private readonly List<Diagnostic> _diagnostics = [];
    private readonly GlobalSettings _settings;
    private readonly RoutePolicies _policies;
    private readonly RoutePolicies?[] _variants = new RoutePolicies?[16]; // PoliciesFor's results of this Policies, by which parts a path adds

    public IngressContext(V1Ingress ingress, GlobalSettings settings, Func<string, string, IDictionary<string, string>?> configMaps, Func<string, string, V1Secret?> secrets)
    {
        Ingress = ingress;
        _settings = settings;
        Namespace = ObjectNames.Ns(ingress.Metadata);
        IngressName = ingress.Metadata.Name;
        Name = ObjectNames.Of(ingress);
        var reader = new AnnotationReader(Name, ingress.Metadata.Annotations);

        Take(AnnotationScreen.Read(reader, settings.AnnotationsRiskLevel));
        Redirects = Take(RedirectAnnotations.Read(reader, settings));
        Rewrites = Take(RewriteAnnotations.Read(reader));
        var cors = Take(CorsAnnotations.Read(reader));
        var ranges = Take(SourceRangeAnnotations.Read(reader));
        var basicAuth = Take(BasicAuthAnnotations.Read(reader, Namespace, settings, secrets));
        var satisfy = Take(BasicAuthAnnotations.ReadSatisfy(reader));
        var externalAuth = Take(ExternalAuthAnnotations.Read(reader, Namespace, settings, configMaps));
        var enableGlobalAuth = Take(ExternalAuthAnnotations.ReadEnableGlobal(reader));
        if (externalAuth is null && settings.GlobalAuth is { } globalAuth && enableGlobalAuth)
        {
            externalAuth = globalAuth;
        }

        var albReader = new AnnotationReader(Name, ingress.Metadata.Annotations, AlbAnnotations.Prefix);
        Take(AlbAnnotations.Screen(albReader));
        var jwt = Take(JwtAnnotations.Read(albReader, Namespace, settings, secrets));
        ClientCert = Take(ClientCertAnnotations.Read(reader, Namespace, settings, secrets));
        var limits = Take(RateLimitAnnotations.Read(reader));
        var upstream = Take(ProxyAnnotations.Read(reader, settings));
        upstream = upstream with { ConnectionHeader = Take(HeaderAnnotations.ReadConnection(reader)) };
        var answer = Take(HeaderAnnotations.Read(reader, settings, configMaps, Namespace));
        var backendTls = Take(BackendTlsAnnotations.Read(reader, Namespace, secrets));
        var mirror = Take(MirrorAnnotations.Read(reader));
        var accessLog = Take(LogAnnotations.Read(reader));
        var balance = Take(BalanceAnnotations.Read(reader));
        Canary = Take(CanaryAnnotations.Read(reader));
        Aliases = Take(ServerAnnotations.Read(reader));
        SslPassthrough = Take(ServerAnnotations.ReadPassthrough(reader));
        Errors = Take(ErrorsAnnotations.Read(reader, settings));
        if (Canary is not null)
        {
            foreach (var name in reader.Names.Where(n => !CanaryKeys.Contains(n) && !n.StartsWith("canary", StringComparison.Ordinal) && AnnotationCatalog.Find(n) is { Support: not AnnotationSupport.RefusedByDesign }))
            {
                _diagnostics.Add(Codes.CanaryIgnored.At(Name, AnnotationReader.Field(name), "is not used on a canary Ingress: only its backend joins the primary route, whose annotations apply (as ingress-nginx)"));
            }
        }

        Policies = _policies = new RoutePolicies
        {
            Deny = DenyReason is null ? null : new DenyPolicy(503, DenyReason),
            Redirect = Redirects.Redirect,
            Cors = cors,
            SourceRanges = ranges,
            BasicAuth = basicAuth,
            ExternalAuth = externalAuth,
            Jwt = jwt,
            Satisfy = satisfy,
            RateLimit = limits,
            Upstream = upstream == UpstreamPolicy.From(settings) ? null : upstream,
            Answer = answer,
            BackendTls = backendTls,
            Mirror = mirror,
            NoAccessLog = !accessLog,
            Balance = balance,
        };
    }

    public V1Ingress Ingress { get; }

    public string Namespace { get; }

    public string IngressName { get; }

    public string Name { get; }

    /// <summary>The diagnostics of every family, in family order.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics => _diagnostics;

    /// <summary>Set when a value makes ingress-nginx reject the Ingress (or a snippet is present): nothing of it is served.</summary>
    public string? RejectReason { get; private set; }

    /// <summary>Set when a security annotation failed: every route of the Ingress answers 503.</summary>
    public string? DenyReason { get; private set; }

    /// <summary>Set when this Ingress is a canary: it builds no routes; its paths attach to primary routes.</summary>
    public CanaryAnnotations? Canary { get; }

    /// <summary>default-backend, custom-http-errors, disable-proxy-intercept-errors, service-upstream.</summary>
    public ErrorsAnnotations Errors { get; }

    /// <summary>auth-tls-* of this Ingress: the client-certificate policy it asks for its hosts (the oldest Ingress of a host decides).</summary>
    public ClientCertPolicy? ClientCert { get; }

    /// <summary>ssl-passthrough of this Ingress.</summary>
    public bool SslPassthrough { get; }

    /// <summary>server-alias of this Ingress.</summary>
    public EquatableArray<string> Aliases { get; }

    public RedirectAnnotations Redirects { get; }

    public RewriteAnnotations Rewrites { get; }

    /// <summary>The policies every route of this Ingress shares; per-route parts are added by <see cref="PoliciesFor"/>.</summary>
    public RoutePolicies Policies { get; private set; }

    /// <summary>The default backend and error codes, once the default-backend Service is resolved (null: none); replaces the last ones.</summary>
    public void AttachErrors(ErrorsPolicy? errors)
    {
        if (errors is null ? ReferenceEquals(Policies, _policies) : errors.Equals(Policies.Errors))
        {
            return; // the same as the last translation's: the per-path variants stay valid
        }

        Policies = errors is null ? _policies : _policies with { Errors = errors };
        Array.Clear(_variants);
    }

    /// <summary>
    /// The policies of one path: the HTTPS redirect (ingress-nginx: when the host has TLS and ssl-redirect is on, or
    /// force-ssl-redirect; never for a path under no-tls-redirect-locations), the rewrite when its target differs
    /// from the path, and app-root on the host's root.
    /// </summary>
    public RoutePolicies PoliciesFor(string host, string path, IReadOnlySet<string> tlsHosts, bool root)
    {
        var redirect = RedirectsToHttps(host, tlsHosts) && !StartsWithAny(path, _settings.NoTlsRedirectLocations);
        var rewrite = Rewrites.Rewrite is { } r && r.Target != path;
        var appRoot = root && Redirects.AppRoot is not null;
        var noAuth = (Policies.BasicAuth ?? Policies.ExternalAuth ?? (object?)Policies.Jwt) is not null && StartsWithAny(path, _settings.NoAuthLocations);
        var variant = (redirect ? 1 : 0) | (rewrite ? 2 : 0) | (appRoot ? 4 : 0) | (noAuth ? 8 : 0);

        // Every part a path adds is the same for all paths of this Ingress, so the variants are made once (and kept
        // while the Ingress is cached): no new policies per path per translation.
        return variant == 0
            ? Policies
            : _variants[variant] ??= Policies with
            {
                HttpsRedirect = redirect ? new HttpsRedirectPolicy(_settings.HttpRedirectCode, Redirects.PreserveTrailingSlash, Redirects.UsePortInRedirects) : null,
                Rewrite = rewrite ? Rewrites.Rewrite : null,
                AppRoot = appRoot ? Redirects.AppRoot : null,
                BasicAuth = noAuth ? null : Policies.BasicAuth, ExternalAuth = noAuth ? null : Policies.ExternalAuth,
                Jwt = noAuth ? null : Policies.Jwt,
            };
    }

    /// <summary>A loop, not Any with a lambda: this runs per path of every Ingress on every translation.</summary>
    private static bool StartsWithAny(string path, EquatableArray<string> prefixes)
    {
        foreach (var prefix in prefixes)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a path of this Ingress puts its host in regex mode (use-regex, or a rewrite-target other than the path).</summary>
    public bool EnforcesRegex(string path) => Rewrites.UseRegex || (Rewrites.Rewrite is { } r && r.Target != path);

    private bool RedirectsToHttps(string host, IReadOnlySet<string> tlsHosts) =>
        Redirects.ForceSslRedirect || (Redirects.SslRedirect && host.Length > 0 && CoveredByTls(host, tlsHosts));

    private static bool CoveredByTls(string host, IReadOnlySet<string> tlsHosts)
    {
        if (tlsHosts.Count == 0)
        {
            return false; // most Ingresses: no spec.tls
        }

        if (tlsHosts.Contains(host))
        {
            return true;
        }

        var dot = host.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || host.StartsWith("*.", StringComparison.Ordinal))
        {
            return false;
        }

        if (tlsHosts is HashSet<string> set && set.Comparer == StringComparer.Ordinal && host.Length <= 256)
        {
            Span<char> wildcard = stackalloc char[host.Length - dot + 1]; // "*.example.com" for "www.example.com"
            wildcard[0] = '*';
            host.AsSpan(dot).CopyTo(wildcard[1..]);
            return set.GetAlternateLookup<ReadOnlySpan<char>>().Contains(wildcard);
        }

        return tlsHosts.Contains("*" + host[dot..]);
    }

    private T Take<T>(Parsed<T> parsed)
    {
        foreach (var diagnostic in parsed.Diagnostics)
        {
            _diagnostics.Add(diagnostic); // not AddRange: it would box the ImmutableArray for every family of every Ingress
        }

        switch (parsed.Outcome)
        {
            case BadValueOutcome.RejectIngress:
                RejectReason ??= parsed.Reason;
                break;
            case BadValueOutcome.DenyRoute:
                DenyReason ??= parsed.Reason;
                break;
        }

        return parsed.Policy;
    }
}
