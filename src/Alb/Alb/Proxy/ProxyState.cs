using System.Collections.Frozen;
using Alb.Core.Routing;
using Route = Alb.Core.Routing.Route;
using Alb.Observability;
using Alb.Pipeline;
using Alb.Tls;

namespace Alb.Proxy;

/// <summary>Everything a request needs, built from one route table and swapped in whole.</summary>
internal sealed class ProxyState
{
    private readonly Dictionary<Route, RouteRuntime> _routes = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<VirtualHost, RouteRuntime> _notFound = new(ReferenceEqualityComparer.Instance);

    public ProxyState(RouteTable table, IReadOnlyDictionary<string, BackendPool> pools, CertificateStore certificates, RequestMetrics metrics, PipelineContext pipelines, ProxyState? serving = null)
    {
        Table = table;
        Matcher = new RouteMatcher(table, serving?.Matcher);
        Identity = new ClientIdentity(table.Settings);
        // TLS 1.3 alone: no policy, which offers the same three suites (OpenSSL's TLS 1.3 defaults) and lets .NET reuse
        // one SSL_CTX per certificate, so sessions resume; with any policy .NET builds a context per connection.
        Ciphers = OperatingSystem.IsLinux() && table.Settings.SslProtocols != "TLSv1.3"
            ? new System.Net.Security.CipherSuitesPolicy([.. Core.Tls.CipherNames.Tls13, .. Core.Tls.CipherNames.Parse(table.Settings.SslCiphers, out _)])
            : null;
        ResponseHeaders = pipelines.Forwarding.ResponseHeaders;
        Certificates = certificates;
        Pools = pools.ToFrozenDictionary(StringComparer.Ordinal);
        Passthrough = table.Passthrough
            .Where(p => Pools.ContainsKey(p.BackendId))
            .ToFrozenDictionary(p => p.Host, p => Pools[p.BackendId], StringComparer.OrdinalIgnoreCase);
        foreach (var host in table.Hosts)
        {
            _notFound[host] = serving?._notFound.GetValueOrDefault(host) ?? new RouteRuntime(null, host, null, RoutePipeline.NotFound, metrics);
            var clientCert = host.ClientCert is { } certPolicy ? new Auth.ClientCertCheck(certPolicy, pipelines.Services.Time) : null;
            foreach (var route in host.Routes.Append(host.Fallback))
            {
                if (route is not null)
                {
                    var pool = route.BackendId is { } id ? Pools.GetValueOrDefault(id) : null;
                    var reused = serving?.Reusable(route, host, pool, pipelines);
                    _routes[route] = reused ?? new RouteRuntime(route, host, pool, RoutePipeline.Compile(route, pool, pipelines, clientCert), metrics);
                    Compiled += reused is null ? 1 : 0;
                }
            }
        }

        JwksUrls = pipelines.JwksUrls;
    }

    /// <summary>Route pipelines compiled for this state; the others were reused from the state it replaced.</summary>
    public int Compiled { get; }

    /// <summary>The JWKS URLs this table's routes fetch keys from (kept running while the table serves).</summary>
    public IReadOnlySet<string> JwksUrls { get; }

    public RouteTable Table { get; }

    /// <summary>The configuration hash (<see cref="ConfigHash"/>), set by the publisher once this state serves.</summary>
    public long Hash { get; set; }

    public RouteMatcher Matcher { get; }

    /// <summary>ssl-ciphers as a .NET policy (TLS 1.3 suites always offered); null where the platform has none.</summary>
    public System.Net.Security.CipherSuitesPolicy? Ciphers { get; }

    /// <summary>ssl-passthrough hosts and the pools their TLS connections are spliced to.</summary>
    public FrozenDictionary<string, BackendPool> Passthrough { get; }

    /// <summary>The client address rules of the ConfigMap (use-forwarded-headers, enable-real-ip, proxy-real-ip-cidr).</summary>
    public ClientIdentity Identity { get; }

    /// <summary>HSTS and Server, on every answer.</summary>
    public ResponseHeaders ResponseHeaders { get; }

    public CertificateStore Certificates { get; }

    public FrozenDictionary<string, BackendPool> Pools { get; }

    /// <summary>
    /// This state's runtime of the same route object (a host shared by <see cref="RouteTableReuse"/>), when everything
    /// its pipeline was compiled from is unchanged too: the pools it forwards to, the settings, and the display host.
    /// Its rate limiter and JWKS source are claimed for the new state, as compiling would.
    /// </summary>
    private RouteRuntime? Reusable(Route route, VirtualHost host, BackendPool? pool, PipelineContext pipelines)
    {
        if (!_routes.TryGetValue(route, out var runtime) || runtime.Pool != pool || !ReferenceEquals(Table.Settings, pipelines.Settings)
            || runtime.Host != RouteRuntime.HostLabel(host))
        {
            return null;
        }

        var policies = route.Policies;
        if ((policies.Errors?.BackendId is { } errors && pipelines.Pool(errors) != Pools.GetValueOrDefault(errors))
            || (policies.Canary?.BackendId is { } canary && pipelines.Pool(canary) != Pools.GetValueOrDefault(canary)))
        {
            return null;
        }

        if (policies.RateLimit is { } limit)
        {
            pipelines.Limits(route.Id, limit); // the same policy under the same id: the limiter the pipeline holds
        }

        if (policies.Jwt?.JwksUrl is { } url)
        {
            pipelines.Jwks(url);
        }

        return runtime;
    }

    public RouteRuntime Runtime(in RouteMatch match) =>
        match.Route is { } route && _routes.TryGetValue(route, out var runtime) ? runtime : _notFound[match.Host];
}
