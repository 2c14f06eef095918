using System.Net.Security;
using Alb.Core.Policies;
using Alb.Core.Routing;
using Alb.Core.Translation;
using Alb.Observability;
using Alb.Pipeline;
using Alb.Tls;
using Yarp.ReverseProxy.Forwarder;

namespace Alb.Proxy;

internal enum PublishOutcome
{
    Applied,
    Unchanged,
    Failed,
}

/// <summary>
/// Swaps a new <see cref="ProxyState"/> in atomically. An equal table does nothing; a table that fails to compile
/// (say, a certificate the runtime refuses) keeps the last good state. Requests read <see cref="Current"/> once.
/// </summary>
internal sealed partial class ConfigPublisher(
    RequestMetrics requestMetrics,
    AlbMetrics metrics,
    TimeProvider time,
    IHttpForwarder forwarder,
    UpstreamClient upstream,
    ServePorts ports,
    ILogger<ConfigPublisher> logger)
{
    private readonly ForwardServices _services = new(forwarder, upstream, metrics, time, logger, new MirrorSender());
    private readonly Dictionary<string, RateLimitState> _limits = new(StringComparer.Ordinal);
    private readonly CertificateCache _certificates = new();
    private readonly Dictionary<string, EndpointState> _endpoints = new(StringComparer.Ordinal);
    // Made while the source reads its objects (about 150 ms, mostly the chain build), not on the first publish's path.
    private readonly Task<SslStreamCertificateContext> _generatedDefault = Task.Run(() => CertificateCache.CreateContext(SelfSignedCertificate.Create(time)));
    private readonly ConfigHash _hash = new();
    private readonly Lock _lock = new();
    private readonly Lock _reportLock = new();
    private long _published; // tables applied
    private long _reported; // the newest of them whose hash the metric shows
    private volatile ProxyState? _current;
    private Task _firstHash = Task.CompletedTask;

    /// <summary>How long after the first table serves its hash is made.</summary>
    public static readonly TimeSpan FirstHashDelay = TimeSpan.FromSeconds(1);

    public ProxyState? Current => _current;

    /// <summary>Done once the first table's hash is reported (or failed); for tests.</summary>
    internal Task FirstHash => _firstHash;

    /// <summary>True once a route table has been applied: /readyz answers 200 from then on.</summary>
    public bool Ready => _current is not null;

    public PublishOutcome Publish(TranslationResult result)
    {
        lock (_lock)
        {
            metrics.SetDiagnostics(result.Diagnostics);
            var table = RouteTableReuse.Share(result.Table, _current?.Table); // unchanged hosts keep what was built for them
            if (_current is { } current && current.Table.Equals(table))
            {
                metrics.Unchanged();
                return PublishOutcome.Unchanged;
            }

            try
            {
                var live = new HashSet<string>(StringComparer.Ordinal);
                var pools = Pools(table);
                var context = new PipelineContext(table.Settings, ports.HttpsPort, _services, (id, policy) => Limits(id, policy, live), id => pools.GetValueOrDefault(id));
                var certs = new CertificateStore(table, _certificates, _generatedDefault.GetAwaiter().GetResult());
                var state = new ProxyState(table, pools, certs, requestMetrics, context, _current);
                foreach (var gone in _limits.Keys.Where(k => !live.Contains(k)).ToList())
                {
                    _limits.Remove(gone);
                }

                _current = state; // serving from here on
                _certificates.Retain(table);
                _services.Jwks.Retain(context.JwksUrls);
                upstream.Lean?.Retain(state.Pools.Values.SelectMany(p => p.Endpoints)); // endpoints that left: their lean pools closed
                metrics.Applied(table.Hosts.Sum(h => h.Routes.Count), table.Backends.Count, time.GetUtcNow());
                var sequence = ++_published;
                if (sequence == 1)
                {
                    _firstHash = HashLater(state, sequence);
                }
                else
                {
                    Report(state, sequence);
                }

                return PublishOutcome.Applied;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // JWKS sources the failed build started are stopped; the ones the serving table uses keep running.
                _services.Jwks.Retain(_current?.JwksUrls ?? new HashSet<string>());
                metrics.Failed();
                LogFailed(logger, e);
                return PublishOutcome.Failed;
            }
        }
    }

    /// <summary>
    /// The first table's hash is for the metric and the log only, and the first one pays for System.Text.Json's start
    /// (about 0.1 s of CPU): made on a thread of its own <see cref="FirstHashDelay"/> after the first table serves, it
    /// takes no CPU from the start-up and the first requests (ready after 0.60 s instead of 0.72 s on one CPU). The
    /// thread keeps the process's priority: at a lower one it was starved on a busy machine while holding what a later
    /// publish's hash needed too (System.Text.Json's first use), and changes waited seconds behind it.
    /// </summary>
    private Task HashLater(ProxyState state, long sequence)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var delay = Task.Delay(FirstHashDelay, time); // from now, not from whenever the thread gets going
        new Thread(() =>
        {
            try
            {
                delay.GetAwaiter().GetResult();
                Report(state, sequence);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogHashFailed(logger, e); // the table serves; only its hash is missing (0)
            }
            finally
            {
                done.SetResult();
            }
        }) { IsBackground = true, Name = "alb first hash" }.Start();
        return done.Task;
    }

    /// <summary>
    /// Hashes the <paramref name="sequence"/>th table applied (~250 ms for a first table of 10,000 Ingresses) and logs
    /// it; the metric shows it unless a newer table's hash was reported first (the first table's, made later: HashLater).
    /// </summary>
    private void Report(ProxyState state, long sequence)
    {
        var table = state.Table;
        state.Hash = _hash.Of(table);
        lock (_reportLock)
        {
            if (sequence > _reported)
            {
                _reported = sequence;
                metrics.Hashed(state.Hash);
            }

            LogApplied(logger, table.Hosts.Count, table.Hosts.Sum(h => h.Routes.Count), table.Backends.Count, state.Hash, state.Compiled);
        }
    }

    /// <summary>A route's limiters survive a reload while its id and policy stay the same (counts are not reset by unrelated changes).</summary>
    private RateLimitState Limits(string routeId, RateLimitPolicy policy, HashSet<string> live)
    {
        live.Add(routeId);
        if (!_limits.TryGetValue(routeId, out var state) || !state.Policy.Equals(policy))
        {
            state = new RateLimitState(policy, time);
            _limits[routeId] = state;
        }

        return state;
    }

    private Dictionary<string, BackendPool> Pools(RouteTable table)
    {
        var live = new HashSet<string>(StringComparer.Ordinal);
        var pools = new Dictionary<string, BackendPool>(StringComparer.Ordinal);
        foreach (var backend in table.Backends)
        {
            var endpoints = new EndpointState[backend.Endpoints.Count];
            for (var i = 0; i < endpoints.Length; i++)
            {
                var authority = backend.Endpoints[i].Authority;
                live.Add(authority);
                if (!_endpoints.TryGetValue(authority, out var state))
                {
                    state = new EndpointState(authority);
                    _endpoints[authority] = state;
                }

                endpoints[i] = state;
            }

            // A backend that is the same object as in service keeps its pool (and the pool's place in the rotation).
            pools[backend.Id] = _current?.Pools.GetValueOrDefault(backend.Id) is { } serving && ReferenceEquals(serving.Backend, backend)
                ? serving
                : new BackendPool(backend, endpoints);
        }

        foreach (var gone in _endpoints.Keys.Where(k => !live.Contains(k)).ToList())
        {
            _endpoints.Remove(gone);
        }

        return pools;
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Configuration applied: {Hosts} hosts, {Routes} routes, {Backends} backends, hash {Hash}; {Compiled} route pipelines compiled, the others reused")]
    private static partial void LogApplied(ILogger logger, int hosts, int routes, int backends, long hash, int compiled);

    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "Configuration rejected; the last good configuration stays in service")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "Configuration applied, but its hash could not be made")]
    private static partial void LogHashFailed(ILogger logger, Exception exception);
}
