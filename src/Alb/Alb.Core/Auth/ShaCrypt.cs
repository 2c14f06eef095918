using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Alb.Core.Auth;

/// <summary>
/// Ulrich Drepper's SHA-crypt: <c>$5$</c> (SHA-256, 43 characters) and <c>$6$</c> (SHA-512, 86 characters), an
/// optional <c>rounds=N$</c> (default 5000, raised to at least 1000), a salt of at most 16 characters.
/// </summary>
internal sealed class ShaCrypt : IPasswordVerifier
{
    public const int DefaultRounds = 5000;
    public const int MinRounds = 1000;
    public const int MaxSaltLength = 16;
    private const string RoundsPrefix = "rounds=";

    /// <summary>Which digest bytes make each 24-bit group of the SHA-256 result, high byte first; the last group is shorter.</summary>
    private static readonly byte[] Sha256Order = [0, 10, 20, 21, 1, 11, 12, 22, 2, 3, 13, 23, 24, 4, 14, 15, 25, 5, 6, 16, 26, 27, 7, 17, 18, 28, 8, 9, 19, 29];

    private static readonly byte[] Sha512Order =
    [
        0, 21, 42, 22, 43, 1, 44, 2, 23, 3, 24, 45, 25, 46, 4, 47, 5, 26, 6, 27, 48, 28, 49, 7, 50, 8, 29, 9, 30, 51, 31, 52, 10,
        53, 11, 32, 12, 33, 54, 34, 55, 13, 56, 14, 35, 15, 36, 57, 37, 58, 16, 59, 17, 38, 18, 39, 60, 40, 61, 19, 62, 20, 41,
    ];

    private readonly HashAlgorithmName _algorithm;
    private readonly int _rounds;
    private readonly byte[] _salt;
    private readonly byte[] _expected;

    private ShaCrypt(HashAlgorithmName algorithm, int rounds, ReadOnlySpan<char> salt, ReadOnlySpan<char> hash)
    {
        _algorithm = algorithm;
        _rounds = rounds;
        _salt = Encoding.ASCII.GetBytes(salt.ToArray());
        _expected = Encoding.ASCII.GetBytes(hash.ToArray());
    }

    /// <summary>The hash part's length: 43 for SHA-256, 86 for SHA-512.</summary>
    public static int HashLength(HashAlgorithmName algorithm) => algorithm == HashAlgorithmName.SHA256 ? 43 : 86;

    /// <param name="magic"><c>$5$</c> (SHA-256) or <c>$6$</c> (SHA-512), which <paramref name="text"/> starts with.</param>
    public static bool TryParse(string text, string magic, int maxRounds, [NotNullWhen(true)] out IPasswordVerifier? verifier, [NotNullWhen(false)] out string? error)
    {
        verifier = null;
        var algorithm = magic == "$5$" ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA512;
        var rest = text.AsSpan(magic.Length);
        var rounds = DefaultRounds;
        if (rest.StartsWith(RoundsPrefix, StringComparison.Ordinal))
        {
            if (!TryReadRounds(rest[RoundsPrefix.Length..], magic, maxRounds, out rounds, out var used, out error))
            {
                return false;
            }

            rest = rest[(RoundsPrefix.Length + used)..];
        }

        var dollar = rest.IndexOf('$');
        if (dollar < 0)
        {
            error = $"{magic} hash has no '$' between the salt and the hash";
            return false;
        }

        var salt = rest[..dollar];
        var hash = rest[(dollar + 1)..];
        var length = HashLength(algorithm);
        error = salt.Length > MaxSaltLength ? $"{magic} salt is longer than {MaxSaltLength} characters"
            : !CryptBase64.AllCryptChars(salt) ? $"{magic} salt has characters outside ./0-9A-Za-z"
            : hash.Length != length || !CryptBase64.AllCryptChars(hash) ? $"{magic} hash part is not {length} characters of ./0-9A-Za-z"
            : null;
        if (error is not null)
        {
            return false;
        }

        verifier = new ShaCrypt(algorithm, rounds, salt, hash);
        return true;
    }

    /// <summary>Reads <c>N$</c> after <c>rounds=</c>; <paramref name="used"/> counts the digits and the '$'.</summary>
    private static bool TryReadRounds(ReadOnlySpan<char> text, string magic, int maxRounds, out int rounds, out int used, [NotNullWhen(false)] out string? error)
    {
        rounds = 0;
        used = text.IndexOf('$') + 1;
        var digits = used > 0 ? text[..(used - 1)] : text;
        if (used == 0 || digits.IsEmpty || digits.ContainsAnyExceptInRange('0', '9'))
        {
            error = $"{magic} rounds= is not a decimal number followed by '$'";
            return false;
        }

        var trimmed = digits.TrimStart('0');
        var value = trimmed.Length > 9 ? long.MaxValue : trimmed.IsEmpty ? 0 : long.Parse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture);
        if (value > maxRounds)
        {
            var shown = trimmed.Length > 9 ? "more than 999999999" : value.ToString(CultureInfo.InvariantCulture);
            error = $"{magic} rounds={shown} is above alb's cap of {maxRounds} (each login would cost that many hashes); rehash with fewer rounds (the default is {DefaultRounds})";
            return false;
        }

        rounds = (int)Math.Max(MinRounds, value);
        error = null;
        return true;
    }

    public bool Verify(ReadOnlySpan<char> password, ReadOnlySpan<byte> utf8)
    {
        Span<byte> actual = stackalloc byte[_expected.Length];
        Compute(_algorithm, utf8, _salt, _rounds, actual);
        return CryptographicOperations.FixedTimeEquals(actual, _expected);
    }

    /// <summary>The hash part (43 or 86 characters, as ASCII) into <paramref name="output"/>.</summary>
    public static void Compute(HashAlgorithmName algorithm, ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int rounds, Span<byte> output)
    {
        using var sha = IncrementalHash.CreateHash(algorithm);
        var size = algorithm == HashAlgorithmName.SHA256 ? 32 : 64;
        Span<byte> digest = stackalloc byte[size];
        Span<byte> other = stackalloc byte[size];

        sha.AppendData(password);
        sha.AppendData(salt);
        sha.AppendData(password);
        sha.GetHashAndReset(other);

        sha.AppendData(password);
        sha.AppendData(salt);
        AppendRepeated(sha, other, password.Length);
        for (var bits = password.Length; bits > 0; bits >>= 1)
        {
            sha.AppendData((bits & 1) != 0 ? other : password);
        }

        sha.GetHashAndReset(digest);

        for (var i = 0; i < password.Length; i++)
        {
            sha.AppendData(password);
        }

        sha.GetHashAndReset(other);
        Span<byte> pSequence = password.Length <= 3 * PasswordHash.MaxPasswordLength ? stackalloc byte[password.Length] : new byte[password.Length];
        Fill(pSequence, other);

        for (var i = 0; i < 16 + digest[0]; i++)
        {
            sha.AppendData(salt);
        }

        sha.GetHashAndReset(other);
        Span<byte> sSequence = stackalloc byte[salt.Length];
        Fill(sSequence, other);

        for (var i = 0; i < rounds; i++)
        {
            sha.AppendData((i & 1) != 0 ? pSequence : digest);
            if (i % 3 != 0)
            {
                sha.AppendData(sSequence);
            }

            if (i % 7 != 0)
            {
                sha.AppendData(pSequence);
            }

            sha.AppendData((i & 1) != 0 ? digest : pSequence);
            sha.GetHashAndReset(digest);
        }

        Encode(digest, output);
        CryptographicOperations.ZeroMemory(digest);
        CryptographicOperations.ZeroMemory(other);
        CryptographicOperations.ZeroMemory(pSequence);
        CryptographicOperations.ZeroMemory(sSequence);
    }

    private static void AppendRepeated(IncrementalHash sha, ReadOnlySpan<byte> block, int length)
    {
        for (; length > block.Length; length -= block.Length)
        {
            sha.AppendData(block);
        }

        sha.AppendData(block[..length]);
    }

    private static void Fill(Span<byte> target, ReadOnlySpan<byte> block)
    {
        for (var at = 0; at < target.Length; at += block.Length)
        {
            var n = Math.Min(block.Length, target.Length - at);
            block[..n].CopyTo(target[at..]);
        }
    }

    private static void Encode(ReadOnlySpan<byte> digest, Span<byte> output)
    {
        var order = digest.Length == 32 ? Sha256Order : Sha512Order;
        var at = 0;
        for (var g = 0; g < order.Length; g += 3)
        {
            at = CryptBase64.Encode24(digest[order[g]], digest[order[g + 1]], digest[order[g + 2]], 4, output, at);
        }

        if (digest.Length == 32)
        {
            CryptBase64.Encode24(0, digest[31], digest[30], 3, output, at);
        }
        else
        {
            CryptBase64.Encode24(0, 0, digest[63], 2, output, at);
        }
    }
}
