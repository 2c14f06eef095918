using Alb.Core.Auth;
using CsCheck;
using Xunit;

namespace Alb.Core.Tests.Auth;

public sealed class PasswordHashPropertyTests
{
    /// <summary>One cheap hash of every format (bcrypt at cost 4, SHA-crypt at the minimum 1000 rounds).</summary>
    private static readonly string[] Valid =
    [
        "$2y$04$xmmpigmk1Mutbeh7FwMoeeE0xFH1zb47/TCOhLo8xGP.F/ZdOPOQS",
        "$2a$04$xmmpigmk1Mutbeh7FwMoeeE0xFH1zb47/TCOhLo8xGP.F/ZdOPOQS",
        "$2b$04$xmmpigmk1Mutbeh7FwMoeeE0xFH1zb47/TCOhLo8xGP.F/ZdOPOQS",
        "$apr1$qHDFfhPC$nITSVHgYbDAK1Y0acGRnY0",
        "$1$rasmusle$rISCgZzpwk3UhDidwXvin0",
        "{SHA}nU4eI71bcnBGqeO0t9tXvY1u5oQ=",
        "{SSHA}EfVjnyJSUVXLC0NXPuQhKDjHjYdzYWx0",
        "$5$rounds=1000$roundstoolow$yfvwcWrQ8l/K0DAWyuPMDNHpIVlTQebY9l/gL972bIC",
        "$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.",
    ];

    [Fact]
    public void TryParse_never_throws_on_random_text()
    {
        Gen.String.Sample(text =>
        {
            if (PasswordHash.TryParse(text, out var hash, out var error))
            {
                Assert.Null(error);
                Assert.False(hash.Verify("x"));
            }
            else
            {
                Assert.False(string.IsNullOrWhiteSpace(error));
            }
        }, iter: 20_000);
    }

    [Fact]
    public void TryParse_never_throws_on_mutated_hashes()
    {
        Gen.Select(Gen.Int[0, Valid.Length - 1], Gen.Int[0, 200], Gen.Char, Gen.Int[0, 3]).Sample((which, at, c, how) =>
        {
            var stored = Valid[which];
            at = Math.Min(at, stored.Length - 1);
            var mutated = how switch
            {
                0 => stored[..at] + c + stored[(at + 1)..],
                1 => stored[..at] + c + stored[at..],
                2 => stored.Remove(at, 1),
                _ => stored[..at],
            };
            if (PasswordHash.TryParse(mutated, out var hash, out _))
            {
                hash.Verify("pass");
            }
        }, iter: 3_000);
    }

    [Fact]
    public void Verify_never_throws_for_random_passwords()
    {
        var hashes = Valid.Select(v => PasswordHash.TryParse(v, out var h, out var e) ? h : throw new InvalidOperationException(e)).ToArray();
        Gen.Select(Gen.Int[0, hashes.Length - 1], Gen.String[Gen.Char, 0, 1100]).Sample((which, password) =>
        {
            hashes[which].Verify(password);
        }, iter: 600);
    }

    [Fact]
    public void Verify_never_throws_on_lone_surrogates_or_nul()
    {
        foreach (var stored in Valid)
        {
            Assert.True(PasswordHash.TryParse(stored, out var hash, out _));
            Assert.False(hash.Verify("\uD800"));
            Assert.False(hash.Verify("pa\0ss"));
            Assert.False(hash.Verify(new string('\uDFFF', 1024)));
            Assert.False(hash.Verify(new string('x', 100_000)));
        }
    }
}
