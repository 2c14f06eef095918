using System.Threading.Channels;
using EtcdBackup.Cli;
using EtcdBackup.Core.Changes;
using EtcdBackup.Core.Deltas;
using EtcdBackup.Core.Manifests;
using EtcdBackup.Core.Mirror;
using EtcdBackup.Daemon;
using EtcdBackup.Etcd;
using EtcdBackup.Snapshots;
using EtcdBackup.Targets;

namespace EtcdBackup.Deltas;

/// <summary>
/// The deltas of <c>run</c>: the change stream of the whole keyspace from the current chain's next revision, cut into
/// a delta every <c>delta.interval</c> (or earlier at <c>delta.maxMiB</c>), so memory holds at most one delta. A new
/// full snapshot, once committed, ends the chain (what was received so far is stored first) and starts the next one at
/// its revision + 1. A compacted start (<see cref="ResyncNeeded"/>) or a delta that some target did not store ends
/// the chain without a silent gap: it is logged, counted, and a full snapshot is asked for (so does any unexpected
/// error, reason <c>error</c>).
/// </summary>
internal sealed partial class DeltaRecorder(BackupContext context, TimeProvider time, ILogger logger, BackupMetrics metrics)
{
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(5);
    private readonly Channel<(SnapshotManifest Full, IReadOnlyList<ITarget> Targets)> _bases =
        Channel.CreateUnbounded<(SnapshotManifest, IReadOnlyList<ITarget>)>();
    private readonly Channel<string> _fullNeeded = Channel.CreateUnbounded<string>();
    private readonly DeltaStore _store = new(context.Settings.NamePrefix, context.Settings.Compression, context.Key);
    private readonly List<DeltaRevision> _pending = [];
    private long _pendingBytes;
    private (string Name, long Revision, long Next, IReadOnlyList<ITarget> Targets)? _chain;

    /// <summary>Reasons to take a full snapshot now (a chain ended).</summary>
    public ChannelReader<string> FullNeeded => _fullNeeded.Reader;

    /// <summary>When the oldest change not yet stored in a delta was received; null when none is waiting.</summary>
    public DateTimeOffset? OldestPending { get; private set; }

    /// <summary>
    /// Starts a new chain on a committed full snapshot, stored in <paramref name="targets"/>: its deltas go to those
    /// only, so no target holds deltas without their base (a target that missed the snapshot gets the next chain).
    /// </summary>
    public void NewBase(SnapshotManifest full, IReadOnlyList<ITarget> targets) => _bases.Writer.TryWrite((full, targets));

    /// <summary>Carries on a chain found in the targets at start; without one, asks for a full snapshot.</summary>
    public void Resume(DeltaChain? chain)
    {
        if (chain is null)
        {
            _fullNeeded.Writer.TryWrite("start");
            return;
        }

        _chain = (chain.Base.Name, chain.BaseManifest.Revision, chain.Next, context.Targets);
        LogResumed(logger, chain.Base.Name, chain.Next);
    }

    public async Task RunAsync(CancellationToken ct)
    {
        var interval = context.Settings.Delta.Interval!.Value;
        using var channels = new EtcdChannels(context.Settings);
        var stream = new ChangeStream(channels, context.Settings.Endpoints, context.Settings.CommandTimeout, new KeyRange([], null), _ => true, time, logger)
        {
            OnError = _ => metrics.Failures.WithLabels("etcd", "delta_stream").Inc(),
        };
        try
        {
            while (true)
            {
                if (_chain is null)
                {
                    Start(await _bases.Reader.ReadAsync(ct).ConfigureAwait(false));
                }

                try
                {
                    await FollowAsync(stream, interval, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (!ct.IsCancellationRequested && e is not OperationCanceledException)
                {
                    Break("error", $"{e.GetType().Name}: {e.Message}");
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // SIGTERM: store what was received (bounded by one delta) before exiting.
            await FlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Follows the current chain until a new base arrives or the chain breaks.</summary>
    private async Task FollowAsync(ChangeStream stream, TimeSpan interval, CancellationToken ct)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        await using var items = stream.ReadAsync(_chain!.Value.Next, ProgressEvery, cancel.Token).GetAsyncEnumerator(cancel.Token);
        var next = items.MoveNextAsync().AsTask();
        var newBase = _bases.Reader.WaitToReadAsync(cancel.Token).AsTask();
        var cutAt = time.GetUtcNow() + interval;
        try
        {
            while (true)
            {
                var wait = cutAt - time.GetUtcNow();
                using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token);
                var tick = Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, time, timer.Token);
                var done = await Task.WhenAny(next, newBase, tick).ConfigureAwait(false);
                await timer.CancelAsync().ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
                if (done == tick || _pendingBytes >= context.Settings.Delta.MaxBytes)
                {
                    cutAt = time.GetUtcNow() + interval;
                    if (!await FlushAsync().ConfigureAwait(false))
                    {
                        return;
                    }
                }

                if (done == newBase)
                {
                    await FlushAsync().ConfigureAwait(false);
                    Start(await _bases.Reader.ReadAsync(ct).ConfigureAwait(false));
                    return;
                }

                if (done != next)
                {
                    continue;
                }

                if (!await next.ConfigureAwait(false))
                {
                    return;
                }

                switch (items.Current)
                {
                    case RevisionChanges { Group: var group }:
                        var now = time.GetUtcNow();
                        var revision = new DeltaRevision(group.Revision, now, group.Changes);
                        _pending.Add(revision);
                        _pendingBytes += revision.Bytes;
                        OldestPending ??= now;
                        break;
                    case ResyncNeeded { CompactRevision: var compacted }:
                        await FlushAsync().ConfigureAwait(false);
                        Break("compacted", $"etcd compacted its history up to revision {compacted}, past the chain's next revision {_chain?.Next}");
                        return;
                }

                next = items.MoveNextAsync().AsTask();
            }
        }
        finally
        {
            await cancel.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(next, newBase).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    private void Start((SnapshotManifest Full, IReadOnlyList<ITarget> Targets) next)
    {
        var full = next.Full;
        _pending.Clear();
        _pendingBytes = 0;
        OldestPending = null;
        _chain = (full.Name, full.Revision, full.Revision + 1, next.Targets);
        LogChainStarted(logger, full.Name, full.Revision + 1);
    }

    /// <summary>
    /// Stores what is pending as one delta; false when the chain broke (some target did not store it). A write once
    /// begun is not cancelled by SIGTERM: stopping it between targets would leave the delta in some and not others,
    /// and the flush at exit would store the same revisions again under another name, overlapping the chain. It is
    /// bounded by <c>stallTimeout</c> instead; a target that does not finish in time failed.
    /// </summary>
    private async Task<bool> FlushAsync()
    {
        if (_pending.Count == 0 || _chain is not { } chain)
        {
            return true;
        }

        using var bound = new CancellationTokenSource(context.Settings.StallTimeout, time);
        var (manifest, failed) = await _store.WriteAsync(chain.Targets, chain.Name, chain.Revision, chain.Next, _pending, time.GetUtcNow(), bound.Token)
            .ConfigureAwait(false);
        _pending.Clear();
        _pendingBytes = 0;
        OldestPending = null;
        foreach (var target in chain.Targets.Where(t => !failed.ContainsKey(t)))
        {
            metrics.DeltasWritten.WithLabels(target.Name).Inc();
        }

        foreach (var (target, error) in failed)
        {
            metrics.Failures.WithLabels(target.Name, FailureReason.Of(error)).Inc();
            LogDeltaFailed(logger, manifest.Name, target.Name, FailureReason.Of(error), error.Message);
        }

        if (failed.Count > 0)
        {
            Break("write_failed", $"delta {manifest.Name} was not stored in {string.Join(", ", failed.Keys.Select(t => t.Name))}");
            return false;
        }

        _chain = chain with { Next = manifest.ToRevision + 1 };
        metrics.DeltaRevision.Set(manifest.ToRevision);
        LogDeltaStored(logger, manifest.Name, manifest.FromRevision, manifest.ToRevision, manifest.Events, manifest.StoredSize);
        return true;
    }

    private void Break(string reason, string detail)
    {
        LogChainBroken(logger, _chain?.Name ?? "-", reason, detail);
        metrics.ChainBreaks.WithLabels(reason).Inc();
        _chain = null;
        _pending.Clear();
        _pendingBytes = 0;
        OldestPending = null;
        _fullNeeded.Writer.TryWrite(reason);
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "delta chain on {Base} starts at revision {Next}")]
    private static partial void LogChainStarted(ILogger logger, string @base, long next);

    [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "delta chain on {Base} resumed at revision {Next}")]
    private static partial void LogResumed(ILogger logger, string @base, long next);

    [LoggerMessage(EventId = 42, Level = LogLevel.Information, Message = "delta {Name}: revisions {From}..{To}, {Events} events, {Bytes} bytes")]
    private static partial void LogDeltaStored(ILogger logger, string name, long from, long to, long events, long bytes);

    [LoggerMessage(EventId = 43, Level = LogLevel.Warning, Message = "delta {Name} not stored in {Target} ({Reason}): {Message}")]
    private static partial void LogDeltaFailed(ILogger logger, string name, string target, string reason, string message);

    [LoggerMessage(EventId = 44, Level = LogLevel.Warning,
        Message = "delta chain on {Base} ended ({Reason}): {Detail}; taking a new full snapshot to start the next chain")]
    private static partial void LogChainBroken(ILogger logger, string @base, string reason, string detail);
}
