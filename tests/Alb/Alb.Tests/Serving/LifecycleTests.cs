using System.Net;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;

namespace Alb.Tests.Serving;

/// <summary>Start-up with broken inputs, ExternalName backends, and a graceful stop.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task Finishes_in_flight_requests_on_sigterm_then_exits_0()
    {
        await using var origin = await TestOrigin.StartAsync("slow");
        var dir = new ManifestDir();
        dir.Write("a.yaml", ManifestDir.Backend("slow", [origin.Port]) + ManifestDir.Ingress("slow", "slow.example.com", "/", "slow"));
        await using var alb = await AlbInstance.StartAsync(dir, "--shutdown-timeout", "10");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/slow?ms=1500") { Headers = { Host = "slow.example.com" } };
        var inFlight = alb.Http.SendAsync(request);
        await Task.Delay(300);
        alb.Process.Signal(15);
        using var response = await inFlight;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, await alb.Process.WaitForExitAsync(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task Ignores_the_working_directory_neither_reading_its_appsettings_nor_watching_its_tree()
    {
        await using var origin = await TestOrigin.StartAsync("o");
        using var work = new ManifestDir(); // a scratch directory to start alb from, not its manifests
        for (var i = 0; i < 40; i++)
        {
            Directory.CreateDirectory(Path.Combine(work.Path, $"d{i}", "sub"));
        }

        // ASP.NET Core's defaults would read this from the working directory and bind the stray endpoint.
        var stray = FreePort.Next();
        work.Write("appsettings.json", """{"Kestrel":{"Endpoints":{"Stray":{"Url":"http://127.0.0.1:PORT"}}}}""".Replace("PORT", stray.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        using var manifests = new ManifestDir();
        manifests.Write("a.yaml", ManifestDir.Backend("o", [origin.Port]) + ManifestDir.Ingress("a", "a.example.com", "/", "o"));
        await using var alb = await AlbInstance.StartInAsync(work.Path, manifests);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = "a.example.com" } };
        using var response = await alb.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var probe = new System.Net.Sockets.TcpClient();
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, stray));

        // Only the manifest directory is watched (one inotify watch), not the 81 directories alb was started in.
        var watches = Directory.GetFiles($"/proc/{alb.Process.Id}/fdinfo")
            .Sum(f => { try { return File.ReadLines(f).Count(l => l.StartsWith("inotify wd:", StringComparison.Ordinal)); } catch (IOException) { return 0; } });
        Assert.InRange(watches, 1, 3);
    }

    [Fact]
    public async Task A_new_Ingress_compiles_only_its_own_routes_and_the_rate_limits_of_the_others_keep_counting()
    {
        await using var origin = await TestOrigin.StartAsync("web");
        var dir = new ManifestDir();
        dir.Write("backend.yaml", ManifestDir.Backend("web", [origin.Port]));
        dir.Write("a.yaml", ManifestDir.Ingress("a", "a.example.com", "/", "web", annotations: new Dictionary<string, string>
        {
            ["nginx.ingress.kubernetes.io/limit-rpm"] = "3", // 3 a minute, burst 5x (as ingress-nginx): the 16th in a row is refused
        }));
        dir.Write("b.yaml", ManifestDir.Ingress("b", "b.example.com", "/", "web"));
        await using var alb = await AlbInstance.StartAsync(dir);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            statuses.Add(await StatusAsync(alb, "a.example.com"));
        }

        dir.Write("c.yaml", ManifestDir.Ingress("c", "c.example.com", "/", "web"));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (await StatusAsync(alb, "c.example.com") != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, alb.Process.Output());
            await Task.Delay(50);
        }

        // c's host: its route and its fallback; a's and b's hosts and the catch-all were reused as they were. The log
        // line is written after the swap, by the logger's own thread: it can reach us a moment after c answers.
        await alb.WaitUntilAsync(() => Task.FromResult(alb.Process.Output().Split('\n').Count(l => l.Contains("route pipelines compiled", StringComparison.Ordinal)) >= 2),
            TimeSpan.FromSeconds(10), "the second configuration's log line");
        Assert.Contains("; 2 route pipelines compiled, the others reused", alb.Process.Output(), StringComparison.Ordinal);
        for (var i = 0; i < 10; i++)
        {
            statuses.Add(await StatusAsync(alb, "a.example.com"));
        }

        Assert.Contains(HttpStatusCode.ServiceUnavailable, statuses.Skip(10)); // a's limiter kept its count across the reload
        Assert.DoesNotContain(HttpStatusCode.ServiceUnavailable, statuses.Take(5));
    }

    private static async Task<HttpStatusCode> StatusAsync(AlbInstance alb, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = host } };
        using var response = await alb.Http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Forwards_to_an_external_name_service_by_dns()
    {
        await using var origin = await TestOrigin.StartAsync("external");
        var dir = new ManifestDir();
        dir.Write("a.yaml", $"""
            apiVersion: v1
            kind: Service
            metadata: {"{"}name: ext, namespace: default{"}"}
            spec:
              type: ExternalName
              externalName: localhost
            ---
            {ManifestDir.Ingress("ext", "ext.example.com", "/", "ext").Replace("number: 80", $"number: {origin.Port}", StringComparison.Ordinal)}
            """);
        await using var alb = await AlbInstance.StartAsync(dir);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/x") { Headers = { Host = "ext.example.com" } };
        using var response = await alb.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"origin\":\"external\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Starts_with_broken_inputs_and_serves_what_is_valid()
    {
        await using var origin = await TestOrigin.StartAsync("good");
        var dir = new ManifestDir();
        dir.Write("good.yaml", ManifestDir.Backend("good", [origin.Port]) + ManifestDir.Ingress("good", "good.example.com", "/", "good"));
        dir.Write("garbage.yaml", "this: is: not: yaml: [");
        dir.Write("mismatch.yaml", ManifestDir.Ingress("mismatch", "mismatch.example.com", "/", "good", tlsSecret: "mixed") + $"""
            apiVersion: v1
            kind: Secret
            metadata:
              name: mixed
              namespace: default
            type: kubernetes.io/tls
            stringData:
              tls.crt: |
            {Indent(TestCertificates.CertificatePem("secure.example.com"))}
              tls.key: |
            {Indent(TestCertificates.KeyPem("other.example.com"))}
            """);
        await using var alb = await AlbInstance.StartAsync(dir);

        using var good = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = "good.example.com" } };
        Assert.Equal(HttpStatusCode.OK, (await alb.Http.SendAsync(good)).StatusCode);

        using var tls = alb.CreateTlsClient("mismatch.example.com");
        Assert.Equal(HttpStatusCode.OK, (await tls.Client.GetAsync("/")).StatusCode);
        Assert.Equal("CN=Edge ALB Default Certificate", tls.LastSubject); // a key that does not match: the default certificate

        var metrics = await alb.MetricsAsync();
        Assert.Contains("alb_diagnostics{code=\"ALB1001\",severity=\"error\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("alb_diagnostics{code=\"ALB1402\",severity=\"warning\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains(alb.Process.Stderr, l => l.Contains("ALB1402", StringComparison.Ordinal) && !l.Contains("PRIVATE KEY", StringComparison.Ordinal));
    }

    private static string Indent(string pem) => string.Join("\n", pem.Trim().Split('\n').Select(l => "    " + l));
}
