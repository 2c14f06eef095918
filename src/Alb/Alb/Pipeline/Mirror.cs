using System.Net.Http.Headers;
using Alb.Core.Policies;
using Microsoft.AspNetCore.Http.Features;

namespace Alb.Pipeline;

/// <summary>
/// mirror-target: a copy of the request (method, path, headers, and the buffered body up to <see cref="MaxBody"/>) is
/// sent in the background and its answer thrown away. Bounded: at most <see cref="MaxInFlight"/> copies in flight in
/// the process (more are dropped and counted), each with a 10 s deadline; the real request never waits for one.
/// </summary>
internal sealed class Mirror(MirrorPolicy policy, MirrorSender sender)
{
    public const int MaxBody = 256 * 1024;

    public const int MaxInFlight = 256;

    public async ValueTask FireAsync(HttpContext context)
    {
        if (!sender.TryEnter())
        {
            return;
        }

        HttpRequestMessage? message = null;
        try
        {
            var request = context.Request;
            var uri = policy.AppendRequestUri
                ? policy.Url + (context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw && raw[0] == '/' ? raw : request.Path.Value + request.QueryString.Value)
                : policy.Url;
            message = new HttpRequestMessage(new HttpMethod(request.Method), uri);
            if (policy.Body && request.Body.CanSeek && request.Body.Length is > 0 and <= MaxBody)
            {
                var body = new byte[request.Body.Length];
                request.Body.Position = 0;
                await request.Body.ReadExactlyAsync(body, context.RequestAborted).ConfigureAwait(false);
                request.Body.Position = 0;
                message.Content = new ByteArrayContent(body);
                if (request.ContentType is { } type && MediaTypeHeaderValue.TryParse(type, out var parsed))
                {
                    message.Content.Headers.ContentType = parsed;
                }
            }

            foreach (var (name, values) in request.Headers)
            {
                if (name is not ("Host" or "Connection" or "Keep-Alive" or "Transfer-Encoding" or "Content-Length" or "Content-Type" or "Upgrade" or "Proxy-Connection" or "TE" or "Proxy"))
                {
                    message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
                }
            }

            message.Headers.Host = policy.Host;
            sender.Send(message);
            message = null; // the sender owns it now
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException or UriFormatException or FormatException)
        {
            sender.Leave();
        }
        finally
        {
            message?.Dispose();
        }
    }
}

/// <summary>The process-wide mirror client: its own connection pool, the in-flight bound, counters.</summary>
internal sealed class MirrorSender : IDisposable
{
    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
    });

    private int _inFlight;
    private long _dropped;
    private long _sent;

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Sent => Interlocked.Read(ref _sent);

    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _inFlight) <= Mirror.MaxInFlight)
        {
            return true;
        }

        Interlocked.Decrement(ref _inFlight);
        Interlocked.Increment(ref _dropped);
        return false;
    }

    public void Leave() => Interlocked.Decrement(ref _inFlight);

    public void Send(HttpRequestMessage message) => _ = SendAsync(message);

    private async Task SendAsync(HttpRequestMessage message)
    {
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using var response = await _client.SendAsync(message, deadline.Token).ConfigureAwait(false);
            Interlocked.Increment(ref _sent);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            // A mirror's failure is nobody's business: the real answer does not depend on it.
        }
        finally
        {
            message.Dispose();
            Leave();
        }
    }

    public void Dispose() => _client.Dispose();
}
