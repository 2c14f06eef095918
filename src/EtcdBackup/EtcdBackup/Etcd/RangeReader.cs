using System.Runtime.CompilerServices;
using EtcdBackup.Core.Mirror;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace EtcdBackup.Etcd;

/// <summary>
/// Every key and value of a range at one revision, in key order, read in pages. The page size follows the values'
/// size (pages of about 1-4 MiB) so neither thousands of small keys nor a few large ones cost many round trips or
/// much memory; a page that outgrows the gRPC message limit is asked for again at half the size.
/// </summary>
internal static class RangeReader
{
    private const int MinPageBytes = 1 << 20;
    private const int MaxPageBytes = 4 << 20;

    public static async IAsyncEnumerable<Entry> ReadAsync(KV.KVClient kv, KeyRange range, long revision, TimeSpan timeout,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var limit = 256;
        var key = ByteString.CopyFrom(range.RequestKey);
        var end = ByteString.CopyFrom(range.RequestEnd);
        while (true)
        {
            RangeResponse page;
            try
            {
                page = await kv.RangeAsync(new RangeRequest { Key = key, RangeEnd = end, Revision = revision, Limit = limit },
                    deadline: DateTime.UtcNow + timeout, cancellationToken: ct).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted && limit > 1)
            {
                limit /= 2;
                continue;
            }

            var bytes = 0L;
            foreach (var item in page.Kvs)
            {
                bytes += item.Key.Length + item.Value.Length;
                yield return new Entry(item.Key.Memory, item.Value.Memory);
            }

            if (!page.More || page.Kvs.Count == 0)
            {
                yield break;
            }

            key = ByteString.CopyFrom([.. page.Kvs[^1].Key.Span, 0]);
            limit = bytes > MaxPageBytes ? Math.Max(1, limit / 2) : bytes < MinPageBytes ? Math.Min(4096, limit * 2) : limit;
        }
    }

    /// <summary>The member's current revision, from the header of a cheap count-only read.</summary>
    public static async Task<long> RevisionAsync(KV.KVClient kv, TimeSpan timeout, CancellationToken ct)
    {
        var response = await kv.RangeAsync(new RangeRequest { Key = ByteString.CopyFrom(0), CountOnly = true, Limit = 1 },
            deadline: DateTime.UtcNow + timeout, cancellationToken: ct).ConfigureAwait(false);
        return response.Header.Revision;
    }

    public static bool IsCompacted(RpcException e) =>
        e.StatusCode == StatusCode.OutOfRange && e.Status.Detail.Contains("compacted", StringComparison.Ordinal);
}
