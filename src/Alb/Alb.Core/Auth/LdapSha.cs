using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Alb.Core.Auth;

/// <summary>
/// The LDAP-style SHA-1 forms: <c>{SHA}</c> + base64(SHA-1(password)) and <c>{SSHA}</c> +
/// base64(SHA-1(password + salt) + salt). As nginx does, a <c>{SSHA}</c> salt may be empty.
/// </summary>
[SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "Verifies hashes that htpasswd already wrote; alb hashes nothing new with SHA-1.")]
internal sealed class LdapSha : IPasswordVerifier
{
    public const string ShaPrefix = "{SHA}";
    public const string SaltedPrefix = "{SSHA}";
    private const int DigestLength = 20;
    private const int MaxSaltLength = 256;

    private readonly byte[] _digest;
    private readonly byte[] _salt;

    private LdapSha(byte[] digest, byte[] salt)
    {
        _digest = digest;
        _salt = salt;
    }

    public static bool TryParse(string text, bool salted, [NotNullWhen(true)] out IPasswordVerifier? verifier, [NotNullWhen(false)] out string? error)
    {
        verifier = null;
        var prefix = salted ? SaltedPrefix : ShaPrefix;
        var encoded = text.AsSpan(prefix.Length);
        if (encoded.Length > 4 * ((DigestLength + MaxSaltLength + 2) / 3) || !IsStrictBase64(encoded))
        {
            error = $"{prefix} is not followed by valid base64";
            return false;
        }

        var decoded = Convert.FromBase64String(encoded.ToString());
        if (salted ? decoded.Length < DigestLength : decoded.Length != DigestLength)
        {
            error = salted ? $"{prefix} holds fewer than {DigestLength} bytes" : $"{prefix} does not hold exactly {DigestLength} bytes";
            return false;
        }

        error = null;
        verifier = new LdapSha(decoded[..DigestLength], decoded[DigestLength..]);
        return true;
    }

    /// <summary>Standard alphabet, padded, no whitespace (which <see cref="Convert"/> would skip).</summary>
    private static bool IsStrictBase64(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text.Length % 4 != 0)
        {
            return false;
        }

        var body = text.TrimEnd('=');
        if (text.Length - body.Length > 2)
        {
            return false;
        }

        foreach (var c in body)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/'))
            {
                return false;
            }
        }

        return Base64.IsValid(text);
    }

    public bool Verify(ReadOnlySpan<char> password, ReadOnlySpan<byte> utf8)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        sha.AppendData(utf8);
        sha.AppendData(_salt);
        Span<byte> actual = stackalloc byte[DigestLength];
        sha.GetHashAndReset(actual);
        return CryptographicOperations.FixedTimeEquals(actual, _digest);
    }
}
