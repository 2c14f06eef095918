using System.Diagnostics;
using System.Net;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Annotations;

/// <summary>mirror-target: a copy reaches the mirror with its path, Host and body; a slow mirror never delays the answer.</summary>
public sealed class MirrorTests : IAsyncLifetime
{
    private const string P = "nginx.ingress.kubernetes.io/";
    private TestOrigin _origin = null!;
    private TestOrigin _mirror = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _origin = await TestOrigin.StartAsync("o");
        _mirror = await TestOrigin.StartAsync("mirror");
        _mirror.DelayMs = 3000;
        var dir = new ManifestDir();
        dir.Write("all.yaml", ManifestDir.Backend("o", [_origin.Port]) +
            ManifestDir.Ingress("mirrored", "mirrored.example.com", "/", "o", annotations: new Dictionary<string, string>
            {
                [P + "mirror-target"] = $"http://127.0.0.1:{_mirror.Port}$request_uri",
                [P + "mirror-host"] = "mirror.internal",
            }));
        _alb = await AlbInstance.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _origin.DisposeAsync();
        await _mirror.DisposeAsync();
    }

    [Fact]
    public async Task A_copy_reaches_the_mirror_and_a_slow_mirror_does_not_delay_the_answer()
    {
        var before = _mirror.Requests;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders?x=1") { Content = new StringContent("payload") };
        request.Headers.Host = "mirrored.example.com";
        var clock = Stopwatch.StartNew();
        using var response = await _alb.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2.5), $"the answer took {clock.Elapsed}; the mirror sleeps 3 s");

        await _alb.WaitUntilAsync(() => Task.FromResult(_mirror.Requests > before), TimeSpan.FromSeconds(10), "the mirror to receive the copy");
        Assert.Equal("POST mirror.internal/orders?x=1 7", _mirror.LastRequest);
    }
}

/// <summary>limit-rate / limit-rate-after: an answer past the free bytes is paced to the rate (a lower bound on time, not a speed test).</summary>
public sealed class LimitRateTests : IAsyncLifetime
{
    private TestOrigin _origin = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _origin = await TestOrigin.StartAsync("o");
        var dir = new ManifestDir();
        dir.Write("all.yaml", ManifestDir.Backend("o", [_origin.Port]) +
            ManifestDir.Ingress("slow", "slow.example.com", "/", "o", annotations: new Dictionary<string, string>
            {
                ["nginx.ingress.kubernetes.io/limit-rate"] = "1",
                ["nginx.ingress.kubernetes.io/limit-rate-after"] = "1",
            }));
        _alb = await AlbInstance.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _origin.DisposeAsync();
    }

    [Fact]
    public async Task Bytes_past_limit_rate_after_go_at_limit_rate()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/stream?chunks=400&ms=0");
        request.Headers.Host = "slow.example.com";
        var clock = Stopwatch.StartNew();
        using var response = await _alb.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(400, body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        // ~3,600 bytes: 1 KiB free, then ~2.5 KiB at 1 KiB/s, so at least ~2.5 s; asserted with a wide margin.
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(1.5), $"took {clock.Elapsed}");
    }
}

/// <summary>proxy-buffering: on: the client gets the answer after the backend has sent all of it; off (the default) streams.</summary>
public sealed class ResponseBufferingTests : IAsyncLifetime
{
    private TestOrigin _origin = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _origin = await TestOrigin.StartAsync("o");
        var dir = new ManifestDir();
        dir.Write("all.yaml", ManifestDir.Backend("o", [_origin.Port]) +
            ManifestDir.Ingress("buffered", "buffered.example.com", "/", "o", annotations: new Dictionary<string, string> { ["nginx.ingress.kubernetes.io/proxy-buffering"] = "on" }) +
            ManifestDir.Ingress("streamed", "streamed.example.com", "/", "o"));
        _alb = await AlbInstance.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _origin.DisposeAsync();
    }

    private async Task<(TimeSpan FirstByte, string Body)> FirstByteAsync(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/stream?chunks=4&ms=400");
        request.Headers.Host = host;
        var clock = Stopwatch.StartNew();
        using var response = await _alb.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var first = new byte[1];
        await body.ReadExactlyAsync(first);
        var elapsed = clock.Elapsed;
        using var reader = new StreamReader(body);
        return (elapsed, (char)first[0] + await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task A_buffered_answer_reaches_the_client_once_the_backend_is_done()
    {
        var (firstByte, body) = await FirstByteAsync("buffered.example.com");
        Assert.Equal("chunk 0\nchunk 1\nchunk 2\nchunk 3\n", body);
        Assert.True(firstByte > TimeSpan.FromSeconds(1.2), $"first byte after {firstByte}; the backend takes 1.6 s");
    }

    [Fact]
    public async Task An_unbuffered_answer_streams()
    {
        var (firstByte, body) = await FirstByteAsync("streamed.example.com");
        Assert.Equal("chunk 0\nchunk 1\nchunk 2\nchunk 3\n", body);
        Assert.True(firstByte < TimeSpan.FromSeconds(1.2), $"first byte after {firstByte}");
    }
}
