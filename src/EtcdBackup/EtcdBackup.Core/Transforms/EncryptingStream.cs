using System.Security.Cryptography;

namespace EtcdBackup.Core.Transforms;

/// <summary>A write-only stream that encrypts into <see cref="SnapshotCipher"/>'s format; <see cref="FinishAsync"/> seals the last chunk.</summary>
public sealed class EncryptingStream : WriteOnlyStream
{
    private readonly Stream _inner;
    private readonly AesGcm _aes;
    private readonly byte[] _header;
    private readonly byte[] _plain;
    private readonly byte[] _sealed;
    private int _filled;
    private uint _index;
    private bool _headerWritten;
    private bool _finished;

    public EncryptingStream(Stream inner, ReadOnlySpan<byte> key, int chunkSize = SnapshotCipher.DefaultChunkSize)
    {
        _inner = inner;
        _aes = new AesGcm(key, SnapshotCipher.TagLength);
        _header = SnapshotCipher.NewHeader(chunkSize);
        _plain = new byte[chunkSize];
        _sealed = new byte[chunkSize + SnapshotCipher.TagLength];
    }


    public override void Write(ReadOnlySpan<byte> buffer) => Write(buffer.ToArray(), 0, buffer.Length);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await WriteHeaderAsync(cancellationToken).ConfigureAwait(false);
        while (buffer.Length > 0)
        {
            // A full chunk is sealed only when more data follows, so the last chunk always carries the final flag.
            if (_filled == _plain.Length)
            {
                await SealAsync(final: false, cancellationToken).ConfigureAwait(false);
            }

            var n = Math.Min(buffer.Length, _plain.Length - _filled);
            buffer.Span[..n].CopyTo(_plain.AsSpan(_filled));
            _filled += n;
            buffer = buffer[n..];
        }
    }

    /// <summary>Seals the last chunk. The inner stream is left open.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken = default)
    {
        if (_finished)
        {
            return;
        }

        await WriteHeaderAsync(cancellationToken).ConfigureAwait(false);
        await SealAsync(final: true, cancellationToken).ConfigureAwait(false);
        _finished = true;
    }

    private async ValueTask WriteHeaderAsync(CancellationToken cancellationToken)
    {
        if (!_headerWritten)
        {
            _headerWritten = true;
            await _inner.WriteAsync(_header, cancellationToken).ConfigureAwait(false);
        }
    }

    private ValueTask SealAsync(bool final, CancellationToken cancellationToken)
    {
        Span<byte> nonce = stackalloc byte[12];
        Span<byte> aad = stackalloc byte[SnapshotCipher.HeaderLength + 1];
        SnapshotCipher.Nonce(_header, _index++, nonce);
        SnapshotCipher.Aad(_header, final, aad);
        _aes.Encrypt(nonce, _plain.AsSpan(0, _filled), _sealed.AsSpan(0, _filled), _sealed.AsSpan(_filled, SnapshotCipher.TagLength), aad);
        var length = _filled + SnapshotCipher.TagLength;
        _filled = 0;
        return _inner.WriteAsync(_sealed.AsMemory(0, length), cancellationToken);
    }


    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _aes.Dispose();
        }

        base.Dispose(disposing);
    }
}
