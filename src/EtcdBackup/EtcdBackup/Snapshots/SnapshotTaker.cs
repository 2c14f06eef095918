using EtcdBackup.Core.Config;
using EtcdBackup.Core.Integrity;
using EtcdBackup.Core.Manifests;
using EtcdBackup.Core.Naming;
using EtcdBackup.Core.Transforms;
using EtcdBackup.Etcd;
using EtcdBackup.Targets;
using Etcdserverpb;
using Google.Protobuf;
using ZstdSharp;

namespace EtcdBackup.Snapshots;

/// <summary>What one snapshot run did in each target.</summary>
internal sealed record SnapshotOutcome(string Name, SnapshotManifest? Manifest, IReadOnlyList<ITarget> Stored,
    IReadOnlyDictionary<ITarget, Exception> Failed, Exception? Fatal);

/// <summary>
/// Takes one snapshot: picks a healthy member, streams etcd's snapshot through etcd's own SHA-256 check, optional
/// zstd and AES-GCM, into every target at once (nothing held in memory but bounded buffers), and commits each
/// target by writing the manifest last, only after the stream checked out (and, if asked, a deep verification).
/// </summary>
internal sealed partial class SnapshotTaker(BackupSettings settings, IReadOnlyList<ITarget> targets, byte[]? key,
    TimeProvider time, ILogger logger)
{
    public async Task<SnapshotOutcome> TakeAsync(CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var now = time.GetUtcNow();
        var name = SnapshotName.Create(settings.NamePrefix, now);
        var encryption = key is null ? Encryptions.None : Encryptions.AesGcm;
        var objectFile = SnapshotName.ObjectFile(name, settings.Compression, encryption);
        using var channels = new EtcdChannels(settings);
        ChosenMember member;
        try
        {
            member = await MemberPicker.PickAsync(channels, settings, logger, ct).ConfigureAwait(false);
        }
        catch (EtcdUnavailableException e)
        {
            return new SnapshotOutcome(name, null, [], new Dictionary<ITarget, Exception>(), e);
        }

        var kv = new KV.KVClient(member.Channel);
        var maintenance = new Maintenance.MaintenanceClient(member.Channel);
        var revision = member.Status.Header.Revision;
        var keyCount = await CountKeysAsync(kv, revision, ct).ConfigureAwait(false);
        var memberName = await MemberNameAsync(member, ct).ConfigureAwait(false);

        var writers = new List<(ITarget, ITargetWriter)>();
        var failed = new Dictionary<ITarget, Exception>();
        foreach (var target in targets)
        {
            try
            {
                writers.Add((target, await target.CreateAsync(objectFile, ct).ConfigureAwait(false)));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed[target] = e;
                LogTargetFailed(logger, target.Name, FailureReason.Of(e), e.Message);
            }
        }

        if (writers.Count == 0)
        {
            return new SnapshotOutcome(name, null, [], failed, new AllTargetsFailedException(failed));
        }

        var storedAsStreamed = key is null && settings.Compression == Compressions.None;
        await using var sink = new FanOutSink(writers, hash: !storedAsStreamed);
        using var tail = new EtcdHashTail();
        long revisionAfter;
        try
        {
            revisionAfter = await StreamAsync(member.Channel, maintenance, tail, sink, ct).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await sink.AbortAllAsync().ConfigureAwait(false);
            foreach (var (target, error) in sink.Failed)
            {
                failed[target] = error;
                LogTargetFailed(logger, target.Name, FailureReason.Of(error), error.Message);
            }

            return new SnapshotOutcome(name, null, [], failed, e);
        }

        foreach (var (target, error) in sink.Failed)
        {
            failed[target] = error;
            LogTargetFailed(logger, target.Name, FailureReason.Of(error), error.Message);
        }

        var (ok, expected, actual) = tail.Finish();
        if (!ok)
        {
            await sink.AbortAllAsync().ConfigureAwait(false);
            return new SnapshotOutcome(name, null, [], failed, new EtcdHashMismatchException(expected, actual));
        }

        await sink.CompleteAsync(ct).ConfigureAwait(false);
        foreach (var (target, error) in sink.Failed.Where(f => !failed.ContainsKey(f.Key)))
        {
            failed[target] = error;
            LogTargetFailed(logger, target.Name, FailureReason.Of(error), error.Message);
        }

        var manifest = new SnapshotManifest(SnapshotManifest.CurrentFormat, name, objectFile, now,
            member.Status.Header.ClusterId.ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
            member.Status.Header.MemberId.ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
            memberName, member.Endpoint.ToString(), revision, revisionAfter, revision == revisionAfter ? keyCount : null,
            member.Status.Version, tail.DatabaseBytes, actual, sink.Written, storedAsStreamed ? tail.StreamSha256! : sink.Sha256(), settings.Compression, encryption,
            key is null ? null : SnapshotCipher.KeyId(key), time.GetElapsedTime(started));

        if (settings.VerifyAfterSnapshot && sink.Live.Count > 0)
        {
            try
            {
                LogVerified(logger, name, await VerifyDeepAsync(sink.Live[0].Target, manifest, key, settings, ct).ConfigureAwait(false));
            }
            catch (VerificationException e)
            {
                foreach (var (target, _) in sink.Live)
                {
                    await target.DeleteAsync(objectFile, CancellationToken.None).ConfigureAwait(false);
                }

                return new SnapshotOutcome(name, null, [], failed, e);
            }
        }

        var stored = new List<ITarget>();
        foreach (var (target, _) in sink.Live)
        {
            try
            {
                await target.WriteSmallAsync(SnapshotName.ManifestFile(name), manifest.ToJson(), ct).ConfigureAwait(false);
                stored.Add(target);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed[target] = e;
                LogTargetFailed(logger, target.Name, FailureReason.Of(e), e.Message);
            }
        }

        LogTaken(logger, name, revision, tail.DatabaseBytes, manifest.Duration.TotalSeconds, stored.Count, targets.Count);
        return new SnapshotOutcome(name, stored.Count > 0 ? manifest : null, stored, failed,
            stored.Count == 0 ? new AllTargetsFailedException(failed) : null);
    }

    /// <summary>Reads the stored object back into a temporary file and proves it restores (see <see cref="DeepVerifier"/>).</summary>
    public static async Task<string> VerifyDeepAsync(ITarget target, SnapshotManifest manifest, byte[]? key, BackupSettings settings,
        CancellationToken ct)
    {
        var file = Path.Combine(Path.GetTempPath(), $"etcd-backup-{Guid.NewGuid():n}.db");
        try
        {
            await using (var output = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous))
            {
                var problems = await ObjectReader.CheckAsync(target, manifest, key, output, ct).ConfigureAwait(false);
                if (problems.Count > 0)
                {
                    throw new VerificationException(string.Join("; ", problems));
                }
            }

            return await DeepVerifier.VerifyAsync(file, manifest, settings, ct).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Streams the snapshot into the pipeline; returns the revision seen once the stream had started.</summary>
    private async Task<long> StreamAsync(Grpc.Net.Client.GrpcChannel channel, Maintenance.MaintenanceClient maintenance, EtcdHashTail tail,
        FanOutSink sink, CancellationToken ct)
    {
        Stream top = sink;
        EncryptingStream? encrypt = null;
        CompressionStream? compress = null;
        if (key is not null)
        {
            top = encrypt = new EncryptingStream(top, key);
        }

        if (settings.Compression == Compressions.Zstd)
        {
            top = compress = new CompressionStream(top, level: 3, leaveOpen: true);
        }

        using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stall.CancelAfter(settings.StallTimeout);
        using var call = SnapshotStream.Start(channel, stall.Token);
        long? revisionAfter = null;
        try
        {
            while (await call.ResponseStream.MoveNext(stall.Token).ConfigureAwait(false))
            {
                stall.CancelAfter(settings.StallTimeout);
                var message = call.ResponseStream.Current;
                if (message.Error is { } error)
                {
                    throw new InvalidDataException($"malformed snapshot message from etcd: {error}");
                }

                var blob = message.Blob;
                tail.Append(blob.Span);
                await top.WriteAsync(blob, ct).ConfigureAwait(false);
                revisionAfter ??= (await maintenance.StatusAsync(new StatusRequest(), deadline: DateTime.UtcNow + settings.CommandTimeout,
                    cancellationToken: ct).ConfigureAwait(false)).Header.Revision;
            }
        }
        catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.Cancelled && !ct.IsCancellationRequested)
        {
            throw new SnapshotStalledException(settings.StallTimeout);
        }

        if (compress is not null)
        {
            await compress.DisposeAsync().ConfigureAwait(false);
        }

        if (encrypt is not null)
        {
            await encrypt.FinishAsync(ct).ConfigureAwait(false);
            await encrypt.DisposeAsync().ConfigureAwait(false);
        }

        return revisionAfter ?? 0;
    }

    private async Task<long?> CountKeysAsync(KV.KVClient kv, long revision, CancellationToken ct)
    {
        try
        {
            var all = ByteString.CopyFrom(0);
            var response = await kv.RangeAsync(new RangeRequest { Key = all, RangeEnd = all, CountOnly = true, Revision = revision },
                deadline: DateTime.UtcNow + settings.CommandTimeout, cancellationToken: ct).ConfigureAwait(false);
            return response.Count;
        }
        catch (Grpc.Core.RpcException e)
        {
            LogCountFailed(logger, MemberPicker.Describe(e));
            return null;
        }
    }

    private async Task<string> MemberNameAsync(ChosenMember member, CancellationToken ct)
    {
        try
        {
            var list = await new Cluster.ClusterClient(member.Channel).MemberListAsync(new MemberListRequest(),
                deadline: DateTime.UtcNow + settings.CommandTimeout, cancellationToken: ct).ConfigureAwait(false);
            return list.Members.FirstOrDefault(m => m.ID == member.Status.Header.MemberId)?.Name ?? "";
        }
        catch (Grpc.Core.RpcException)
        {
            return "";
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "target {Target} failed ({Reason}): {Message}")]
    private static partial void LogTargetFailed(ILogger logger, string target, string reason, string message);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information,
        Message = "snapshot {Name}: revision {Revision}, {Bytes} bytes, {Seconds:0.00} s, stored in {Stored} of {Targets} targets")]
    private static partial void LogTaken(ILogger logger, string name, long revision, long bytes, double seconds, int stored, int targets);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "snapshot {Name} verified: {Result}")]
    private static partial void LogVerified(ILogger logger, string name, string result);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "could not count keys for the manifest: {Reason}")]
    private static partial void LogCountFailed(ILogger logger, string reason);
}
