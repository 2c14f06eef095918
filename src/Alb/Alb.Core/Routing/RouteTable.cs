using System.Text.Json.Serialization;
using Alb.Core.Policies;

namespace Alb.Core.Routing;

/// <summary>The whole translated configuration; compared by value so an unchanged rebuild publishes nothing.</summary>
public sealed record RouteTable(
    EquatableArray<VirtualHost> Hosts,
    EquatableArray<Backend> Backends,
    EquatableArray<TlsCertificate> Certificates,
    EquatableArray<TlsBinding> TlsHosts,
    string? DefaultCertificateId,
    GlobalSettings Settings)
{
    public static RouteTable Empty { get; } = new([], [], [], [], null, GlobalSettings.Default);

    /// <summary><c>ssl-passthrough</c> hosts (with <c>--enable-ssl-passthrough</c>): TLS for these names is spliced to the backend.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public EquatableArray<PassthroughHost> Passthrough { get; init; }

    /// <summary>The catch-all host name: rules without a host and requests whose Host matches no other.</summary>
    public const string CatchAllHost = "_";
}

public enum PathKind
{
    Exact,
    Prefix,
    ImplementationSpecific,
}

/// <summary>Where a route came from: the Ingress and the position of the rule and path in it.</summary>
public sealed record RouteSource(string Namespace, string Ingress, int Rule, int Path)
{
    public override string ToString() => Rule < 0 ? $"Ingress {Namespace}/{Ingress} spec.defaultBackend" : $"Ingress {Namespace}/{Ingress} spec.rules[{Rule}].http.paths[{Path}]";
}

/// <summary>
/// One host+path of one Ingress and the policies its annotations ask for. <see cref="BackendId"/> null means the
/// global default backend (404).
/// </summary>
public sealed record Route(
    string Id,
    PathKind Kind,
    string Path,
    string? BackendId,
    RouteSource Source,
    RoutePolicies Policies,
    EquatableArray<string> Shadowed);

/// <summary>ingress-nginx <c>backend-protocol</c>: HTTP (and AUTO_HTTP), HTTPS, GRPC (h2c), GRPCS (h2 over TLS).</summary>
public enum UpstreamProtocol
{
    Http,
    Https,
    Grpc,
    Grpcs,
}

/// <summary>
/// A server in nginx terms: every route for one host (exact, <c>*.suffix</c>, or <see cref="RouteTable.CatchAllHost"/>),
/// in match order, and what answers when no path matches (<see cref="Fallback"/>; null = 404).
/// </summary>
public sealed record VirtualHost(string Host, EquatableArray<Route> Routes, Route? Fallback)
{
    /// <summary>
    /// Regex mode (ingress-nginx's <c>enforceRegexModifier</c>): an Ingress of this host set use-regex or a
    /// rewrite-target, so every path of the host is a case-insensitive regex anchored at the start, tried in
    /// <see cref="Routes"/> order (longest path first); the first match wins.
    /// </summary>
    public bool RegexPaths { get; init; }

    /// <summary>
    /// <c>auth-tls-*</c>: client-certificate authentication of this server, as the oldest Ingress of the host with an
    /// <c>auth-tls-secret</c> set it; every route of the host (and its fallback) checks it. Null = no client certificate.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ClientCertPolicy? ClientCert { get; init; }

    /// <summary><c>server-alias</c>: more names (exact or <c>*.domain</c>) that select this server when no host of their own exists.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public EquatableArray<string> Aliases { get; init; }
}

/// <summary>A Service port resolved to endpoints. A non-null <see cref="Problem"/> makes every route to it answer 503.</summary>
public sealed record Backend(
    string Id,
    string Namespace,
    string Service,
    string Port,
    EquatableArray<BackendEndpoint> Endpoints,
    string? ExternalName,
    string? Problem);

public sealed record BackendEndpoint(string Address, int Port)
{
    /// <summary>host:port as it goes into a URI (IPv6 in brackets).</summary>
    [JsonIgnore]
    public string Authority => Address.Contains(':', StringComparison.Ordinal) ? $"[{Address}]:{Port}" : $"{Address}:{Port}";
}

/// <summary>
/// A validated certificate and key from a Secret. The PEM text is part of equality (a rotation is a change)
/// but never serialized or printed.
/// </summary>
public sealed record TlsCertificate(
    string Id,
    string Thumbprint,
    DateTimeOffset NotAfter,
    [property: JsonIgnore] string CertificatePem,
    [property: JsonIgnore] string KeyPem)
{
    public override string ToString() => $"TlsCertificate {Id} {Thumbprint}";

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Id = ").Append(Id).Append(", Thumbprint = ").Append(Thumbprint);
        return true;
    }
}

/// <summary>A host whose TLS connections go, undecrypted, to the backend of its <c>/</c> path.</summary>
public sealed record PassthroughHost(string Host, string BackendId);

/// <summary>An SNI name (exact or <c>*.suffix</c>) and the certificate it selects; null id = the default certificate.</summary>
public sealed record TlsBinding(string Host, string? CertificateId);
