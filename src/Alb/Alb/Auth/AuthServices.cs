using System.Collections.Concurrent;
using System.Net;

namespace Alb.Auth;

/// <summary>
/// What the auth checks of every route share, kept across reloads: the connection pool to auth services (always kept
/// alive; auth-keepalive* need not be set), the auth answer cache, and the logger.
/// </summary>
internal sealed class AuthServices : IDisposable
{
    /// <summary>Connecting to an auth service may take this long (proxy-connect-timeout's default).</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    public AuthServices(TimeProvider time, ILogger logger)
    {
        Cache = new AuthCache(time);
        Log = new AuthLog(logger);
        Client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            MaxResponseHeadersLength = 64, // KiB
            ActivityHeadersPropagator = null,
        });
    }

    public HttpMessageInvoker Client { get; }

    public AuthCache Cache { get; }

    public AuthLog Log { get; }

    public void Dispose() => Client.Dispose();
}

/// <summary>auth-cache-key answers, bounded (10,000 entries), each for its auth-cache-duration.</summary>
internal sealed class AuthCache(TimeProvider time)
{
    public const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<string, (AuthAnswer Answer, long Until)> _entries = new(StringComparer.Ordinal);

    public bool TryGet(string key, out AuthAnswer answer)
    {
        if (_entries.TryGetValue(key, out var entry) && time.GetTimestamp() < entry.Until)
        {
            answer = entry.Answer;
            return true;
        }

        answer = AuthAnswer.Failed;
        return false;
    }

    public void Set(string key, AuthAnswer answer, TimeSpan lifetime)
    {
        var now = time.GetTimestamp();
        if (_entries.Count >= MaxEntries)
        {
            foreach (var (k, v) in _entries)
            {
                if (v.Until <= now)
                {
                    _entries.TryRemove(k, out _);
                }
            }

            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }
        }

        _entries[key] = (answer, now + (long)(lifetime.TotalSeconds * time.TimestampFrequency));
    }
}

/// <summary>Auth failures in the log: the auth service's address and the kind of failure, never a header or credential.</summary>
internal sealed partial class AuthLog(ILogger logger)
{
    public void AuthServiceFailed(string url, string error) => Failed(logger, url, error);

    public void AuthUrlInvalid(string template) => Invalid(logger, template);

    [LoggerMessage(EventId = 220, Level = LogLevel.Warning, Message = "External auth at {Url} failed ({Error}); the request is answered 500")]
    private static partial void Failed(ILogger logger, string url, string error);

    [LoggerMessage(EventId = 221, Level = LogLevel.Warning, Message = "auth-url {Template} did not expand to an http(s) URL; the request is answered 500")]
    private static partial void Invalid(ILogger logger, string template);
}
