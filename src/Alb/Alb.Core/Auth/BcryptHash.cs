using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using BCrypt.Net;

namespace Alb.Core.Auth;

/// <summary>
/// bcrypt, <c>$2y$NN$</c> + 22 characters of salt + 31 of hash (also <c>$2a$</c>, <c>$2b$</c>), through
/// BCrypt.Net-Next, which takes all three as they are. The string is checked whole here, because the library
/// neither rejects stray characters in the salt nor a short hash.
/// </summary>
internal sealed class BcryptHash : IPasswordVerifier
{
    public const int Length = 60;
    private const int SettingsLength = 29;
    private const int MinCost = 4;
    private const int MaxCost = 31;

    private readonly string _settings;
    private readonly byte[] _expected;

    private BcryptHash(string text)
    {
        _settings = text[..SettingsLength];
        _expected = Encoding.ASCII.GetBytes(text);
    }

    public static bool TryParse(string text, int maxCost, [NotNullWhen(true)] out IPasswordVerifier? verifier, [NotNullWhen(false)] out string? error)
    {
        verifier = null;
        if (text.Length < 4 || text[3] != '$' || text[2] is not ('a' or 'b' or 'y'))
        {
            error = "this bcrypt variant is not supported (only $2y$, $2a$ and $2b$); rehash with htpasswd -B";
            return false;
        }

        var magic = text[..4];
        if (text.Length != Length)
        {
            error = $"{magic} bcrypt hash is not {Length} characters long";
            return false;
        }

        if (text[6] != '$' || !char.IsAsciiDigit(text[4]) || !char.IsAsciiDigit(text[5]))
        {
            error = $"{magic} bcrypt cost is not two digits followed by '$'";
            return false;
        }

        var cost = ((text[4] - '0') * 10) + (text[5] - '0');
        error = cost is < MinCost or > MaxCost ? $"{magic} bcrypt cost {cost} is outside {MinCost}..{MaxCost}"
            : cost > maxCost ? $"{magic} bcrypt cost {cost} is above alb's cap of {maxCost} (each login would take too long); rehash with htpasswd -B -C {maxCost} or lower"
            : !CryptBase64.AllCryptChars(text.AsSpan(7)) ? $"{magic} bcrypt salt and hash have characters outside ./A-Za-z0-9"
            : text[SettingsLength - 1] is not ('.' or 'O' or 'e' or 'u') ? $"{magic} bcrypt salt's last character is not canonical"
            : null;
        if (error is not null)
        {
            return false;
        }

        verifier = new BcryptHash(text);
        return true;
    }

    public bool Verify(ReadOnlySpan<char> password, ReadOnlySpan<byte> utf8)
    {
        string computed;
        try
        {
            computed = BCrypt.Net.BCrypt.HashPassword(password.ToString(), _settings);
        }
        catch (Exception e) when (e is ArgumentException or SaltParseException)
        {
            return false;
        }

        if (computed.Length != Length)
        {
            return false;
        }

        Span<byte> actual = stackalloc byte[Length];
        for (var i = 0; i < Length; i++)
        {
            actual[i] = (byte)computed[i];
        }

        return CryptographicOperations.FixedTimeEquals(actual, _expected);
    }
}
