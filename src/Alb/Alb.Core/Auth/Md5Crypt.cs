using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Alb.Core.Auth;

/// <summary>
/// Poul-Henning Kamp's MD5-crypt (<c>$1$</c>) and Apache's copy of it under its own magic (<c>$apr1$</c>):
/// a salt of at most 8 characters, then 22 characters of the digest after 1000 rounds of MD5.
/// </summary>
[SuppressMessage("Security", "CA5351:Do Not Use Broken Cryptographic Algorithms", Justification = "Verifies hashes that htpasswd already wrote; alb hashes nothing new with MD5.")]
internal sealed class Md5Crypt : IPasswordVerifier
{
    public const int MaxSaltLength = 8;
    public const int HashLength = 22;
    private const int Rounds = 1000;

    private readonly byte[] _magic;
    private readonly byte[] _salt;
    private readonly byte[] _expected;

    private Md5Crypt(string magic, ReadOnlySpan<char> salt, ReadOnlySpan<char> hash)
    {
        _magic = Encoding.ASCII.GetBytes(magic);
        _salt = Encoding.ASCII.GetBytes(salt.ToArray());
        _expected = Encoding.ASCII.GetBytes(hash.ToArray());
    }

    /// <param name="magic"><c>$1$</c> or <c>$apr1$</c>, which <paramref name="text"/> starts with.</param>
    public static bool TryParse(string text, string magic, [NotNullWhen(true)] out IPasswordVerifier? verifier, [NotNullWhen(false)] out string? error)
    {
        verifier = null;
        var rest = text.AsSpan(magic.Length);
        var dollar = rest.IndexOf('$');
        if (dollar < 0)
        {
            error = $"{magic} hash has no '$' between the salt and the hash";
            return false;
        }

        var salt = rest[..dollar];
        var hash = rest[(dollar + 1)..];
        error = salt.Length > MaxSaltLength ? $"{magic} salt is longer than {MaxSaltLength} characters"
            : !CryptBase64.AllCryptChars(salt) ? $"{magic} salt has characters outside ./0-9A-Za-z"
            : hash.Length != HashLength || !CryptBase64.AllCryptChars(hash) ? $"{magic} hash part is not {HashLength} characters of ./0-9A-Za-z"
            : null;
        if (error is not null)
        {
            return false;
        }

        verifier = new Md5Crypt(magic, salt, hash);
        return true;
    }

    public bool Verify(ReadOnlySpan<char> password, ReadOnlySpan<byte> utf8)
    {
        Span<byte> actual = stackalloc byte[HashLength];
        Compute(utf8, _magic, _salt, actual);
        return CryptographicOperations.FixedTimeEquals(actual, _expected);
    }

    /// <summary>The 22 characters of the hash part, as ASCII, into <paramref name="output"/>.</summary>
    public static void Compute(ReadOnlySpan<byte> password, ReadOnlySpan<byte> magic, ReadOnlySpan<byte> salt, Span<byte> output)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        Span<byte> digest = stackalloc byte[16];
        md5.AppendData(password);
        md5.AppendData(salt);
        md5.AppendData(password);
        md5.GetHashAndReset(digest);

        md5.AppendData(password);
        md5.AppendData(magic);
        md5.AppendData(salt);
        for (var left = password.Length; left > 0; left -= 16)
        {
            md5.AppendData(digest[..Math.Min(16, left)]);
        }

        ReadOnlySpan<byte> zero = [0];
        for (var bits = password.Length; bits != 0; bits >>= 1)
        {
            md5.AppendData((bits & 1) != 0 ? zero : password[..1]);
        }

        md5.GetHashAndReset(digest);
        for (var i = 0; i < Rounds; i++)
        {
            md5.AppendData((i & 1) != 0 ? password : digest);
            if (i % 3 != 0)
            {
                md5.AppendData(salt);
            }

            if (i % 7 != 0)
            {
                md5.AppendData(password);
            }

            md5.AppendData((i & 1) != 0 ? digest : password);
            md5.GetHashAndReset(digest);
        }

        var at = CryptBase64.Encode24(digest[0], digest[6], digest[12], 4, output, 0);
        at = CryptBase64.Encode24(digest[1], digest[7], digest[13], 4, output, at);
        at = CryptBase64.Encode24(digest[2], digest[8], digest[14], 4, output, at);
        at = CryptBase64.Encode24(digest[3], digest[9], digest[15], 4, output, at);
        at = CryptBase64.Encode24(digest[4], digest[10], digest[5], 4, output, at);
        CryptBase64.Encode24(0, 0, digest[11], 2, output, at);
        CryptographicOperations.ZeroMemory(digest);
    }
}
