using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Serving;

/// <summary>The manifest directory changes while requests, keep-alive and HTTP/2 connections and WebSockets run.</summary>
public sealed class ReloadTests : IAsyncLifetime
{
    private TestOrigin _a = null!;
    private TestOrigin _b = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _a = await TestOrigin.StartAsync("a");
        _b = await TestOrigin.StartAsync("b");
        var dir = new ManifestDir();
        dir.Write("backends.yaml", ManifestDir.Backend("a", [_a.Port]) + ManifestDir.Backend("b", [_b.Port]));
        dir.Write("main.yaml", ManifestDir.Ingress("main", "main.example.com", "/", "a", tlsSecret: "main-tls") + TestCertificates.SecretYaml("secure.example.com", "main-tls"));
        dir.Write("unrelated.yaml", ManifestDir.Ingress("unrelated", "unrelated.example.com", "/", "b"));
        _alb = await AlbInstance.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    private async Task<HttpStatusCode> StatusAsync(string host, string path = "/")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = host;
        using var response = await _alb.Http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Applies_an_added_file_within_a_second()
    {
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync("new.example.com"));
        var written = DateTime.UtcNow;
        _alb.Manifests.Write("new.yaml", ManifestDir.Ingress("new", "new.example.com", "/", "b"));
        await _alb.WaitUntilAsync(async () => await StatusAsync("new.example.com") == HttpStatusCode.OK, TimeSpan.FromSeconds(3), "the new Ingress serving");
        Assert.True(DateTime.UtcNow - written < TimeSpan.FromSeconds(1.5), $"applied after {(DateTime.UtcNow - written).TotalMilliseconds:F0} ms");

        _alb.Manifests.Delete("new.yaml");
        await _alb.WaitUntilAsync(async () => await StatusAsync("new.example.com") == HttpStatusCode.NotFound, TimeSpan.FromSeconds(3), "the deleted Ingress gone");

        File.Move(Path.Combine(_alb.Manifests.Path, "unrelated.yaml"), Path.Combine(_alb.Manifests.Path, "renamed.yml"));
        await Task.Delay(1500);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("unrelated.example.com"));
    }

    [Fact]
    public async Task Keeps_serving_when_the_manifest_directory_disappears_and_reloads_when_it_is_back()
    {
        var dir = new ManifestDir();
        dir.Write("backends.yaml", ManifestDir.Backend("a", [_a.Port]));
        dir.Write("main.yaml", ManifestDir.Ingress("gone", "gone.example.com", "/", "a"));
        await using var alb = await AlbInstance.StartAsync(dir);
        Directory.Delete(dir.Path, recursive: true);
        await Task.Delay((Alb.Sources.ConfigLoop.PollInterval * 2) + TimeSpan.FromSeconds(1)); // two polls of a missing directory

        Assert.False(alb.Process.HasExited, alb.Process.Output());
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = "gone.example.com" } })
        using (var response = await alb.Http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode); // the last good configuration
        }

        Directory.CreateDirectory(dir.Path);
        dir.Write("backends.yaml", ManifestDir.Backend("a", [_a.Port]));
        dir.Write("main.yaml", ManifestDir.Ingress("back", "back.example.com", "/", "a"));
        await alb.WaitUntilAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = "back.example.com" } };
            using var response = await alb.Http.SendAsync(request);
            return response.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(6), "the directory's new contents served");
    }

    [Fact]
    public async Task Keeps_the_last_good_objects_of_a_file_that_stops_parsing()
    {
        _alb.Manifests.Write("unrelated.yaml", "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: [broken\n");
        _alb.Manifests.Write("probe.yaml", ManifestDir.Ingress("probe", "probe.example.com", "/", "a"));
        await _alb.WaitUntilAsync(async () => await StatusAsync("probe.example.com") == HttpStatusCode.OK, TimeSpan.FromSeconds(3), "the probe Ingress serving");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("unrelated.example.com"));
        var metrics = await _alb.MetricsAsync();
        Assert.Contains("alb_diagnostics{code=\"ALB1001\",severity=\"error\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("nginx_ingress_controller_config_last_reload_successful 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serves_every_request_while_the_directory_changes_20_times()
    {
        var failures = new ConcurrentBag<string>();
        var completed = 0;
        using var stop = new CancellationTokenSource();
        using var h2 = _alb.CreateTlsClient("main.example.com");

        async Task LoadAsync(Func<Task<HttpResponseMessage>> send)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await send();
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode != HttpStatusCode.OK || !body.Contains("\"origin\":\"a\"", StringComparison.Ordinal))
                    {
                        failures.Add($"{(int)response.StatusCode} {body}");
                    }

                    Interlocked.Increment(ref completed);
                }
                catch (Exception e)
                {
                    failures.Add(e.Message);
                }
            }
        }

        var h1 = Enumerable.Range(0, 4).Select(_ => _alb.CreateTlsClient("main.example.com", HttpVersion.Version11)).ToList();
        var load = h1.Select(c => Task.Run(() => LoadAsync(() => c.Client.GetAsync("/"))))
            .Append(Task.Run(() => LoadAsync(() => h2.Client.GetAsync("/"))))
            .Append(Task.Run(() => LoadAsync(() => h2.Client.GetAsync("/"))))
            .ToList();

        // A long streaming response opened before the changes must outlive them.
        var stream = Task.Run(async () =>
        {
            using var response = await h2.Client.GetAsync("/stream?chunks=30&ms=100", HttpCompletionOption.ResponseHeadersRead);
            return await response.Content.ReadAsStringAsync();
        });

        for (var i = 0; i < 20; i++)
        {
            _alb.Manifests.Write($"churn-{i % 3}.yaml", ManifestDir.Ingress($"churn-{i}", $"churn{i}.example.com", "/", "b"));
            if (i % 5 == 4)
            {
                _alb.Manifests.Delete("unrelated.yaml");
                _alb.Manifests.Write("unrelated.yaml", ManifestDir.Ingress("unrelated", "unrelated.example.com", "/", "b"));
            }

            if (i == 10)
            {
                // certificate rotation of the host under load
                _alb.Manifests.Write("main.yaml", ManifestDir.Ingress("main", "main.example.com", "/", "a", tlsSecret: "main-tls") + TestCertificates.SecretYaml("other.example.com", "main-tls"));
            }

            await Task.Delay(150);
        }

        stop.Cancel();
        await Task.WhenAll(load);
        h1.ForEach(c => c.Dispose());
        var streamed = await stream;
        Assert.True(failures.IsEmpty, $"{failures.Count} failures, e.g. {failures.FirstOrDefault()}");
        Assert.True(completed > 100, $"only {completed} requests completed");
        Assert.Contains("chunk 29", streamed, StringComparison.Ordinal);

        // New connections see the rotated certificate, written 1.35 s before the load stopped; a rebuild takes at most
        // 1.1 s from a write (the coalescer), so 3 s more is room for a busy machine, not for a rebuild held up.
        await _alb.WaitUntilAsync(async () =>
        {
            using var fresh = _alb.CreateTlsClient("main.example.com");
            Assert.Equal(HttpStatusCode.OK, (await fresh.Client.GetAsync("/")).StatusCode);
            return fresh.LastSubject == "CN=other.example.com";
        }, TimeSpan.FromSeconds(3), "the rotated certificate on a new connection");
        Assert.Equal("CN=secure.example.com", h2.LastSubject); // the old connection kept its handshake
    }

    [Fact]
    public async Task Keeps_websockets_open_across_reloads()
    {
        _alb.Manifests.Write("ws.yaml", ManifestDir.Ingress("ws", "ws.example.com", "/", "a"));
        await _alb.WaitUntilAsync(async () => await StatusAsync("ws.example.com") == HttpStatusCode.OK, TimeSpan.FromSeconds(3), "the ws Ingress serving");

        using var ws = new ClientWebSocket();
        ws.Options.SetRequestHeader("Host", "ws.example.com");
        await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{_alb.HttpPort}/ws"), CancellationToken.None);
        for (var i = 0; i < 5; i++)
        {
            _alb.Manifests.Write($"ws-churn-{i}.yaml", ManifestDir.Ingress($"ws-churn-{i}", $"wschurn{i}.example.com", "/", "b"));
            await Task.Delay(300);
            var message = Encoding.UTF8.GetBytes($"hello {i}");
            await ws.SendAsync(message, WebSocketMessageType.Text, true, CancellationToken.None);
            var buffer = new byte[100];
            var result = await ws.ReceiveAsync(buffer, CancellationToken.None);
            Assert.Equal($"hello {i}", Encoding.UTF8.GetString(buffer, 0, result.Count));
        }

        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }
}
