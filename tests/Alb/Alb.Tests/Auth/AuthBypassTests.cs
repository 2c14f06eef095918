using System.Net;
using System.Text;
using System.Text.Json;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Alb.Tests.Auth;

/// <summary>
/// The attacks of issue 13 over raw sockets: a protected <c>/admin</c> (basic auth, its own backend) next to an open
/// <c>/</c> on the same host. No request without credentials may reach the admin backend, and the open backend must
/// never receive a path that an application would read as <c>/admin</c> (slashes merged, dot segments resolved,
/// percent-decoded, path parameters cut).
/// </summary>
public sealed class AuthBypassTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string P = "nginx.ingress.kubernetes.io/";
    private TestOrigin _admin = null!;
    private TestOrigin _public = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _admin = await TestOrigin.StartAsync("admin");
        _public = await TestOrigin.StartAsync("public");
        var dir = new ManifestDir();
        dir.Write("all.yaml", ManifestDir.Backend("admin", [_admin.Port]) + ManifestDir.Backend("public", [_public.Port]) +
            "---\napiVersion: v1\nkind: Secret\nmetadata: {name: htpasswd, namespace: default}\nstringData:\n  auth: \"root:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\"\n---\n" +
            ManifestDir.Ingress("admin", "app.example.com", "/admin", "admin", annotations: new Dictionary<string, string> { [P + "auth-type"] = "basic", [P + "auth-secret"] = "htpasswd" }) +
            ManifestDir.Ingress("public", "app.example.com", "/", "public"));
        _alb = await AlbInstance.StartAsync(dir);
        Assert.Equal(401, RawHttp.Status(await RawHttp.SendAsync(_alb.HttpPort, "GET /admin HTTP/1.1\r\nHost: app.example.com\r\nConnection: close\r\n\r\n")));
        Assert.Equal(200, RawHttp.Status(await RawHttp.SendAsync(_alb.HttpPort, "GET /admin HTTP/1.1\r\nHost: app.example.com\r\nAuthorization: Basic cm9vdDpwYXNzd29yZA==\r\nConnection: close\r\n\r\n")));
        Assert.Equal(200, RawHttp.Status(await RawHttp.SendAsync(_alb.HttpPort, "GET /public HTTP/1.1\r\nHost: app.example.com\r\nConnection: close\r\n\r\n")));
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _admin.DisposeAsync();
        await _public.DisposeAsync();
    }

    public static TheoryData<string> Attacks => new()
    {
        "GET //admin HTTP/1.1\r\nHost: app.example.com\r\n\r\n",
        "GET ///admin/x HTTP/1.1\r\nHost: app.example.com\r\n\r\n",
        "GET /./admin HTTP/1.1\r\nHost: app.example.com\r\n\r\n",
        "GET /x/../admin HTTP/1.1\r\nHost: app.example.com\r\n\r\n",
        "GET /x/%2e%2e/admin HTTP/1.1\r\nHost: app.example.com\r\n\r\n",
        "GET /%2e/admin HTTP/1.1\r\nHost: app.example.com\r\n\r\n",
        "GET /%2Fadmin HTTP/1.1\r\nHost: app.example.com\r\n\r\n",
        "GET /x%2F..%2Fadmin HTTP/1.1\r\nHost: app.example.com\r\n\r\n",
        "GET /%61dmin HTTP/1.1\r\nHost: app.example.com\r\n\r\n",
        "GET /admin;param HTTP/1.1\r\nHost: app.example.com\r\n\r\n",
        "GET /admin;jsessionid=1/secret HTTP/1.1\r\nHost: app.example.com\r\n\r\n",
        "GET /admin?x=1 HTTP/1.1\r\nHost: app.example.com\r\n\r\n",
        "GET /?/admin HTTP/1.1\r\nHost: app.example.com\r\n\r\n",
        "GET http://app.example.com/admin HTTP/1.1\r\nHost: app.example.com\r\n\r\n",
        "GET http://app.example.com/admin HTTP/1.1\r\nHost: other.example.com\r\n\r\n",
        "GET /admin HTTP/1.1\r\nHost: app.example.com.\r\n\r\n",
        "GET /admin HTTP/1.1\r\nHost: APP.Example.COM\r\n\r\n",
        "GET /admin HTTP/1.1\r\nHost: app.example.com:80\r\n\r\n",
        "GET /admin HTTP/1.1\r\nHost: other.example.com\r\nHost: app.example.com\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: app.example.com\r\nX-Original-URL: /admin\r\nX-Rewrite-URL: /admin\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: app.example.com\r\nX-Forwarded-Host: app.example.com\r\nX-Forwarded-Prefix: /admin\r\n\r\n",
        "GET /admin\\x HTTP/1.1\r\nHost: app.example.com\r\n\r\n",
        "GET /admin%00 HTTP/1.1\r\nHost: app.example.com\r\n\r\n",
        "GET /ADMIN HTTP/1.1\r\nHost: app.example.com\r\n\r\n",
    };

    /// <summary>
    /// Request smuggling: a GET /admin hidden in a body whose framing two parsers could read differently. alb refuses
    /// the framing (400) or honours Transfer-Encoding and closes the connection after its one answer, so the hidden
    /// request is never read as a request, and the open backend gets at most the POST itself.
    /// (case, request, the one status, what the open backend receives as TestOrigin.LastRequest or null for nothing).
    /// </summary>
    public static TheoryData<string, string, int, string?> Smuggling => new()
    {
        { "CL.TE", "POST / HTTP/1.1\r\nHost: app.example.com\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: app.example.com\r\n\r\n", 200, "POST app.example.com/ 0" },
        { "TE.CL", "POST / HTTP/1.1\r\nHost: app.example.com\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n2c\r\nGET /admin HTTP/1.1\r\nHost: app.example.com\r\n\r\n0\r\n\r\n", 200, "POST app.example.com/ 44" },
        { "TE.CL, bad chunk framing", "POST / HTTP/1.1\r\nHost: app.example.com\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n2c\r\nGET /admin HTTP/1.1\r\nHost: app.example.com\r\n\r\n\r\n0\r\n\r\n", 400, null },
        { "TE xchunked", "POST / HTTP/1.1\r\nHost: app.example.com\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: app.example.com\r\n\r\n", 400, null },
        { "TE space before colon", "POST / HTTP/1.1\r\nHost: app.example.com\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: app.example.com\r\n\r\n", 400, null },
        { "TE chunked, identity", "POST / HTTP/1.1\r\nHost: app.example.com\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: app.example.com\r\n\r\n", 400, null },
        { "CL.CL", "POST / HTTP/1.1\r\nHost: app.example.com\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\nGET /admin HTTP/1.1\r\nHost: app.example.com\r\n\r\n", 400, null },
    };

    [Theory]
    [MemberData(nameof(Smuggling))]
    public async Task A_smuggled_request_gets_no_answer_of_its_own_and_reaches_no_backend(string name, string request, int status, string? reached)
    {
        int adminBefore = _admin.Requests, publicBefore = _public.Requests;
        var (answer, closed) = await RawHttp.ExchangeAsync(_alb.HttpPort, request, TimeSpan.FromSeconds(5));
        output.WriteLine($"{name}: closed {closed}\n{answer}");
        Assert.Equal(new[] { status }, RawHttp.Statuses(answer));
        Assert.True(closed, $"{name}: the connection stayed open after the answer");
        Assert.Equal(adminBefore, _admin.Requests);
        Assert.Equal(publicBefore + (reached is null ? 0 : 1), _public.Requests);
        if (reached is not null)
        {
            Assert.Equal(reached, _public.LastRequest);
        }
    }

    [Fact]
    public async Task A_fragment_in_the_request_target_is_400_and_reaches_no_backend()
    {
        int adminBefore = _admin.Requests, publicBefore = _public.Requests;
        foreach (var target in new[] { "/admin#frag", "/public#frag" })
        {
            var answer = await RawHttp.SendAsync(_alb.HttpPort, $"GET {target} HTTP/1.1\r\nHost: app.example.com\r\n\r\n", TimeSpan.FromSeconds(1));
            output.WriteLine(answer);
            Assert.True(RawHttp.Statuses(answer) is [400], $"{target}: {answer}");
        }

        Assert.Equal(adminBefore, _admin.Requests);
        Assert.Equal(publicBefore, _public.Requests);
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task No_request_without_credentials_reaches_the_protected_path(string request)
    {
        var adminBefore = _admin.Requests;
        var answer = await RawHttp.SendAsync(_alb.HttpPort, request, TimeSpan.FromSeconds(1));
        output.WriteLine(answer.Length > 600 ? answer[..600] : answer);
        Assert.Equal(adminBefore, _admin.Requests);
        foreach (var body in Bodies(answer))
        {
            using var json = JsonDocument.Parse(body);
            var path = json.RootElement.GetProperty("path").GetString()!;
            var target = json.RootElement.GetProperty("target").GetString() ?? "";
            Assert.False(ReadsAsAdmin(path) || ReadsAsAdmin(target), $"the open backend got {target} (path {path})");
        }
    }

    [Fact]
    public async Task Http2_authority_and_host_cannot_disagree_their_way_past_the_check()
    {
        var adminBefore = _admin.Requests;
        await using var h2 = await RawHttp2.ConnectAsync(_alb.HttpsPort, "other.example.com");
        (string, string)[][] requests =
        [
            [(":method", "GET"), (":scheme", "https"), (":path", "/admin"), (":authority", "app.example.com"), ("host", "other.example.com")],
            [(":method", "GET"), (":scheme", "https"), (":path", "/admin"), (":authority", "other.example.com"), ("host", "app.example.com")],
            [(":method", "GET"), (":scheme", "https"), (":path", "//admin/x"), (":authority", "app.example.com")],
            [(":method", "GET"), (":scheme", "https"), (":path", "/admin"), (":authority", "app.example.com")],
        ];
        var statuses = new List<int>();
        foreach (var request in requests)
        {
            statuses.Add(await h2.StatusAsync(await h2.SendAsync(request)));
        }

        output.WriteLine(string.Join(", ", statuses) + " " + h2.LastGoAway);
        Assert.Equal(adminBefore, _admin.Requests);
        Assert.All(statuses, s => Assert.True(s is 400 or 401 or 404 or -1, $"status {s}"));
        Assert.Equal(401, statuses[^1]); // a coalesced request for another host is checked for that host
        Assert.Equal(401, statuses[^2]);
    }

    /// <summary>How a lenient application could read a path: decoded, slashes merged, dot segments resolved, path parameters cut.</summary>
    private static bool ReadsAsAdmin(string path)
    {
        var decoded = Uri.UnescapeDataString(path.Split('?')[0]).Replace('\\', '/');
        var segments = new List<string>();
        foreach (var raw in decoded.Split('/'))
        {
            var segment = raw.Split(';')[0];
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }

                continue;
            }

            segments.Add(segment);
        }

        return segments.Count > 0 && segments[0] == "admin";
    }

    private static IEnumerable<string> Bodies(string answers)
    {
        var at = 0;
        while ((at = answers.IndexOf("{\"origin\":", at, StringComparison.Ordinal)) >= 0)
        {
            var end = answers.IndexOf("}}", at, StringComparison.Ordinal);
            if (end < 0)
            {
                yield break;
            }

            yield return answers[at..(end + 2)];
            at = end + 2;
        }
    }
}
