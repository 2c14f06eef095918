using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Alb.Core.Auth;
using Xunit;

namespace Alb.Core.Tests.Auth;

/// <summary>Published vectors: Ulrich Drepper's SHA-crypt specification, MD5-crypt's, Openwall's crypt_blowfish for bcrypt, and {SSHA} from its definition.</summary>
[SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "Builds {SHA} and {SSHA} values from their definitions.")]
public sealed class SpecVectorTests
{
    public static TheoryData<string, string> Sha256Crypt => new()
    {
        { "Hello world!", "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5" },
        { "Hello world!", "$5$rounds=5000$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5" },
        { "Hello world!", "$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA" },
        { "This is just a test", "$5$rounds=5000$toolongsaltstrin$Un/5jzAHMgOGZ5.mWJpuVolil07guHPvOW8mGRcvxa5" },
        { "a very much longer text to encrypt.  This one even stretches over morethan one line.", "$5$rounds=1400$anotherlongsalts$Rx.j8H.h8HjEDGomFU8bDkXm3XIUnzyxf12oP84Bnq1" },
        { "we have a short salt string but not a short password", "$5$rounds=77777$short$JiO1O3ZpDAxGJeaDIuqCoEFysAe1mZNJRs3pw0KQRd/" },
        { "a short string", "$5$rounds=123456$asaltof16chars..$gP3VQ/6X7UUEW3HkBn2w1/Ptq2jxPyzV/cZKmF/wJvD" },
        { "the minimum number is still observed", "$5$rounds=1000$roundstoolow$yfvwcWrQ8l/K0DAWyuPMDNHpIVlTQebY9l/gL972bIC" },
    };

    public static TheoryData<string, string> Sha512Crypt => new()
    {
        { "Hello world!", "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1" },
        { "Hello world!", "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v." },
        { "This is just a test", "$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0" },
        { "a very much longer text to encrypt.  This one even stretches over morethan one line.", "$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1" },
        { "we have a short salt string but not a short password", "$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0" },
        { "a short string", "$6$rounds=123456$asaltof16chars..$BtCwjqMJGx5hrJhZywWvt0RLE8uZ4oPwcelCjmw2kSYu.Ec6ycULevoBK25fs2xXgMNrCzIMVcgEJAstJeonj1" },
        { "the minimum number is still observed", "$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX." },
        { "foo", "$6$$QMXjqd7rHQZPQ1yHsXkQqC1FBzDiVfTHXL.LaeDAeVV.IzMaV9VU4MQ8kPuZa2SOP1A0RPm772EaFYjpEJtdu." },
    };

    /// <summary>MD5-crypt and apr1: PHP's documented example, and values openssl 3.0 printed for fixed salts.</summary>
    public static TheoryData<string, string, PasswordHashKind> Md5 => new()
    {
        { "rasmuslerdorf", "$1$rasmusle$rISCgZzpwk3UhDidwXvin0", PasswordHashKind.Md5Crypt },
        { "password", "$1$testsalt$HqSbBhxwpv7HZyOt/RV.B1", PasswordHashKind.Md5Crypt },
        { "pass", "$apr1$abc$p2BVMETKPhAwJTvOd59Vk.", PasswordHashKind.AprMd5 },
        { "myPassword", "$apr1$qHDFfhPC$nITSVHgYbDAK1Y0acGRnY0", PasswordHashKind.AprMd5 },
        { "", "$apr1$$J/S5FGXXjRRxbhIznTb/E1", PasswordHashKind.AprMd5 },
    };

    /// <summary>
    /// bcrypt's <c>$2a$</c> and <c>$2b$</c> (the same hash for ASCII passwords): the test vectors of Openwall's
    /// crypt_blowfish (wrapper.c), each also checked against libxcrypt's <c>crypt()</c>.
    /// </summary>
    public static TheoryData<string, string> Bcrypt => new()
    {
        { "U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW" },
        { "U*U*", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK" },
        { "U*U*U", "$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a" },
        { "", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy" },
        { "U*U", "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW" },
        { "U*U*", "$2b$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK" },
        { "", "$2b$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy" },
    };

    [Theory]
    [MemberData(nameof(Bcrypt))]
    public void Verifies_crypt_blowfish_2a_and_2b_vectors(string password, string stored) => AssertVector(password, stored, PasswordHashKind.Bcrypt);

    [Fact]
    public void Bcrypt_2b_compares_the_first_72_bytes_of_the_crypt_blowfish_vector()
    {
        // The vector's password is "...0123456789chars after 72 are ignored": the first 72 bytes decide.
        Assert.True(PasswordHash.TryParse("$2b$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui", out var hash, out var error), error);
        Assert.True(hash.Verify("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored"));
        Assert.False(hash.Verify("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345678"));
    }

    [Theory]
    [MemberData(nameof(Sha256Crypt))]
    public void Verifies_Drepper_sha256_crypt_vectors(string password, string stored) => AssertVector(password, stored, PasswordHashKind.Sha256Crypt);

    [Theory]
    [MemberData(nameof(Sha512Crypt))]
    public void Verifies_Drepper_sha512_crypt_vectors(string password, string stored) => AssertVector(password, stored, PasswordHashKind.Sha512Crypt);

    [Theory]
    [MemberData(nameof(Md5))]
    public void Verifies_md5_crypt_and_apr1_vectors(string password, string stored, PasswordHashKind kind) => AssertVector(password, stored, kind);

    [Fact]
    public void Clamps_low_rounds_to_the_minimum_of_1000()
    {
        Assert.True(PasswordHash.TryParse("$5$rounds=10$roundstoolow$yfvwcWrQ8l/K0DAWyuPMDNHpIVlTQebY9l/gL972bIC", out var hash, out _));
        Assert.True(hash.Verify("the minimum number is still observed"));
    }

    [Theory]
    [InlineData("secret", "")]
    [InlineData("secret", "salt")]
    [InlineData("pässwörd ✓", "\u0001\u00ff binary salt \u0000")]
    public void Verifies_ssha_built_from_its_definition(string password, string salt)
    {
        var saltBytes = Encoding.Latin1.GetBytes(salt);
        var digest = SHA1.HashData([.. Encoding.UTF8.GetBytes(password), .. saltBytes]);
        var stored = "{SSHA}" + Convert.ToBase64String([.. digest, .. saltBytes]);

        AssertVector(password, stored, PasswordHashKind.SaltedSha1);
    }

    [Fact]
    public void Verifies_sha_built_from_its_definition()
    {
        var stored = "{SHA}" + Convert.ToBase64String(SHA1.HashData("secret"u8));
        AssertVector("secret", stored, PasswordHashKind.Sha1);
    }

    private static void AssertVector(string password, string stored, PasswordHashKind kind)
    {
        Assert.True(PasswordHash.TryParse(stored, out var hash, out var error), error);
        Assert.Equal(kind, hash.Kind);
        Assert.True(hash.Verify(password));
        Assert.False(hash.Verify(password + "x"));
        Assert.False(hash.Verify(password.Length > 0 ? password[..^1] : "x"));
    }
}
