using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Digests;

namespace Alb.Auth;

/// <summary>
/// Keys of the verified-credential caches (basic auth, JWT): a keyed BLAKE2s (RFC 7693's MAC mode, 128-bit output)
/// under a secret made at start, so a cache holds no credential and nobody outside the process can aim at an entry.
/// Managed code with one instance per thread: an OpenSSL HMAC here cost ~5 µs per request under load against
/// 1.1 µs in a loop (its code and state are cold between requests), which measured as basic ÷ plain 1.18 against
/// 1.09 with this (docs/benchmarks.md).
/// </summary>
internal static class CacheKeys
{
    private static readonly byte[] Secret = RandomNumberGenerator.GetBytes(32);

    [ThreadStatic]
    private static Blake2sDigest? _threadMac;

    /// <summary>The key of one string (a bearer token).</summary>
    public static UInt128 Of(ReadOnlySpan<char> text)
    {
        var mac = _threadMac ??= new Blake2sDigest(Secret, 16, null, null);
        Span<byte> buffer = stackalloc byte[256];
        Append(mac, text, buffer);
        return Finish(mac, buffer);
    }

    /// <summary>The key of a pair (stored hash, password); the first one's length goes in first, so no pair reads as another.</summary>
    public static UInt128 Of(string first, string second)
    {
        var mac = _threadMac ??= new Blake2sDigest(Secret, 16, null, null);
        Span<byte> buffer = stackalloc byte[256];
        BinaryPrimitives.WriteInt32LittleEndian(buffer, first.Length);
        mac.BlockUpdate(buffer[..4]);
        Append(mac, first, buffer);
        Append(mac, second, buffer);
        return Finish(mac, buffer);
    }

    private static UInt128 Finish(Blake2sDigest mac, Span<byte> buffer)
    {
        Span<byte> result = stackalloc byte[16];
        mac.DoFinal(result); // and resets the digest (with its key) for the next call
        CryptographicOperations.ZeroMemory(buffer);
        return new UInt128(BinaryPrimitives.ReadUInt64LittleEndian(result), BinaryPrimitives.ReadUInt64LittleEndian(result[8..]));
    }

    /// <summary>UTF-8 of <paramref name="text"/> into the MAC, through a stack buffer (in pieces when longer).</summary>
    private static void Append(Blake2sDigest mac, ReadOnlySpan<char> text, Span<byte> buffer)
    {
        var chars = text;
        while (!chars.IsEmpty)
        {
            var take = Math.Min(chars.Length, buffer.Length / 3);
            if (take < chars.Length && char.IsHighSurrogate(chars[take - 1]))
            {
                take--;
            }

            var written = Encoding.UTF8.GetBytes(chars[..take], buffer);
            mac.BlockUpdate(buffer[..written]);
            chars = chars[take..];
        }
    }
}
