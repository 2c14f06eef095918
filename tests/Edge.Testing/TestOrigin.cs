using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Edge.Testing;

/// <summary>
/// A real HTTP origin on 127.0.0.1 for end-to-end tests. Every answer names the origin and echoes what arrived:
/// <c>/ws</c> echoes WebSocket messages, <c>/slow?ms=N</c> waits, <c>/stream?chunks=N&amp;ms=M</c> streams,
/// <c>/body</c> counts the request body, <c>/trailers</c> answers with HTTP trailers (gRPC style, HTTP/2 only).
/// </summary>
public sealed class TestOrigin : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _connections = new();
    private int _requests;

    private TestOrigin(WebApplication app, string name, int port)
    {
        _app = app;
        Name = name;
        Port = port;
    }

    public string Name { get; }

    public int Port { get; }

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The last request seen: "METHOD host/path?query content-length".</summary>
    public string? LastRequest { get; private set; }

    /// <summary>When set, every answer has this status (a failing endpoint for retry tests).</summary>
    public int ForcedStatus { get; set; }

    /// <summary>A delay added before every answer (a slow endpoint for load-balancing tests).</summary>
    public int DelayMs { get; set; }

    /// <summary>Distinct client connections seen (the proxy's upstream pool, when a proxy is in front).</summary>
    public int Connections => _connections.Count;

    /// <summary>The most requests any one client connection carried.</summary>
    public int MostRequestsOnOneConnection => _connections.Values.DefaultIfEmpty(0).Max();

    public static async Task<TestOrigin> StartAsync(string name, bool http2Only = false)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port, o => o.Protocols = http2Only ? HttpProtocols.Http2 : HttpProtocols.Http1);
            k.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        var origin = new TestOrigin(app, name, port);
        app.UseWebSockets();
        app.Run(origin.HandleAsync);
        await app.StartAsync();
        return origin;
    }

    private async Task HandleAsync(HttpContext context)
    {
        LastRequest = $"{context.Request.Method} {context.Request.Host}{context.Request.Path}{context.Request.QueryString} {context.Request.ContentLength}";
        Interlocked.Increment(ref _requests);
        _connections.AddOrUpdate(context.Connection.Id, 1, static (_, n) => n + 1);
        if (DelayMs > 0)
        {
            await Task.Delay(DelayMs, context.RequestAborted);
        }

        if (ForcedStatus > 0)
        {
            context.Response.StatusCode = ForcedStatus;
            await context.Response.WriteAsync($"{{\"origin\":\"{Name}\",\"status\":{ForcedStatus}}}");
            return;
        }

        var request = context.Request;
        switch (request.Path.Value)
        {
            case "/ws" when context.WebSockets.IsWebSocketRequest:
                await EchoWebSocketAsync(context);
                return;
            case "/cookie":
                context.Response.Headers.Append("Set-Cookie", "a=1; Domain=Backend.Internal; Path=/one/two; HttpOnly");
                context.Response.Headers.Location = "http://backend.internal/next";
                context.Response.StatusCode = 302;
                return;
            case "/status":
                context.Response.StatusCode = int.Parse(request.Query["code"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
                await context.Response.WriteAsync($"{{\"origin\":\"{Name}\",\"status\":{context.Response.StatusCode}}}");
                return;
            case "/headers":
                // Each query parameter comes back as a response field (what the backend says, for alb to keep or replace).
                foreach (var (name, value) in request.Query)
                {
                    context.Response.Headers[name] = value;
                }

                break;
            case "/slow":
                await Task.Delay(int.Parse(request.Query["ms"].ToString() is { Length: > 0 } ms ? ms : "1000", System.Globalization.CultureInfo.InvariantCulture), context.RequestAborted);
                break;
            case "/stream":
                var chunks = int.Parse(request.Query["chunks"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
                var delay = int.Parse(request.Query["ms"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
                for (var i = 0; i < chunks; i++)
                {
                    await context.Response.WriteAsync($"chunk {i}\n", context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    await Task.Delay(delay, context.RequestAborted);
                }

                return;
            case "/big":
                // N bytes of a repeating pattern ("0123456789" over and over), with a Content-Length.
                var size = int.Parse(request.Query["bytes"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
                context.Response.ContentLength = size;
                var pattern = new byte[60_000]; // a multiple of 10: the pattern runs on across writes
                for (var i = 0; i < pattern.Length; i++)
                {
                    pattern[i] = (byte)('0' + (i % 10));
                }

                for (var sent = 0; sent < size;)
                {
                    var n = Math.Min(pattern.Length, size - sent);
                    await context.Response.Body.WriteAsync(pattern.AsMemory(0, n), context.RequestAborted);
                    sent += n;
                }

                return;
            case "/body":
                long total = 0;
                var buffer = new byte[64 * 1024];
                int read;
                while ((read = await request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
                {
                    total += read;
                }

                await context.Response.WriteAsync($"{{\"origin\":\"{Name}\",\"bytes\":{total}}}");
                return;
            case "/trailers":
                context.Response.AppendTrailer("grpc-status", "0");
                context.Response.AppendTrailer("grpc-message", "ok-from-" + Name);
                await context.Response.WriteAsync("payload");
                return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            origin = Name,
            method = request.Method,
            host = request.Host.Value,
            path = request.Path.Value + request.QueryString.Value,
            target = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget,
            protocol = request.Protocol,
            headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
        }));
    }

    private static async Task EchoWebSocketAsync(HttpContext context)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[4096];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                return;
            }

            await socket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
