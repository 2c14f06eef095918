using Alb.Core.Auth;
using Edge.Testing;
using Xunit;

namespace Alb.Core.Tests.Auth;

/// <summary>Hashes made at test time by the tools operators use: htpasswd (apache2-utils) and openssl passwd.</summary>
public sealed class ToolVectorTests
{
    /// <summary>Fixed ones (unicode, a ':' and spaces, past bcrypt's 72 bytes) and seeded random ones.</summary>
    private static readonly string[] Passwords = MakePasswords();

    public static TheoryData<string, string[], PasswordHashKind> Tools => new()
    {
        { "htpasswd", ["-nbB", "-C", "5"], PasswordHashKind.Bcrypt },
        { "htpasswd", ["-nbm"], PasswordHashKind.AprMd5 },
        { "htpasswd", ["-nbs"], PasswordHashKind.Sha1 },
        { "openssl", ["-apr1"], PasswordHashKind.AprMd5 },
        { "openssl", ["-apr1", "Zq./09az"], PasswordHashKind.AprMd5 },
        { "openssl", ["-1"], PasswordHashKind.Md5Crypt },
        { "openssl", ["-1", "s4lt"], PasswordHashKind.Md5Crypt },
        { "openssl", ["-5"], PasswordHashKind.Sha256Crypt },
        { "openssl", ["-5", "sixteen.chars/ok"], PasswordHashKind.Sha256Crypt },
        { "openssl", ["-5", "rounds=1234$pepper"], PasswordHashKind.Sha256Crypt },
        { "openssl", ["-6"], PasswordHashKind.Sha512Crypt },
        { "openssl", ["-6", "sixteen.chars/ok"], PasswordHashKind.Sha512Crypt },
        { "openssl", ["-6", "rounds=1001$pepper"], PasswordHashKind.Sha512Crypt },
    };

    [Theory]
    [MemberData(nameof(Tools))]
    public void Verifies_what_the_tool_made(string tool, string[] options, PasswordHashKind kind)
    {
        foreach (var password in Passwords)
        {
            var stored = tool == "htpasswd"
                ? ExternalTool.Htpasswd(options[0], password, options[1..])
                : ExternalTool.OpenSslPasswd(options[0], password, options.Length > 1 ? options[1] : null);

            Assert.True(PasswordHash.TryParse(stored, out var hash, out var error), $"{tool} {string.Join(' ', options)}: {error}");
            Assert.Equal(kind, hash.Kind);
            Assert.True(hash.Verify(password), $"{tool} {string.Join(' ', options)}: a password of {password.Length} chars did not verify");
            Assert.False(hash.Verify(Wrong(password)));
            Assert.False(hash.Verify(""));
        }
    }

    [Fact]
    public void Verifies_an_empty_password_that_htpasswd_hashed()
    {
        foreach (var flags in new[] { "-nbm", "-nbs" })
        {
            Assert.True(PasswordHash.TryParse(ExternalTool.Htpasswd(flags, ""), out var hash, out var error), error);
            Assert.True(hash.Verify(""));
            Assert.False(hash.Verify("x"));
        }

        Assert.True(PasswordHash.TryParse(ExternalTool.Htpasswd("-nbB", "", "-C", "4"), out var bcrypt, out var bcryptError), bcryptError);
        Assert.True(bcrypt.Verify(""));
        Assert.False(bcrypt.Verify("x"));
    }

    [Fact]
    public void Bcrypt_compares_the_first_72_bytes_as_htpasswd_does()
    {
        var password = new string('a', 72);
        Assert.True(PasswordHash.TryParse(ExternalTool.Htpasswd("-nbB", password, "-C", "4"), out var hash, out var error), error);
        Assert.True(hash.Verify(password + "ignored"));
        Assert.False(hash.Verify(password.AsSpan(0, 71)));
    }

    /// <summary>Differs in the first character, so that bcrypt's 72-byte limit cannot hide the difference.</summary>
    private static string Wrong(string password) => string.Concat(password[0] == 'a' ? "b" : "a", password.AsSpan(1));

    private static string[] MakePasswords()
    {
        var random = new Random(20240611);
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~éüßøñ€✓中文密码пароль";
        var fixedOnes = new[]
        {
            "pass",
            "correct horse battery staple",
            "p@ss:w0rd with spaces and a : colon",
            "pässwörd ✓ 密码 пароль",
            new string('x', 75),
            string.Concat(Enumerable.Repeat("é密✓", 26)),
        };
        var randomOnes = Enumerable.Range(0, 4).Select(_ =>
        {
            var length = random.Next(1, 90);
            var chars = new char[length + 1];
            chars[0] = (char)('a' + random.Next(26));
            for (var i = 1; i < chars.Length; i++)
            {
                chars[i] = alphabet[random.Next(alphabet.Length)];
            }

            return new string(chars);
        });
        return [.. fixedOnes, .. randomOnes];
    }
}
