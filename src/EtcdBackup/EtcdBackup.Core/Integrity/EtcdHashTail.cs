using System.Security.Cryptography;

namespace EtcdBackup.Core.Integrity;

/// <summary>
/// Checks etcd's snapshot stream as it passes: etcd sends the database, then 32 bytes that are the SHA-256 of
/// everything before them. The last 32 bytes seen are held back from the hash until the stream ends, so the check
/// needs no second pass and no copy of the snapshot. The same hash then takes the tail too, giving the SHA-256 of the
/// whole stream: the stored object's, when it is stored as it came (no compression, no encryption), for no second pass.
/// </summary>
public sealed class EtcdHashTail : IDisposable
{
    public const int DigestLength = 32;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _tail = new byte[DigestLength];
    private int _tailLength;

    /// <summary>Bytes of the database hashed so far (the stream minus the held-back tail).</summary>
    public long DatabaseBytes { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.Length >= DigestLength)
        {
            _hash.AppendData(_tail.AsSpan(0, _tailLength));
            DatabaseBytes += _tailLength;
            var body = data[..^DigestLength];
            _hash.AppendData(body);
            DatabaseBytes += body.Length;
            data[^DigestLength..].CopyTo(_tail);
            _tailLength = DigestLength;
            return;
        }

        // A short piece: release just enough of the held-back bytes to keep the last 32.
        var overflow = _tailLength + data.Length - DigestLength;
        if (overflow > 0)
        {
            _hash.AppendData(_tail.AsSpan(0, overflow));
            DatabaseBytes += overflow;
            _tail.AsSpan(overflow, _tailLength - overflow).CopyTo(_tail);
            _tailLength -= overflow;
        }

        data.CopyTo(_tail.AsSpan(_tailLength));
        _tailLength += data.Length;
    }

    /// <summary>The SHA-256 of every byte appended, the tail included; set by <see cref="Finish"/>.</summary>
    public string? StreamSha256 { get; private set; }

    /// <summary>At the end of the stream: whether the tail is the SHA-256 of the database, and both digests in hex.</summary>
    public (bool Ok, string Expected, string Actual) Finish()
    {
        var actual = Convert.ToHexStringLower(_hash.GetCurrentHash());
        _hash.AppendData(_tail.AsSpan(0, _tailLength));
        StreamSha256 = Convert.ToHexStringLower(_hash.GetHashAndReset());
        if (_tailLength < DigestLength)
        {
            return (false, "(stream shorter than the 32-byte SHA-256 tail)", actual);
        }

        var expected = Convert.ToHexStringLower(_tail);
        return (expected == actual, expected, actual);
    }

    public void Dispose() => _hash.Dispose();
}
