using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Alb.Core.Auth;
using Xunit;

namespace Alb.Core.Tests.Auth;

/// <summary>Every stored value that is refused, with the gist of its one-line reason.</summary>
[SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "Builds {SHA} values, the format under test.")]
public sealed class RefusalTests
{
    private const string Bcrypt = "$2y$05$xmmpigmk1Mutbeh7FwMoeeE0xFH1zb47/TCOhLo8xGP.F/ZdOPOQS";
    private const string Sha256 = "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5";
    private const string Apr1 = "$apr1$qHDFfhPC$nITSVHgYbDAK1Y0acGRnY0";

    public static TheoryData<string, string> Refused => new()
    {
        { "", "empty" },
        { new string('a', 1025), "longer than 1024" },
        { "$2y$13$xmmpigmk1Mutbeh7FwMoeeE0xFH1zb47/TCOhLo8xGP.F/ZdOPOQS", "cost 13 is above alb's cap of 12" },
        { "$2b$31$xmmpigmk1Mutbeh7FwMoeeE0xFH1zb47/TCOhLo8xGP.F/ZdOPOQS", "cost 31 is above alb's cap of 12" },
        { "$2y$03$xmmpigmk1Mutbeh7FwMoeeE0xFH1zb47/TCOhLo8xGP.F/ZdOPOQS", "outside 4..31" },
        { "$2y$5$xmmpigmk1Mutbeh7FwMoeeE0xFH1zb47/TCOhLo8xGP.F/ZdOPOQS", "not 60 characters" },
        { "$2y$x5$xmmpigmk1Mutbeh7FwMoeeE0xFH1zb47/TCOhLo8xGP.F/ZdOPOQS", "not two digits" },
        { Bcrypt[..59], "not 60 characters" },
        { Bcrypt + "S", "not 60 characters" },
        { Bcrypt[..7], "not 60 characters" },
        { "$2y$05$xmmpigmk1Mutbeh7FwMo!eE0xFH1zb47/TCOhLo8xGP.F/ZdOPOQS", "outside ./A-Za-z0-9" },
        { "$2y$05$xmmpigmk1Mutbeh7FwMoefE0xFH1zb47/TCOhLo8xGP.F/ZdOPOQS", "not canonical" },
        { "$2x$05$xmmpigmk1Mutbeh7FwMoeeE0xFH1zb47/TCOhLo8xGP.F/ZdOPOQS", "variant is not supported" },
        { "$2$05$xmmpigmk1Mutbeh7FwMoeeE0xFH1zb47/TCOhLo8xGP.F/ZdOPOQS", "variant is not supported" },
        { "$5$rounds=2000000$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5", "rounds=2000000 is above alb's cap of 500000" },
        { "$6$rounds=99999999999999999999$salt$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1", "more than 999999999" },
        { "$5$rounds=$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5", "not a decimal number" },
        { "$5$rounds=-5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5", "not a decimal number" },
        { "$5$rounds=5000", "not a decimal number" },
        { "$5$saltstring", "no '$' between" },
        { "$5$", "no '$' between" },
        { Sha256[..^1], "not 43 characters" },
        { Sha256 + "A", "not 43 characters" },
        { "$5$salt!string$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5", "salt has characters outside" },
        { "$5$toolongsaltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5", "salt is longer than 16" },
        { "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWE:5", "not 43 characters" },
        { "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl", "not 86 characters" },
        { Apr1[..^1], "not 22 characters" },
        { "$apr1$qHD fhPC$nITSVHgYbDAK1Y0acGRnY0", "salt has characters outside" },
        { "$apr1$a!b$12.OWZklnmOQsmeiGdJ6n.", "salt has characters outside" },
        { "$1$toolongsalt$egg6G8POzU2QOeznq6CL3.", "salt is longer than 8" },
        { "$apr1$qHDFfhPC", "no '$' between" },
        { "$1$", "no '$' between" },
        { "{SHA}", "not followed by valid base64" },
        { "{SHA}nU4eI71bcnBGqeO0t9tXvY1u5oQ", "not followed by valid base64" },
        { "{SHA}nU4eI71bcnBGqeO0t9tXvY1u5o!=", "not followed by valid base64" },
        { "{SHA}nU4eI71b cnBGqeO0t9tXvY1u5oQ=", "not followed by valid base64" },
        { "{SHA}nU4eI71bcnBGqeO0t9tXvY1u5oQ=\n", "not followed by valid base64" },
        { "{SHA}nU4eI71bcnBGqeO0t9tX", "exactly 20 bytes" },
        { "{SHA}nU4eI71bcnBGqeO0t9tXvY1u5oQAAAA=", "exactly 20 bytes" },
        { "{SSHA}nU4eI71bcnBGqeO0", "fewer than 20 bytes" },
        { "{SSHA}====", "not followed by valid base64" },
        { "{SSHA}" + new string('A', 400), "not followed by valid base64" },
        { "{PLAIN}secret", "plain-text passwords ({PLAIN}) are not supported" },
        { "{SSHA512}abc", "the {SSHA512} scheme is not supported" },
        { "{sha}nU4eI71bcnBGqeO0t9tXvY1u5oQ=", "the {sha} scheme is not supported" },
        { "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7", "yescrypt ($y$) is not supported" },
        { "$7$C6..../....SodiumChloride$kBGj9fHznVYFQMEn/qDCfrDevf9YDtcDdKvEqHJLV8D", "scrypt ($7$) is not supported" },
        { "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG", "Argon2 ($argon2id$) is not supported" },
        { "$md5,rounds=5000$GUBv0xjJ$$mSwgIswdjlTY0YxV7HBVm0", "this $...$ crypt scheme is not supported" },
        { "$9$abc$def", "crypt scheme $9$ is not supported" },
        { "$", "crypt scheme is not supported" },
        { "rl.3StKT.4T8M", "DES crypt is not supported (8-character passwords, broken); rehash with htpasswd -B" },
        { "_J9..rasmBYk8r9AiWNc", "extended DES crypt" },
        { "hunter2", "plain text is not accepted" },
        { "  $apr1$qHDFfhPC$nITSVHgYbDAK1Y0acGRnY0", "plain text is not accepted" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Rejects_with_a_one_line_reason(string stored, string reason)
    {
        Assert.False(PasswordHash.TryParse(stored, out var hash, out var error));
        Assert.Null(hash);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void Never_quotes_the_stored_value(string stored, string reason)
    {
        _ = reason;
        Assert.False(PasswordHash.TryParse(stored, out _, out var error));
        var tail = stored.Length > 8 ? stored[^8..] : null;
        if (tail is not null && !tail.Contains('$', StringComparison.Ordinal) && !tail.StartsWith('{'))
        {
            Assert.DoesNotContain(tail, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Accepts_the_caps_themselves()
    {
        Assert.True(PasswordHash.TryParse("$5$rounds=500000$s$" + new string('.', 43), out _, out var error), error);
        Assert.True(PasswordHash.TryParse("$2b$12$xmmpigmk1Mutbeh7FwMoeeE0xFH1zb47/TCOhLo8xGP.F/ZdOPOQS", out _, out error), error);
        Assert.Equal(12, PasswordHash.MaxBcryptCost);
        Assert.Equal(500_000, PasswordHash.MaxShaCryptRounds);
    }

    [Fact]
    public void Refuses_a_password_longer_than_1024_characters()
    {
        Assert.True(Sha1Of(new string('p', 1024)).Verify(new string('p', 1024)));
        Assert.False(Sha1Of(new string('p', 1025)).Verify(new string('p', 1025)));
    }

    private static PasswordHash Sha1Of(string password)
    {
        var stored = "{SHA}" + Convert.ToBase64String(SHA1.HashData(Encoding.UTF8.GetBytes(password)));
        Assert.True(PasswordHash.TryParse(stored, out var hash, out var error), error);
        return hash;
    }
}
