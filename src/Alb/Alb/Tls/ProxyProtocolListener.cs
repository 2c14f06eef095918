using System.Buffers;
using System.Net;
using Alb.Core.Listeners;
using Alb.Core.Routing;
using Microsoft.AspNetCore.Connections;

namespace Alb.Tls;

/// <summary>
/// <c>use-proxy-protocol</c>: every connection must start with a PROXY protocol v1 or v2 header (bounded: 10 s, the
/// spec's sizes); one without is closed. The header is consumed; its source address becomes the connection's remote
/// address when the peer is in <c>proxy-real-ip-cidr</c> (as nginx's <c>set_real_ip_from</c> with
/// <c>real_ip_header proxy_protocol</c>), so every later rule sees the client, not the balancer.
/// </summary>
internal sealed class ProxyProtocolListener(GlobalSettings settings)
{
    private readonly IPNetwork[] _trusted = [.. settings.ProxyRealIpCidr.Select(c => IPNetwork.Parse(c))];

    public async Task InvokeAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var input = connection.Transport.Input;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        IPEndPoint? source;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var outcome = buffer.IsSingleSegment
                    ? ProxyProtocolHeader.TryRead(buffer.FirstSpan, out var length, out source, out _)
                    : ProxyProtocolHeader.TryRead(buffer.Slice(0, Math.Min(buffer.Length, 600)).ToArray(), out length, out source, out _);
                if (outcome == ProxyHeaderResult.Complete)
                {
                    input.AdvanceTo(buffer.GetPosition(length));
                    break;
                }

                if (outcome == ProxyHeaderResult.Invalid || result.IsCompleted || buffer.Length > 600)
                {
                    input.AdvanceTo(buffer.End);
                    return; // no valid header: close, as nginx does with proxy_protocol on
                }

                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (source is not null && connection.RemoteEndPoint is IPEndPoint peer && Trusted(peer.Address))
        {
            connection.RemoteEndPoint = source;
        }

        await next(connection).ConfigureAwait(false);
    }

    private bool Trusted(IPAddress address)
    {
        var unmapped = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var network in _trusted)
        {
            if (network.Contains(unmapped))
            {
                return true;
            }
        }

        return false;
    }
}
