namespace Alb.Core.Auth;

/// <summary>One parsed hash of one format. Implementations never throw and compare in constant time.</summary>
internal interface IPasswordVerifier
{
    /// <param name="password">The password as given (bcrypt hands it to its library as text).</param>
    /// <param name="utf8">The same password as UTF-8, as htpasswd and openssl hash it.</param>
    bool Verify(ReadOnlySpan<char> password, ReadOnlySpan<byte> utf8);
}
