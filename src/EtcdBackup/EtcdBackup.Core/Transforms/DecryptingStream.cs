using System.Security.Cryptography;

namespace EtcdBackup.Core.Transforms;

/// <summary>
/// A read-only stream that decrypts <see cref="SnapshotCipher"/>'s format. A chunk's bytes are returned only after
/// its tag checks; a wrong key, an altered byte or a cut object throws <see cref="InvalidDataException"/>.
/// </summary>
public sealed class DecryptingStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private readonly AesGcm _aes;
    private readonly byte[] _header = new byte[SnapshotCipher.HeaderLength];
    private byte[] _sealed = [];
    private byte[] _plain = [];
    private int _sealedFilled;
    private int _plainStart;
    private int _plainEnd;
    private uint _index;
    private bool _started;
    private bool _done;

    public DecryptingStream(Stream inner, ReadOnlySpan<byte> key)
    {
        _inner = inner;
        _aes = new AesGcm(key, SnapshotCipher.TagLength);
    }



    public override int Read(Span<byte> buffer)
    {
        while (_plainStart == _plainEnd)
        {
            if (_done)
            {
                return 0;
            }

            NextChunk();
        }

        var n = Math.Min(buffer.Length, _plainEnd - _plainStart);
        _plain.AsSpan(_plainStart, n).CopyTo(buffer);
        _plainStart += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    private void NextChunk()
    {
        if (!_started)
        {
            if (_inner.ReadAtLeast(_header, _header.Length, throwOnEndOfStream: false) != _header.Length ||
                !SnapshotCipher.TryReadHeader(_header, out var chunkSize))
            {
                throw new InvalidDataException("not an etcd-backup encrypted object (bad header)");
            }

            // One byte more than a sealed chunk: seeing it proves the chunk is not the last.
            _sealed = new byte[chunkSize + SnapshotCipher.TagLength + 1];
            _plain = new byte[chunkSize];
            _started = true;
        }

        var want = _sealed.Length;
        _sealedFilled += _inner.ReadAtLeast(_sealed.AsSpan(_sealedFilled), want - _sealedFilled, throwOnEndOfStream: false);
        var final = _sealedFilled < want;
        var length = final ? _sealedFilled : want - 1;
        if (length < SnapshotCipher.TagLength)
        {
            throw new InvalidDataException("encrypted object is cut short");
        }

        Span<byte> nonce = stackalloc byte[12];
        Span<byte> aad = stackalloc byte[SnapshotCipher.HeaderLength + 1];
        SnapshotCipher.Nonce(_header, _index++, nonce);
        SnapshotCipher.Aad(_header, final, aad);
        var textLength = length - SnapshotCipher.TagLength;
        try
        {
            _aes.Decrypt(nonce, _sealed.AsSpan(0, textLength), _sealed.AsSpan(textLength, SnapshotCipher.TagLength),
                _plain.AsSpan(0, textLength), aad);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new InvalidDataException($"encrypted chunk {_index - 1} failed authentication: wrong key, or the object was altered or cut");
        }

        _plainStart = 0;
        _plainEnd = textLength;
        if (final)
        {
            _done = true;
        }
        else
        {
            _sealed[0] = _sealed[want - 1];
            _sealedFilled = 1;
        }
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
