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

    public ProxyState(RouteTable table, long hash, IReadOnlyDictionary<string, BackendPool> pools, CertificateStore certificates, RequestMetrics metrics, PipelineContext pipelines)
    {
        Table = table;
        Hash = hash;
        Matcher = new RouteMatcher(table);
        Identity = new ClientIdentity(table.Settings);
        Ciphers = OperatingSystem.IsLinux()
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
            _notFound[host] = new RouteRuntime(null, host, null, RoutePipeline.NotFound, metrics);
            var clientCert = host.ClientCert is { } certPolicy ? new Auth.ClientCertCheck(certPolicy, pipelines.Services.Time) : null;
            foreach (var route in host.Routes.Append(host.Fallback))
            {
                if (route is not null)
                {
                    var pool = route.BackendId is { } id ? Pools.GetValueOrDefault(id) : null;
                    _routes[route] = new RouteRuntime(route, host, pool, RoutePipeline.Compile(route, pool, pipelines, clientCert), metrics);
                }
            }
        }

        JwksUrls = pipelines.JwksUrls;
    }

    /// <summary>The JWKS URLs this table's routes fetch keys from (kept running while the table serves).</summary>
    public IReadOnlySet<string> JwksUrls { get; }

    public RouteTable Table { get; }

    public long Hash { get; }

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

    public RouteRuntime Runtime(in RouteMatch match) =>
        match.Route is { } route && _routes.TryGetValue(route, out var runtime) ? runtime : _notFound[match.Host];
}
