using System.Net;
using System.Text;
using Alb.Core.Auth;
using Microsoft.IdentityModel.Tokens;

namespace Alb.Auth;

/// <summary>
/// One JWKS URL: fetched in the background (at most 5 s and 1 MiB), refreshed every 5 minutes, and on a token with an
/// unknown <c>kid</c> at most once per 30 s. A failed fetch keeps the last good keys and is retried sooner (1 s
/// doubling to 60 s). Only RSA, EC and OKP Ed25519 signing keys are kept; a JWKS with none counts as a failed fetch.
/// </summary>
internal sealed class JwksSource : IDisposable
{
    public static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan UnknownKidInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(60);

    private readonly string _url;
    private readonly HttpMessageInvoker _client;
    private readonly TimeProvider _time;
    private readonly JwksLog _log;
    private readonly ITimer _timer;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopped = new();
    private volatile JwksKeys? _keys;
    private Task<bool>? _fetch;
    private long _lastKidRefresh;
    private bool _kidRefreshed;
    private int _failures;

    public JwksSource(string url, HttpMessageInvoker client, TimeProvider time, JwksLog log)
    {
        _url = url;
        _client = client;
        _time = time;
        _log = log;
        _timer = time.CreateTimer(static s => ((JwksSource)s!).Start(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Start();
    }

    /// <summary>The last good keys; null until a fetch has succeeded.</summary>
    public JwksKeys? Keys => _keys;

    /// <summary>Completes when a fetch in flight ends (at once when none is); true when keys are there after it.</summary>
    public async Task<bool> WaitForKeysAsync()
    {
        Task<bool>? fetch;
        lock (_lock)
        {
            fetch = _fetch;
        }

        if (_keys is null && fetch is not null)
        {
            await fetch.ConfigureAwait(false);
        }

        return _keys is not null;
    }

    /// <summary>A token named a kid the keys lack: fetch again unless that was done in the last 30 s. True when new keys came.</summary>
    public async Task<bool> RefreshForUnknownKidAsync()
    {
        var before = _keys;
        Task<bool> fetch;
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            if (_kidRefreshed && _time.GetElapsedTime(_lastKidRefresh, now) < UnknownKidInterval)
            {
                return false;
            }

            _kidRefreshed = true;
            _lastKidRefresh = now;
            fetch = StartLocked();
        }

        return await fetch.ConfigureAwait(false) && !ReferenceEquals(before, _keys);
    }

    public void Dispose()
    {
        _stopped.Cancel();
        _timer.Dispose();
    }

    private void Start()
    {
        lock (_lock)
        {
            StartLocked();
        }
    }

    private Task<bool> StartLocked()
    {
        if (_fetch is { IsCompleted: false } running)
        {
            return running;
        }

        return _fetch = _stopped.IsCancellationRequested ? Task.FromResult(false) : Task.Run(FetchAsync);
    }

    private async Task<bool> FetchAsync()
    {
        string? problem;
        try
        {
            problem = await TryFetchAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or DecoderFallbackException)
        {
            problem = e is OperationCanceledException ? "no answer within 5 s" : e.GetType().Name;
        }

        if (_stopped.IsCancellationRequested)
        {
            return false;
        }

        TimeSpan next;
        if (problem is null)
        {
            _failures = 0;
            next = RefreshInterval;
            _log.Fetched(_url, _keys!.Keys.Count);
        }
        else
        {
            _failures = Math.Min(_failures + 1, 16);
            next = TimeSpan.FromSeconds(Math.Min(MaxRetry.TotalSeconds, Math.Pow(2, _failures - 1)));
            _log.Failed(_url, problem, _keys is not null);
        }

        try
        {
            _timer.Change(next, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // stopped meanwhile
        }

        return problem is null;
    }

    /// <summary>Null when the keys were replaced; otherwise why the fetch failed.</summary>
    private async Task<string?> TryFetchAsync()
    {
        using var timeout = new CancellationTokenSource(FetchTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stopped.Token);
        using var request = new HttpRequestMessage(HttpMethod.Get, _url) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await _client.SendAsync(request, linked.Token).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return $"status {(int)response.StatusCode}";
        }

        if (response.Content.Headers.ContentLength > JwksDocument.MaxBytes)
        {
            return "larger than 1 MiB";
        }

        await using var body = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
        var buffer = new byte[JwksDocument.MaxBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), linked.Token).ConfigureAwait(false)) > 0)
        {
            length += read;
        }

        if (length > JwksDocument.MaxBytes)
        {
            return "larger than 1 MiB";
        }

        var json = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, length);
        if (JwksKeys.TryParse(json, out var keys) is { } problem)
        {
            return problem;
        }

        _keys = keys;
        return null;
    }
}

/// <summary>The usable signing keys of one JWKS and their kids.</summary>
internal sealed class JwksKeys
{
    private JwksKeys(IReadOnlyList<SecurityKey> keys) => Keys = keys;

    public IReadOnlyList<SecurityKey> Keys { get; }

    public bool HasKid(string kid) => Keys.Any(k => k.KeyId == kid);

    /// <summary>
    /// Null when <paramref name="keys"/> holds at least one RSA, EC or OKP Ed25519 signing key; otherwise why not.
    /// RSA and EC keys are IdentityModel's own (<see cref="JsonWebKeySet.GetSigningKeys"/>); an OKP key stays a
    /// <see cref="JsonWebKey"/> with <see cref="Ed25519CryptoProvider.Factory"/>, which IdentityModel asks for EdDSA.
    /// </summary>
    public static string? TryParse(string json, out JwksKeys? keys)
    {
        keys = null;
        if (JwksDocument.TryRead(json, out _, out _) is { } problem)
        {
            return problem;
        }

        try
        {
            var set = new JsonWebKeySet(json) { SkipUnresolvedJsonWebKeys = true };
            foreach (var unusable in set.Keys.Where(k => k.Kty is not ("RSA" or "EC" or "OKP") || (!string.IsNullOrEmpty(k.Use) && k.Use != "sig")).ToList())
            {
                set.Keys.Remove(unusable);
            }

            var signing = set.GetSigningKeys().Where(k => k is AsymmetricSecurityKey or JsonWebKey { Kty: "RSA" or "EC" }).ToList();
            signing.AddRange(set.Keys.Where(k => k.Kty == "OKP" && Ed25519CryptoProvider.TryAdopt(k)));
            if (signing.Count == 0)
            {
                return "holds no RSA, EC or Ed25519 signing key alb can use";
            }

            keys = new JwksKeys(signing);
            return null;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or System.Text.Json.JsonException or InvalidOperationException or System.Security.Cryptography.CryptographicException)
        {
            return "does not parse as a JWKS";
        }
    }
}

/// <summary>JWKS fetches in the log: the URL and what went wrong; never a key or a token.</summary>
internal sealed partial class JwksLog(ILogger logger)
{
    public void Fetched(string url, int keys) => LogFetched(logger, url, keys);

    public void Failed(string url, string problem, bool kept) => LogFailed(logger, url, problem, kept ? "the last good keys stay in use" : "its routes answer 503 until a fetch succeeds");

    [LoggerMessage(EventId = 222, Level = LogLevel.Information, Message = "JWKS {Url} fetched: {Keys} signing keys")]
    private static partial void LogFetched(ILogger logger, string url, int keys);

    [LoggerMessage(EventId = 223, Level = LogLevel.Warning, Message = "JWKS {Url} could not be fetched ({Problem}); {Outcome}")]
    private static partial void LogFailed(ILogger logger, string url, string problem, string outcome);
}
