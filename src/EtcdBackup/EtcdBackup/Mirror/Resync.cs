using EtcdBackup.Core.Changes;
using EtcdBackup.Core.Mirror;
using EtcdBackup.Etcd;
using Grpc.Core;

namespace EtcdBackup.Mirror;

/// <summary>What one full resync did.</summary>
internal sealed record ResyncResult(long Revision, long Put, long Deleted, long Unchanged);

/// <summary>
/// The full copy that starts a mirror and follows a compaction: the source's mirrored ranges read at one revision R,
/// merged in key order with the destination's (read at one destination revision, so our own writes do not disturb the
/// walk), and only the differences written: keys new or changed at the source are put, destination keys the source no
/// longer has are deleted. R goes into the resume key in the last transaction, so a crash before it leaves the old
/// resume point (or none) and the next start resyncs again, cheaply: what was already copied is unchanged.
/// </summary>
internal sealed partial class Resync(MirrorSetup setup, DestWriter dest, ILogger logger)
{
    public async Task<ResyncResult> RunAsync(string reason, CancellationToken ct)
    {
        var backoff = Backoff.Default(new Random());
        while (true)
        {
            string failure;
            try
            {
                return await RunOnceAsync(reason, ct).ConfigureAwait(false);
            }
            catch (RpcException e) when (RangeReader.IsCompacted(e))
            {
                failure = "a side compacted the revision being copied; starting again at a newer one";
            }
            catch (RpcException e) when (!ct.IsCancellationRequested && e.StatusCode is not (StatusCode.InvalidArgument or StatusCode.PermissionDenied or StatusCode.Unauthenticated))
            {
                failure = MemberPicker.Describe(e);
            }
            catch (EtcdUnavailableException e) when (!ct.IsCancellationRequested)
            {
                failure = e.Message;
            }

            var delay = backoff.Next();
            LogRetry(logger, failure, (int)delay.TotalMilliseconds);
            setup.Metrics?.Errors.WithLabels("resync").Inc();
            await Task.Delay(delay, setup.Time, ct).ConfigureAwait(false);
        }
    }

    private async Task<ResyncResult> RunOnceAsync(string reason, CancellationToken ct)
    {
        var source = await setup.SourceKvAsync(ct).ConfigureAwait(false);
        var destination = await dest.KvAsync(ct).ConfigureAwait(false);
        var timeout = setup.Settings.CommandTimeout;
        var revision = await RangeReader.RevisionAsync(source, timeout, ct).ConfigureAwait(false);
        var destRevision = await RangeReader.RevisionAsync(destination, timeout, ct).ConfigureAwait(false);
        LogStarted(logger, reason, revision);
        var started = setup.Time.GetTimestamp();
        long put = 0, deleted = 0, same = 0;
        var batcher = new TxnBatcher();
        foreach (var range in setup.Scope.Ranges)
        {
            var items = OrderedDiff.WalkAsync(RangeReader.ReadAsync(source, range, revision, timeout, ct),
                RangeReader.ReadAsync(destination, range, destRevision, timeout, ct), ct);
            await foreach (var item in items.ConfigureAwait(false))
            {
                Change change;
                switch (item.Kind)
                {
                    case DiffKind.Same:
                        same++;
                        continue;
                    case DiffKind.DestinationOnly:
                        deleted++;
                        change = Change.Delete(item.Key, revision);
                        break;
                    default:
                        put++;
                        change = Change.Put(item.Key, item.SourceValue, revision);
                        break;
                }

                if (batcher.Add(change) is { } full)
                {
                    await dest.ApplyAsync(full, ct).ConfigureAwait(false);
                }
            }
        }

        batcher.EndRevision(revision);
        await dest.ApplyAsync(batcher.Flush()!, ct).ConfigureAwait(false);
        var result = new ResyncResult(revision, put, deleted, same);
        LogDone(logger, reason, revision, put, deleted, same, setup.Time.GetElapsedTime(started).TotalSeconds);
        if (setup.Metrics is { } metrics)
        {
            metrics.Resyncs.WithLabels(reason).Inc();
            metrics.ResyncKeys.WithLabels("put").Inc(put);
            metrics.ResyncKeys.WithLabels("deleted").Inc(deleted);
            metrics.ResyncKeys.WithLabels("unchanged").Inc(same);
        }

        return result;
    }

    [LoggerMessage(EventId = 63, Level = LogLevel.Information, Message = "resync ({Reason}): copying the mirrored ranges at source revision {Revision}")]
    private static partial void LogStarted(ILogger logger, string reason, long revision);

    [LoggerMessage(EventId = 64, Level = LogLevel.Information,
        Message = "resync ({Reason}) done at source revision {Revision}: {Put} keys put, {Deleted} destination keys the source no longer has deleted, {Unchanged} unchanged, in {Seconds:F1} s")]
    private static partial void LogDone(ILogger logger, string reason, long revision, long put, long deleted, long unchanged, double seconds);

    [LoggerMessage(EventId = 65, Level = LogLevel.Warning, Message = "resync interrupted ({Reason}); starting it again in {DelayMs} ms")]
    private static partial void LogRetry(ILogger logger, string reason, int delayMs);
}
