using System.Buffers.Binary;
using System.Security.Cryptography;

namespace EtcdBackup.Core.Mirror;

/// <summary>
/// Key count and SHA-256 over one side's keys and values in key order, each as (4-byte big-endian length, bytes), so
/// no two different contents hash alike by shifting bytes between a key and its value.
/// </summary>
public sealed class RangeDigest : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _length = new byte[4];

    public long Count { get; private set; }

    public void Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Count++;
        Append(key);
        Append(value);
    }

    public string Finish() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    private void Append(ReadOnlySpan<byte> bytes)
    {
        BinaryPrimitives.WriteInt32BigEndian(_length, bytes.Length);
        _hash.AppendData(_length);
        _hash.AppendData(bytes);
    }

    public void Dispose() => _hash.Dispose();
}
