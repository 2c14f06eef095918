using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Edge.Kubernetes;

/// <summary>
/// Leader election on a <c>coordination.k8s.io/v1</c> Lease, as client-go does it (no trust in the other replicas'
/// clocks: a Lease is expired when it has not changed for its duration since this replica saw it change), with what
/// KubernetesClient's elector lacks: the leader's work gets a token that is cancelled the moment leadership is lost
/// (at the renew deadline, by a timer, even while a renewal hangs), the work runs on its own task so it cannot stall
/// renewals, and stopping releases the Lease so another replica takes over at once.
/// </summary>
public sealed partial class LeaderElector
{
    private readonly KubeApi _api;
    private readonly LeaderElectionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private V1LeaseSpec? _observed;
    private long _observedAt;
    private V1Lease? _lease;
    private volatile CancellationTokenSource? _term;
    private long _acquireStarted;

    public LeaderElector(KubeApi api, LeaderElectionOptions options, TimeProvider time, ILogger logger)
    {
        var errors = options.Validate().ToList();
        if (errors.Count > 0)
        {
            throw new ArgumentException("leader election: " + string.Join("; ", errors), nameof(options));
        }

        _api = api;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>True while this replica leads (its leadership token is live).</summary>
    public bool IsLeader => _term is { IsCancellationRequested: false };

    /// <summary>The holder this replica last saw in the Lease (null when none).</summary>
    public string? Leader { get; private set; }

    /// <summary>Terms this replica started.</summary>
    public int Terms { get; private set; }

    /// <summary>
    /// Campaigns until <paramref name="ct"/> is cancelled. Each time leadership is won, <paramref name="lead"/> runs
    /// with a token cancelled when it is lost; the elector waits for it to return before campaigning again.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            if (!await AcquireAsync(ct).ConfigureAwait(false))
            {
                break;
            }

            var left = _options.RenewDeadline - _time.GetElapsedTime(_acquireStarted);
            using var term = new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.FromTicks(1), _time);
            _term = term;
            Terms++;
            LogStarted(_logger, _options.Identity, _options.Namespace, _options.LeaseName);
            var work = Task.Run(() => lead(term.Token), CancellationToken.None);
            try
            {
                await RenewAsync(term, ct).ConfigureAwait(false);
            }
            finally
            {
                await term.CancelAsync().ConfigureAwait(false);
                LogStopped(_logger, _options.Identity);
                try
                {
                    await work.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // the work stopped because its term ended
                }
                catch (Exception e)
                {
                    LogWorkFailed(_logger, e);
                }

                _term = null;
            }

            if (ct.IsCancellationRequested)
            {
                await ReleaseAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Tries every retry period (jittered) until the Lease is ours; false when cancelled.</summary>
    private async Task<bool> AcquireAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            _acquireStarted = _time.GetTimestamp(); // the term's deadline counts from here, not from the answer
            if (await TryAcquireOrRenewAsync(ct).ConfigureAwait(false))
            {
                return true;
            }

            try
            {
                await Task.Delay(_options.RetryPeriod * (1 + (Random.Shared.NextDouble() * 0.2)), _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>Renews every retry period; each success moves the term's deadline to (start of that renewal + renew deadline).</summary>
    private async Task RenewAsync(CancellationTokenSource term, CancellationToken ct)
    {
        var lastStart = _time.GetTimestamp();
        while (!term.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.RetryPeriod, _time, term.Token).WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var start = _time.GetTimestamp();
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(term.Token, ct);
            if (await TryAcquireOrRenewAsync(attempt.Token).ConfigureAwait(false))
            {
                lastStart = start;
                var left = _options.RenewDeadline - _time.GetElapsedTime(start);
                if (left > TimeSpan.Zero)
                {
                    term.CancelAfter(left);
                }
            }
            else
            {
                LogRenewFailed(_logger, _options.Identity, _time.GetElapsedTime(lastStart).TotalSeconds);
            }
        }
    }

    private async Task<bool> TryAcquireOrRenewAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        try
        {
            var lease = await _api.GetAsync<V1Lease>(ResourceKind.Leases, _options.Namespace, _options.LeaseName, ct).ConfigureAwait(false);
            if (lease is null)
            {
                var created = await _api.CreateAsync(ResourceKind.Leases, _options.Namespace, new V1Lease
                {
                    ApiVersion = "coordination.k8s.io/v1",
                    Kind = "Lease",
                    Metadata = new V1ObjectMeta { Name = _options.LeaseName, NamespaceProperty = _options.Namespace },
                    Spec = Record(now, now, 0),
                }, ct).ConfigureAwait(false);
                Observe(created.Spec);
                _lease = created;
                return true;
            }

            Observe(lease.Spec);
            var spec = lease.Spec ?? new V1LeaseSpec();
            var ours = spec.HolderIdentity == _options.Identity;
            var duration = TimeSpan.FromSeconds(spec.LeaseDurationSeconds is > 0 ? spec.LeaseDurationSeconds.Value : _options.LeaseDuration.TotalSeconds);
            if (!ours && !string.IsNullOrEmpty(spec.HolderIdentity) && _time.GetElapsedTime(_observedAt) < duration)
            {
                return false; // held by another replica and not expired as we see it
            }

            lease.Spec = Record(ours && spec.AcquireTime is { } acquired ? acquired : now, now, (spec.LeaseTransitions ?? 0) + (ours ? 0 : 1));
            var updated = await _api.ReplaceAsync(ResourceKind.Leases, _options.Namespace, _options.LeaseName, lease, ct).ConfigureAwait(false);
            Observe(updated.Spec);
            _lease = updated;
            if (!ours)
            {
                LogAcquired(_logger, _options.Identity, spec.HolderIdentity ?? "");
            }

            return true;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or TimeoutException or IOException or System.Text.Json.JsonException)
        {
            if (e is not KubeApiException { IsConflict: true })
            {
                LogLeaseError(_logger, _options.LeaseName, e.Message);
            }

            return false;
        }
    }

    /// <summary>Writes an empty holder with a 1 s duration, so another replica need not wait a whole lease duration.</summary>
    private async Task ReleaseAsync()
    {
        if (_lease is not { Spec.HolderIdentity: var holder } lease || holder != _options.Identity)
        {
            return;
        }

        using var bound = new CancellationTokenSource(_options.RenewDeadline);
        var now = _time.GetUtcNow().UtcDateTime;
        lease.Spec = new V1LeaseSpec { HolderIdentity = "", LeaseDurationSeconds = 1, AcquireTime = now, RenewTime = now, LeaseTransitions = lease.Spec.LeaseTransitions };
        try
        {
            await _api.ReplaceAsync(ResourceKind.Leases, _options.Namespace, _options.LeaseName, lease, bound.Token).ConfigureAwait(false);
            LogReleased(_logger, _options.Identity);
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or TimeoutException or IOException or OperationCanceledException)
        {
            LogLeaseError(_logger, _options.LeaseName, e.Message);
        }
    }

    private V1LeaseSpec Record(DateTime acquired, DateTime renewed, int transitions) => new()
    {
        HolderIdentity = _options.Identity,
        LeaseDurationSeconds = (int)_options.LeaseDuration.TotalSeconds,
        AcquireTime = acquired,
        RenewTime = renewed,
        LeaseTransitions = transitions,
    };

    /// <summary>Remembers when the Lease's record last changed, by this replica's clock.</summary>
    private void Observe(V1LeaseSpec? spec)
    {
        if (_observed is null || spec is null || spec.HolderIdentity != _observed.HolderIdentity || spec.RenewTime != _observed.RenewTime
            || spec.AcquireTime != _observed.AcquireTime || spec.LeaseTransitions != _observed.LeaseTransitions || spec.LeaseDurationSeconds != _observed.LeaseDurationSeconds)
        {
            _observed = spec;
            _observedAt = _time.GetTimestamp();
        }

        Leader = string.IsNullOrEmpty(spec?.HolderIdentity) ? null : spec.HolderIdentity;
    }

    [LoggerMessage(EventId = 910, Level = LogLevel.Information, Message = "{Identity} leads (Lease {Namespace}/{Lease})")]
    private static partial void LogStarted(ILogger logger, string identity, string @namespace, string lease);

    [LoggerMessage(EventId = 911, Level = LogLevel.Warning, Message = "{Identity} stopped leading")]
    private static partial void LogStopped(ILogger logger, string identity);

    [LoggerMessage(EventId = 912, Level = LogLevel.Information, Message = "{Identity} took the Lease over from \"{Previous}\"")]
    private static partial void LogAcquired(ILogger logger, string identity, string previous);

    [LoggerMessage(EventId = 913, Level = LogLevel.Warning, Message = "{Identity} could not renew its Lease ({Seconds:F1} s since the last renewal started)")]
    private static partial void LogRenewFailed(ILogger logger, string identity, double seconds);

    [LoggerMessage(EventId = 914, Level = LogLevel.Warning, Message = "Lease {Lease}: {Reason}")]
    private static partial void LogLeaseError(ILogger logger, string lease, string reason);

    [LoggerMessage(EventId = 915, Level = LogLevel.Information, Message = "{Identity} released its Lease")]
    private static partial void LogReleased(ILogger logger, string identity);

    [LoggerMessage(EventId = 916, Level = LogLevel.Error, Message = "Leader work failed")]
    private static partial void LogWorkFailed(ILogger logger, Exception exception);
}
