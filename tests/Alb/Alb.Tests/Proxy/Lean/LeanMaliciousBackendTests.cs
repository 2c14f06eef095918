using System.Net;
using Alb.Tests.Fixtures;
using Xunit;

namespace Alb.Tests.Proxy.Lean;

/// <summary>What the client must see from alb when the backend's first answer is the case's bytes.</summary>
public enum Seen
{
    /// <summary>502 before anything of the answer reached the client.</summary>
    BadGateway,

    /// <summary>The answer is cut: the client's read fails (never a complete 200).</summary>
    Aborted,

    /// <summary>A correct 200 "ok" (the bytes after it must not reach anyone).</summary>
    Ok,
}

/// <summary>One backend per case, one alb with ALB_LEAN_H1=1 in front of them all.</summary>
public sealed class MaliciousBackends : IAsyncLifetime
{
    internal static readonly string HugeHead = "HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Range(0, 80).Select(i => $"X-Big-{i}: {new string('a', 1000)}\r\n")) + "Content-Length: 2\r\n\r\nok";

    internal static readonly Dictionary<string, (AfterScript After, string[] Pieces, Seen Seen)> Cases = new()
    {
        ["cl-and-te"] = (AfterScript.Hold, ["HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"], Seen.BadGateway),
        ["two-cl"] = (AfterScript.Hold, ["HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!"], Seen.BadGateway),
        ["obs-fold"] = (AfterScript.Hold, ["HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 2\r\n\r\nok"], Seen.BadGateway),
        ["bare-lf"] = (AfterScript.Hold, ["HTTP/1.1 200 OK\nContent-Length: 2\n\nok"], Seen.BadGateway),
        ["huge-head"] = (AfterScript.Hold, [HugeHead], Seen.BadGateway),
        ["switching-protocols"] = (AfterScript.Hold, ["HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"], Seen.BadGateway),
        ["bad-chunk-size"] = (AfterScript.Hold, ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"], Seen.Aborted),
        ["chunk-size-overflow"] = (AfterScript.Hold, ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\nhello\r\n0\r\n\r\n"], Seen.Aborted),
        ["close-mid-body"] = (AfterScript.Close, ["HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc"], Seen.Aborted),
        ["close-mid-large-body"] = (AfterScript.Close, ["HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n" + new string('x', 20000)], Seen.Aborted),
        ["close-mid-chunked"] = (AfterScript.Close, ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"], Seen.Aborted),
        ["body-longer-than-cl"] = (AfterScript.Hold, ["HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled"], Seen.Ok),
        ["late-second-response"] = (AfterScript.Hold, ["HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled"], Seen.Ok),
        ["interim-then-200"] = (AfterScript.Serve, ["HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"], Seen.Ok),
    };

    internal Dictionary<string, ScriptedBackend> Backends { get; } = [];

    internal AlbInstance Alb { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var dir = new ManifestDir();
        var yaml = "";
        foreach (var (name, c) in Cases)
        {
            var backend = ScriptedBackend.Scripted(c.After, c.Pieces);
            Backends[name] = backend;
            yaml += ManifestDir.Backend(name, [backend.Port]) + ManifestDir.Ingress(name, $"{name}.example.com", "/", name);
        }

        dir.Write("all.yaml", yaml);
        Alb = await AlbInstance.StartAsync(dir, LeanMetrics.Environment);
    }

    public async Task DisposeAsync()
    {
        await Alb.DisposeAsync();
        foreach (var backend in Backends.Values)
        {
            await backend.DisposeAsync();
        }
    }
}

/// <summary>
/// Raw-socket backends that break HTTP/1.1 (smuggling shapes, bad framing, early close), through the lean client:
/// alb answers 502 or cuts the answer as YARP does, never reuses the broken connection, and the next request, on a
/// fresh connection, is answered correctly.
/// </summary>
public sealed class LeanMaliciousBackendTests(MaliciousBackends fixture) : IClassFixture<MaliciousBackends>
{
    public static TheoryData<string> CaseNames => [.. MaliciousBackends.Cases.Keys];

    private async Task<(int Status, string Body)?> TryGetAsync(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = host } };
        try
        {
            using var response = await fixture.Alb.Http.SendAsync(request);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Refuses_the_answer_and_serves_the_next_request_on_a_fresh_connection(string name)
    {
        var (_, _, seen) = MaliciousBackends.Cases[name];
        var backend = fixture.Backends[name];
        var host = $"{name}.example.com";
        var leanBefore = LeanMetrics.Own(await fixture.Alb.MetricsAsync());

        var first = await TryGetAsync(host);
        switch (seen)
        {
            case Seen.BadGateway:
                Assert.Equal(502, first?.Status);
                break;
            case Seen.Aborted:
                Assert.Null(first);
                break;
            default:
                Assert.Equal((200, "ok"), first);
                break;
        }

        await Task.Delay(500); // what the backend sends late (late-second-response) has arrived

        var second = await TryGetAsync(host);
        Assert.Equal((200, "ok"), second);
        if (name == "interim-then-200")
        {
            Assert.Equal(1, backend.Accepted); // a clean answer after 1xx: the connection is reused
        }
        else
        {
            Assert.Equal(2, backend.Accepted); // the broken connection was not reused
            Assert.True(await ScriptedBackend.EventuallyAsync(() => backend.Open == 1, TimeSpan.FromSeconds(5)), $"{backend.Open} connections open: the broken one was kept");
        }

        Assert.Equal(leanBefore + 2, LeanMetrics.Own(await fixture.Alb.MetricsAsync()));
    }
}
