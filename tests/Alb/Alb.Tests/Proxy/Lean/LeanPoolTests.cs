using System.Net;
using System.Net.Sockets;
using Alb.Core.Routing;
using Alb.Proxy;
using Alb.Proxy.Lean;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Alb.Tests.Proxy.Lean;

/// <summary>The lean client's pools on a fake clock: the idle sweep, closing the pools of removed endpoints, stray bytes.</summary>
public sealed class LeanPoolTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly LeanUpstream _upstream;

    public LeanPoolTests()
    {
        _listener.Start();
        _upstream = new LeanUpstream(GlobalSettings.Default with { UpstreamKeepaliveTimeoutSeconds = 10 }, _time);
    }

    public void Dispose()
    {
        _upstream.Dispose();
        _listener.Stop();
    }

    private EndpointState Endpoint() => new($"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>A connection of <paramref name="pool"/> and the backend's side of it.</summary>
    private async Task<(LeanConnection Connection, Socket Peer)> ConnectAsync(LeanPool pool)
    {
        var connection = await pool.ConnectAsync(CancellationToken.None);
        return (connection, await _listener.AcceptSocketAsync());
    }

    /// <summary>Whether alb closed its side: the backend reads the end of the stream.</summary>
    private static async Task<bool> ClosedAsync(Socket peer)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            return await peer.ReceiveAsync(new byte[16], SocketFlags.None, timeout.Token) == 0;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    [Fact]
    public void Sweeps_a_quarter_of_the_timeout_between_100_ms_and_5_s()
    {
        Assert.Equal(TimeSpan.FromSeconds(2.5), _upstream.SweepPeriod);
        Assert.Equal(TimeSpan.FromSeconds(5), LeanUpstream.SweepPeriodFor(TimeSpan.FromSeconds(60)));
        Assert.Equal(TimeSpan.FromMilliseconds(100), LeanUpstream.SweepPeriodFor(TimeSpan.Zero));
    }

    [Fact]
    public async Task The_sweep_closes_idle_connections_past_the_timeout_and_keeps_the_others()
    {
        var pool = _upstream.PoolFor(Endpoint());
        var (old, oldPeer) = await ConnectAsync(pool);
        using var oldSide = oldPeer;
        pool.Return(old, _time.GetTimestamp());
        _time.Advance(TimeSpan.FromSeconds(8)); // sweeps at 2.5, 5, 7.5 s: nothing past the timeout
        var (fresh, freshPeer) = await ConnectAsync(pool);
        using var freshSide = freshPeer;
        pool.Return(fresh, _time.GetTimestamp());
        Assert.False(oldPeer.Poll(0, SelectMode.SelectRead));

        _time.Advance(TimeSpan.FromSeconds(4.5)); // sweeps at 10 s and 12.5 s: the old one idle 12.5 s, the fresh one 4.5 s

        Assert.True(await ClosedAsync(oldPeer));
        Assert.False(freshPeer.Poll(0, SelectMode.SelectRead));
        Assert.Same(fresh, pool.Rent(_time.GetTimestamp()));
        Assert.Null(pool.Rent(_time.GetTimestamp()));
        fresh.Dispose();
    }

    [Fact]
    public async Task Retain_closes_the_pools_of_endpoints_that_left_and_only_those()
    {
        var kept = Endpoint();
        var removed = Endpoint();
        var keptPool = _upstream.PoolFor(kept);
        var removedPool = _upstream.PoolFor(removed);
        Assert.NotSame(keptPool, removedPool);
        var (a, aPeer) = await ConnectAsync(keptPool);
        using var aSide = aPeer;
        var (b, bPeer) = await ConnectAsync(removedPool);
        using var bSide = bPeer;
        var (busy, busyPeer) = await ConnectAsync(removedPool);
        using var busySide = busyPeer;
        keptPool.Return(a, _time.GetTimestamp());
        removedPool.Return(b, _time.GetTimestamp());

        _upstream.Retain([kept]);

        Assert.True(await ClosedAsync(bPeer)); // idle: closed at once
        Assert.True(removedPool.Closed);
        removedPool.Return(busy, _time.GetTimestamp()); // a request in flight across the publish
        Assert.True(await ClosedAsync(busyPeer));
        Assert.False(aPeer.Poll(0, SelectMode.SelectRead));
        Assert.Same(a, keptPool.Rent(_time.GetTimestamp()));
        Assert.Same(keptPool, _upstream.PoolFor(kept));
        var again = _upstream.PoolFor(removed); // an old request to the removed endpoint: a new pool, not the closed one
        Assert.NotSame(removedPool, again);
        Assert.False(again.Closed);
        a.Dispose();
    }

    [Fact]
    public async Task Does_not_reuse_a_connection_with_bytes_nobody_asked_for()
    {
        var pool = _upstream.PoolFor(Endpoint());
        var (connection, peer) = await ConnectAsync(pool);
        using var side = peer;
        pool.Return(connection, _time.GetTimestamp());
        await peer.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled"u8.ToArray(), SocketFlags.None);
        await Task.Delay(100);

        Assert.Null(pool.Rent(_time.GetTimestamp()));
        Assert.True(await ClosedAsync(peer));
    }
}
