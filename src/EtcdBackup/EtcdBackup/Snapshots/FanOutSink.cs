using System.Security.Cryptography;
using EtcdBackup.Core.Transforms;
using EtcdBackup.Targets;

namespace EtcdBackup.Snapshots;

/// <summary>
/// The end of the snapshot pipeline: counts the stored bytes, hashes them (unless the caller has their hash already:
/// etcd's stream stored as it came), and hands them to every target still writing. A target that fails is aborted and
/// dropped with its reason; the others go on (one store being down never costs the copy in another).
/// </summary>
internal sealed class FanOutSink : WriteOnlyStream
{
    private readonly IncrementalHash? _hash;
    private readonly List<(ITarget Target, ITargetWriter Writer)> _live;

    public FanOutSink(IEnumerable<(ITarget Target, ITargetWriter Writer)> writers, bool hash)
    {
        _live = [.. writers];
        _hash = hash ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
    }

    public Dictionary<ITarget, Exception> Failed { get; } = [];

    public IReadOnlyList<(ITarget Target, ITargetWriter Writer)> Live => _live;

    public long Written { get; private set; }

    public string Sha256() => Convert.ToHexStringLower((_hash ?? throw new InvalidOperationException("this sink does not hash")).GetHashAndReset());

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _hash?.AppendData(buffer.Span);
        Written += buffer.Length;
        for (var i = _live.Count - 1; i >= 0; i--)
        {
            try
            {
                await _live[i].Writer.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                await FailAsync(i, e).ConfigureAwait(false);
            }
        }

        if (_live.Count == 0)
        {
            throw new AllTargetsFailedException(Failed);
        }
    }

    /// <summary>Completes every live writer; those that fail join <see cref="Failed"/>.</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        for (var i = _live.Count - 1; i >= 0; i--)
        {
            try
            {
                await _live[i].Writer.CompleteAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                await FailAsync(i, e).ConfigureAwait(false);
            }
        }
    }

    public async Task AbortAllAsync()
    {
        foreach (var (_, writer) in _live)
        {
            await writer.AbortAsync().ConfigureAwait(false);
        }
    }

    private async Task FailAsync(int index, Exception e)
    {
        var (target, writer) = _live[index];
        _live.RemoveAt(index);
        Failed[target] = e;
        await writer.AbortAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash?.Dispose();
        }

        base.Dispose(disposing);
    }
}

internal sealed class AllTargetsFailedException(Dictionary<ITarget, Exception> failed)
    : Exception("every target failed: " + string.Join("; ", failed.Select(f => $"{f.Key.Name}: {f.Value.Message}")));
