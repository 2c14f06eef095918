using System.Globalization;
using EtcdBackup.Core.Mirror;
using EtcdBackup.Daemon;
using EtcdBackup.Etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace EtcdBackup.Mirror;

/// <summary>
/// <c>mirror status</c> and <c>mirror verify</c>: both read the two clusters directly (not the daemon), so they work
/// with the mirror stopped, which is when a promotion needs them.
/// </summary>
internal static class MirrorCommands
{
    private const int ShownDifferences = 5;

    /// <summary>Prints the resume point against the source; 0 when there is one and a restart would resume from it.</summary>
    public static async Task<int> StatusAsync(MirrorSetup setup, TextWriter output, CancellationToken ct)
    {
        var timeout = setup.Settings.CommandTimeout;
        var source = await setup.SourceKvAsync(ct).ConfigureAwait(false);
        var sourceRevision = await RangeReader.RevisionAsync(source, timeout, ct).ConfigureAwait(false);
        var applied = await setup.CreateWriter().ReadMarkAsync(ct).ConfigureAwait(false);
        output.WriteLine($"source           {setup.SourceEndpoint} cluster {setup.SourceClusterId:x16} revision {sourceRevision}");
        output.WriteLine($"destination      {setup.DestEndpoint} cluster {setup.DestClusterId:x16}");
        output.WriteLine($"mirrored ranges  {string.Join(", ", setup.Scope.Ranges)}");
        output.WriteLine($"resume key       {setup.Scope.RevKey} = {(applied is null ? "(none: the first start copies everything)" : applied)}");
        if (applied is not { } rev)
        {
            return ExitCodes.Failed;
        }

        output.WriteLine($"applied revision {rev}");
        output.WriteLine($"lag revisions    {Math.Max(0, sourceRevision - rev)} (counts every source write since, also outside the mirrored ranges)");
        var resumable = rev <= sourceRevision && await InHistoryAsync(source, rev, timeout, ct).ConfigureAwait(false);
        output.WriteLine(resumable ? $"resumable        yes (revision {rev + 1} on is still in the source's history)"
            : rev > sourceRevision ? "resumable        no: the source is behind the resume point (restored or replaced); a restart resyncs"
            : "resumable        no: the source compacted past the resume point; a restart resyncs");
        return resumable ? ExitCodes.Ok : ExitCodes.Failed;
    }

    /// <summary>
    /// Compares the destination, at the source revision its resume key names, with the source at that revision: key
    /// count and SHA-256 of keys and values over the mirrored ranges, and the first differing keys. Consistent while
    /// the mirror runs: each side is read at one revision.
    /// </summary>
    public static async Task<int> VerifyAsync(MirrorSetup setup, TextWriter output, CancellationToken ct)
    {
        var timeout = setup.Settings.CommandTimeout;
        var source = await setup.SourceKvAsync(ct).ConfigureAwait(false);
        var dest = await setup.CreateWriter().KvAsync(ct).ConfigureAwait(false);
        var mark = await dest.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8(setup.Scope.RevKey) }, deadline: DateTime.UtcNow + timeout, cancellationToken: ct).ConfigureAwait(false);
        if (mark.Kvs.Count == 0 || !long.TryParse(mark.Kvs[0].Value.ToStringUtf8(), NumberStyles.None, CultureInfo.InvariantCulture, out var revision))
        {
            output.WriteLine($"FAIL the destination has no resume key {setup.Scope.RevKey}: it was never mirrored into (or not from this source)");
            return ExitCodes.Failed;
        }

        using var sourceDigest = new RangeDigest();
        using var destDigest = new RangeDigest();
        var differences = new List<string>();
        long differing = 0;
        try
        {
            foreach (var range in setup.Scope.Ranges)
            {
                var items = OrderedDiff.WalkAsync(RangeReader.ReadAsync(source, range, revision, timeout, ct),
                    RangeReader.ReadAsync(dest, range, mark.Header.Revision, timeout, ct), ct);
                await foreach (var item in items.ConfigureAwait(false))
                {
                    if (item.Kind != DiffKind.DestinationOnly)
                    {
                        sourceDigest.Add(item.Key.Span, item.SourceValue.Span);
                    }

                    if (item.Kind != DiffKind.SourceOnly)
                    {
                        destDigest.Add(item.Key.Span, item.DestinationValue.Span);
                    }

                    if (item.Kind != DiffKind.Same && differing++ < ShownDifferences)
                    {
                        differences.Add($"  {KeyRange.Show(item.Key.Span)}: {Describe(item.Kind)}");
                    }
                }
            }
        }
        catch (RpcException e) when (RangeReader.IsCompacted(e))
        {
            output.WriteLine($"FAIL the source compacted past revision {revision}, the destination's resume point: let the mirror catch up (or resync), then verify again");
            return ExitCodes.Failed;
        }

        var (sourceHash, destHash) = (sourceDigest.Finish(), destDigest.Finish());
        var same = differing == 0;
        output.WriteLine($"{(same ? "OK  " : "FAIL")} at source revision {revision}: source {sourceDigest.Count} keys sha256 {sourceHash[..16]}…, destination {destDigest.Count} keys sha256 {destHash[..16]}…");
        if (!same)
        {
            output.WriteLine($"{differing} keys differ; the first:");
            differences.ForEach(output.WriteLine);
        }

        return same ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static string Describe(DiffKind kind) => kind switch
    {
        DiffKind.SourceOnly => "missing at the destination",
        DiffKind.DestinationOnly => "at the destination only (deleted at the source)",
        _ => "different value",
    };

    private static async Task<bool> InHistoryAsync(KV.KVClient source, long revision, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            await source.RangeAsync(new RangeRequest { Key = ByteString.CopyFrom(0), CountOnly = true, Revision = revision },
                deadline: DateTime.UtcNow + timeout, cancellationToken: ct).ConfigureAwait(false);
            return true;
        }
        catch (RpcException e) when (RangeReader.IsCompacted(e))
        {
            return false;
        }
    }
}
