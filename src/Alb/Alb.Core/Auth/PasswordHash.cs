using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Alb.Core.Auth;

/// <summary>
/// One stored password hash of basic auth (an htpasswd line's second field), checked in full when parsed so that
/// <see cref="Verify"/> never throws. Neither the value nor a password ever appears in an error or in
/// <see cref="ToString"/>.
/// </summary>
public sealed class PasswordHash
{
    /// <summary>The highest bcrypt cost accepted: 2^12 key-schedule rounds, about 0.3 s of one core per login.</summary>
    public const int MaxBcryptCost = 12;

    /// <summary>The highest SHA-crypt <c>rounds=</c> accepted (the specification allows up to 999,999,999); about 0.3 s per login, as the bcrypt cap.</summary>
    public const int MaxShaCryptRounds = 500_000;

    /// <summary>Longer passwords are never verified.</summary>
    public const int MaxPasswordLength = 1024;

    /// <summary>Longer stored values are refused unread.</summary>
    public const int MaxHashLength = 1024;

    private readonly IPasswordVerifier _verifier;

    /// <summary>Internal (not private) so that tests can stand in a verifier of their own, such as one that blocks.</summary>
    internal PasswordHash(PasswordHashKind kind, IPasswordVerifier verifier, string text)
    {
        Kind = kind;
        _verifier = verifier;
        Text = text;
    }

    /// <summary>The stored value as written (for comparison and cache keys; never logged).</summary>
    public string Text { get; }

    /// <summary>The format the hash was written in.</summary>
    public PasswordHashKind Kind { get; }

    /// <summary>Reads a stored hash; on failure <paramref name="error"/> says in one line which format and why.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out PasswordHash? hash, [NotNullWhen(false)] out string? error)
    {
        hash = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "the hash is empty";
            return false;
        }

        if (text.Length > MaxHashLength)
        {
            error = $"the hash is longer than {MaxHashLength} characters";
            return false;
        }

        var kind = KindOf(text);
        if (kind is null)
        {
            error = UnsupportedFormats.Describe(text);
            return false;
        }

        if (!TryParseVerifier(text, kind.Value, out var parsed, out error))
        {
            return false;
        }

        hash = new PasswordHash(kind.Value, parsed, text);
        return true;
    }

    /// <summary>
    /// Whether <paramref name="password"/> (hashed as UTF-8, as htpasswd and openssl do) matches. False for a
    /// password longer than <see cref="MaxPasswordLength"/> characters; never throws.
    /// </summary>
    public bool Verify(ReadOnlySpan<char> password)
    {
        if (password.Length > MaxPasswordLength)
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[MaxPasswordLength * 3];
        var length = Encoding.UTF8.GetBytes(password, buffer);
        try
        {
            return _verifier.Verify(password, buffer[..length]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer[..length]);
        }
    }

    public override string ToString() => $"PasswordHash({Kind})";

    private static PasswordHashKind? KindOf(string text) =>
        text.StartsWith("$2", StringComparison.Ordinal) ? PasswordHashKind.Bcrypt
        : text.StartsWith("$apr1$", StringComparison.Ordinal) ? PasswordHashKind.AprMd5
        : text.StartsWith("$1$", StringComparison.Ordinal) ? PasswordHashKind.Md5Crypt
        : text.StartsWith("$5$", StringComparison.Ordinal) ? PasswordHashKind.Sha256Crypt
        : text.StartsWith("$6$", StringComparison.Ordinal) ? PasswordHashKind.Sha512Crypt
        : text.StartsWith(LdapSha.ShaPrefix, StringComparison.Ordinal) ? PasswordHashKind.Sha1
        : text.StartsWith(LdapSha.SaltedPrefix, StringComparison.Ordinal) ? PasswordHashKind.SaltedSha1
        : null;

    private static bool TryParseVerifier(string text, PasswordHashKind kind, [NotNullWhen(true)] out IPasswordVerifier? verifier, [NotNullWhen(false)] out string? error) => kind switch
    {
        PasswordHashKind.Bcrypt => BcryptHash.TryParse(text, MaxBcryptCost, out verifier, out error),
        PasswordHashKind.AprMd5 => Md5Crypt.TryParse(text, "$apr1$", out verifier, out error),
        PasswordHashKind.Md5Crypt => Md5Crypt.TryParse(text, "$1$", out verifier, out error),
        PasswordHashKind.Sha256Crypt => ShaCrypt.TryParse(text, "$5$", MaxShaCryptRounds, out verifier, out error),
        PasswordHashKind.Sha512Crypt => ShaCrypt.TryParse(text, "$6$", MaxShaCryptRounds, out verifier, out error),
        PasswordHashKind.Sha1 => LdapSha.TryParse(text, salted: false, out verifier, out error),
        _ => LdapSha.TryParse(text, salted: true, out verifier, out error),
    };
}
