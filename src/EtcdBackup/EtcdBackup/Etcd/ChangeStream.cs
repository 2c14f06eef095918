using System.Runtime.CompilerServices;
using EtcdBackup.Core.Changes;
using EtcdBackup.Core.Mirror;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace EtcdBackup.Etcd;

/// <summary>
/// The source's changes from a known revision on, in revision order, each revision whole: one watch over
/// <see cref="KeyRange"/> (the answers split with <c>fragment</c> so no message outgrows etcd's request limit, and
/// regrouped by <see cref="RevisionGrouper"/>), with progress asked for every <c>progressEvery</c>. A broken stream
/// reconnects, after a capped jittered backoff, to a healthy member of the endpoints (the <c>hasleader</c> header makes
/// a member cut off from its leader end the watch instead of serving stale data), and resumes after the last complete
/// revision. A compacted start ends the stream with <see cref="ResyncNeeded"/>: there is never a silent gap.
/// </summary>
internal sealed partial class ChangeStream(EtcdChannels channels, IReadOnlyList<Uri> endpoints, TimeSpan commandTimeout,
    KeyRange range, Func<ReadOnlyMemory<byte>, bool> inScope, TimeProvider time, ILogger logger)
{
    /// <summary>Called with a reason each time the stream breaks and is reconnected.</summary>
    public Action<string>? OnError { get; init; }

    public async IAsyncEnumerable<ChangeStreamItem> ReadAsync(long startRevision, TimeSpan progressEvery, [EnumeratorCancellation] CancellationToken ct)
    {
        var grouper = new RevisionGrouper();
        var backoff = Backoff.Default(new Random());
        var next = startRevision;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var failure = "";
            using var callCancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
            AsyncDuplexStreamingCall<WatchRequest, WatchResponse>? call = null;
            try
            {
                call = await OpenAsync(next, callCancel.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RpcException or EtcdUnavailableException or IOException && !ct.IsCancellationRequested)
            {
                failure = e is RpcException r ? MemberPicker.Describe(r) : e.Message;
            }

            if (call is not null)
            {
                using (call)
                {
                    var progress = AskProgressAsync(call, progressEvery, callCancel.Token);
                    while (true)
                    {
                        WatchResponse? response = null;
                        try
                        {
                            response = await call.ResponseStream.MoveNext(ct).ConfigureAwait(false) ? call.ResponseStream.Current : null;
                            failure = response is null ? "the member ended the watch" : "";
                        }
                        catch (RpcException e) when (!ct.IsCancellationRequested)
                        {
                            failure = MemberPicker.Describe(e);
                        }
                        catch (IOException e) when (!ct.IsCancellationRequested)
                        {
                            failure = e.Message;
                        }

                        if (response is null)
                        {
                            break;
                        }

                        if (response.CompactRevision != 0)
                        {
                            LogCompacted(logger, next, response.CompactRevision);
                            yield return new ResyncNeeded(next, response.CompactRevision);
                            yield break;
                        }

                        if (response.Canceled)
                        {
                            failure = $"the member cancelled the watch ({response.CancelReason})";
                            break;
                        }

                        backoff.Reset();
                        var groups = grouper.Add(response.Events.Select(ToChange), response.Fragment, inScope);
                        next = grouper.CompleteRevision + 1 > next ? grouper.CompleteRevision + 1 : next;
                        foreach (var group in groups)
                        {
                            yield return new RevisionChanges(group);
                        }

                        if (response.Header is { } header && !response.Fragment)
                        {
                            yield return new SourceProgress(header.Revision);
                        }
                    }

                    await callCancel.CancelAsync().ConfigureAwait(false);
                    await progress.ConfigureAwait(false);
                }
            }

            ct.ThrowIfCancellationRequested();
            grouper.Reset();
            var delay = backoff.Next();
            LogReconnecting(logger, failure, next, (int)delay.TotalMilliseconds);
            OnError?.Invoke(failure);
            await Task.Delay(delay, time, ct).ConfigureAwait(false);
        }
    }

    private async Task<AsyncDuplexStreamingCall<WatchRequest, WatchResponse>> OpenAsync(long start, CancellationToken ct)
    {
        var member = await MemberPicker.PickAsync(channels, endpoints, commandTimeout, "change stream", logger, ct).ConfigureAwait(false);
        var call = new Watch.WatchClient(member.Channel).Watch(new Metadata { { "hasleader", "true" } }, cancellationToken: ct);
        await call.RequestStream.WriteAsync(new WatchRequest
        {
            CreateRequest = new WatchCreateRequest
            {
                Key = ByteString.CopyFrom(range.RequestKey),
                RangeEnd = ByteString.CopyFrom(range.RequestEnd),
                StartRevision = start,
                ProgressNotify = true,
                Fragment = true,
            },
        }, ct).ConfigureAwait(false);
        return call;
    }

    /// <summary>Asks for the source's revision every <paramref name="every"/>; ends quietly with the call.</summary>
    private async Task AskProgressAsync(AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call, TimeSpan every, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(every, time, ct).ConfigureAwait(false);
                await call.RequestStream.WriteAsync(new WatchRequest { ProgressRequest = new WatchProgressRequest() }, ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException or IOException or InvalidOperationException)
        {
            // The call ended; the reading side reports why.
        }
    }

    private static Change ToChange(Mvccpb.Event e) => e.Type == Mvccpb.Event.Types.EventType.Put
        ? Change.Put(e.Kv.Key.Memory, e.Kv.Value.Memory, e.Kv.ModRevision)
        : Change.Delete(e.Kv.Key.Memory, e.Kv.ModRevision);

    [LoggerMessage(EventId = 60, Level = LogLevel.Warning,
        Message = "change stream broken ({Reason}); reconnecting from revision {Next} in {DelayMs} ms")]
    private static partial void LogReconnecting(ILogger logger, string reason, long next, int delayMs);

    [LoggerMessage(EventId = 61, Level = LogLevel.Warning,
        Message = "the source compacted its history past revision {Next} (compacted up to {Compact}): a full resync is needed")]
    private static partial void LogCompacted(ILogger logger, long next, long compact);
}
