using System.Collections.Concurrent;
using System.Net;

namespace Alb.Auth;

/// <summary>
/// The JWKS of every auth-jwt-jwks-url, one <see cref="JwksSource"/> per URL, kept across reloads: a publish that
/// still uses a URL keeps its keys and schedule; one that no longer does stops it. A new URL's first fetch starts
/// when the route is compiled (at publish), not on the first request.
/// </summary>
internal sealed class JwksStore : IDisposable
{
    private readonly ConcurrentDictionary<string, JwksSource> _sources = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly JwksLog _log;
    private readonly HttpMessageInvoker _client;

    public JwksStore(TimeProvider time, ILogger logger, HttpMessageInvoker? client = null)
    {
        _time = time;
        _log = new JwksLog(logger);
        _client = client ?? new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = JwksSource.FetchTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            MaxResponseHeadersLength = 64, // KiB
            ActivityHeadersPropagator = null,
        });
    }

    /// <summary>The source of <paramref name="url"/>, created (and its first fetch started) when new.</summary>
    public JwksSource Get(string url) => _sources.GetOrAdd(url, static (u, s) => new JwksSource(u, s._client, s._time, s._log), this);

    /// <summary>Stops the sources of URLs no route uses any more.</summary>
    public void Retain(IReadOnlySet<string> live)
    {
        foreach (var url in _sources.Keys.Where(u => !live.Contains(u)).ToList())
        {
            if (_sources.TryRemove(url, out var gone))
            {
                gone.Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (var source in _sources.Values)
        {
            source.Dispose();
        }

        _client.Dispose();
    }
}
