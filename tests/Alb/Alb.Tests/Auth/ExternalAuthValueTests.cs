using System.Collections.Concurrent;
using System.Net;
using Alb.Tests.Fixtures;
using Edge.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Alb.Tests.Auth;

/// <summary>
/// The auth-url companions with good values, end to end with a real auth service (as in <see cref="ExternalAuthTests"/>):
/// auth-always-set-cookie, auth-signin-redirect-param, auth-request-redirect, <c>$host</c> in auth-signin; and an auth
/// service that answers something that is not HTTP.
/// </summary>
public sealed class ExternalAuthValueTests : IAsyncLifetime
{
    private const string P = "nginx.ingress.kubernetes.io/";
    private readonly ConcurrentQueue<Dictionary<string, string>> _seen = new();
    private TestOrigin _web = null!;
    private TestOrigin _failing = null!;
    private WebApplication _auth = null!;
    private ScriptedBackend _garbage = null!;
    private AlbInstance _alb = null!;

    public async Task InitializeAsync()
    {
        _web = await TestOrigin.StartAsync("web");
        _failing = await TestOrigin.StartAsync("failing");
        _failing.ForcedStatus = 502;
        _garbage = ScriptedBackend.Scripted(AfterScript.Close, "SSH-2.0-OpenSSH_9.6\r\nthis is not HTTP\r\n\r\n");
        var authPort = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, authPort));
        _auth = builder.Build();
        _auth.Run(Answer);
        await _auth.StartAsync();

        var url = $"http://127.0.0.1:{authPort}/verify";
        var dir = new ManifestDir();
        dir.Write("backends.yaml", ManifestDir.Backend("web", [_web.Port]) + ManifestDir.Backend("failing", [_failing.Port]));
        dir.Write("ingresses.yaml", string.Concat(
            Ing("always", "always.example.com", "failing", ("auth-url", url), ("auth-always-set-cookie", "true")),
            Ing("default-cookie", "default-cookie.example.com", "failing", ("auth-url", url)),
            Ing("always-ok", "always-ok.example.com", "web", ("auth-url", url), ("auth-always-set-cookie", "true")),
            Ing("param", "param.example.com", "web", ("auth-url", url), ("auth-signin", "https://login.example.com/start"), ("auth-signin-redirect-param", "next")),
            Ing("host-signin", "host-signin.example.com", "web", ("auth-url", url), ("auth-signin", "https://$host/oauth2/start")),
            Ing("redirect", "redirect.example.com", "web", ("auth-url", url), ("auth-request-redirect", "https://app.example.com/back")),
            Ing("garbage", "garbage.example.com", "web", ("auth-url", $"http://127.0.0.1:{_garbage.Port}/verify"))));
        _alb = await AlbInstance.StartAsync(dir);
    }

    public async Task DisposeAsync()
    {
        await _alb.DisposeAsync();
        await _auth.DisposeAsync();
        await _garbage.DisposeAsync();
        await _failing.DisposeAsync();
        await _web.DisposeAsync();
    }

    /// <summary>The auth service: "Bearer good" passes with a cookie; anything else is 401 with a cookie too.</summary>
    private Task Answer(HttpContext context)
    {
        _seen.Enqueue(context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()));
        context.Response.Headers.SetCookie = "session=abc; Path=/";
        context.Response.StatusCode = context.Request.Headers.Authorization == "Bearer good" ? 200 : 401;
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Auth_always_set_cookie_puts_the_auth_cookie_on_a_backend_error_and_without_it_only_on_success()
    {
        var (status, response) = await SendAsync("always.example.com", "/", "Bearer good");
        Assert.Equal(HttpStatusCode.BadGateway, status); // the backend's own error answer
        Assert.Equal(["session=abc; Path=/"], response.Headers.GetValues("Set-Cookie"));

        (status, response) = await SendAsync("default-cookie.example.com", "/", "Bearer good");
        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.False(response.Headers.Contains("Set-Cookie"), "Set-Cookie of the auth answer on an error answer without auth-always-set-cookie");

        (status, response) = await SendAsync("always-ok.example.com", "/", "Bearer good");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["session=abc; Path=/"], response.Headers.GetValues("Set-Cookie")); // once, not twice
    }

    [Fact]
    public async Task Auth_signin_redirect_param_names_the_parameter_of_the_original_url()
    {
        var (status, response) = await SendAsync("param.example.com", "/a?b=c", null);
        Assert.Equal(HttpStatusCode.Found, status);
        Assert.Equal("https://login.example.com/start?next=http://param.example.com%2Fa%3Fb%3Dc", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Host_in_auth_signin_is_the_requests_host()
    {
        var (status, response) = await SendAsync("host-signin.example.com", "/x", null);
        Assert.Equal(HttpStatusCode.Found, status);
        Assert.Equal("https://host-signin.example.com/oauth2/start?rd=http://host-signin.example.com%2Fx", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Auth_request_redirect_is_sent_to_the_auth_service_as_X_Auth_Request_Redirect()
    {
        _seen.Clear();
        Assert.Equal(HttpStatusCode.OK, (await SendAsync("redirect.example.com", "/page?q=1", "Bearer good", ("X-Auth-Request-Redirect", "https://evil.example.com/"))).Status);
        Assert.Equal("https://app.example.com/back", Assert.Single(_seen)["x-auth-request-redirect"]);
    }

    [Fact]
    public async Task An_auth_service_that_does_not_answer_HTTP_is_500_and_the_backend_is_never_asked()
    {
        var before = _web.Requests;
        Assert.Equal(HttpStatusCode.InternalServerError, (await SendAsync("garbage.example.com", "/", "Bearer good")).Status);
        Assert.Equal(1, _garbage.Accepted);
        Assert.Equal(before, _web.Requests);
        var logged = $"External auth at http://127.0.0.1:{_garbage.Port}/verify failed";
        await _alb.WaitUntilAsync(() => Task.FromResult(_alb.Process.Output().Contains(logged, StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "the failure in alb's log");
    }

    private static string Ing(string name, string host, string service, params (string Key, string Value)[] annotations) =>
        ManifestDir.Ingress(name, host, "/", service, annotations: annotations.ToDictionary(a => P + a.Key, a => a.Value));

    private async Task<(HttpStatusCode Status, HttpResponseMessage Response)> SendAsync(string host, string path, string? authorization, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Host = host } };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await _alb.Http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return (response.StatusCode, response);
    }
}
