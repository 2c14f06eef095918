using System.Net;
using System.Reflection;
using Alb.Core.Routing;
using Microsoft.Extensions.Primitives;

namespace Alb.Pipeline;

/// <summary>
/// What a trusted proxy in front said about the request (<c>use-forwarded-headers</c>): the peer that said it and the
/// scheme, host and port it saw. Present only when alb is told to trust forwarded headers and the peer is trusted.
/// </summary>
internal sealed class ForwardedFeature
{
    public required IPAddress Peer { get; init; }

    public string? Scheme { get; init; }

    public string? Host { get; init; }

    public string? Port { get; init; }
}

/// <summary>
/// The one client address of a request, as nginx's realip module with <c>real_ip_recursive on</c> computes it:
/// only when <c>use-forwarded-headers</c> or <c>enable-real-ip</c> is on, and only for a peer in
/// <c>proxy-real-ip-cidr</c>, the <c>forwarded-for-header</c> is walked from the right, skipping trusted addresses.
/// The address replaces the connection's remote address, so source ranges, limits, hashing, X-Forwarded-For and the
/// access log all use it. Built per publish; a request with nothing to do costs one check.
/// </summary>
internal sealed class ClientIdentity
{
    private readonly IPNetwork[] _trusted;
    private readonly string _header;
    private readonly bool _forwardedHeaders;

    public ClientIdentity(GlobalSettings settings)
    {
        Enabled = settings.UseForwardedHeaders || settings.EnableRealIp;
        _forwardedHeaders = settings.UseForwardedHeaders;
        _trusted = [.. settings.ProxyRealIpCidr.Select(c => IPNetwork.Parse(c))];
        _header = settings.ForwardedForHeader;
    }

    public bool Enabled { get; }

    /// <summary>use-forwarded-headers: a trusted peer's X-Forwarded-Proto, -Host and -Port are taken too.</summary>
    public bool ForwardedHeaders => _forwardedHeaders;

    /// <summary>forwarded-for-header, in ASCII (the front end's loop looks it up in a raw head).</summary>
    public byte[] HeaderBytes => field ??= System.Text.Encoding.ASCII.GetBytes(_header);

    /// <summary>Whether what <paramref name="peer"/> says about the request is taken (the setting is on and the peer in proxy-real-ip-cidr).</summary>
    public bool Trusts(IPAddress peer) => Enabled && Trusted(peer);

    public void Apply(HttpContext context)
    {
        if (!Enabled || context.Connection.RemoteIpAddress is not { } remote)
        {
            return;
        }

        var peer = remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
        if (!Trusted(peer))
        {
            return;
        }

        var headers = context.Request.Headers;
        if (headers.TryGetValue(_header, out var forwarded) && Walk(forwarded) is { } client)
        {
            context.Connection.RemoteIpAddress = client;
        }

        if (_forwardedHeaders)
        {
            context.Features.Set(ForwardedBy(peer, headers["X-Forwarded-Proto"], headers["X-Forwarded-Host"], headers["X-Forwarded-Port"]));
        }
    }

    /// <summary>The client in a forwarded-for chain from a trusted peer: walked from the right past trusted addresses.</summary>
    internal IPAddress? Walk(StringValues values)
    {
        var all = string.Join(',', values.ToArray());
        if (all.Length > 4096)
        {
            return null;
        }

        var entries = all.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        IPAddress? leftmost = null;
        for (var i = entries.Length - 1; i >= 0; i--)
        {
            if (!IPAddress.TryParse(entries[i], out var address))
            {
                return leftmost; // nginx stops at an entry it cannot parse
            }

            address = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
            if (!Trusted(address))
            {
                return address;
            }

            leftmost = address;
        }

        return leftmost;
    }

    private bool Trusted(IPAddress address)
    {
        foreach (var network in _trusted)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What a trusted <paramref name="peer"/> said with X-Forwarded-Proto, -Host and -Port (the first value of each).</summary>
    internal static ForwardedFeature ForwardedBy(IPAddress peer, StringValues proto, StringValues host, StringValues port) =>
        new() { Peer = peer, Scheme = First(proto), Host = First(host), Port = First(port) };

    private static string? First(StringValues values)
    {
        var value = values.Count > 0 ? values[0] : null;
        if (string.IsNullOrEmpty(value) || value.Length > 256)
        {
            return null;
        }

        var comma = value.IndexOf(',', StringComparison.Ordinal);
        return (comma < 0 ? value : value[..comma]).Trim();
    }
}

/// <summary>
/// Headers alb puts on every answer, its own and the backend's: Strict-Transport-Security over HTTPS (<c>hsts*</c>,
/// replacing the backend's, as ingress-nginx's header filter) and Server (<c>alb</c>; with <c>server-tokens</c> its version).
/// </summary>
internal sealed class ResponseHeaders(GlobalSettings settings)
{
    private static readonly string Version = typeof(ResponseHeaders).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";

    private readonly StringValues _hsts = HstsValue(settings) ?? StringValues.Empty;

    private readonly StringValues _server = settings.ServerTokens ? $"alb/{Version}" : "alb";

    /// <summary>The Strict-Transport-Security field's value (hsts*) in ASCII; null when hsts is off.</summary>
    public byte[]? HstsBytes { get; } = HstsValue(settings) is { } value ? System.Text.Encoding.ASCII.GetBytes(value) : null;

    /// <summary>The Server field's value (server-tokens), in ASCII.</summary>
    public byte[] ServerBytes { get; } = System.Text.Encoding.ASCII.GetBytes(settings.ServerTokens ? $"alb/{Version}" : "alb");

    public void Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.Server = _server;
        if (_hsts.Count > 0 && context.Request.IsHttps)
        {
            headers.StrictTransportSecurity = _hsts;
        }
    }

    private static string? HstsValue(GlobalSettings settings) => settings.Hsts
        ? $"max-age={settings.HstsMaxAge}{(settings.HstsIncludeSubdomains ? "; includeSubDomains" : "")}{(settings.HstsPreload ? "; preload" : "")}"
        : null;
}
