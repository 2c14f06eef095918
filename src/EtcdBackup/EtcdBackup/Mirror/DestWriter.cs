using System.Globalization;
using EtcdBackup.Core.Changes;
using EtcdBackup.Core.Mirror;
using EtcdBackup.Etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace EtcdBackup.Mirror;

/// <summary>
/// Writes transactions to the destination, each with the resume key when it completes a source revision. Every
/// transaction compares the resume key with what this mirror last wrote, so a second mirror writing to the same
/// destination is caught instead of interleaved. Transient failures (member down, no leader, timeout) are retried
/// forever with backoff on any healthy member; a transaction whose outcome was unknown is recognised by the resume key
/// it left, or simply applied again (puts and deletes of the same values are idempotent).
/// </summary>
internal sealed partial class DestWriter(EtcdChannels channels, IReadOnlyList<Uri> endpoints, TimeSpan timeout, string revKey, TimeProvider time, ILogger logger)
{
    private readonly ByteString _revKey = ByteString.CopyFromUtf8(revKey);
    private readonly Backoff _backoff = Backoff.Default(new Random());
    private KV.KVClient? _kv;
    private string? _mark;

    public Action<string>? OnError { get; init; }

    /// <summary>The destination's KV client (picking a healthy member when there is none).</summary>
    public async Task<KV.KVClient> KvAsync(CancellationToken ct) =>
        _kv ??= new KV.KVClient((await MemberPicker.PickAsync(channels, endpoints, timeout, "mirror destination", logger, ct).ConfigureAwait(false)).Channel);

    /// <summary>Reads the resume key: the last source revision applied, or null when the destination has none.</summary>
    public async Task<long?> ReadMarkAsync(CancellationToken ct)
    {
        _mark = await RetryAsync(async () =>
        {
            var kv = await KvAsync(ct).ConfigureAwait(false);
            return await ReadRawAsync(kv, ct).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
        if (_mark is null)
        {
            return null;
        }

        return long.TryParse(_mark, NumberStyles.None, CultureInfo.InvariantCulture, out var revision) && revision > 0
            ? revision
            : throw new MirrorStopException($"the resume key {revKey} on the destination holds \"{_mark}\", not a revision; delete it to start over with a full copy");
    }

    public Task ApplyAsync(DestTxn txn, CancellationToken ct) => RetryAsync(async () =>
    {
        var kv = await KvAsync(ct).ConfigureAwait(false);
        var request = new TxnRequest();
        request.Compare.Add(_mark is null
            ? new Compare { Key = _revKey, Target = Compare.Types.CompareTarget.Version, Result = Compare.Types.CompareResult.Equal, Version = 0 }
            : new Compare { Key = _revKey, Target = Compare.Types.CompareTarget.Value, Result = Compare.Types.CompareResult.Equal, Value = ByteString.CopyFromUtf8(_mark) });
        foreach (var op in txn.Ops)
        {
            request.Success.Add(op.Kind == ChangeKind.Put
                ? new RequestOp { RequestPut = new PutRequest { Key = UnsafeByteOperations.UnsafeWrap(op.Key), Value = UnsafeByteOperations.UnsafeWrap(op.Value) } }
                : new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = UnsafeByteOperations.UnsafeWrap(op.Key) } });
        }

        var mark = txn.Mark?.ToString(CultureInfo.InvariantCulture);
        if (mark is not null)
        {
            request.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = _revKey, Value = ByteString.CopyFromUtf8(mark) } });
        }

        var response = await kv.TxnAsync(request, deadline: DateTime.UtcNow + timeout, cancellationToken: ct).ConfigureAwait(false);
        if (!response.Succeeded)
        {
            var now = await ReadRawAsync(kv, ct).ConfigureAwait(false);
            if (mark is null || now != mark)
            {
                throw new MirrorStopException($"the resume key {revKey} on the destination holds {Show(now)}, where this mirror last wrote {Show(_mark)}: another writer (a second mirror?) changed it; stopping");
            }

            // An earlier attempt whose answer was lost did commit.
        }

        if (mark is not null)
        {
            _mark = mark;
        }

        return true;
    }, ct);

    private async Task<string?> ReadRawAsync(KV.KVClient kv, CancellationToken ct)
    {
        var response = await kv.RangeAsync(new RangeRequest { Key = _revKey }, deadline: DateTime.UtcNow + timeout, cancellationToken: ct).ConfigureAwait(false);
        return response.Kvs.Count == 0 ? null : response.Kvs[0].Value.ToStringUtf8();
    }

    private async Task<T> RetryAsync<T>(Func<Task<T>> attempt, CancellationToken ct)
    {
        while (true)
        {
            string reason;
            try
            {
                var result = await attempt().ConfigureAwait(false);
                _backoff.Reset();
                return result;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.InvalidArgument or StatusCode.PermissionDenied or StatusCode.Unauthenticated)
            {
                throw new MirrorStopException($"the destination refused a write: {MemberPicker.Describe(e)} (a transaction of at most {TxnBatcher.DefaultMaxOps + 1} operations and 1 MiB; is its --max-txn-ops or --max-request-bytes below etcd's defaults?)");
            }
            catch (RpcException e) when (!ct.IsCancellationRequested)
            {
                reason = MemberPicker.Describe(e);
            }
            catch (EtcdUnavailableException e) when (!ct.IsCancellationRequested)
            {
                reason = e.Message;
            }

            _kv = null;
            var delay = _backoff.Next();
            OnError?.Invoke(reason);
            LogRetry(logger, reason, (int)delay.TotalMilliseconds);
            await Task.Delay(delay, time, ct).ConfigureAwait(false);
        }
    }

    private static string Show(string? value) => value is null ? "nothing" : $"\"{value}\"";

    [LoggerMessage(EventId = 62, Level = LogLevel.Warning, Message = "destination write failed ({Reason}); retrying in {DelayMs} ms")]
    private static partial void LogRetry(ILogger logger, string reason, int delayMs);
}

/// <summary>A condition the mirror must not carry on through (exit 1 with this message).</summary>
internal sealed class MirrorStopException(string message) : Exception(message);
