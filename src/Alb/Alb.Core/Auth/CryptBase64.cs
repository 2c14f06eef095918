namespace Alb.Core.Auth;

/// <summary>
/// The crypt(3) alphabet <c>./0-9A-Za-z</c> and its 24-bit groups, least significant six bits first, as MD5-crypt
/// and SHA-crypt write their digests.
/// </summary>
internal static class CryptBase64
{
    public const string Alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static bool IsCryptChar(char c) => c is '.' or '/' or (>= '0' and <= '9') or (>= 'A' and <= 'Z') or (>= 'a' and <= 'z');

    public static bool AllCryptChars(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!IsCryptChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes <paramref name="count"/> characters (as ASCII bytes) of the group <c>b2 b1 b0</c>; returns the next position.</summary>
    public static int Encode24(byte b2, byte b1, byte b0, int count, Span<byte> output, int at)
    {
        var w = (b2 << 16) | (b1 << 8) | b0;
        for (var i = 0; i < count; i++)
        {
            output[at++] = (byte)Alphabet[w & 0x3F];
            w >>= 6;
        }

        return at;
    }
}
