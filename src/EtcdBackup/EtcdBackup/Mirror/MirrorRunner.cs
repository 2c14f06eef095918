using EtcdBackup.Core.Changes;
using EtcdBackup.Core.Mirror;
using EtcdBackup.Etcd;

namespace EtcdBackup.Mirror;

/// <summary>
/// The mirror's loop: read the resume key; without one (or when the source is behind it, as after a restore of the
/// source) resync; then apply the change stream from the next revision until the source compacts past it, and resync.
/// Reading and writing overlap: while the next watch answer is awaited the pending transaction is written, and answers
/// already received are packed into the same transaction, so a busy source gets fuller transactions, not a queue.
/// </summary>
internal sealed partial class MirrorRunner(MirrorSetup setup, MirrorProgress progress, ILogger logger)
{
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(1);
    private readonly DestWriter _dest = setup.CreateWriter();
    private long _startedAt;
    private bool _firstLogged;
    private long _eventsPending;

    public async Task RunAsync(CancellationToken ct)
    {
        _startedAt = setup.Time.GetTimestamp();
        string? reason = null;
        while (true)
        {
            var applied = await _dest.ReadMarkAsync(ct).ConfigureAwait(false);
            if (applied is null)
            {
                reason ??= "initial";
            }
            else if (applied > await SourceRevisionAsync(ct).ConfigureAwait(false))
            {
                LogSourceBehind(logger, applied.Value);
                reason ??= "source-behind";
            }

            if (reason is not null)
            {
                applied = (await new Resync(setup, _dest, logger).RunAsync(reason, ct).ConfigureAwait(false)).Revision;
                reason = null;
            }

            Applied(applied!.Value);
            LogFollowing(logger, applied.Value + 1, setup.SourceEndpoint);
            if (await FollowAsync(applied.Value + 1, ct).ConfigureAwait(false))
            {
                reason = "compacted";
            }
        }
    }

    /// <summary>Applies the change stream from <paramref name="start"/>; true when it ended for a resync.</summary>
    private async Task<bool> FollowAsync(long start, CancellationToken ct)
    {
        var batcher = new TxnBatcher();
        await using var items = setup.CreateStream().ReadAsync(start, ProgressEvery, ct).GetAsyncEnumerator(ct);
        var next = items.MoveNextAsync();
        while (true)
        {
            if (!next.IsCompleted && batcher.Flush() is { } ready)
            {
                await ApplyAsync(ready, ct).ConfigureAwait(false);
            }

            if (!await next.ConfigureAwait(false))
            {
                return false;
            }

            switch (items.Current)
            {
                case RevisionChanges { Group: var group }:
                    _eventsPending += group.Changes.Count;
                    foreach (var full in batcher.Add(group))
                    {
                        await ApplyAsync(full, ct).ConfigureAwait(false);
                    }

                    break;
                case SourceProgress { Revision: var revision }:
                    progress.OnSource(revision, idle: !batcher.HasPending, setup.Time.GetUtcNow());
                    break;
                case ResyncNeeded:
                    if (batcher.Flush() is { } last)
                    {
                        await ApplyAsync(last, ct).ConfigureAwait(false);
                    }

                    return true;
            }

            next = items.MoveNextAsync();
        }
    }

    private async Task ApplyAsync(DestTxn txn, CancellationToken ct)
    {
        var sent = setup.Time.GetTimestamp();
        await _dest.ApplyAsync(txn, ct).ConfigureAwait(false);
        setup.Metrics?.TxnSeconds.Observe(setup.Time.GetElapsedTime(sent).TotalSeconds);
        setup.Metrics?.Txns.Inc();
        if (txn.Mark is { } mark)
        {
            setup.Metrics?.Events.Inc(_eventsPending);
            _eventsPending = 0;
            Applied(mark);
            if (!_firstLogged && txn.Ops.Count > 0)
            {
                _firstLogged = true;
                LogFirstApplied(logger, mark, setup.Time.GetElapsedTime(_startedAt).TotalMilliseconds);
            }
        }
    }

    private void Applied(long revision)
    {
        progress.OnApplied(revision, setup.Time.GetUtcNow());
        setup.Metrics?.Applied.Set(revision);
    }

    private async Task<long> SourceRevisionAsync(CancellationToken ct) =>
        await RangeReader.RevisionAsync(await setup.SourceKvAsync(ct).ConfigureAwait(false), setup.Settings.CommandTimeout, ct).ConfigureAwait(false);

    [LoggerMessage(EventId = 66, Level = LogLevel.Information, Message = "following the source from revision {Next} ({Endpoint})")]
    private static partial void LogFollowing(ILogger logger, long next, Uri endpoint);

    [LoggerMessage(EventId = 67, Level = LogLevel.Information, Message = "first change applied since start: source revision {Revision}, {Ms:F0} ms after start")]
    private static partial void LogFirstApplied(ILogger logger, long revision, double ms);

    [LoggerMessage(EventId = 68, Level = LogLevel.Warning,
        Message = "the destination's resume point {Applied} is ahead of the source's revision: the source was restored or replaced; resyncing")]
    private static partial void LogSourceBehind(ILogger logger, long applied);
}
